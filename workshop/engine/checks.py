"""What each section's check asserts, looking only at the telemetry that
arrives (never at the source text), so any correct way of writing a step
passes: a span with explicit start/end instead of the scoped macro, a log
line through another call, other variable names.

A check runs the services the section needs (runner.py; each binds a free
port itself, PORT=0, and says which), makes a fixed
set of requests, the error paths included, stops the services (their SDK
shutdown sends everything still queued, and the viewer stores what it
receives before it answers), and then judges each step from what the viewer
holds. Each judgement is a Result: the step, ok or not, and on failure what
arrived against what was wanted, and a hint.
"""
import os
import re
from dataclasses import dataclass

from runner import IssApiStandIn, Process, StartError, Viewer, http_get

SERVER, CLIENT, INTERNAL = 2, 3, 1
STATUS_ERROR = 2
SEV_INFO, SEV_WARN, SEV_ERROR = 9, 13, 17


@dataclass
class Result:
    step: str
    ok: bool
    got: str = ""
    want: str = ""
    hint: str = ""


class AppProblem(Exception):
    """The app itself misbehaved (a wrong answer, a crash): no step can be judged."""


# ---- reading what arrived -------------------------------------------------

def attrs(item):
    """OTLP/JSON attributes as a dict (ints as int)."""
    out = {}
    for kv in item.get("attributes", []) or []:
        v = kv.get("value", {})
        for k in ("stringValue", "intValue", "doubleValue", "boolValue"):
            if k in v:
                out[kv["key"]] = int(v[k]) if k == "intValue" else v[k]
    return out


def body(rec):
    return (rec.get("body") or {}).get("stringValue", "")


def status_code(span):
    return (span.get("status") or {}).get("code", 0)


SETUP_LINE = re.compile(r"otel-lite info: sdk started: resource(.*?); traces=")
RESOURCE_ATTR = re.compile(r' ([^ =]+)=("(?:[^"\\]|\\.)*"|[^ ]*)')


def resource_from_output(text):
    """The resource the SDK states at start (OTEL_LOG_LEVEL=info), or None."""
    m = SETUP_LINE.search(text)
    if not m:
        return None
    return {k: v[1:-1] if v.startswith('"') else v for k, v in RESOURCE_ATTR.findall(m[1])}


def check_resource(step, output, service):
    want = {"service.name": service, "deployment.environment.name": "dev"}
    res = resource_from_output(output)
    if res is None:
        return Result(step, False, f"no 'otel-lite info: sdk started: resource ...' line in {service}'s output",
                      f"the SDK set up with service.name={service} and deployment.environment.name=dev",
                      "set up the SDK in main() with otel_sdk_init(), before the server starts; it states "
                      "the resource in that line (OTEL_LOG_LEVEL=info)")
    wrong = [f"{k}={res.get(k)!r}" for k, v in want.items() if res.get(k) != v]
    sdk = [k for k in ("telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version") if k not in res]
    if wrong or sdk:
        return Result(step, False, ", ".join(wrong + [f"{k} missing" for k in sdk]),
                      ", ".join(f"{k}={v!r}" for k, v in want.items()) + " and telemetry.sdk.*",
                      "name the service with otel_options.service_name, and add "
                      "deployment.environment.name=dev to otel_options.resource_attrs")
    return Result(step, True)


def expect_answers(name, answers):
    """answers: [(path, got status, want status, body)]; raises AppProblem."""
    for path, got, want, text in answers:
        if got != want:
            raise AppProblem(f"{name} answered {got} to GET {path}, want {want}: {text.strip()[:200]}\n"
                             "  The app must keep working while you instrument it: look at the "
                             "code you added around that request.")


# ---- sections 0-3: iss-distance-service alone -----------------------------

GOOD = "/?latitude=51.5074&longitude=-0.1278"
MISSING = "/"
INVALID = "/?latitude=north&longitude=0"


