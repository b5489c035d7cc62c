"""otel-viewer's pages in a real browser: the real viewer (free ports) is fed
the OTLP/JSON fixtures of tests/fixtures/viewer/ (a trace across the four
services with events, an exception, a link and log records; and a hostile
trace and log record with markup and control characters everywhere), then
Debian's headless Chromium loads the pages, runs their script and dumps
the DOM, which is checked:

- the waterfall's bars at the x and width of their times and in their
  service's colour (the terminal palette, legend order), the critical path,
  the ERROR spans;
- the detail panel of the selected span (status, attributes, resource,
  scope, exception type/message/stacktrace, link);
- logs -> spans (each record links to its trace with its span selected)
  and spans -> logs (the panel lists the span's records and links to them);
- search (?q=) and collapse (?collapse=) done by the script;
- the trace list's and log page's filters;
- the OTLP/JSON download, ingested again;
- the hostile fixture shows only as text: no element, no script ran.

Screenshots of each page go to build/test-logs/viewer-*.png.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import BUILD, ROOT, Viewer, http

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("FAIL: chromium is not installed (apt-get install chromium)")
    print("0 passed, 1 failed")
    sys.exit(1)

FIX = os.path.join(ROOT, "tests", "fixtures", "viewer")
APP = "5b8efff798038103d269b633813fc60c"
EVIL = "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0"
LOGS_DIR = os.path.join(ROOT, BUILD, "test-logs")
profile = tempfile.mkdtemp()
viewer = Viewer()
base = f"http://127.0.0.1:{viewer.http_port}"


def post(signal, name):
    with open(os.path.join(FIX, name), "rb") as f:
        status, body, _ = http("POST", f"{base}/v1/{signal}", f.read(),
                               {"Content-Type": "application/json"})
    expect(status == 200 and body == "{}", f"{name}: {status} {body[:200]}")


def browser(*args, path):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args, base + path]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def dom_of(path):
    return browser("--dump-dom", "--virtual-time-budget=3000", path=path).stdout


def rows(dom):
    """{span id: (row classes, row markup)} of the waterfall."""
    return {m.group(2): (m.group(1), m.group(3))
            for m in re.finditer(r'<g class="(row[^"]*)" data-span="([0-9a-f]{16})"(.*?)</g>', dom, re.S)}


def bar(markup):
    m = re.search(r'<rect class="(bar[^"]*)" x="([0-9.]+)" y="4" width="([0-9.]+)" height="14" '
                  r'rx="2" fill="(#[0-9a-f]{6})"', markup)
    return (m.group(1).split(), float(m.group(2)), float(m.group(3)), m.group(4)) if m else None


# (span, service, start ms, end ms, on the critical path, error); trace 0..120 ms
SPANS = [("a000000000000001", "frontend", 0, 120, True, False),
         ("a000000000000002", "frontend", 2, 118, True, False),
         ("b000000000000001", "gateway", 4, 116, True, False),
         ("b000000000000002", "gateway", 6, 36, True, False),
         ("c000000000000001", "geolocator-service", 8, 34, True, False),
         ("b000000000000003", "gateway", 40, 112, True, True),
         ("d000000000000001", "iss-distance-service", 42, 110, True, True)]
PALETTE = {"frontend": "#06989a", "gateway": "#c4a000", "geolocator-service": "#75507b",
           "iss-distance-service": "#4e9a06"}
LABEL, BARS = 340, 560

try:
    post("traces", "trace_app.json")
    post("logs", "logs_app.json")
    post("traces", "hostile_traces.json")
    post("logs", "hostile_logs.json")
    with open(os.path.join(FIX, "metrics_app.jsonl"), "rb") as f:
        for line in f:
            status, body, _ = http("POST", f"{base}/v1/metrics", line, {"Content-Type": "application/json"})
            expect(status == 200 and body == "{}", f"metrics line: {status} {body[:200]}")

    # ---- the trace page: geometry, colours, critical path, errors
    dom = dom_of(f"/trace/{APP}?span=d000000000000001")
    expect('data-ready="1"' in dom, "the page's script did not run to its end")
    r = rows(dom)
    expect(list(r) == [s[0] for s in SPANS], f"rows in draw order: {list(r)}")
    for sid, svc, start, end, crit, err in SPANS:
        b = bar(r.get(sid, ("", ""))[1])
        if not b:
            failures.append(f"{sid}: no bar")
            continue
        classes, x, w, fill = b
        expect(abs(x - (LABEL + start / 120 * BARS)) < 0.11, f"{sid}: bar x {x}")
        expect(abs(w - (end - start) / 120 * BARS) < 0.11, f"{sid}: bar width {w}")
        expect(fill == PALETTE[svc], f"{sid}: colour {fill} for {svc}")
        expect(("crit" in classes) == crit, f"{sid}: critical path {classes}")
        expect(("error" in classes) == err, f"{sid}: error mark {classes}")
    legend = re.findall(r'<span class="svc"><span class="sw" style="background:(#[0-9a-f]{6})"></span>([^<]+)</span>', dom)
    expect(legend == [(PALETTE[s], s) for s in PALETTE], f"legend {legend}")
    expect(r.get("d000000000000001", ("",))[0] == "row sel", "the selected span's row is not marked")
    # events and logs marked on their bars
    expect(r["c000000000000001"][1].count('class="event"') == 1, "geolocator event not marked")
    expect(r["c000000000000001"][1].count('class="log"') == 1, "geolocator log not marked")
    expect(r["d000000000000001"][1].count('class="event"') == 1, "exception event not marked")

    # ---- the detail panel of the selected span
    m = re.search(r'<div class="detail on" id="d-d000000000000001">(.*?)</div>\n', dom, re.S)
    expect(m is not None and dom.count('class="detail on"') == 1, "exactly the selected panel is shown")
    panel = m.group(1) if m else ""
    for want in ['<td class="kind">SERVER</td>', "ERROR: ISS position unavailable",
                 "http.response.status_code", "503", "host.name", "workshop-laptop",
                 "iss-distance-service 1.0", '<div class="extype">IssTimeout</div>',
                 '<div class="exmsg">open-notify did not answer in 50 ms</div>',
                 '<pre class="stack">at fetch_iss (iss.c:42)\nat handle_distance (main.c:88)</pre>',
                 'href="/trace/11111111111111111111111111111111?span=2222222222222222"',
                 "ISS position unavailable: open-notify timed out",
                 f'href="/logs?trace_id={APP}&amp;span_id=d000000000000001"']:
        expect(want in panel, f"detail panel lacks {want!r}")

    # ---- search and collapse, by the script
    dom = dom_of(f"/trace/{APP}?q=geolocator")
    r = rows(dom)
    expect("hit" in r.get("c000000000000001", ("",))[0].split(), "search did not mark the match")
    expect(all("miss" in r[s][0].split() for s in r if s != "c000000000000001"), "search did not dim the others")
    dom = dom_of(f"/trace/{APP}?collapse=b000000000000001")
    hidden = [m.group(1) for m in re.finditer(r'<g class="row[^"]*" data-span="([0-9a-f]{16})"[^>]*style="display: none;"', dom)]
    expect(hidden == ["b000000000000002", "c000000000000001", "b000000000000003", "d000000000000001"],
           f"collapse hid {hidden}")
    m = re.search(r'<svg id="waterfall"[^>]*height="(\d+)"', dom)
    expect(m is not None and int(m.group(1)) == 26 + 3 * 22 + 4, f"collapsed waterfall height {m and m.group(1)}")

    # ---- logs -> spans, spans -> logs
    dom = dom_of("/logs")
    links = re.findall(r'href="/trace/([0-9a-f]{32})\?span=([0-9a-f]{16})"', dom)
    for sid in ("c000000000000001", "d000000000000001", "b000000000000003"):
        expect((APP, sid) in links, f"/logs has no link to span {sid}")
    dom = dom_of(f"/trace/{APP}?span=b000000000000003")
    expect('<div class="detail on" id="d-b000000000000003">' in dom, "log link does not select its span")
    expect("upstream iss-distance-service returned 503" in dom.split('id="d-b000000000000003"')[1].split('class="detail')[0],
           "the span's panel does not list its log record")
    dom = dom_of(f"/logs?trace_id={APP}&span_id=d000000000000001")
    expect(dom.count('<tr class="log">') == 1, "span -> logs link does not filter to the span's record")

    # ---- filters
    def trace_rows(query):
        return re.findall(r'data-trace="([0-9a-f]{32})"', dom_of("/" + query))
    expect(trace_rows("?service=geolocator-service") == [APP], "service filter")
    expect(trace_rows("?attr=server.port%3D5001") == [APP], "attribute filter")
    expect(trace_rows("?min_ms=50") == [APP], "minimum duration filter")
    expect(sorted(trace_rows("?errors=1")) == sorted([APP, EVIL]), "errors filter")
    expect(trace_rows("?last_min=5") == [], "last minutes filter (fixtures are from 2025)")
    expect(trace_rows("?sort=duration") == [APP, EVIL], "sort by duration")
    expect(trace_rows("?name=validate") == [], "span name filter")
    dom = dom_of("/logs?severity=17")
    expect(dom.count('<tr class="log">') == 2, "log severity filter")
    dom = dom_of("/logs?service=gateway")
    expect(dom.count('<tr class="log">') == 1, "log service filter")
    dom = dom_of("/logs?text=Paris")
    expect(dom.count('<tr class="log">') == 1, "log text filter")

    # ---- the service map: edges and counts, links to traces
    dom = dom_of("/map")
    edges = {(m.group(1), m.group(2)): (int(m.group(3)), int(m.group(4))) for m in re.finditer(
        r'<a class="edge" href="[^"]*" data-from="([^"]*)" data-to="([^"]*)" data-requests="(\d+)" data-errors="(\d+)"', dom)}
    expect(edges == {("frontend", "gateway"): (1, 0), ("gateway", "geolocator-service"): (1, 0),
                     ("gateway", "iss-distance-service"): (1, 1)}, f"map edges {edges}")
    expect("<b id" not in dom and "<img" not in dom, "map: markup from telemetry became an element")
    expect(trace_rows("?service=gateway&and_service=iss-distance-service") == [APP], "a call's link")
    status, body, _ = http("GET", f"{base}/api/map")
    amap = json.loads(body) if status == 200 else {}
    expect([(e["from"], e["to"], e["requests"], e["errors"], e["p50Ms"]) for e in amap.get("edges", [])] ==
           [("frontend", "gateway", 1, 0, 116), ("gateway", "geolocator-service", 1, 0, 30),
            ("gateway", "iss-distance-service", 1, 1, 72)], f"/api/map: {body[:300]}")
    status, body, _ = http("GET", f"{base}/api/services")
    svcs = {s["name"]: s for s in json.loads(body)["services"]} if status == 200 else {}
    expect(svcs.get("gateway", {}).get("spans") == 3 and svcs.get("gateway", {}).get("logs") == 1,
           f"/api/services: {body[:300]}")

    # ---- charts: points against the known rates and quantiles, exemplars
    dom = dom_of("/charts")
    charts = {}
    for m in re.finditer(r'<div class="chart" id="chart-\d+" data-kind="(\w+)">(.*?)</svg></div>', dom, re.S):
        name = re.search(r'<span class="metric">([^<]+)</span>', m.group(2)).group(1)
        pts = {}
        for p in re.finditer(r'<circle class="pt" data-line="(\w+)" data-t="\d+" data-v="([^"]+)"', m.group(2)):
            pts.setdefault(p.group(1), []).append(float(p.group(2)))
        charts[name] = (m.group(1), pts, m.group(2))
    kind, pts, _ = charts.get("iss.requests", ("", {}, ""))
    expect(kind == "rate" and pts.get("value") == [0, 1, 2, 3], f"counter rates {kind} {pts}")
    kind, pts, svg = charts.get("http.server.request.duration", ("", {}, ""))
    expect(kind == "quantiles" and pts.get("p50") == [0.1, 0.3] and pts.get("p95") == [0.1, 0.48]
           and pts.get("p99") == [0.1, 0.496], f"histogram quantiles {kind} {pts}")
    expect(f'<a class="exemplar" href="/trace/{APP}?span=d000000000000001">' in svg, "exemplar dot not linked")
    kind, pts, _ = charts.get("iss.altitude", ("", {}, ""))
    expect(kind == "value" and pts.get("value") == [405, 407, 406, 409], f"gauge values {kind} {pts}")

    # ---- the Workshop view: the dashboard's panels
    dom = dom_of("/charts?workshop=1")
    panel = lambda pid: [float(v) for v in re.findall(r'data-v="([^"]+)"', dom.split(f'id="{pid}"')[1].split("</svg>")[0])] \
        if f'id="{pid}"' in dom else None
    expect(panel("panel-rate") == [0, 1, 1, 0], f"requests per second panel {panel('panel-rate')}")
    expect(panel("panel-p99") == [0.1, 0.496], f"p99 panel {panel('panel-p99')}")
    expect(panel("panel-iss") == [0, 1, 2, 3], f"ISS requests panel {panel('panel-iss')}")

    # ---- download as OTLP/JSON, ingested again
    status, body, headers = http("GET", f"{base}/api/traces/{APP}/otlp")
    req = json.loads(body) if status == 200 else {}
    spans = [s for rs in req.get("resourceSpans", []) for ss in rs["scopeSpans"] for s in ss["spans"]]
    expect(len(req.get("resourceSpans", [])) == 4 and len(spans) == 7, f"download: {body[:300]}")
    status, body, _ = http("POST", f"{base}/v1/traces", json.dumps(req).encode(), {"Content-Type": "application/json"})
    expect(status == 200 and body == "{}", f"download not accepted as OTLP/JSON: {status} {body[:200]}")

    # ---- hostile fixture: text only
    for path in (f"/trace/{EVIL}", "/logs", "/"):
        dom = dom_of(path)
        # (the DOM dump writes text with < > & escaped, quotes as they are)
        expect("<img" not in dom and "<b id" not in dom, f"{path}: markup from telemetry became an element")
        expect("pwned" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1), f"{path}: script ran")
        expect(dom.count("<script") == 1, f"{path}: a script element from telemetry")
        expect("\x1b" not in dom and "\x01" not in dom, f"{path}: control characters reached the page")
        expect("&lt;img id=\"pwn\"" in dom or "&lt;img id=&quot;pwn&quot;" in dom,
               f"{path}: the hostile text is not shown as text")
    dom = dom_of(f"/trace/{EVIL}")
    for what in ("span &lt;img", "status &lt;img", "event &lt;img", 'class="extype">&lt;img'):
        expect(what in dom, f"hostile trace page lacks {what!r} as text")

    # ---- screenshots
    for name, path in (("viewer-traces", "/"), ("viewer-trace", f"/trace/{APP}?span=d000000000000001"),
                       ("viewer-logs", "/logs"), ("viewer-hostile", f"/trace/{EVIL}"),
                       ("viewer-map", "/map"), ("viewer-charts", "/charts"),
                       ("viewer-workshop", "/charts?workshop=1")):
        shot = os.path.join(LOGS_DIR, name + ".png")
        browser(f"--screenshot={shot}", "--window-size=1500,900", "--virtual-time-budget=3000", path=path)
        expect(os.path.getsize(shot) > 10000 if os.path.exists(shot) else False, f"no screenshot {shot}")
finally:
    rc = viewer.stop()
    shutil.rmtree(profile, ignore_errors=True)
    expect(rc == 0, f"otel-viewer exited with {rc}")

for f in failures:
    print("FAIL:", f)
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
