"""Helpers for integration tests that run the real programs on 127.0.0.1.

Processes are started on free ports, waited for by polling their port (a
bounded loop, not a fixed sleep), and stopped with SIGTERM; a non-zero exit
status (a crash, or a leak report under AddressSanitizer) fails the test.
"""
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

BUILD = os.environ.get("BUILD", "build")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def binary(name):
    return os.path.join(ROOT, BUILD, "bin", name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DeadPort:
    """A port on 127.0.0.1 where nothing listens, and nothing can start to:
    the socket is bound (so no other test can take the port) but never
    listens, so a connection is refused. A port from free_port() is only
    free when asked and another test may bind it before it is used as the
    "upstream that is not there". Keep the object alive while the port is
    in use."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"


def wait_for_port(port, proc, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


class Process:
    """A program of the project, started with env, stopped by stop()."""

    def __init__(self, name, port, env=None, args=()):
        self.name = name
        self.port = port
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env["PORT"] = str(port)
        self.log_path = os.path.join(ROOT, BUILD, "test-logs", f"{name}-{port}.log")
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([binary(name), *args], env=full_env, cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(port, self.proc)

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        """Stops the process; returns its exit status (0 expected)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def http(method, url, body=None, headers=None, timeout=15):
    """Returns (status, body text, headers dict); never raises on HTTP errors."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), dict(e.headers)


def raw_request(port, data, timeout=10):
    """Sends raw bytes (for requests urllib refuses to make); returns the
    status code of the response, or 0 when the server closed without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            if not c:
                break
            chunks.append(c)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        head = b"".join(chunks).split(b"\r\n", 1)[0].split()
        return int(head[1]) if len(head) > 1 and head[1].isdigit() else 0


class BlackHole:
    """A collector that accepts connections and never reads or answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for c in self.held:
            c.close()


class Viewer:
    """The real otel-viewer on free ports (--quiet), with its query API."""

    def __init__(self):
        self.log_path = os.path.join(ROOT, BUILD, "test-logs", f"otel-viewer-{os.getpid()}.log")
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.proc = subprocess.Popen([binary("otel-viewer"), "--grpc-port", "0", "--http-port", "0",
                                      "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     cwd=ROOT, text=True)
        line = self.proc.stdout.readline()
        parts = dict(p.split("=") for p in line.split()[2:4])
        self.grpc_port = int(parts["grpc"].rsplit(":", 1)[1])
        self.http_port = int(parts["http"].rsplit(":", 1)[1])

    def otlp_env(self, protocol="grpc"):
        port = self.grpc_port if protocol == "grpc" else self.http_port
        return {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
                "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
                "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_BLRP_SCHEDULE_DELAY": "100",
                "OTEL_METRIC_EXPORT_INTERVAL": "200"}

    def query(self, path):
        import json
        status, body, _ = http("GET", f"http://127.0.0.1:{self.http_port}{path}")
        return json.loads(body) if status == 200 else None

    def wait_for(self, path, ready, timeout=20.0):
        """Polls the query API until ready(answer) is true (bounded)."""
        deadline = time.monotonic() + timeout
        answer = None
        while time.monotonic() < deadline:
            answer = self.query(path)
            if answer is not None and ready(answer):
                return answer
            time.sleep(0.05)
        raise AssertionError(f"viewer: {path} not ready after {timeout} s; last answer: {str(answer)[:500]}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        return self.proc.returncode


def attr(span, key):
    """The value of an OTLP/JSON attribute (string, int, double or bool)."""
    for kv in span.get("attributes", []):
        if kv["key"] == key:
            v = kv["value"]
            for k in ("stringValue", "intValue", "doubleValue", "boolValue"):
                if k in v:
                    return int(v[k]) if k == "intValue" else v[k]
    return None
