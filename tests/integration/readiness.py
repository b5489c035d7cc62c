"""Ready means ready: the readiness endpoint, the frontend's "starting up"
answer, and health probes kept out of the telemetry.

- every service answers GET /healthz with 200 "ready" once it listens (its
  data loaded before), and other methods with 405;
- probes make no span and no http.server metric point, in the services
  (instrumented in code) and under the zero-code agent (zc_app under
  otel-instrument; with OTEL_INSTRUMENT_EXCLUDED_PATHS="" the probe is
  traced, so the check can see the difference);
- while nothing listens at GATEWAY_URL, or the gateway answers 503, the
  frontend answers 503 with Retry-After and a page saying the app is
  starting up (not a raw 502); once the gateway is up, the real answer.
"""
import os
import sys
import time

from harness import BUILD, ROOT, Process, Viewer, attr, free_port, http

failures = []
ZC_APP = os.path.join(ROOT, BUILD, "tests", "zero-code", "zc_app")


def expect(cond, what):
    if not cond:
        failures.append(what)


def probe_spans(viewer):
    answer = viewer.query("/api/traces") or {"traces": []}
    return [s for t in answer["traces"] for s in t["spans"] if attr(s, "url.path") == "/healthz"]


def duration_counts(viewer):
    """{service: request count} of http.server.request.duration."""
    answer = viewer.query("/api/metrics?name=http.server.request.duration") or {"metrics": []}
    counts = {}
    for m in answer["metrics"]:
        counts[m["service"]] = counts.get(m["service"], 0) + int(m["count"])
    return counts


viewer = Viewer()
otlp = viewer.otlp_env("grpc")
processes = []
try:
    # 1. the endpoint, and probes left out of the in-code instrumentation
    iss = Process("iss-distance-service", free_port(), otlp)
    geo = Process("geolocator-service", free_port(), otlp)
    gw_port = free_port()
    fe = Process("frontend", free_port(), {**otlp, "GATEWAY_URL": f"http://127.0.0.1:{gw_port}/"})
    processes += [iss, geo, fe]

    # 3. (first, while no gateway listens) the frontend says "starting up"
    status, page, headers = http("GET", fe.url("/?location=London"))
    expect(status == 503, f"frontend without a gateway answered {status}, want 503")
    expect(headers.get("Retry-After") == "5", f"Retry-After: {headers.get('Retry-After')!r}")
    expect('id="starting-up"' in page and "starting up" in page, "the page does not say the app is starting up")
    expect('http-equiv="refresh"' in page, "the starting-up page does not reload itself")
    expect("Error 502" not in page, "the starting-up page shows a raw 502")

    gw = Process("gateway", gw_port, {**otlp, "GEOLOCATOR_SERVICE_URL": geo.url("/"),
                                      "ISS_DISTANCE_SERVICE_URL": iss.url("/")})
    processes.append(gw)
    for p in (iss, geo, gw, fe):
        status, body, headers = http("GET", p.url("/healthz"))
        expect(status == 200 and body == "ready\n", f"{p.name} /healthz: {status} {body!r}")
        expect(headers.get("Cache-Control") == "no-store", f"{p.name} /healthz may be cached")
        status, _, headers = http("POST", p.url("/healthz"), b"")
        expect(status == 405 and headers.get("Allow") == "GET", f"{p.name} POST /healthz: {status}")
        for _ in range(5):
            http("GET", p.url("/healthz"))

    status, page, _ = http("GET", fe.url("/?location=London"))
    expect(status == 200 and 'id="distance"' in page, f"frontend with the gateway up: {status}")
    all_four = {"frontend", "gateway", "geolocator-service", "iss-distance-service"}
    counts = viewer.wait_for("/api/metrics?name=http.server.request.duration",
                             lambda a: {m["service"] for m in a["metrics"]} >= all_four)
    viewer.wait_for("/api/traces?service=frontend",
                    lambda a: any(t["spanCount"] >= 9 for t in a["traces"]))
    # the frontend served two app requests (503, then 200); every other service one.
    # The points come at each export interval, so wait (bounded) until the
    # frontend's second request is in them; counted probes would add 6 a service.
    want = {"frontend": 2, "gateway": 1, "geolocator-service": 1, "iss-distance-service": 1}
    deadline = time.monotonic() + 20
    counts = duration_counts(viewer)
    while counts.get("frontend", 0) < want["frontend"] and time.monotonic() < deadline:
        time.sleep(0.05)
        counts = duration_counts(viewer)
    expect(counts == want, f"http.server.request.duration counts {counts}, want {want} (probes counted?)")
    expect(probe_spans(viewer) == [], f"/healthz made spans: {[s['service'] for s in probe_spans(viewer)]}")

    # 2. the zero-code agent leaves the probe path out too (by default)
    for excluded, want_traced in ((None, False), ("", True)):
        env = {**otlp, "NAME": f"zc-probe-{want_traced}", "OTEL_SERVICE_NAME": f"zc-probe-{want_traced}",
               "HANDLE_TERM": "before"}  # exit 0 on SIGTERM
        if excluded is not None:
            env["OTEL_INSTRUMENT_EXCLUDED_PATHS"] = excluded
        zc = Process("otel-instrument", free_port(), env, args=[ZC_APP])
        zc.name = env["NAME"]
        processes.append(zc)
        http("GET", zc.url("/healthz"))
        http("GET", zc.url("/hello"))
        service = env["OTEL_SERVICE_NAME"]
        answer = viewer.wait_for(f"/api/traces?service={service}",
                                 lambda a: any(s["name"] == "GET /hello" for t in a["traces"] for s in t["spans"]))
        paths = [attr(s, "url.path") for t in answer["traces"] for s in t["spans"]]
        if want_traced:
            expect("/healthz" in paths, "with OTEL_INSTRUMENT_EXCLUDED_PATHS=\"\" the probe should be traced")
        else:
            expect("/healthz" not in paths, f"the agent traced the probe by default: {paths}")
finally:
    for p in processes:
        rc = p.stop()
        expect(rc == 0, f"{p.name} exited with {rc}:\n{p.output()[-2000:]}")
    expect(viewer.stop() == 0, "the viewer did not exit cleanly")

for f in failures:
    print("FAIL:", f)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