class IssRun:
    """iss-distance-service with the ISS API stand-in: 3 good requests, one
    without coordinates, one with bad ones, then 2 good ones while the ISS
    API answers 500. 7 requests, 5 ISS lookups (3 answered 200, 2 500)."""

    def __init__(self, bin_dir, log_dir):
        self.viewer = Viewer(os.path.join(bin_dir, "otel-viewer"), os.path.join(log_dir, "otel-viewer.log"))
        self.api = IssApiStandIn()
        try:
            env = self.viewer.otlp_env()
            env.update(PORT="0", ISS_NOW_URL=self.api.url, OTEL_LOG_LEVEL="info")
            svc = Process("iss-distance-service", [os.path.join(bin_dir, "iss-distance-service")], env,
                          os.path.join(log_dir, "iss-distance-service.log"), port=0)
            port = svc.port
            answers = []
            for path, want, failing in ([(GOOD, 200, False)] * 3 + [(MISSING, 400, False), (INVALID, 400, False)]
                                        + [(GOOD, 200, True)] * 2):
                self.api.failing = failing
                got, text = http_get(svc.url(path))
                answers.append((path, got, want, text))
            self.exit_status = svc.stop()
            self.output = svc.output()
            expect_answers("iss-distance-service", answers)
            if self.exit_status != 0:
                raise AppProblem(f"iss-distance-service exited with status {self.exit_status} after SIGTERM "
                                 f"(want 0). Its output:\n{self.output[-1500:]}")
            self.metrics = self.viewer.metrics("iss-distance-service")
            self.logs = self.viewer.logs("iss-distance-service")
            self.spans = self.viewer.spans("iss-distance-service")
            self.port = port
        finally:
            self.api.stop()
            self.viewer.stop()


def section0(run):
    return [check_resource("0.1", run.output, "iss-distance-service")]


def _metric(run, name):
    return [m for m in run.metrics if m.get("name") == name]


def section1(run):
    inc, iss = _metric(run, "incoming.requests"), _metric(run, "iss.requests")
    results = []
    if not inc and not iss:
        results.append(Result("1.1", False, "no metric named incoming.requests or iss.requests arrived",
                              "the counters incoming.requests and iss.requests",
                              "get a meter with otel_sdk_meter(), create both counters with "
                              "otel_meter_create_counter() and keep them in struct app"))
    else:
        bad = [f"{m['name']}: unit {m.get('unit')!r}, description {m.get('description')!r}, type {m.get('type')}"
               for m in inc + iss if m.get("unit") != "{request}" or not m.get("description")
               or m.get("type") != "sum"]
        results.append(Result("1.1", not bad, "; ".join(bad),
                              "counters (monotonic sums) with unit '{request}' and a description",
                              "pass the unit \"{request}\" and a description to otel_meter_create_counter()"))
    total = sum(m.get("value", 0) for m in inc)
    results.append(Result("1.2", bool(inc) and total == 7 and len(inc) == 1,
                          f"incoming.requests = {total:g} over {len(inc)} series" if inc else "no incoming.requests",
                          "incoming.requests = 7 (one per request, no attributes)",
                          "add 1 to incoming.requests at the top of handle_distance(), for every request"))
    by_status = {}
    for m in iss:
        key = attrs(m.get("point", {})).get("response.status", "(none)")
        by_status[str(key)] = by_status.get(str(key), 0) + m.get("value", 0)
    want = {"200": 3, "500": 2}
    results.append(Result("1.3", by_status == want,
                          ", ".join(f"response.status={k}: {v:g}" for k, v in sorted(by_status.items()))
                          or "no iss.requests",
                          "response.status=200: 3, response.status=500: 2 (the stand-in ISS API failed twice)",
                          "in count_iss_request(), add 1 to iss.requests with the attribute "
                          "response.status set to the status it is given"))
    return results


def _logs(run, severity, pattern=None):
    return [r for r in run.logs if r.get("severityNumber") == severity
            and (pattern is None or re.search(pattern, body(r), re.I))]


def _show(recs):
    return "; ".join(f"{r.get('severityText', r.get('severityNumber'))} {body(r)!r}" for r in recs[:4]) + \
        (f" (+{len(recs) - 4} more)" if len(recs) > 4 else "")


