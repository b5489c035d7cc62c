"""Helpers for integration tests that run the real programs on 127.0.0.1.

Processes are started on free ports, waited for by polling their port (a
bounded loop, not a fixed sleep), and stopped with SIGTERM; a non-zero exit
status (a crash, or a leak report under AddressSanitizer) fails the test.
"""
import os
import signal
import socket
import subprocess
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
