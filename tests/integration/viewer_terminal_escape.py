"""The live view of the real otel-viewer shows telemetry's control
characters as text.

The viewer runs with its live view on (no --quiet), its stdout in a file
as a terminal would receive it. A trace, a log record and a metric whose
service name, span name, attribute, status message, log body and metric
name hold ESC[2J (clear the screen), an OSC title sequence, a BEL, a CR and
the 8-bit CSI U+009B are exported over OTLP/HTTP JSON. Once the live view
has printed them, its output must hold them escaped (\\x1b[2J, \\x07,
\\u009b) and no control byte at all but newlines (stdout is not a terminal,
so the viewer uses no colour of its own).
"""
import json
import os
import signal
import subprocess
import sys
import time

from harness import BUILD, ROOT, binary, http

EVIL = "\u001b[2J\u001b]0;pwned\u0007\r\u009b31m"
TRACE_ID = "7e57" * 8
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


def any_value(s):
    return {"stringValue": s}


def resource():
    return {"attributes": [{"key": "service.name", "value": any_value("svc" + EVIL)}]}


traces = {"resourceSpans": [{"resource": resource(), "scopeSpans": [{"spans": [{
    "traceId": TRACE_ID, "spanId": "00000000000000a1", "name": "span" + EVIL, "kind": 2,
    "startTimeUnixNano": "1764000000000000000", "endTimeUnixNano": "1764000000005000000",
    "attributes": [{"key": "http.route", "value": any_value("/route" + EVIL)}],
    "status": {"code": 2, "message": "status" + EVIL}}]}]}]}
logs = {"resourceLogs": [{"resource": resource(), "scopeLogs": [{"logRecords": [{
    "timeUnixNano": "1764000000001000000", "severityNumber": 17, "severityText": "ERROR",
    "body": any_value("body" + EVIL + "\nsecond line")}]}]}]}
metrics = {"resourceMetrics": [{"resource": resource(), "scopeMetrics": [{"metrics": [{
    "name": "metric" + EVIL, "unit": "1",
    "sum": {"isMonotonic": True, "aggregationTemporality": 2, "dataPoints": [{
        "asInt": "7", "timeUnixNano": "1764000000002000000",
        "attributes": [{"key": "k", "value": any_value("v" + EVIL)}]}]}}]}]}]}

out_path = os.path.join(ROOT, BUILD, "test-logs", f"viewer-terminal-{os.getpid()}.out")
os.makedirs(os.path.dirname(out_path), exist_ok=True)
out = open(out_path, "wb")
proc = subprocess.Popen([binary("otel-viewer"), "--grpc-port", "0", "--http-port", "0"],
                        stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT,
                        env={k: v for k, v in os.environ.items() if k != "NO_COLOR"})
try:
    deadline = time.monotonic() + 20
    port = None
    while port is None and time.monotonic() < deadline:
        with open(out_path, "rb") as f:
            first = f.readline().decode()
        if first.endswith("\n") and "http=" in first:
            port = int(first.split("http=")[1].split(":")[1])
        elif proc.poll() is not None:
            sys.exit(f"FAIL: otel-viewer exited with {proc.returncode} before listening")
        else:
            time.sleep(0.05)
    if port is None:
        sys.exit("FAIL: no listening line from otel-viewer")
    for path, body in (("/v1/traces", traces), ("/v1/logs", logs), ("/v1/metrics", metrics)):
        status, text, _ = http("POST", f"http://127.0.0.1:{port}{path}",
                               json.dumps(body).encode(), {"Content-Type": "application/json"})
        expect(status == 200, f"{path}: {status} {text}")
    # the live view prints the trace once its root arrived, the log at once
    # and the metrics table within 2 s: wait (bounded) for all three
    wanted = [b"span\\x1b[2J", b"body\\x1b[2J", b"metric\\x1b[2J"]
    data = b""
    while time.monotonic() < deadline + 20:
        with open(out_path, "rb") as f:
            data = f.read()
        if all(w in data for w in wanted):
            break
        time.sleep(0.1)
    for w in wanted:
        expect(w in data, f"the live view did not print {w!r}")
    escaped = "\\x1b[2J\\x1b]0;pwned\\x07\\r\\u009b31m".encode()
    expect(data.count(escaped) >= 6,
           f"the escaped sequence appears {data.count(escaped)} times, want service, span name, "
           f"status, attribute, metric name, attribute value")
    expect(b"body\\x1b[2J\\x1b]0;pwned\\x07 \\u009b31m second line" in data,
           "the log body is not one line with its control characters escaped")
    for i, byte in enumerate(data):
        if (byte < 0x20 and byte != 0x0a) or byte == 0x7f:
            failures.append(f"control byte 0x{byte:02x} at offset {i}: "
                            f"{data[max(0, i - 40):i + 20]!r}")
            break
    expect("\u0080\u009f" not in data.decode("utf-8", "replace") and
           not any(0x80 <= ord(c) <= 0x9f for c in data.decode("utf-8", "replace")),
           "a C1 control character reached the output")
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    out.close()
    expect(rc == 0, f"otel-viewer exited with {rc}")

if failures:
    for f in failures:
        print("FAIL:", f)
    print(f"(live view output: {out_path})")
    sys.exit(1)
print("ok: the live view showed every control character from telemetry as text")