def section2(run):
    results = []
    if not run.logs:
        results.append(Result("2.1", False, "no log record from iss-distance-service",
                              "log records from a logger of the service",
                              "get a logger with otel_sdk_logger() in main() and keep it in struct app"))
    else:
        results.append(Result("2.1", True))
    started = _logs(run, SEV_INFO, r"start")
    results.append(Result("2.2", len(started) == 1 and str(run.port) in body(started[0]),
                          _show(started) or "no INFO record about the start",
                          f"one INFO record saying the service started, with its port ({run.port})",
                          "log it with otel_log_info() in log_started(), which runs once the server listens"))
    info = _logs(run, SEV_INFO)
    received = [r for r in info if "127.0.0.1" in body(r)]
    other_info = [r for r in info if r not in received and r not in started]
    results.append(Result("2.3", len(received) == 7 and not other_info,
                          f"{len(received)} INFO records with the client address" +
                          (f"; other INFO records: {_show(other_info)}" if other_info else ""),
                          "7 INFO records (one per request) with the client's address 127.0.0.1",
                          "log mg_get_request_info(conn)->remote_addr at the top of handle_distance()"))
    warn = _logs(run, SEV_WARN)
    results.append(Result("2.4", len(warn) == 1 and re.search(r"lat|lon|coord", body(warn[0]), re.I) is not None,
                          _show(warn) or "no WARN record",
                          "one WARN record (the request without coordinates) that says what was missing",
                          "log with otel_log_warn() where handle_distance() answers 400 "
                          "\"No latitude/longitude given\""))
    err = _logs(run, SEV_ERROR)
    results.append(Result("2.5", len(err) == 2 and all(re.search(r"ISS|API", body(r)) for r in err),
                          _show(err) or "no ERROR record",
                          "two ERROR records (the ISS API answered 500 twice) that name the ISS API",
                          "log with otel_log_error() in iss_position() when position_from_api() fails"))
    return results


def section3(run):
    calc = [s for s in run.spans if s.get("name") == "calculating-iss-distance"]
    get = [s for s in run.spans if s.get("name") == "getting-iss-coordinates"]
    results = []
    results.append(Result("3.1", bool(run.spans), "" if run.spans else "no span from iss-distance-service",
                          "spans from a tracer of the service",
                          "get a tracer with otel_sdk_tracer() in main() and keep it in struct app"))
    failed = [s for s in calc if status_code(s) == STATUS_ERROR]
    warn = _logs(run, SEV_WARN)
    ids = {(s.get("traceId"), s.get("spanId")) for s in calc}
    warn_in_span = all((r.get("traceId"), r.get("spanId")) in ids for r in warn)
    ok = len(calc) == 7 and len(failed) == 2 and warn_in_span
    results.append(Result("3.2", ok,
                          f"{len(calc)} calculating-iss-distance spans, {len(failed)} with status ERROR" +
                          ("" if warn_in_span else "; the WARN record does not carry the span's trace and span ids"),
                          "7 spans calculating-iss-distance (one per request); ERROR for the request without "
                          "coordinates and the one with bad ones; the WARN record inside that span",
                          "start the span at the top of handle_distance() (OTEL_SCOPED_SPAN ends it on every "
                          "return) and set OTEL_SPAN_STATUS_ERROR before each 400 answer"))
    calc_ids = {s.get("spanId"): s.get("traceId") for s in calc}
    orphans = [s for s in get if calc_ids.get(s.get("parentSpanId")) != s.get("traceId")]
    failed = [s for s in get if status_code(s) == STATUS_ERROR]
    no_pos = [s for s in get if not re.fullmatch(r"-?\d+(\.\d+)?,-?\d+(\.\d+)?", str(attrs(s).get("iss.position", "")))]
    err_logs = _logs(run, SEV_ERROR)
    get_ids = {(s.get("traceId"), s.get("spanId")) for s in get}
    err_in_span = all((r.get("traceId"), r.get("spanId")) in get_ids for r in err_logs)
    problems = []
    if len(get) != 5:
        problems.append(f"{len(get)} getting-iss-coordinates spans")
    if orphans:
        problems.append(f"{len(orphans)} not children of calculating-iss-distance")
    if len(failed) != 2:
        problems.append(f"{len(failed)} with status ERROR")
    if no_pos:
        problems.append(f"{len(no_pos)} without iss.position \"lat,lon\"")
    if not err_in_span:
        problems.append("the ERROR records do not carry the span's ids")
    results.append(Result("3.3", not problems, "; ".join(problems),
                          "5 spans getting-iss-coordinates (one per ISS lookup), each a child of "
                          "calculating-iss-distance, with iss.position=\"lat,lon\", ERROR for the 2 failed lookups",
                          "start it at the top of iss_position(); it becomes the child of the current span "
                          "by itself. Set iss.position with otel_span_set_attribute_str()"))
    return results


# ---- section 4: the four services ------------------------------------------

