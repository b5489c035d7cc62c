"""The frontend in a real browser: Debian's headless Chromium renders the
page for a real query through the four services (offline), the DOM is
checked (distance, resolved place, ISS position; user input escaped, no
injected script; the world map's markers at the projected positions of the
numbers on the page, its great-circle path from one to the other, no map
with an error), and a screenshot is saved to build/test-logs/frontend.png.
The page is also driven over the DevTools protocol (chromium_cdp.py): under
its own security headers its style sheet applies, the form posts and shows
the answer, and the browser logs no Content Security Policy violation (a
page that breaks its CSP on purpose proves such a violation is seen).
A second chain gets the ISS position from a fake open-notify API so that
the path must cross the antimeridian (screenshot frontend-antimeridian.png).
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

from chromium_cdp import Chromium
from harness import BUILD, ROOT, Process, free_port, http

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("FAIL: chromium is not installed (apt-get install chromium)")
    print("0 passed, 1 failed")
    sys.exit(1)

quiet = {"OTEL_TRACES_EXPORTER": "none", "OTEL_LOGS_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"}
iss = Process("iss-distance-service", free_port(), quiet)
geo = Process("geolocator-service", free_port(), quiet)
gateway = Process("gateway", free_port(), {**quiet, "GEOLOCATOR_SERVICE_URL": geo.url("/"),
                                           "ISS_DISTANCE_SERVICE_URL": iss.url("/")})
frontend = Process("frontend", free_port(), {**quiet, "GATEWAY_URL": gateway.url("/")})
profile = tempfile.mkdtemp()
shot = os.path.join(ROOT, BUILD, "test-logs", "frontend.png")
shot_am = os.path.join(ROOT, BUILD, "test-logs", "frontend-antimeridian.png")

# A fake open-notify API: the ISS always at 10 N, 150 W.
FAKE_ISS = (10.0, -150.0)


class FakeIssNow(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"message": "success", "timestamp": int(time.time()),
                           "iss_position": {"latitude": f"{FAKE_ISS[0]:.4f}",
                                            "longitude": f"{FAKE_ISS[1]:.4f}"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class CspCanary(BaseHTTPRequestHandler):
    """A page whose inline style its own CSP forbids: the browser must log a
    violation for it, or the check for none on the frontend proves nothing."""

    def do_GET(self):
        body = b"<!DOCTYPE html><html><head><style>p{color:red}</style></head><body><p>x</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Security-Policy", "default-src 'none'")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


canary = ThreadingHTTPServer(("127.0.0.1", 0), CspCanary)
threading.Thread(target=canary.serve_forever, daemon=True).start()
fake_api = ThreadingHTTPServer(("127.0.0.1", 0), FakeIssNow)
threading.Thread(target=fake_api.serve_forever, daemon=True).start()
iss_am = Process("iss-distance-service", free_port(),
                 {**quiet, "ISS_NOW_URL": f"http://127.0.0.1:{fake_api.server_address[1]}/iss-now.json"})
gateway_am = Process("gateway", free_port(), {**quiet, "GEOLOCATOR_SERVICE_URL": geo.url("/"),
                                              "ISS_DISTANCE_SERVICE_URL": iss_am.url("/")})
frontend_am = Process("frontend", free_port(), {**quiet, "GATEWAY_URL": gateway_am.url("/")})


def element(dom, elem_id):
    """The start tag of the element with id elem_id, or ''."""
    m = re.search(r'<[a-z]+ [^>]*\bid="' + re.escape(elem_id) + r'"[^>]*>', dom)
    return m.group(0) if m else ""


def attr(tag, name, default=None):
    m = re.search(r'\s' + re.escape(name) + r'="([^"]*)"', tag)
    return m.group(1) if m else default


def near(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def path_points(d):
    """[(command, x, y)] of path data "M x y L x y ..."."""
    return [(c, float(x), float(y)) for c, x, y in re.findall(r'([ML])(-?[0-9.]+) (-?[0-9.]+)', d or "")]


def arc_degrees(lat1, lon1, lat2, lon2):
    """Great-circle distance in degrees between two points on a sphere."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def check_map(dom, place, iss, what):
    """The map shows place and iss ((lat, lon) each): markers at (lon, -lat)
    in the viewBox, the path from the place to the ISS, never spanning the
    map; returns the path's subpaths."""
    svg = element(dom, "world-map")
    expect(svg != "", f"{what}: no world map")
    expect(attr(svg, "viewBox") == "-180 -90 360 180", f"{what}: map viewBox is {attr(svg, 'viewBox')}")
    for marker, (lat, lon), tol in (("place-marker", place, 0.002), ("iss-marker", iss, 0.006)):
        tag = element(dom, marker)
        cx, cy = num(attr(tag, "cx")), num(attr(tag, "cy"))
        expect(near(cx, lon, tol) and near(cy, -lat, tol),
               f"{what}: {marker} at ({cx}, {cy}), want ({lon}, {-lat})")
    for label in ("place-label", "iss-label"):
        expect(element(dom, label) != "", f"{what}: no {label}")
    expect(element(dom, "land") != "" and len(attr(element(dom, "land"), "d", "")) > 20000,
           f"{what}: no land on the map")
    pts = path_points(attr(element(dom, "iss-path"), "d"))
    expect(len(pts) >= 2, f"{what}: no path between the place and the ISS")
    if len(pts) < 2:
        return 0
    expect(near(pts[0][1], place[1], 0.006) and near(pts[0][2], -place[0], 0.006),
           f"{what}: path starts at {pts[0][1:]}, not at the place")
    expect(near(pts[-1][1], iss[1], 0.006) and near(pts[-1][2], -iss[0], 0.006),
           f"{what}: path ends at {pts[-1][1:]}, not at the ISS")
    # Every segment is a short piece of the great circle (the map samples it
    # about every 2 degrees of arc) and none runs across the map. Longitude
    # steps alone say nothing: near a pole a short arc changes longitude a lot.
    segments = [(a, b) for a, b in zip(pts, pts[1:]) if b[0] == "L"]
    longest = max(arc_degrees(-a[2], a[1], -b[2], b[1]) for a, b in segments)
    expect(longest < 2.5, f"{what}: a path segment is {longest:.2f} degrees of arc long")
    widest = max(abs(b[1] - a[1]) for a, b in segments)
    expect(widest < 180, f"{what}: a path segment spans {widest} degrees of longitude")
    return sum(1 for p in pts if p[0] == "M")


