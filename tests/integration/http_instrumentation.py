"""The civetweb and libcurl instrumentation (instrument_civetweb.c,
instrument_curl.c) across real processes.

frontend (instrumented server + client) -> gateway (instrumented server +
client) -> an upstream that is not there. Both export over OTLP to the real
viewer. Checks: one trace; each CLIENT span is the parent of the next
SERVER span; the stable HTTP semantic-convention attributes; 5xx answers and
failed transfers are ERROR spans; a malformed traceparent starts a new trace,
one named TraceParent is taken (header names are case-insensitive), one
sent twice is joined (so invalid);
the HTTP server and client duration histograms count each request once.
"""
import sys

from harness import DeadPort, Process, Viewer, attr, free_port, http, raw_request

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


viewer = Viewer()
dead_port = DeadPort()  # refuses connections for as long as it lives
dead = dead_port.url()
env = viewer.otlp_env("grpc")
gateway = Process("gateway", free_port(), {**env, "GEOLOCATOR_SERVICE_URL": dead,
                                           "ISS_DISTANCE_SERVICE_URL": dead})
frontend = Process("frontend", free_port(), {**viewer.otlp_env("http/protobuf"),
                                             "GATEWAY_URL": gateway.url("/")})
try:
    status, _, _ = http("GET", frontend.url("/?location=London"), headers={"User-Agent": "itest/1.0"})
    expect(status == 502, f"frontend answered {status}, want 502 (gateway's upstream is down)")
    answer = viewer.wait_for("/api/traces?service=gateway",
                             lambda a: any(t["spanCount"] >= 4 for t in a["traces"]))
    trace = next(t for t in answer["traces"] if t["spanCount"] >= 4)
    spans = {(s["service"], s["kind"]): s for s in trace["spans"]}
    fe_server, fe_client = spans.get(("frontend", 2)), spans.get(("frontend", 3))
    gw_server, gw_client = spans.get(("gateway", 2)), spans.get(("gateway", 3))
    expect(all((fe_server, fe_client, gw_server, gw_client)), f"missing spans: {list(spans)}")
    expect(trace["spanCount"] == 4, f"{trace['spanCount']} spans in the trace, want 4")
    if all((fe_server, fe_client, gw_server, gw_client)):
        expect(fe_client["parentSpanId"] == fe_server["spanId"], "frontend CLIENT is not the child of its SERVER")
        expect(gw_server["parentSpanId"] == fe_client["spanId"], "gateway SERVER is not the child of frontend's CLIENT")
        expect(gw_client["parentSpanId"] == gw_server["spanId"], "gateway CLIENT is not the child of its SERVER")
        expect(fe_server["name"] == "GET /", f"server span name {fe_server['name']!r}")
        for key, want in (("http.request.method", "GET"), ("url.path", "/"), ("url.scheme", "http"),
                          ("url.query", "location=London"), ("http.route", "/"),
                          ("http.response.status_code", 502), ("server.port", frontend.port),
                          ("client.address", "127.0.0.1"), ("network.protocol.version", "1.1"),
                          ("user_agent.original", "itest/1.0"), ("error.type", "502")):
            expect(attr(fe_server, key) == want, f"frontend SERVER {key}={attr(fe_server, key)!r}, want {want!r}")
        expect(fe_server["status"].get("code") == 2, "frontend SERVER (502) is not an ERROR span")
        for key, want in (("http.request.method", "GET"), ("server.address", "127.0.0.1"),
                          ("server.port", gateway.port), ("http.response.status_code", 502),
                          ("url.full", gateway.url("/?location=London"))):
            expect(attr(fe_client, key) == want, f"frontend CLIENT {key}={attr(fe_client, key)!r}, want {want!r}")
        expect(attr(gw_client, "error.type") == "connection_refused",
               f"gateway CLIENT error.type={attr(gw_client, 'error.type')!r}")
        expect(gw_client["status"].get("code") == 2, "failed transfer is not an ERROR span")

    # a malformed traceparent is ignored: the gateway starts a new trace
    bad = "00-ZZZ92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    http("GET", gateway.url("/?location=Paris"), headers={"traceparent": bad})
    answer = viewer.wait_for("/api/traces?service=gateway", lambda a: len(a["traces"]) >= 2)
    roots = [s for t in answer["traces"] for s in t["spans"]
             if s["service"] == "gateway" and s["kind"] == 2 and attr(s, "url.query") == "location=Paris"]
    expect(len(roots) == 1 and not roots[0].get("parentSpanId"), "bad traceparent did not start a new trace")
    # metrics: one frontend request (502), two gateway requests (502, and
    # the direct one with the bad traceparent), each counted once
    def durations(a):
        return {(m["service"], str(m["attributes"])): int(m["count"]) for m in a["metrics"]}
    got = viewer.wait_for("/api/metrics?name=http.server.request.duration",
                          lambda a: sum(c for (svc, _), c in durations(a).items() if svc == "gateway") >= 2
                          and any(svc == "frontend" for (svc, _) in durations(a)))
    counts = durations(got)
    fe = {k: v for k, v in counts.items() if k[0] == "frontend"}
    gw = {k: v for k, v in counts.items() if k[0] == "gateway"}
    expect(sum(fe.values()) == 1 and all("http.response.status_code=502" in k[1] for k in fe),
           f"frontend http.server.request.duration: {fe}")
    expect(sum(gw.values()) == 2, f"gateway http.server.request.duration: {gw}")
    client = viewer.wait_for("/api/metrics?name=http.client.request.duration&service=gateway",
                             lambda a: sum(int(m["count"]) for m in a["metrics"]) >= 2)["metrics"]
    expect(all("error.type=connection_refused" in str(m["attributes"]) for m in client),
           f"gateway http.client.request.duration: {[(m['attributes'], m['count']) for m in client]}")

    # header names are case-insensitive (RFC 9110): a "TraceParent" is the
    # remote parent too (after the metric counts above, which it would change)
    tid, parent = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"
    http("GET", gateway.url("/?location=Rome"), headers={"TraceParent": f"00-{tid}-{parent}-01"})
    answer = viewer.wait_for(f"/api/traces?trace_id={tid}",
                             lambda a: any(s["service"] == "gateway" and s["kind"] == 2
                                           for t in a["traces"] for s in t["spans"]))
    server = [s for t in answer["traces"] for s in t["spans"] if s["service"] == "gateway" and s["kind"] == 2]
    expect(server and server[0].get("parentSpanId") == parent,
           f"a TraceParent header was not taken as the remote parent: {server[:1]}")

    # a header sent twice is one value joined by a comma (RFC 9110): two
    # traceparent lines make an invalid one, so the request starts a new
    # trace rather than taking either line as its parent
    tid2, parent2 = "6c9f0008a9149214e37ac744924ad71d", "fff2ac8fd4d2c285"
    one = f"00-{tid2}-{parent2}-01"
    raw_request(gateway.port, (f"GET /?location=Oslo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               f"traceparent: {one}\r\ntraceparent: {one}\r\n"
                               f"Connection: close\r\n\r\n").encode())
    answer = viewer.wait_for("/api/traces?service=gateway",
                             lambda a: any(attr(s, "url.query") == "location=Oslo"
                                           for t in a["traces"] for s in t["spans"]))
    oslo = [s for t in answer["traces"] for s in t["spans"]
            if s["service"] == "gateway" and s["kind"] == 2 and attr(s, "url.query") == "location=Oslo"]
    expect(oslo and not oslo[0].get("parentSpanId") and oslo[0].get("traceId") != tid2,
           f"a traceparent sent twice was taken as the parent: {oslo[:1]}")
finally:
    for p in (frontend, gateway):
        rc = p.stop()
        expect(rc == 0, f"{p.name} exited with {rc}:\n{p.output()[-2000:]}")
    expect(viewer.stop() == 0, "the viewer did not exit cleanly")

for f in failures:
    print("FAIL:", f)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
