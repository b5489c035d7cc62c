"""Running the app for a check: the services and an isolated otel-viewer on
free ports of 127.0.0.1, and a local stand-in of the open-notify ISS API
that answers 500 on demand. Nothing here uses a fixed port or touches
services the participant is running.

Waiting is always a bounded poll of something that becomes true (a port
that listens, a process that exits), never a fixed sleep.
"""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port):
    """True when something listens on (or holds) 127.0.0.1:port."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return False
        except OSError:
            return True


class StartError(Exception):
    """A program did not start; the message says why, with its last output."""


def _tail(path, lines=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Process:
    """A program started with a clean OTEL_* environment plus `env`, its
    output in log_path, stopped by stop()."""

    def __init__(self, name, argv, env, log_path, port=None, cwd=None, timeout=30.0):
        self.name = name
        self.port = port
        self.log_path = log_path
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        full_env.update(env)
        self.log = open(log_path, "w")
        try:
            self.proc = subprocess.Popen(argv, env=full_env, cwd=cwd, stdout=self.log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as e:
            self.log.close()
            raise StartError(f"{name}: cannot run {argv[0]}: {e.strerror}") from None
        self.exit_status = None
        self.stop_seconds = None
        if port == 0:
            self._wait_announced(timeout)
        elif port is not None:
            self._wait_listening(timeout)

    def _wait_announced(self, timeout):
        """PORT=0: the service binds a free port itself and says which in
        "<name>: listening on port N" (no race with other programs for a
        port picked in advance)."""
        deadline = time.monotonic() + timeout
        pattern = re.compile(r"listening on port (\d+)")
        while time.monotonic() < deadline:
            exited = self.proc.poll() is not None
            self.log.flush()
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                m = pattern.search(f.read())
            if m:
                self.port = int(m[1])
                return
            if exited:
                self.log.close()
                raise StartError(f"{self.name} exited with status {self.proc.returncode} before it listened. "
                                 f"Its last output:\n{_tail(self.log_path)}")
            time.sleep(0.02)
        self.stop()
        raise StartError(f"{self.name} did not say it listens within {timeout:.0f} s. "
                         f"Its last output:\n{_tail(self.log_path)}")

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.close()
                raise StartError(f"{self.name} exited with status {self.proc.returncode} before it "
                                 f"listened on port {self.port}. Its last output:\n{_tail(self.log_path)}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise StartError(f"{self.name} did not listen on port {self.port} within {timeout:.0f} s. "
                         f"Its last output:\n{_tail(self.log_path)}")

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def terminate(self):
        """Sends SIGTERM without waiting (stop() then waits): stopping
        several programs at once takes as long as the slowest."""
        if self.proc.poll() is None:
            self._t0 = time.monotonic()
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout=15.0):
        """SIGTERM, then waits (bounded; SIGKILL after timeout). Returns the
        exit status; records how long the stop took."""
        if self.exit_status is not None:
            return self.exit_status
        t0 = getattr(self, "_t0", None) or time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stop_seconds = time.monotonic() - t0
        self.exit_status = self.proc.returncode
        if not self.log.closed:
            self.log.close()
        return self.exit_status


class Viewer:
    """The real otel-viewer, quiet, on free ports, with its query API."""

    def __init__(self, binary, log_path):
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        try:
            self.proc = subprocess.Popen([binary, "--grpc-port", "0", "--http-port", "0", "--quiet"],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                         stdin=subprocess.DEVNULL)
        except OSError as e:
            raise StartError(f"otel-viewer: cannot run {binary}: {e.strerror} (run 'make' first)") from None
        line = self.proc.stdout.readline()
        try:
            parts = dict(p.split("=", 1) for p in line.split()[2:4])
            self.grpc_port = int(parts["grpc"].rsplit(":", 1)[1])
            self.http_port = int(parts["http"].rsplit(":", 1)[1])
        except (ValueError, KeyError, IndexError):
            self.proc.kill()
            raise StartError(f"otel-viewer did not say where it listens; it printed: {line!r}") from None

    def otlp_env(self):
        return {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{self.grpc_port}",
                "OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_BLRP_SCHEDULE_DELAY": "200",
                "OTEL_METRIC_EXPORT_INTERVAL": "1000"}

    def query(self, path):
        status, body = http_get(f"http://127.0.0.1:{self.http_port}{path}")
        return json.loads(body) if status == 200 else None

    def traces(self, service=None):
        q = self.query("/api/traces" + (f"?service={service}" if service else "")) or {}
        return q.get("traces", [])

    def spans(self, service=None):
        """Every stored span (optionally of one service), each with its "service"."""
        out = []
        for t in self.traces():
            for s in t.get("spans", []):
                if service is None or s.get("service") == service:
                    out.append(s)
        return out

    def logs(self, service):
        return (self.query(f"/api/logs?service={service}") or {}).get("logs", [])

    def metrics(self, service):
        return (self.query(f"/api/metrics?service={service}") or {}).get("metrics", [])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def http_get(url, timeout=15):
    """Returns (status, body text); (0, reason) when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        return 0, str(getattr(e, "reason", e))


class IssApiStandIn:
    """A local open-notify API (GET /iss-now.json). `failing = True` makes
    it answer 500, the way a real API has a bad day."""

    def __init__(self):
        stand_in = self
        self.failing = False
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                stand_in.requests += 1
                if stand_in.failing:
                    body, status = b'{"message": "internal error"}', 500
                else:
                    body = json.dumps({"message": "success", "timestamp": int(time.time()),
                                       "iss_position": {"latitude": "12.3456", "longitude": "-45.6789"}
                                       }).encode()
                    status = 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/iss-now.json"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
