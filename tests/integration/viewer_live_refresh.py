"""otel-viewer's pages update live, in a real browser.

The trace list (/) and the log page (/logs) reload their rows from the
viewer every 2 s (the page's script fetches its data-live fragment), and
/api/stream sends a server-sent event whenever the store changes.

Headless Chromium loads each page through a forwarding proxy on 127.0.0.1:
the proxy fetches the page from the real viewer, then, before handing the
page to the browser, exports a new trace (or log record) to the viewer. The
page as served does not hold the new data; after the script's refresh the
browser's DOM must. No timing is guessed: the new data is in the viewer
before the browser has the page.
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import Viewer
from harness import http as request

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("FAIL: chromium is not installed (apt-get install chromium)")
    print("0 passed, 1 failed")
    sys.exit(1)

viewer = Viewer()
base = f"http://127.0.0.1:{viewer.http_port}"
marker = uuid.uuid4().hex[:12]


def trace_body(name):
    tid, sid = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    return {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "live-service"}}]},
        "scopeSpans": [{"scope": {"name": "live"}, "spans": [{
            "traceId": tid, "spanId": sid, "name": name, "kind": 2,
            "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000050000000"}]}]}]}


def log_body(text):
    return {"resourceLogs": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "live-service"}}]},
        "scopeLogs": [{"scope": {"name": "live"}, "logRecords": [{
            "timeUnixNano": "1700000000000000000", "severityNumber": 9, "severityText": "INFO",
            "body": {"stringValue": text}}]}]}]}


def export(signal, body):
    status, answer, _ = request("POST", f"{base}/v1/{signal}", json.dumps(body).encode(),
                             {"Content-Type": "application/json"})
    expect(status == 200, f"export {signal}: {status} {answer[:200]}")


# the page path -> what to export once the page has been fetched
after_page = {}
served = {}


class Forward(BaseHTTPRequestHandler):
    def do_GET(self):
        conn = http.client.HTTPConnection("127.0.0.1", viewer.http_port, timeout=30)
        conn.request("GET", self.path)
        r = conn.getresponse()
        body = r.read()
        todo = after_page.pop(self.path, None)
        if todo:
            served[self.path] = body.decode("utf-8", "replace")
            todo()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


proxy = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
threading.Thread(target=proxy.serve_forever, daemon=True).start()
profile = tempfile.mkdtemp()


def dom_through_proxy(path):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--dump-dom", "--virtual-time-budget=6000",
           f"http://127.0.0.1:{proxy.server_address[1]}{path}"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout


try:
    export("traces", trace_body(f"first-{marker}"))
    export("logs", log_body(f"first-{marker}"))

    span = f"arrived-later-{marker}"
    after_page["/"] = lambda: export("traces", trace_body(span))
    dom = dom_through_proxy("/")
    expect(f"first-{marker}" in served.get("/", ""), "the trace list as served lacks the first trace")
    expect(span not in served.get("/", span), "the trace list was served with the later trace already in it")
    expect(span in dom, "the trace list did not refresh: the later trace is not in the browser's rows")

    text = f"arrived-later-{marker}"
    after_page["/logs"] = lambda: export("logs", log_body(text))
    dom = dom_through_proxy("/logs")
    expect(f"first-{marker}" in served.get("/logs", ""), "the log page as served lacks the first record")
    expect(text not in served.get("/logs", text), "the log page was served with the later record in it")
    expect(text in dom, "the log page did not refresh: the later record is not in the browser's rows")

    # /api/stream: an event now, and another once something new arrives
    s = socket.create_connection(("127.0.0.1", viewer.http_port), timeout=20)
    s.sendall(b"GET /api/stream HTTP/1.1\r\nHost: x\r\n\r\n")
    f = s.makefile("rb")

    def next_event():
        data = None
        for line in f:
            line = line.decode().rstrip("\r\n")
            if line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and data is not None:
                return data
        return None

    status_line = f.readline().decode()
    expect(" 200 " in status_line, f"/api/stream: {status_line!r}")
    while f.readline() not in (b"\r\n", b"\n", b""):
        pass
    first = next_event()
    export("traces", trace_body(f"streamed-{marker}"))
    second = next_event()
    expect(first is not None and second is not None and second["seq"] > first["seq"]
           and second["spans"] == first["spans"] + 1, f"/api/stream events: {first} then {second}")
    s.close()
finally:
    proxy.shutdown()
    rc = viewer.stop()
    shutil.rmtree(profile, ignore_errors=True)
    expect(rc == 0, f"otel-viewer exited with {rc}")

for m in failures:
    print("FAIL:", m)
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
