"""otel-instrument: programs with no telemetry code, traced by the agent.

zc_app (tools/otel-instrument/tests/zc_app.c) is a civetweb server and
libcurl client that links neither libotel-lite nor anything of ours. Cases:
- a chain of three zc_apps under otel-instrument (the middle one calling
  through libcurl's multi interface) gives one trace of five spans with correct parents, the HTTP semantic-convention attributes, the
  service names from --service_name, OTEL_SERVICE_NAME and the program's
  name, and the HTTP server/client duration histograms;
- the program's own header (X-Test) and begin_request callback survive;
- the raw response bytes are the same with and without the agent, and with
  OTEL_SDK_DISABLED=true nothing is exported and no header is added;
- workers forked after start export their own spans;
- with a collector that accepts and never answers, SIGTERM (the program's
  default action) and a normal exit both end within the shutdown deadline;
- a program that links libotel-lite itself (the gateway) is left alone,
  with one diagnostic line;
- the agent exports its wrappers and nothing else (nm -D).
"""
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from harness import DeadPort, BlackHole, BUILD, ROOT, Process, Viewer, attr, binary, free_port, http

failures = []
ZC_APP = os.path.join(ROOT, BUILD, "tests", "zero-code", "zc_app")
INSTRUMENT = binary("otel-instrument")


def expect(cond, what):
    if not cond:
        failures.append(what)


class Sink:
    """The last hop: an HTTP server in this process that records headers."""

    def __init__(self):
        self.requests = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                sink.requests.append({k.lower(): v for k, v in self.headers.items()})
                body = b"sink ok\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/"


live = []  # every process started, killed at the end if a case broke off
sessions = []


def zc(name, env, flags=(), agent=True):
    """A zc_app on a free port, under otel-instrument unless agent=False."""
    port = free_port()
    full = {"NAME": name, **env}
    if not agent:
        p = PlainProcess(name, port, full)
    else:
        p = Process("otel-instrument", port, full, args=[*flags, ZC_APP])
        p.name = name
    live.append(p.proc)
    return p


