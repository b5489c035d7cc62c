"""The viewer's pages for the real app: the four services export to the
viewer (as `make run` starts them), one request goes through the frontend,
and headless Chromium loads the pages for what arrived. The explore
questions of the workshop are answered by the DOM: which services the
trace crossed (legend, one bar per span in its service's colour), which
log lines belong to which span (the iss-distance-service's records marked
on its spans and linked from /logs), what calls what (the map's edges),
how the request durations look (/charts has the histogram). The resource
attributes the SDK sends are on every span of /api/traces. Screenshots:
build/test-logs/viewer-app-*.png.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import BUILD, ROOT, Process, Viewer, free_port, http

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("FAIL: chromium is not installed (apt-get install chromium)")
    print("0 passed, 1 failed")
    sys.exit(1)

PALETTE = ["#06989a", "#c4a000", "#75507b", "#4e9a06", "#3465a4", "#34e2e2"]
profile = tempfile.mkdtemp()
viewer = Viewer()
base = f"http://127.0.0.1:{viewer.http_port}"
otlp = viewer.otlp_env("grpc")
iss = Process("iss-distance-service", free_port(), otlp)
geo = Process("geolocator-service", free_port(), otlp)
gateway = Process("gateway", free_port(), {**otlp, "GEOLOCATOR_SERVICE_URL": geo.url("/"),
                                           "ISS_DISTANCE_SERVICE_URL": iss.url("/")})
frontend = Process("frontend", free_port(), {**otlp, "GATEWAY_URL": gateway.url("/")})
processes = [frontend, gateway, geo, iss]


def browser(*args, path):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args, base + path]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def dom_of(path):
    return browser("--dump-dom", "--virtual-time-budget=3000", path=path).stdout


try:
    status, _, _ = http("GET", frontend.url("/?location=Paris"))
    expect(status == 200, f"frontend answered {status}")

    def paris(answer):
        for t in answer["traces"]:
            if t["ready"] and t["spanCount"] >= 9 and len({s["service"] for s in t["spans"]}) == 4:
                return t
        return None

    trace = paris(viewer.wait_for("/api/traces?service=frontend", lambda a: paris(a) is not None))
    viewer.wait_for(f"/api/logs?trace_id={trace['traceId']}", lambda a: len(a["logs"]) > 0)
    viewer.wait_for("/api/metrics?name=http.server.request.duration", lambda a: len(a["metrics"]) >= 4)
    for s in trace["spans"]:
        keys = {kv["key"] for kv in s.get("resource", {}).get("attributes", [])}
        expect({"service.name", "telemetry.sdk.name", "telemetry.sdk.language"} <= keys,
               f"{s['service']}: resource attributes {sorted(keys)}")

    tid = trace["traceId"]
    dom = dom_of(f"/trace/{tid}")
    expect('data-ready="1"' in dom, "the trace page's script did not run to its end")
    legend = re.findall(r'<span class="svc"><span class="sw" style="background:(#[0-9a-f]{6})"></span>([^<]+)</span>', dom)
    expect(sorted(s for _, s in legend) == ["frontend", "gateway", "geolocator-service", "iss-distance-service"],
           f"legend {legend}")
    colour = {s: c for c, s in legend}
    expect([c for c, _ in legend] == PALETTE[:len(legend)], f"legend colours {legend}")
    rows = re.findall(r'<g class="row[^"]*" data-span="([0-9a-f]{16})".*?</g>', dom, re.S)
    expect(len(rows) == trace["spanCount"], f"{len(rows)} rows for {trace['spanCount']} spans")
    by_id = {s["spanId"]: s for s in trace["spans"]}
    for m in re.finditer(r'<g class="row[^"]*" data-span="([0-9a-f]{16})"(.*?)</g>', dom, re.S):
        fill = re.search(r'<rect class="bar[^"]*" [^>]*fill="(#[0-9a-f]{6})"', m.group(2))
        svc = by_id.get(m.group(1), {}).get("service")
        expect(fill is not None and svc is not None and fill.group(1) == colour.get(svc),
               f"span {m.group(1)} of {svc}: bar colour {fill and fill.group(1)}")
    expect(dom.count('class="bar crit') >= 4, "no critical path through the four services")
    marked = sum(1 for m in re.finditer(r'<g class="row[^"]*" data-span="[0-9a-f]{16}"(.*?)</g>', dom, re.S)
                 if 'class="log"' in m.group(1))
    expect(marked >= 1, "no log record marked on a span")

    dom = dom_of(f"/logs?trace_id={tid}")
    links = re.findall(r'href="/trace/' + tid + r'\?span=([0-9a-f]{16})"', dom)
    expect(links and all(l in by_id for l in links), f"/logs links to spans {links}")

    dom = dom_of("/map")
    edges = set(re.findall(r'<a class="edge" href="[^"]*" data-from="([^"]*)" data-to="([^"]*)"', dom))
    expect({("frontend", "gateway"), ("gateway", "geolocator-service"), ("gateway", "iss-distance-service")} <= edges,
           f"map edges {sorted(edges)}")

    dom = dom_of("/charts?name=http.server.request.duration")
    expect(dom.count('data-kind="quantiles"') >= 4, "no request duration histogram per service on /charts")

    status, body, _ = http("GET", f"{base}/metrics")
    expect(status == 200 and re.search(r'^http_server_request_duration_seconds_count\{.*service_name="gateway"', body, re.M),
           "/metrics lacks the gateway's request durations")

    for name, path in (("viewer-app-traces", "/"), ("viewer-app-trace", f"/trace/{tid}"),
                       ("viewer-app-logs", "/logs"), ("viewer-app-map", "/map"), ("viewer-app-charts", "/charts"),
                       ("viewer-app-workshop", "/charts?workshop=1")):
        shot = os.path.join(ROOT, BUILD, "test-logs", name + ".png")
        browser(f"--screenshot={shot}", "--window-size=1500,900", "--virtual-time-budget=3000", path=path)
        expect(os.path.exists(shot) and os.path.getsize(shot) > 10000, f"no screenshot {shot}")
finally:
    for p in processes:
        rc = p.stop()
        expect(rc == 0, f"{p.name} exited with {rc}")
    rc = viewer.stop()
    expect(rc == 0, f"otel-viewer exited with {rc}")
    shutil.rmtree(profile, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