class AppRun:
    """The four services with the ISS API stand-in. Through the frontend:
    London. Through the gateway: Paris, an unknown place, then Zurich while
    the ISS API answers 500."""

    UNKNOWN = "Qwertyuiopland"

    def __init__(self, bin_dir, log_dir):
        self.viewer = Viewer(os.path.join(bin_dir, "otel-viewer"), os.path.join(log_dir, "otel-viewer.log"))
        self.api = IssApiStandIn()
        procs = []
        try:
            def start(name, **extra):
                env = self.viewer.otlp_env()
                env.update(PORT="0", OTEL_LOG_LEVEL="info", **extra)
                p = Process(name, [os.path.join(bin_dir, name)], env, os.path.join(log_dir, f"{name}.log"),
                            port=0)
                procs.append(p)
                return p
            iss = start("iss-distance-service", ISS_NOW_URL=self.api.url)
            geo = start("geolocator-service")
            gw = start("gateway", GEOLOCATOR_SERVICE_URL=geo.url(), ISS_DISTANCE_SERVICE_URL=iss.url())
            fe = start("frontend", GATEWAY_URL=gw.url())
            self.gateway_port, self.stand_in_port = gw.port, self.api.port
            answers = []
            got, text = http_get(fe.url("/?location=London"))
            answers.append(("/?location=London (frontend)", got, 200, text))
            for place, want, failing in (("Paris", 200, False), (self.UNKNOWN, 404, False), ("Zurich", 200, True)):
                self.api.failing = failing
                got, text = http_get(gw.url(f"/?location={place}"))
                answers.append((f"/?location={place} (gateway)", got, want, text))
            self.outputs = {}
            for p in procs:
                p.terminate()
            for p in procs:
                status = p.stop()
                self.outputs[p.name] = p.output()
                if status != 0:
                    raise AppProblem(f"{p.name} exited with status {status} after SIGTERM (want 0). "
                                     f"Its output:\n{self.outputs[p.name][-1500:]}")
            expect_answers("the app", answers)
            self.spans = self.viewer.spans()
            self.logs = {n: self.viewer.logs(n) for n in ("geolocator-service",)}
        finally:
            for p in procs:
                p.stop()
            self.api.stop()
            self.viewer.stop()

    def of(self, service, kind=None, name=None):
        return [s for s in self.spans if s.get("service") == service
                and (kind is None or s.get("kind") == kind) and (name is None or s.get("name") == name)]


SERVER_ATTRS = ("http.request.method", "url.path", "http.route", "http.response.status_code")
CLIENT_ATTRS = ("http.request.method", "url.full", "server.address", "server.port", "http.response.status_code")


def _missing_attrs(spans, keys):
    missing = sorted({k for s in spans for k in keys if k not in attrs(s)})
    return f"attributes missing: {', '.join(missing)}" if missing else ""


def _server_problems(run, service, want_count):
    servers = run.of(service, SERVER)
    problems = []
    if len(servers) != want_count:
        problems.append(f"{len(servers)} SERVER spans from {service} (want {want_count})")
    if m := _missing_attrs(servers, SERVER_ATTRS):
        problems.append(m)
    return servers, problems


def _continues_gateway(run, servers):
    """SERVER spans whose parent is not a CLIENT span of the gateway, when
    the gateway's CLIENT spans arrived at all."""
    gw_clients = {s.get("spanId"): s.get("traceId") for s in run.of("gateway", CLIENT)}
    if not gw_clients:
        return []
    return [s for s in servers if gw_clients.get(s.get("parentSpanId")) != s.get("traceId")]


HELPERS_HINT = ("in main(), before svc_run(): otel_civetweb_instrument(&callbacks, ...) for the requests "
                "served, otel_curl_instrument(...) and svc_set_perform_hook(otel_curl_perform) for the "
                "requests made")