class PlainProcess(Process):
    """zc_app started directly (no agent)."""

    def __init__(self, name, port, env):
        import harness
        full_env = dict(os.environ)
        full_env.update(env)
        full_env["PORT"] = str(port)
        self.name, self.port = name, port
        self.log_path = os.path.join(ROOT, BUILD, "test-logs", f"zc_app-{name}-{port}.log")
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([ZC_APP], env=full_env, cwd=ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        harness.wait_for_port(port, self.proc)


def raw_get(port, path):
    """The whole response, as bytes (zc_app closes the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: zc-test/1.0\r\n"
                  "Connection: close\r\n\r\n".encode())
        chunks = []
        while True:
            c = s.recv(65536)
            if not c:
                return b"".join(chunks)
            chunks.append(c)


def stop_all(procs, want=0):
    for p in procs:
        rc = p.stop()
        ok = rc == want if isinstance(want, int) else rc in want
        expect(ok, f"{p.name} on {p.port} exited with {rc}, want {want}:\n{p.output()[-2000:]}")


def agent_lines(p):
    return [l for l in p.output().splitlines() if l.startswith("otel-instrument[")]


viewer = Viewer()
otlp = viewer.otlp_env("grpc")
# The program keeps SIGTERM's default action, so a process stopped by the
# harness dies of SIGTERM (after the agent's flush): -15 is its status.
KILLED = -signal.SIGTERM
try:
    # ---- 1. a trace across three unchanged programs ------------------------
    back = zc("back", otlp)
    # middle calls back through libcurl's multi interface
    middle = zc("middle", {**viewer.otlp_env("http/protobuf"), "OTEL_SERVICE_NAME": "middle",
                           "NEXT_URL": back.url("/hello"), "MULTI": "1"})
    front = zc("front", {**otlp, "NEXT_URL": middle.url("/hello?from=front")},
               flags=["--service_name", "front"])
    status, body, _ = http("GET", front.url("/hello?q=1"), headers={"User-Agent": "zc-test/1.0"})
    expect(status == 200, f"front answered {status}")
    lines = body.splitlines()
    expect(lines[:1] == ["front begin=1 x-test=no"], f"front's answer: {body!r}")
    expect(len(lines) == 3 and lines[2].startswith("upstream 200: back begin="), f"answer: {body!r}")
    expect("middle begin=1 x-test=yes" in body, f"the program's own header or callback is lost: {body!r}")
    answer = viewer.wait_for("/api/traces?service=front",
                             lambda a: any(t["spanCount"] >= 5 for t in a["traces"]))
    trace = next(t for t in answer["traces"] if t["spanCount"] >= 5)
    expect(trace["spanCount"] == 5, f"{trace['spanCount']} spans, want 5")
    spans = {(s["service"], s["kind"]): s for s in trace["spans"]}
    want = [("front", 2), ("front", 3), ("middle", 2), ("middle", 3), ("zc_app", 2)]
    expect(sorted(spans) == sorted(want), f"spans: {sorted(spans)}, want {sorted(want)}")
    if sorted(spans) == sorted(want):
        fs, fc, ms, mc, bs = (spans[k] for k in want)
        expect(not fs.get("parentSpanId"), "front's SERVER span has a parent")
        for child, parent, what in ((fc, fs, "front CLIENT <- front SERVER"),
                                    (ms, fc, "middle SERVER <- front CLIENT"),
                                    (mc, ms, "middle CLIENT <- middle SERVER"),
                                    (bs, mc, "back SERVER <- middle CLIENT")):
            expect(child["parentSpanId"] == parent["spanId"], f"wrong parent: {what}")
        expect(fs["name"] == "GET /hello", f"front SERVER name {fs['name']!r}")
        for key, want_v in (("http.request.method", "GET"), ("url.path", "/hello"),
                            ("url.query", "q=1"), ("url.scheme", "http"), ("http.route", "/hello"),
                            ("http.response.status_code", 200), ("server.port", front.port),
                            ("server.address", "127.0.0.1"), ("client.address", "127.0.0.1"),
                            ("network.protocol.version", "1.1"),
                            ("user_agent.original", "zc-test/1.0")):
            expect(attr(fs, key) == want_v, f"front SERVER {key}={attr(fs, key)!r}, want {want_v!r}")
        expect(fc["name"] == "GET", f"front CLIENT name {fc['name']!r}")
        for key, want_v in (("http.request.method", "GET"), ("server.address", "127.0.0.1"),
                            ("server.port", middle.port), ("http.response.status_code", 200),
                            ("url.full", middle.url("/hello?from=front"))):
            expect(attr(fc, key) == want_v, f"front CLIENT {key}={attr(fc, key)!r}, want {want_v!r}")
        expect(attr(ms, "url.query") == "from=front", "middle SERVER url.query")
    for svc, metric in (("front", "http.server.request.duration"),
                        ("front", "http.client.request.duration"),
                        ("middle", "http.client.request.duration"),
                        ("zc_app", "http.server.request.duration")):
        # (only the points of this request: a stray connection from
        # elsewhere on the machine may reach a free port too)
        def ours(a, server=metric.startswith("http.server")):
            return [m for m in a["metrics"]
                    if ("http.route=/hello" in m["attributes"]) == server
                    and "http.response.status_code=200" in m["attributes"]]
        got = viewer.wait_for(f"/api/metrics?service={svc}&name={metric}", lambda a: ours(a))
        expect([int(m["count"]) for m in ours(got)] == [1], f"{svc} {metric}: {ours(got)}")
    # the launcher's flag reached the agent; nothing else was said
    for p in (front, middle, back):
        expect(agent_lines(p) == [], f"{p.name}: unexpected agent lines {agent_lines(p)}")
    stop_all((front, middle, back), KILLED)

    # ---- 2. same bytes with and without the agent; 3. disabled is a no-op ----
    sink = Sink()
    answers = {}
    for mode, agent, extra in (("plain", False, {}), ("agent", True, otlp),
                               ("disabled", True, {**otlp, "OTEL_SDK_DISABLED": "true"})):
        m = zc("middle", {**extra, "OTEL_SERVICE_NAME": f"{mode}-middle",
                                  "NEXT_URL": sink.url()}, agent=agent)
        f = zc("front", {**extra, "OTEL_SERVICE_NAME": f"{mode}-front",
                                 "NEXT_URL": m.url("/hello")}, agent=agent)
        before = len(sink.requests)
        answers[mode] = (raw_get(f.port, "/hello?x=%C3%A9"), raw_get(f.port, "/nothing-here"))
        got = sink.requests[before:]
        expect(len(got) == 1 and got[0].get("x-test") == "1", f"{mode}: the sink got {got}")
        has_tp = bool(got) and "traceparent" in got[0]
        expect(has_tp == (mode == "agent"), f"{mode}: traceparent at the sink: {has_tp}")
        for p in (f, m):
            expect(agent_lines(p) == [], f"{mode} {p.name}: unexpected agent lines {agent_lines(p)}")
        stop_all((f, m), KILLED)
    expect(answers["plain"][0].startswith(b"HTTP/1.1 200 OK\r\n"), f"plain: {answers['plain'][0]!r}")
    expect(answers["plain"][1].startswith(b"HTTP/1.1 404"), f"plain 404: {answers['plain'][1]!r}")
    for mode in ("agent", "disabled"):
        expect(answers[mode] == answers["plain"],
               f"{mode}: response bytes differ:\n{answers[mode]!r}\nvs\n{answers['plain']!r}")
    # the enabled run's spans arrived; then nothing of the disabled run can be in flight
    viewer.wait_for("/api/traces?service=agent-front", lambda a: len(a["traces"]) >= 1)
    for svc in ("disabled-front", "disabled-middle"):
        t = viewer.query(f"/api/traces?service={svc}")["traces"]
        mt = viewer.query(f"/api/metrics?service={svc}")["metrics"]
        expect(t == [] and mt == [], f"OTEL_SDK_DISABLED=true, yet {svc} exported {len(t)} traces, {len(mt)} metrics")

    # ---- 4. workers forked after start export their own spans -------------
    env = dict(os.environ, **otlp, NAME="worker", WORKERS="2", OTEL_SERVICE_NAME="forker")
    log_path = os.path.join(ROOT, BUILD, "test-logs", "zc_app-forker.log")
    parent = subprocess.Popen([INSTRUMENT, ZC_APP], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=open(log_path, "w"), text=True, start_new_session=True)
    live.append(parent)
    sessions.append(parent.pid)  # its session holds the workers too
    ports = []
    for _ in range(2):
        line = parent.stdout.readline()
        expect("listening on port" in line, f"forker printed {line!r}")
        if "listening on port" in line:
            ports.append(int(line.split()[-1]))
    for port in ports:
        status, body, _ = http("GET", f"http://127.0.0.1:{port}/hello")
        expect(status == 200 and body.startswith("worker begin=1"), f"worker {port}: {status} {body!r}")
    for port in ports:
        http("GET", f"http://127.0.0.1:{port}/exit")
    try:
        rc = parent.wait(timeout=30)
    except subprocess.TimeoutExpired:
        parent.kill()
        rc = "timeout"
    expect(rc == 0, f"the forking program exited with {rc}")
    got = viewer.wait_for("/api/traces?service=forker",
                          lambda a: {attr(s, "server.port") for t in a["traces"] for s in t["spans"]
                                     if attr(s, "url.path") == "/hello"} >= set(ports))
    expect(len(ports) == 2, f"workers' ports: {ports}")

    # ---- 5. a collector that never answers: SIGTERM and exit within the deadline
    hole = BlackHole()
    deadline_ms = 1500
    slack_s = 8.0  # start-up and ASan slowness; the bound is what matters
    hole_env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{hole.port}",
                "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_BSP_SCHEDULE_DELAY": "60000",
                "OTEL_INSTRUMENT_SHUTDOWN_TIMEOUT": str(deadline_ms)}
    for how in ("SIGTERM", "exit"):
        p = zc(f"hole-{how}", hole_env)
        status, _, _ = http("GET", p.url("/hello"))
        expect(status == 200, f"black hole {how}: the program answered {status}")
        t0 = time.monotonic()
        if how == "SIGTERM":
            p.proc.send_signal(signal.SIGTERM)
        else:
            http("GET", p.url("/exit"))
        try:
            rc = p.proc.wait(timeout=deadline_ms / 1000 + slack_s)
        except subprocess.TimeoutExpired:
            rc = "still running"
            p.proc.kill()
            p.proc.wait()
        took = time.monotonic() - t0
        print(f"black hole, {how}: exited with {rc} after {took:.2f} s (deadline {deadline_ms} ms)")
        expect(rc == (KILLED if how == "SIGTERM" else 0), f"black hole {how}: exit status {rc}")
        p.log.close()
        said = agent_lines(p)
        expect(len(said) == 1 and "not fully sent within 1500 ms" in said[0],
               f"black hole {how}: agent said {said}")

    # ---- 5b. the program's own SIGTERM handling is kept; the exit flushes
    for when in ("before", "after"):  # its handler set before/after mg_start
        p = zc(f"term-{when}", {**otlp, "OTEL_SERVICE_NAME": f"term-{when}", "HANDLE_TERM": when,
                                "OTEL_BSP_SCHEDULE_DELAY": "60000"})  # spans wait for the flush
        status, _, _ = http("GET", p.url("/hello?term=" + when))
        expect(status == 200, f"HANDLE_TERM={when}: answered {status}")
        expect(viewer.query(f"/api/traces?service=term-{when}")["traces"] == [],
               f"HANDLE_TERM={when}: spans before the flush (the schedule delay is 60 s)")
        rc = p.stop()
        expect(rc == 0, f"HANDLE_TERM={when}: exit status {rc}, want 0 (the program's handler)")
        viewer.wait_for(f"/api/traces?service=term-{when}", lambda a: len(a["traces"]) == 1)
        expect(agent_lines(p) == [], f"HANDLE_TERM={when}: agent said {agent_lines(p)}")
    p = zc("int", {**otlp, "OTEL_SERVICE_NAME": "sigint", "OTEL_BSP_SCHEDULE_DELAY": "60000"})
    http("GET", p.url("/hello"))
    p.proc.send_signal(signal.SIGINT)
    rc = p.proc.wait(timeout=30)
    p.log.close()
    expect(rc == -signal.SIGINT, f"SIGINT: exit status {rc}, want {-signal.SIGINT}")
    viewer.wait_for("/api/traces?service=sigint", lambda a: len(a["traces"]) == 1)

    # ---- 6. a program with its own libotel-lite is left alone -------------
    dead_port = DeadPort()  # refuses connections for as long as it lives
    dead = dead_port.url()
    gw_port = free_port()
    gw = Process("otel-instrument", gw_port, {**otlp, "GEOLOCATOR_SERVICE_URL": dead,
                                              "ISS_DISTANCE_SERVICE_URL": dead},
                 args=[binary("gateway")])
    live.append(gw.proc)
    status, _, _ = http("GET", gw.url("/?location=Paris"))
    viewer.wait_for("/api/traces?service=gateway", lambda a: len(a["traces"]) >= 1)
    stop_all((gw,), 0)  # the gateway flushes what it has on SIGTERM
    said = agent_lines(gw)
    expect(len(said) == 1 and "carries libotel-lite itself" in said[0], f"gateway: agent said {said}")
    got = viewer.query("/api/traces?service=gateway")
    servers = [s for t in got["traces"] for s in t["spans"]
               if s["kind"] == 2 and attr(s, "url.query") == "location=Paris"]
    expect(len(servers) == 1, f"gateway: {len(servers)} SERVER spans for one request (doubled?)")

    # ---- 7. the agent exports its wrappers and nothing else ---------------
    agent_so = os.path.join(ROOT, BUILD, "lib", "libotel-agent.so")
    nm = subprocess.run(["nm", "-D", "--defined-only", agent_so], capture_output=True, text=True)
    exported = {line.split()[-1] for line in nm.stdout.splitlines() if line.strip()}
    wrappers = {"mg_start", "mg_start2", "mg_set_request_handler", "curl_easy_perform",
                "curl_easy_setopt", "curl_easy_cleanup", "curl_easy_reset", "curl_easy_duphandle",
                "curl_multi_add_handle", "curl_multi_remove_handle", "curl_multi_info_read",
                "__libc_start_main", "exit"}
    expect(nm.returncode == 0 and exported == wrappers,
           f"the agent exports {sorted(exported - wrappers)[:10]} beyond its wrappers, "
           f"lacks {sorted(wrappers - exported)}")

    # ---- 8. the launcher's own errors -------------------------------------
    r = subprocess.run([INSTRUMENT, "--no_such_flag", "x", ZC_APP], capture_output=True, text=True)
    expect(r.returncode == 2 and "unknown option --no_such_flag" in r.stderr, f"bad flag: {r}")
    r = subprocess.run([INSTRUMENT, "/nonexistent/program"], capture_output=True, text=True)
    expect(r.returncode == 127 and "cannot run /nonexistent/program" in r.stderr, f"bad program: {r}")
finally:
    for proc in live:
        if proc.poll() is None:
            failures.append(f"pid {proc.pid} still running at the end: killed")
            proc.kill()
            proc.wait()
    for pgid in sessions:  # the forked workers, whatever became of their parent
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    expect(viewer.stop() == 0, "the viewer did not exit cleanly")

for f in failures:
    print("FAIL:", f)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
