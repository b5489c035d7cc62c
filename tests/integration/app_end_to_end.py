"""The whole ISS distance app, natively, as `make run` starts it: the
viewer, then iss-distance-service, geolocator-service, gateway and
frontend on free ports, all exporting OTLP to the viewer.

GET /?location=London on the frontend must show the distance, and produce
one trace holding the spans of all four services, each server span the
child of the caller's client span, the service's own spans
(calculating-iss-distance > getting-iss-coordinates with iss.position), and
the log lines of the iss-distance-service, correlated with the trace, and
the metrics: incoming.requests, iss.requests{response.status} and the
http.server.request.duration histogram of every service, whose exemplars
point at the measured request's span.
"""
import re
import sys

from harness import Process, Viewer, attr, free_port, http

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


viewer = Viewer()
otlp = viewer.otlp_env("grpc")
iss = Process("iss-distance-service", free_port(), otlp)
geo = Process("geolocator-service", free_port(), otlp)
gateway = Process("gateway", free_port(), {**otlp, "GEOLOCATOR_SERVICE_URL": geo.url("/"),
                                           "ISS_DISTANCE_SERVICE_URL": iss.url("/")})
frontend = Process("frontend", free_port(), {**otlp, "GATEWAY_URL": gateway.url("/")})
processes = [frontend, gateway, geo, iss]
try:
    status, page, _ = http("GET", frontend.url("/?location=London"))
    expect(status == 200, f"frontend answered {status}")
    expect("London, England, United Kingdom" in page, "the page does not name the resolved place")
    m = re.search(r'id="distance">([0-9.]+) km<', page)
    expect(m is not None and 0 < float(m.group(1)) < 20040, "the page shows no plausible distance")

    status, body, _ = http("GET", gateway.url("/?location=Zurich"))
    expect(status == 200 and '"place":"Zurich, Canton of Zurich, Switzerland"' in body, f"gateway: {status} {body[:200]}")
    status, body, _ = http("GET", gateway.url("/?location=Xyzzyville"))
    expect(status == 404 and "No coordinates found for location 'Xyzzyville'" in body,
           f"unknown place through the gateway: {status} {body[:200]}")

    def london_trace(answer):
        for t in answer["traces"]:
            names = {(s["service"], s["name"]) for s in t["spans"]}
            if ("frontend", "GET /") in names and t["spanCount"] >= 9:
                return t
        return None

    answer = viewer.wait_for("/api/traces?service=frontend", lambda a: london_trace(a) is not None)
    trace = london_trace(answer)
    spans = trace["spans"]
    by_id = {s["spanId"]: s for s in spans}
    services = {s["service"] for s in spans}
    expect(services == {"frontend", "gateway", "geolocator-service", "iss-distance-service"},
           f"services in the trace: {sorted(services)}")
    roots = [s for s in spans if not s.get("parentSpanId")]
    expect(len(roots) == 1 and roots[0]["service"] == "frontend", f"roots: {[(r['service'], r['name']) for r in roots]}")
    for s in spans:
        if s.get("parentSpanId"):
            expect(s["parentSpanId"] in by_id, f"{s['service']} {s['name']}: parent not in the trace")
        if s["kind"] == 2 and s["service"] != "frontend":  # a server span's parent is a client span
            parent = by_id.get(s.get("parentSpanId"))
            expect(parent is not None and parent["kind"] == 3 and parent["service"] != s["service"],
                   f"{s['service']} server span is not the child of another service's client span")
    calc = [s for s in spans if s["name"] == "calculating-iss-distance"]
    coords = [s for s in spans if s["name"] == "getting-iss-coordinates"]
    expect(len(calc) == 1 and len(coords) == 1, "service spans missing")
    if calc and coords:
        expect(coords[0]["parentSpanId"] == calc[0]["spanId"], "getting-iss-coordinates is not inside calculating-iss-distance")
        expect(by_id[calc[0]["parentSpanId"]]["kind"] == 2, "calculating-iss-distance is not inside the server span")
        pos = attr(coords[0], "iss.position")
        expect(pos is not None and re.fullmatch(r"-?\d+\.\d{4},-?\d+\.\d{4}", pos), f"iss.position={pos!r}")

    tid = trace["traceId"]
    logs = viewer.wait_for(f"/api/logs?trace_id={tid}", lambda a: len(a["logs"]) >= 1)["logs"]
    bodies = [l["body"].get("stringValue", "") for l in logs]
    expect(any(b.startswith("received request from IP address: 127.0.0.1") for b in bodies),
           f"log records of the trace: {bodies}")
    expect(all(l["service"] == "iss-distance-service" for l in logs), "unexpected services in the logs")
    started = viewer.wait_for("/api/logs?service=iss-distance-service&body=started", lambda a: len(a["logs"]) >= 1)
    expect(len(started["logs"]) >= 1, "no start log line")
    status, _, _ = http("GET", iss.url("/?latitude=1"))
    # metrics: the service's counters and the HTTP server histograms of all four
    def metric(name, ready):
        return viewer.wait_for(f"/api/metrics?name={name}", lambda a: ready(a["metrics"]))["metrics"]
    inc = metric("incoming.requests", lambda ms: any(float(m.get("value", 0)) >= 2 for m in ms))
    expect(any(m["service"] == "iss-distance-service" for m in inc), "incoming.requests not from the ISS service")
    iss_req = metric("iss.requests", lambda ms: len(ms) >= 1)
    expect(any("response.status=200" in str(m["attributes"]) for m in iss_req),
           f"iss.requests by response.status: {iss_req}")
    dur = metric("http.server.request.duration",
                 lambda ms: {m["service"] for m in ms} >= {"frontend", "gateway", "geolocator-service", "iss-distance-service"})
    expect(all(int(m["count"]) >= 1 for m in dur), "a duration histogram without requests")
    expect(all(m["unit"] == "s" for m in dur), "http.server.request.duration is not in seconds")
    # exemplars: the duration histograms carry the span of a measured request
    series = viewer.wait_for("/api/metrics/series?service=frontend&name=http.server.request.duration",
                             lambda a: any(s["exemplars"] for s in a["series"]))["series"]
    ex = [e for s in series for e in s["exemplars"]]
    expect(any(e["traceId"] == tid and e["spanId"] == roots[0]["spanId"] for e in ex) if roots else False,
           f"no exemplar of the frontend's duration histogram points at the London request's span: {ex[:3]}")
    warn = viewer.wait_for("/api/logs?service=iss-distance-service&body=without%20latitude",
                           lambda a: len(a["logs"]) >= 1)["logs"]
    expect(warn and warn[0]["severityText"] == "WARN", "missing-coordinates warning not logged as WARN")
finally:
    for p in processes:
        rc = p.stop()
        expect(rc == 0, f"{p.name} exited with {rc}:\n{p.output()[-2000:]}")
    expect(viewer.stop() == 0, "the viewer did not exit cleanly")

for f in failures:
    print("FAIL:", f)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
