"""otel-viewer --from-jsonl: a first viewer (--jsonl FILE) receives the
fixtures of tests/fixtures/viewer/ over OTLP/HTTP and is stopped; a second
one started with --from-jsonl FILE (and a line that is not a request
appended) answers /api/traces, /api/logs and /api/stats with the same data
as soon as its port answers, and says how many lines it skipped. Its
/api/stream sends an event at once and another after a new export.
"""
import os
import signal
import subprocess
import sys
import tempfile

from harness import ROOT, binary, http

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


def start(*args):
    proc = subprocess.Popen([binary("otel-viewer"), "--grpc-port", "0", "--http-port", "0", "--quiet", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    line = proc.stdout.readline()
    port = int(line.split("http=")[1].rsplit(":", 1)[1]) if "http=" in line else 0
    return proc, f"http://127.0.0.1:{port}"


def get(base, path):
    import json
    status, body, _ = http("GET", base + path)
    return json.loads(body) if status == 200 else None


FIX = os.path.join(ROOT, "tests", "fixtures", "viewer")
work = tempfile.mkdtemp()
path = os.path.join(work, "telemetry.jsonl")
first, base = start("--jsonl", path)
try:
    for signal_name, name in (("traces", "trace_app.json"), ("logs", "logs_app.json")):
        with open(os.path.join(FIX, name), "rb") as f:
            status, _, _ = http("POST", f"{base}/v1/{signal_name}", f.read(), {"Content-Type": "application/json"})
        expect(status == 200, f"POST {name}: {status}")
    want_traces = get(base, "/api/traces")
    want_logs = get(base, "/api/logs")
finally:
    first.send_signal(signal.SIGTERM)
    expect(first.wait(timeout=30) == 0, "first viewer did not exit cleanly")
with open(path, "a") as f:
    f.write("this line is not a request\n")

second, base = start("--from-jsonl", path)
try:
    got = get(base, "/api/traces")
    strip = lambda ts: [{k: v for k, v in t.items() if k != "ready"} for t in ts["traces"]]
    expect(got is not None and strip(got) == strip(want_traces), "traces differ after --from-jsonl")
    expect(got is not None and len(got["traces"]) == 1 and got["traces"][0]["spanCount"] == 7,
           f"replayed traces: {str(got)[:300]}")
    expect(get(base, "/api/logs") == want_logs, "logs differ after --from-jsonl")
    # /api/stream: a first event at once, another when something is stored
    import socket
    host, port = base.split("//")[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(b"GET /api/stream HTTP/1.1\r\nHost: x\r\n\r\n")
    buf = b""
    def read_until(pred):
        global buf
        while not pred(buf):
            try:
                chunk = sock.recv(4096)
            except socket.timeout:
                break  # the expect() after says what is missing
            if not chunk:
                break
            buf += chunk
    read_until(lambda b: b.count(b"event: change") >= 1)
    expect(b"Content-Type: text/event-stream" in buf and b'"spans":7' in buf, f"first event: {buf[:300]!r}")
    with open(os.path.join(FIX, "logs_app.json"), "rb") as f:
        http("POST", f"{base}/v1/logs", f.read(), {"Content-Type": "application/json"})
    read_until(lambda b: b.count(b"event: change") >= 2)
    expect(b'"logs":6' in buf, f"no event after a POST: {buf[-300:]!r}")
    sock.close()
    stats = get(base, "/api/stats")
    expect(stats and stats["requests"] == 3 and stats["spans"] == 7 and stats["logs"] == 6,
           f"stats after --from-jsonl: {stats}")
finally:
    second.send_signal(signal.SIGTERM)
    rc = second.wait(timeout=30)
    err = second.stderr.read()
    expect(rc == 0, f"second viewer exited with {rc}: {err}")
    expect("loaded 2 requests" in err and "(1 lines skipped)" in err, f"no load summary: {err!r}")
    expect(start("--from-jsonl", os.path.join(work, "missing.jsonl"))[0].wait(timeout=30) == 1,
           "a missing --from-jsonl file is not an error")

for f in failures:
    print("FAIL:", f)
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
