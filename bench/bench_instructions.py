"""bench_instructions.py: telemetry instructions per request, counted by
callgrind (driven by bench_instructions.sh).

Services: for each of iss-distance-service, geolocator-service, gateway and
frontend, instrumented and with OTEL_SDK_DISABLED=true (the same binary, in
the same run), the service runs under callgrind and its upstreams natively
with the SDK disabled; it exports over OTLP/gRPC to the real otel-viewer
(native). After WARMUP requests on one keep-alive connection the counters
are zeroed (callgrind_control --instr=on --zero: start-up and warm-up run
uninstrumented, which is faster), N requests follow on a new one, the
script waits until the viewer has received N requests' spans and log
records, then dumps (callgrind_control --dump). A request's count is the
dump's total, all threads, divided by N: the batch export of its spans and
logs included. The batch processors export only full batches, of the
spans (log records) of BATCH requests (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, no
schedule delay): so each window of N requests holds exactly N / BATCH
exports of each, whatever the timing (each export call costs tens of
thousands of instructions in gRPC; under load batches are full too). The
window opens when nothing has arrived at the viewer for a second, and
closes when it has received the N requests' spans and log records. Metric collection runs per interval, not per request: its
interval is set to an hour, out of the window (metric recording on the
request path is in it).

Viewer: the viewer runs under callgrind (one dump per thread); iss, geo and
the gateway natively and instrumented, batching as under load; after a
warm-up, VIEWER_N requests through the gateway, then the wait for the last
trace. Its count is the total of its threads but civetweb's (its HTTP
server, which served only this script's waiting queries) divided by the
spans and log records it received.

Every request carries a traceparent (sampled, a fresh random trace id
each): that is how the script names the last request, and how every
service but the frontend is called in the app.
"""
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import json

BUILD = os.environ.get("BUILD", "build")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
N = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "300"))
TOP = int(os.environ.get("BENCH_TOP", "12"))
VIEWER_N = int(os.environ.get("BENCH_VIEWER_REQUESTS", "500"))
ONLY = os.environ.get("BENCH_SERVICES", "iss-distance-service geolocator-service gateway frontend").split()
# metric collection runs per interval, not per request: kept out of the window
METRIC_INTERVAL_MS = "3600000"

# spans and log records one request makes (checked after the warm-up)
SHAPE = {"iss-distance-service": (3, 1), "geolocator-service": (1, 0), "gateway": (3, 0), "frontend": (2, 0)}
# requests per export batch: the processors export only full batches of
# BATCH requests' spans (and logs), so a window holds N / BATCH exports
BATCH = int(os.environ.get("BENCH_BATCH_REQUESTS", "100"))
# BENCH_DEFAULT_BATCH=1: the SDK's own batch size instead (512 spans, 512
# log records, as exported under load); BENCH_WARMUP and BENCH_REQUESTS
# must then be multiples of 512 so that every window holds whole batches
DEFAULT_BATCH = os.environ.get("BENCH_DEFAULT_BATCH", "") == "1"
SDK_BATCH = 512
NEVER_MS = "3600000"

PATHS = {
    "iss-distance-service": "/?latitude=51.5074&longitude=-0.1278",
    "geolocator-service": "/?location=London",
    "gateway": "/?location=London",
    "frontend": "/?location=London",
}

work = tempfile.mkdtemp(prefix="bench_instructions.")
procs = []


def binary(name):
    return os.path.join(ROOT, BUILD, "bin", name)


