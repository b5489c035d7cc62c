"""Text that is not UTF-8, from outside, in the telemetry of real services.

A URL path, a User-Agent header or a query can hold any bytes, while every
OTLP string must be valid UTF-8: the OpenTelemetry Collector refuses a whole
export request for one invalid string, and so does the viewer. The
geolocator and the ISS distance service export to the real viewer while
they get such requests; the spans of those requests must arrive with U+FFFD
in place of each bad byte, and so must the spans of the requests after them
(a refused batch would lose both).
"""
import sys

from harness import Process, Viewer, attr, free_port, http, raw_request

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


def raw_get(port, target, user_agent):
    return raw_request(port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " +
                       user_agent + b"\r\nConnection: close\r\n\r\n")


def spans_of(viewer, service, ready):
    """The spans of service in the viewer, once ready(spans) holds."""
    def all_spans(answer):
        return [s for t in answer["traces"] for s in t["spans"] if s["service"] == service]
    return all_spans(viewer.wait_for(f"/api/traces?service={service}", lambda a: ready(all_spans(a))))


viewer = Viewer()
env = viewer.otlp_env("grpc")
geo = Process("geolocator-service", free_port(), env)
iss = Process("iss-distance-service", free_port(), viewer.otlp_env("http/protobuf"))
try:
    expect(raw_get(geo.port, b"/%FF%FE", b"Mozilla \xe9t\xe9") == 404, "geolocator: /%FF%FE is not a 404")
    status, _, _ = http("GET", geo.url("/?location=Z%FCrich"))
    expect(status == 400, f"geolocator: a location that is not UTF-8 answered {status}, want 400")
    expect(raw_get(iss.port, b"/?latitude=1&longitude=2", b"\xff\xfe/1.0") == 200,
           "iss-distance-service: a valid request with a Latin-1 User-Agent is not a 200")
    status, _, _ = http("GET", geo.url("/?location=London"), headers={"User-Agent": "itest-after"})
    expect(status == 200, f"geolocator: London answered {status}")

    REPLACED = "\ufffd"
    spans = spans_of(viewer, "geolocator-service",
                     lambda ss: any(attr(s, "user_agent.original") == "itest-after" for s in ss) and
                     any(attr(s, "url.path") == "/" + REPLACED * 2 for s in ss))
    bad = next(s for s in spans if attr(s, "url.path") == "/" + REPLACED * 2)
    expect(attr(bad, "user_agent.original") == f"Mozilla {REPLACED}t{REPLACED}",
           f"geolocator: user_agent.original={attr(bad, 'user_agent.original')!r}")
    expect(attr(bad, "http.response.status_code") == 404, "geolocator: the /%FF%FE span is not a 404")
    spans = spans_of(viewer, "iss-distance-service",
                     lambda ss: any(attr(s, "user_agent.original") == f"{REPLACED * 2}/1.0" for s in ss))
    expect(any(s["name"] == "calculating-iss-distance" for s in spans),
           "iss-distance-service: the request's own spans did not arrive")
    # and its log records (wait_for fails the test when none arrive)
    viewer.wait_for("/api/logs?service=iss-distance-service", lambda a: len(a["logs"]) > 0)
finally:
    for p in (geo, iss):
        rc = p.stop()
        if rc != 0:
            failures.append(f"{p.name}: exited with {rc}; its output:\n{p.output()[-3000:]}")
    if viewer.stop() != 0:
        failures.append("the viewer did not exit cleanly")

for f in failures:
    print("FAIL:", f)
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