def section4(run):
    results = []
    # 4.1 iss-distance-service
    servers, problems = _server_problems(run, "iss-distance-service", 3)
    sids = {s.get("spanId") for s in servers}
    calc = run.of("iss-distance-service", name="calculating-iss-distance")
    if servers and any(c.get("parentSpanId") not in sids for c in calc):
        problems.append("calculating-iss-distance is not a child of the SERVER span")
    clients = run.of("iss-distance-service", CLIENT)
    if len(clients) != 3:
        problems.append(f"{len(clients)} CLIENT spans to the ISS API (want 3)")
    elif m := _missing_attrs(clients, CLIENT_ATTRS):
        problems.append("CLIENT spans: " + m)
    elif sum(status_code(c) == STATUS_ERROR for c in clients) != 1:
        problems.append("want the CLIENT span of the ISS API's 500 answer with status ERROR")
    if orphans := _continues_gateway(run, servers):
        problems.append(f"{len(orphans)} SERVER spans do not continue the gateway's trace")
    results.append(Result("4.1", not problems, "; ".join(problems),
                          "3 SERVER spans GET / with the HTTP semantic conventions, parents of "
                          "calculating-iss-distance and children of the gateway's CLIENT spans; 3 CLIENT spans "
                          "to the ISS API", HELPERS_HINT))
    # 4.2 gateway
    r = check_resource("4.2", run.outputs.get("gateway", ""), "gateway")
    servers, problems = _server_problems(run, "gateway", 4)
    if not r.ok:
        problems.insert(0, "resource: " + r.got)
    clients = run.of("gateway", CLIENT)
    sids = {s.get("spanId") for s in servers}
    if len(clients) != 7:
        problems.append(f"{len(clients)} CLIENT spans (want 7: geolocator and ISS distance for 3 places, "
                        "the geolocator only for the unknown one)")
    elif m := _missing_attrs(clients, CLIENT_ATTRS):
        problems.append("CLIENT spans: " + m)
    elif any(c.get("parentSpanId") not in sids for c in clients):
        problems.append("CLIENT spans that are not children of the gateway's SERVER span")
    results.append(Result("4.2", not problems, "; ".join(problems),
                          "service.name=gateway, deployment.environment.name=dev; 4 SERVER spans, each the "
                          "parent of its CLIENT spans", "set up the SDK in the gateway's main() as in 0.1, "
                          "then " + HELPERS_HINT))
    # 4.3 geolocator-service
    r = check_resource("4.3", run.outputs.get("geolocator-service", ""), "geolocator-service")
    servers, problems = _server_problems(run, "geolocator-service", 4)
    if not r.ok:
        problems.insert(0, "resource: " + r.got)
    if orphans := _continues_gateway(run, servers):
        problems.append(f"{len(orphans)} SERVER spans do not continue the gateway's trace")
    logs = run.logs["geolocator-service"]
    unknown = [x for x in logs if AppRun.UNKNOWN in body(x)]
    server_traces = {s.get("traceId") for s in servers}
    if len(unknown) != 1:
        problems.append(f"{len(unknown)} log records about '{AppRun.UNKNOWN}' (want 1)")
    elif servers and unknown[0].get("traceId") not in server_traces:
        problems.append(f"the log record about '{AppRun.UNKNOWN}' is not in its request's trace")
    if not any(re.search(r"start", body(x), re.I) for x in logs):
        problems.append("no log record saying the service started")
    results.append(Result("4.3", not problems, "; ".join(problems),
                          "service.name=geolocator-service; 4 SERVER spans, children of the gateway's CLIENT "
                          f"spans; the log lines: started, and '{AppRun.UNKNOWN}' not found, in its trace",
                          "set up the SDK and a logger in the geolocator's main(), then " + HELPERS_HINT))
    # 4.4 frontend (optional)
    r = check_resource("4.4", run.outputs.get("frontend", ""), "frontend")
    servers = run.of("frontend", SERVER)
    fclients = {s.get("spanId") for s in run.of("frontend", CLIENT)}
    gw_from_frontend = [s for s in run.of("gateway", SERVER) if s.get("parentSpanId") in fclients]
    problems = [] if r.ok else ["resource: " + r.got]
    if len(servers) != 1:
        problems.append(f"{len(servers)} SERVER spans from the frontend (want 1)")
    if not fclients:
        problems.append("no CLIENT span from the frontend")
    elif run.of("gateway", SERVER) and not gw_from_frontend:
        problems.append("the gateway's SERVER span is not a child of the frontend's CLIENT span")
    results.append(Result("4.4", not problems, "; ".join(problems),
                          "the frontend's SERVER span and its CLIENT span, the parent of the gateway's SERVER span",
                          "as in the gateway: the SDK in main(), then " + HELPERS_HINT))
    return results


SECTION_RUNS = {0: IssRun, 1: IssRun, 2: IssRun, 3: IssRun, 4: AppRun}
SECTION_CHECKS = {0: section0, 1: section1, 2: section2, 3: section3, 4: section4}


def run_section(n, bin_dir, log_dir):
    """Returns the Results of section n. Raises AppProblem or StartError."""
    run = SECTION_RUNS[n](bin_dir, log_dir)
    return SECTION_CHECKS[n](run)


__all__ = ["Result", "AppProblem", "StartError", "run_section"]
