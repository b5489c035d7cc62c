"""The workshop's four services with no telemetry code, traced by otel-instrument.

Usage: zero_code_services.py BIN_DIR, where BIN_DIR holds the start-state
builds of frontend, gateway, geolocator-service and iss-distance-service
(`make workshop-start`). Each runs as `otel-instrument BIN_DIR/<service>`
exporting to an isolated viewer; one request through the frontend must give
one trace across the four services: every CLIENT span the parent of the
next service's SERVER span, the HTTP semantic-convention attributes, and
service.name from each program's name.
"""
import os
import sys

from harness import Process, Viewer, attr, binary, free_port, http

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


bin_dir = os.path.abspath(sys.argv[1])
SERVICES = ("frontend", "gateway", "geolocator-service", "iss-distance-service")
for s in SERVICES:
    if not os.access(os.path.join(bin_dir, s), os.X_OK):
        sys.exit(f"zero_code_services: {bin_dir}/{s} is missing (make workshop-start)")


def service(name, env):
    p = Process("otel-instrument", free_port(), env, args=[os.path.join(bin_dir, name)])
    p.name = name
    return p


viewer = Viewer()
otlp = viewer.otlp_env("grpc")
procs = []
try:
    iss = service("iss-distance-service", otlp)
    geo = service("geolocator-service", otlp)
    gateway = service("gateway", {**otlp, "GEOLOCATOR_SERVICE_URL": geo.url("/"),
                                  "ISS_DISTANCE_SERVICE_URL": iss.url("/")})
    frontend = service("frontend", {**otlp, "GATEWAY_URL": gateway.url("/")})
    procs = [frontend, gateway, geo, iss]
    status, body, _ = http("GET", frontend.url("/?location=London"),
                           headers={"User-Agent": "zero-code/1.0"})
    expect(status == 200, f"frontend answered {status}: {body[:300]!r}")
    ready = lambda a: any({s["service"] for s in t["spans"]} >= set(SERVICES) for t in a["traces"])
    answer = viewer.wait_for("/api/traces?service=frontend", ready)
    trace = next(t for t in answer["traces"] if {s["service"] for s in t["spans"]} >= set(SERVICES))
    spans = trace["spans"]
    by_id = {s["spanId"]: s for s in spans}
    roots = [s for s in spans if not s.get("parentSpanId")]
    expect(len(roots) == 1 and roots[0]["service"] == "frontend" and roots[0]["kind"] == 2,
           f"roots: {[(s['service'], s['kind'], s['name']) for s in roots]}")
    for s in spans:
        if s["kind"] == 2 and s["service"] != "frontend":  # SERVER of a callee
            parent = by_id.get(s.get("parentSpanId"))
            expect(parent is not None and parent["kind"] == 3 and attr(parent, "server.port") ==
                   attr(s, "server.port"), f"{s['service']} SERVER's parent is not the CLIENT calling it")
        if s["kind"] == 3:  # CLIENT: child of its own service's SERVER span
            parent = by_id.get(s.get("parentSpanId"))
            expect(parent is not None and parent["service"] == s["service"] and parent["kind"] == 2,
                   f"{s['service']} CLIENT {attr(s, 'url.full')} is not a child of its SERVER span")
            for key in ("http.request.method", "url.full", "server.address", "server.port",
                        "http.response.status_code"):
                expect(attr(s, key) is not None, f"{s['service']} CLIENT has no {key}")
        if s["kind"] == 2:
            for key in ("http.request.method", "url.path", "url.scheme", "server.port",
                        "client.address", "network.protocol.version", "http.response.status_code"):
                expect(attr(s, key) is not None, f"{s['service']} SERVER has no {key}")
    for name in SERVICES:
        expect(any(s["service"] == name and s["kind"] == 2 for s in spans), f"no SERVER span of {name}")
    print(f"one trace {trace['traceId']}: {len(spans)} spans")
    for s in sorted(spans, key=lambda s: int(s["startTimeUnixNano"])):
        print(f"  {s['service']:22} {('SERVER' if s['kind'] == 2 else 'CLIENT'):6} {s['name']:10}"
              f" {attr(s, 'url.full') or attr(s, 'url.path')} -> {attr(s, 'http.response.status_code')}")
finally:
    for p in procs:
        rc = p.stop()
        expect(rc == 0, f"{p.name} exited with {rc}:\n{p.output()[-2000:]}")
    expect(viewer.stop() == 0, "the viewer did not exit cleanly")

for f in failures:
    print("FAIL:", f)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