def start(argv, env, name, grind, threads=False):
    """Starts a program (under callgrind when grind; one dump file per
    thread when threads), waits for its listening line; returns (Popen,
    line, callgrind out file)."""
    out = os.path.join(work, f"{name}.out")
    cg = os.path.join(work, f"{name}.cg")
    if grind:
        argv = ["valgrind", "--tool=callgrind", "-q", f"--callgrind-out-file={cg}", "--instr-atstart=no",
                f"--separate-threads={'yes' if threads else 'no'}",
                "--dump-instr=no", "--compress-strings=no", "--compress-pos=no"] + argv
    full_env = dict(os.environ)
    full_env.update(env)
    log = open(out, "w")
    p = subprocess.Popen(argv, env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    procs.append(p)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with open(out) as f:
            text = f.read()
        if "listening" in text:
            return p, text, cg
        if p.poll() is not None:
            sys.exit(f"bench_instructions: {name} exited ({p.returncode}) before listening:\n{text[-2000:]}")
        time.sleep(0.05)
    sys.exit(f"bench_instructions: {name} does not listen after 600 s")


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in procs:
        procs.remove(p)


def port_of(line):
    m = re.search(r"listening on port (\d+)", line)
    return int(m.group(1))


def cg_control(pid, what):
    r = subprocess.run(["callgrind_control", what, str(pid)], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit(f"bench_instructions: callgrind_control {what} {pid}: {r.stdout} {r.stderr}")


def dumps(cg):
    """The dump files callgrind wrote so far: cg.N, or cg.N-T per thread."""
    base = os.path.basename(cg)
    return {f for f in os.listdir(work) if re.fullmatch(re.escape(base) + r"\.\d+(-\d+)?", f)}


def complete(path):
    with open(path) as f:
        return re.search(r"^totals: ", f.read(), re.M) is not None


def dump(cg, pid, threads=False):
    """Dumps pid's counters; returns the new dump file (the list of them,
    one per thread, when threads)."""
    before = dumps(cg)
    cg_control(pid, "--dump")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        new = sorted(os.path.join(work, f) for f in dumps(cg) - before)
        if new and all(complete(f) for f in new):
            time.sleep(0.5)  # every thread's file is written by then
            new = sorted(os.path.join(work, f) for f in dumps(cg) - before)
            if all(complete(f) for f in new):
                return new if threads else new[0]
        time.sleep(0.05)
    sys.exit(f"bench_instructions: no dump from {pid}")


def total(dumpfile):
    with open(dumpfile) as f:
        m = re.search(r"^(?:totals|summary): (\d+)", f.read(), re.M)
    return int(m.group(1))


def total_outside_civetweb(files):
    """The instructions of the threads that never ran civetweb code: the
    viewer's HTTP threads serve only this script's waiting queries (the
    services export over gRPC)."""
    n = 0
    for path in files:
        with open(path) as f:
            text = f.read()
        if "libcivetweb" not in text:
            n += int(re.search(r"^totals: (\d+)", text, re.M).group(1))
    return n


class Client:
    """One keep-alive HTTP/1.1 connection; every request a new sampled trace."""

    def __init__(self, port):
        self.port = port
        self.seq = 0
        self.last_trace = None
        self.reconnect()

    def reconnect(self):
        """A new connection (civetweb closes one idle for 500 ms)."""
        if getattr(self, "conn", None):
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def get(self, path):
        self.seq += 1
        trace = os.urandom(16).hex()  # random, as the specification wants them
        self.conn.request("GET", path, headers={"traceparent": f"00-{trace}-{self.seq:016x}-01"})
        r = self.conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit(f"bench_instructions: GET {path}: {r.status} {body[:300]!r}")
        self.last_trace = trace


class ViewerApi:
    def __init__(self, port):
        self.port = port
        self.queries = 0

    def get(self, path):
        self.queries += 1
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("GET", path)
        r = conn.getresponse()
        answer = json.loads(r.read())
        conn.close()
        return answer

    def counts(self, trace, services):
        """{service: spans in trace} and the trace's log records."""
        t = self.get(f"/api/traces?trace_id={trace}")
        spans = {sv: sum(1 for tr in t["traces"] for s in tr["spans"] if s["service"] == sv) for sv in services}
        logs = len(self.get(f"/api/logs?trace_id={trace}")["logs"])
        return spans, logs

    def wait(self, trace, want):
        """Polls (once a second: few queries) until the trace holds want =
        ({service: spans}, logs); a service with 0 wanted must show one."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            spans, logs = self.counts(trace, list(want[0]))
            if all(spans[sv] >= max(n, 1) for sv, n in want[0].items()) and logs >= want[1]:
                return spans, logs
            time.sleep(1.0)
        sys.exit(f"bench_instructions: the viewer lacks trace {trace} ({want}) after 300 s")

    def calibrate(self, trace, services):
        """The spans per service and log records of one request (trace),
        once its log records (SHAPE) are in too."""
        self.wait(trace, ({sv: 0 for sv in services}, sum(SHAPE[sv][1] for sv in services)))
        return self.counts(trace, services)

    def quiesce(self):
        """Waits until nothing arrives for a second (an export in flight
        would count in the window)."""
        last = None
        for _ in range(300):
            now = self.stats()
            if now == last:
                return
            last = now
            time.sleep(1.0)

    def wait_counts(self, stats0, spans, logs, service):
        """Waits until spans and logs more than stats0 have arrived."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            now = self.stats()
            got = (now["spans"] - stats0["spans"], now["logs"] - stats0["logs"])
            if got[0] >= spans and got[1] >= logs:
                if got != (spans, logs):
                    sys.exit(f"bench_instructions: {service}: {got[0]} spans and {got[1]} log records in the "
                             f"window, not {spans} and {logs}: update SHAPE")
                return
            time.sleep(1.0)
        sys.exit(f"bench_instructions: {service}: {got[0]} spans and {got[1]} log records in the window "
                 f"after 300 s, not {spans} and {logs}: update SHAPE?")

    def stats(self):
        return self.get("/api/stats")


def upstreams(service):
    """Starts what service calls, natively, SDK disabled; returns its env."""
    off = {"OTEL_SDK_DISABLED": "true", "PORT": "0"}
    env = {}
    if service in ("gateway", "frontend"):
        _, iss, _ = start([binary("iss-distance-service")], off, f"up-iss-{service}", False)
        _, geo, _ = start([binary("geolocator-service")], off, f"up-geo-{service}", False)
        gw_env = {"GEOLOCATOR_SERVICE_URL": f"http://127.0.0.1:{port_of(geo)}/",
                  "ISS_DISTANCE_SERVICE_URL": f"http://127.0.0.1:{port_of(iss)}/"}
        if service == "gateway":
            env = gw_env
        else:
            _, gw, _ = start([binary("gateway")], {**off, **gw_env}, "up-gw-frontend", False)
            env = {"GATEWAY_URL": f"http://127.0.0.1:{port_of(gw)}/"}
    return env


def measure(service, mode, env, vapi):
    """Runs service under callgrind in mode; returns a dict of figures."""
    disabled = mode == "disabled"
    spans, logs = SHAPE[service]
    env = {**env, "PORT": "0", "OTEL_SDK_DISABLED": "true" if disabled else "false",
           "OTEL_METRIC_EXPORT_INTERVAL": METRIC_INTERVAL_MS,
           "OTEL_BSP_SCHEDULE_DELAY": NEVER_MS, "OTEL_BLRP_SCHEDULE_DELAY": NEVER_MS}
    if not DEFAULT_BATCH:
        env["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] = str(max(spans * BATCH, 1))
        env["OTEL_BLRP_MAX_EXPORT_BATCH_SIZE"] = str(max(logs * BATCH, 1))
    p, line, cg = start([binary(service)], env, f"{service}.{mode}", True)
    client = Client(port_of(line))
    path = PATHS[service]
    for _ in range(WARMUP):
        client.get(path)
    if not disabled:  # no export in flight when the window opens
        vapi.quiesce()
    client.reconnect()  # in both modes, its accept in the window
    cg_control(p.pid, "--instr=on")  # start-up and warm-up ran uninstrumented (faster)
    cg_control(p.pid, "--zero")
    stats0 = vapi.stats()
    for _ in range(N):
        client.get(path)
    if not disabled:
        vapi.wait_counts(stats0, spans * N, logs * N, service)
    stats1 = vapi.stats()
    sdump = dump(cg, p.pid)
    client.conn.close()
    stop(p)
    return {"ir": total(sdump), "dump": sdump,
            "spans": stats1["spans"] - stats0["spans"], "logs": stats1["logs"] - stats0["logs"]}


def measure_viewer(otlp):
    """The viewer under callgrind, fed by native instrumented services."""
    viewer, vline, vcg = start([binary("otel-viewer"), "--grpc-port", "0", "--http-port", "0", "--quiet"],
                               {}, "viewer-grind", True, threads=True)
    grpc = int(re.search(r"grpc=[^ ]*:(\d+)", vline).group(1))
    vapi = ViewerApi(int(re.search(r"http=[^ ]*:(\d+)", vline).group(1)))
    on = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{grpc}", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
          "OTEL_METRIC_EXPORT_INTERVAL": METRIC_INTERVAL_MS, "PORT": "0"}
    _, iss, _ = start([binary("iss-distance-service")], on, "v-iss", False)
    _, geo, _ = start([binary("geolocator-service")], on, "v-geo", False)
    _, gw, _ = start([binary("gateway")], {**on, "GEOLOCATOR_SERVICE_URL": f"http://127.0.0.1:{port_of(geo)}/",
                                           "ISS_DISTANCE_SERVICE_URL": f"http://127.0.0.1:{port_of(iss)}/"},
                     "v-gw", False)
    client = Client(port_of(gw))
    services = ["gateway", "geolocator-service", "iss-distance-service"]
    for _ in range(WARMUP):
        client.get(PATHS["gateway"])
    want = vapi.calibrate(client.last_trace, services)
    client.reconnect()
    cg_control(viewer.pid, "--instr=on")
    cg_control(viewer.pid, "--zero")
    stats0 = vapi.stats()
    for _ in range(VIEWER_N):
        client.get(PATHS["gateway"])
    vapi.wait(client.last_trace, want)
    stats1 = vapi.stats()
    ir = total_outside_civetweb(dump(vcg, viewer.pid, threads=True))
    client.conn.close()
    for p in list(procs):
        stop(p)
    spans, logs = stats1["spans"] - stats0["spans"], stats1["logs"] - stats0["logs"]
    return ir, spans, logs


def top_functions(dumpfile, n):
    """[(inclusive, self, name)] of libotel-lite's functions in dumpfile."""
    rows = {}
    for inclusive in ("yes", "no"):
        r = subprocess.run(["callgrind_annotate", f"--inclusive={inclusive}", "--threshold=100",
                            dumpfile], capture_output=True, text=True, check=True)
        for m in re.finditer(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S+?):(\S+)", r.stdout, re.M):
            count = int(m.group(1).replace(",", ""))
            fname, func = m.group(2), m.group(3)
            if "libotel-lite/" not in fname:
                continue
            func = f"{func} ({os.path.basename(fname)})"
            rows.setdefault(func, [0, 0])[0 if inclusive == "yes" else 1] = count
    return sorted(((i, s, f) for f, (i, s) in rows.items()), reverse=True)[:n]


def main():
    if DEFAULT_BATCH and (WARMUP % SDK_BATCH or N % SDK_BATCH):
        sys.exit(f"bench_instructions: with BENCH_DEFAULT_BATCH=1, BENCH_WARMUP ({WARMUP}) and BENCH_REQUESTS ({N}) "
                 f"must be multiples of the SDK's batch size ({SDK_BATCH})")
    if not DEFAULT_BATCH and (WARMUP % BATCH or N % BATCH):
        sys.exit(f"bench_instructions: BENCH_WARMUP ({WARMUP}) and BENCH_REQUESTS ({N}) must be multiples "
                 f"of BENCH_BATCH_REQUESTS ({BATCH})")
    for tool in ("valgrind", "callgrind_control", "callgrind_annotate"):
        if not shutil.which(tool):
            sys.exit(f"bench_instructions: {tool} is not installed (apt-get install valgrind)")
    viewer, vline, _ = start([binary("otel-viewer"), "--grpc-port", "0", "--http-port", "0", "--quiet"],
                             {}, "otel-viewer", False)
    grpc = int(re.search(r"grpc=[^ ]*:(\d+)", vline).group(1))
    vapi = ViewerApi(int(re.search(r"http=[^ ]*:(\d+)", vline).group(1)))
    otlp = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{grpc}", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
    results = {}
    for service in ONLY:
        env = {**otlp, **upstreams(service)}
        on = measure(service, "instrumented", env, vapi)
        off = measure(service, "disabled", env, vapi)
        results[service] = (on, off)
        for p in list(procs):
            if p is not viewer:
                stop(p)
    stop(viewer)
    viewer_figures = measure_viewer(otlp) if VIEWER_N else None
    print(f"instructions per request (callgrind, all threads, export to otel-viewer over OTLP/gRPC included;")
    print(f"{WARMUP} requests of warm-up, then {N} counted, one keep-alive connection; metric collection excluded):")
    print(f"  {'service':<22} {'instrumented':>12} {'disabled':>10} {'ratio':>7} {'telemetry':>10} {'spans':>6} {'logs':>5}")
    for service, (on, off) in results.items():
        a, b = on["ir"] / N, off["ir"] / N
        print(f"  {service:<22} {a:>12,.0f} {b:>10,.0f} {a / b:>7.3f} {a - b:>10,.0f} "
              f"{on['spans'] / N:>6.1f} {on['logs'] / N:>5.1f}")
    if viewer_figures:
        ir, spans, logs = viewer_figures
        print(f"otel-viewer: {ir / max(spans + logs, 1):,.0f} instructions per received span or log record "
              f"({VIEWER_N} requests through the gateway: {spans} spans, {logs} log records; "
              f"all threads but civetweb's)")
    for service, (on, _) in results.items():
        print(f"top libotel-lite functions in {service}, instructions per request (inclusive, self):")
        for inc, slf, func in top_functions(on["dump"], TOP):
            print(f"  {inc / N:>9,.0f} {slf / N:>8,.0f}  {func}")
    if os.environ.get("BENCH_KEEP"):
        print(f"callgrind dumps kept in {work}")


signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench_instructions: terminated"))
try:
    main()
finally:
    for p in list(procs):
        try:
            p.kill()
            p.wait()
        except OSError:
            pass
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