def page_position(dom, elem_id):
    """(lat, lon) shown in the page's text for elem_id."""
    m = re.search(r'id="' + elem_id + r'">(-?[0-9.]+)°, (-?[0-9.]+)°', dom)
    return (float(m.group(1)), float(m.group(2))) if m else None


def browser(*args, url):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


try:
    dom = browser("--dump-dom", url=frontend.url("/?location=" + quote("Zürich"))).stdout
    m = re.search(r'id="distance">([0-9.]+) km<', dom)
    expect(m is not None and 0 < float(m.group(1)) < 20040, "no distance in the rendered page")
    expect('id="place">Zurich, Canton of Zurich, Switzerland<' in dom, "resolved place not shown")
    expect(re.search(r'id="iss-position">-?[0-9.]+°, -?[0-9.]+° at [0-9]+ km altitude<', dom) is not None,
           "ISS position not shown")
    expect('value="Zürich"' in dom, "the typed place is not kept in the form")
    place, iss_at = page_position(dom, "place-position"), page_position(dom, "iss-position")
    expect(place is not None and iss_at is not None, "positions not shown")
    if place and iss_at:
        expect(near(place[0], 47.37, 0.1) and near(place[1], 8.54, 0.1), f"Zurich is at {place}")
        check_map(dom, place, iss_at, "Zurich")
    expect(re.search(r'id="place-label"[^>]*>Zurich</text>', dom) is not None, "place label is not Zurich")

    dom = browser("--dump-dom", url=frontend_am.url("/?location=Auckland")).stdout
    place = page_position(dom, "place-position")
    expect(place is not None and near(place[1], 174.7, 0.5), f"Auckland is at {place}")
    expect('id="source">open-notify<' in dom, "the fake ISS API was not used")
    if place:
        subpaths = check_map(dom, place, FAKE_ISS, "Auckland")
        expect(subpaths == 2, f"the path from Auckland east to 150 W has {subpaths} parts, want 2 (split at 180)")
    browser(f"--screenshot={shot_am}", "--window-size=1100,950", url=frontend_am.url("/?location=Auckland"))

    # From Helsinki the path to 150 W runs a few degrees from the North Pole,
    # where a 2-degree step changes longitude by tens of degrees (a live ISS
    # position can do the same to the Zurich case above).
    dom = browser("--dump-dom", url=frontend_am.url("/?location=Helsinki")).stdout
    place = page_position(dom, "place-position")
    expect(place is not None and near(place[1], 24.9, 0.5), f"Helsinki is at {place}")
    if place:
        check_map(dom, place, FAKE_ISS, "Helsinki")
        pts = path_points(attr(element(dom, "iss-path"), "d"))
        expect(max(-y for _, _, y in pts) > 80, "the path from Helsinki to 150 W does not pass near the pole")

    evil = '<script>document.title="pwned"</script>'
    dom = browser("--dump-dom", url=frontend.url("/?location=" + quote(evil))).stdout
    expect("<title>How far is the ISS?</title>" in dom, "the injected script ran (title changed)")
    expect("&lt;script&gt;" in dom, "the input is not shown escaped")
    expect(dom.count("<script") == 0, "a script element came from the input")
    expect('id="error"' in dom and "Error 404" in dom, "unknown place not reported as an error")
    expect("world-map" not in dom and "<svg" not in dom, "a map is drawn with an error")

    # The security headers, on the form and on a result.
    for path in ("/", "/?location=London"):
        _, _, headers = http("GET", frontend.url(path))
        h = {k.lower(): v for k, v in headers.items()}
        csp = h.get("content-security-policy", "")
        for directive in ("default-src 'none'", "style-src 'sha256-", "form-action 'self'",
                          "frame-ancestors 'none'"):
            expect(directive in csp, f"GET {path}: CSP {csp!r} lacks {directive}")
        expect("unsafe" not in csp, f"GET {path}: CSP {csp!r} allows something unsafe")
        expect(h.get("x-content-type-options") == "nosniff", f"GET {path}: no X-Content-Type-Options")
        expect(h.get("referrer-policy") == "no-referrer", f"GET {path}: Referrer-Policy is "
               f"{h.get('referrer-policy')!r}")

    # Under that CSP the page renders with its style sheet and the form works.
    cdp_profile = tempfile.mkdtemp()
    try:
        with Chromium(chromium, cdp_profile) as b:
            b.navigate(f"http://127.0.0.1:{canary.server_address[1]}/")
            expect(any("Content Security Policy" in m for m in b.console),
                   f"a CSP violation on purpose was not seen in the console: {b.console}")
            b.console.clear()
            b.navigate(frontend.url("/"))
            bg = b.evaluate("getComputedStyle(document.body).backgroundColor")
            expect(bg == "rgb(11, 29, 51)", f"the page's style sheet did not apply (body background {bg})")
            b.evaluate("document.getElementById('location').value = 'Zürich'")
            b.navigate_by("document.querySelector('button[type=submit]').click()")
            expect(b.evaluate("location.pathname + location.search") == "/",
                   "the form did not post to /")
            distance = b.evaluate("document.getElementById('distance') && "
                                  "document.getElementById('distance').textContent")
            expect(distance is not None and distance.endswith(" km"),
                   f"the posted form shows no distance ({distance!r})")
            width = b.evaluate("document.getElementById('world-map').getBoundingClientRect().width")
            expect(width is not None and width > 300, f"the map is {width} px wide")
            colour = b.evaluate("getComputedStyle(document.getElementById('distance')).color")
            expect(colour == "rgb(242, 169, 59)", f"the distance is not styled (colour {colour})")
            violations = [m for m in b.console if "Content Security Policy" in m or "violat" in m]
            expect(not violations, f"CSP violations in the console: {violations}")
    finally:
        shutil.rmtree(cdp_profile, ignore_errors=True)

    browser(f"--screenshot={shot}", "--window-size=1100,950", url=frontend.url("/?location=London"))
    expect(os.path.exists(shot) and os.path.getsize(shot) > 10000, f"no screenshot at {shot}")
    print(f"screenshots: {shot} {shot_am}")
finally:
    shutil.rmtree(profile, ignore_errors=True)
    fake_api.shutdown()
    canary.shutdown()
    for p in (frontend_am, gateway_am, iss_am, frontend, gateway, geo, iss):
        rc = p.stop()
        expect(rc == 0, f"{p.name} exited with {rc}")

for f in failures:
    print("FAIL:", f)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
