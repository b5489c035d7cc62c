"""OTLP over TLS, with certificates made now by openssl (a CA, a server
certificate for localhost and 127.0.0.1, a client certificate).

- The real viewer with --tls-cert/--tls-key: a real service
  (iss-distance-service) exporting to an https:// endpoint with
  OTEL_EXPORTER_OTLP_CERTIFICATE (or its per-signal variants) gets its
  spans, log records and metrics there, over gRPC and over HTTP.
- A cleartext listener on an https:// endpoint: the first bytes of every
  connection the exporter opens are a TLS ClientHello (0x16 0x03), never
  the HTTP/2 preface or an HTTP request line; the same holds for a gRPC
  endpoint without a scheme (OTEL_EXPORTER_OTLP_INSECURE unset), while
  http:// and INSECURE=true without a scheme are cleartext.
- Mutual TLS: a viewer with --tls-client-ca gets the telemetry of a service
  that has OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and _CLIENT_KEY.
- The logs' certificate path cannot be read: a diagnostic names it, the
  service answers as usual and its traces still arrive.
"""
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from harness import ROOT, Process, binary, free_port, http

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_certificates(d):
    """ca.pem; server.pem/.key for localhost and 127.0.0.1; client.pem/.key;
    other-ca.pem (a CA that signed nothing here)."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=otlp-tls test CA", cwd=d)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out",
            "other-ca.pem", "-days", "2", "-subj", "/CN=another CA", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    with open(os.path.join(d, "client.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext",
                cwd=d)


class TlsViewer:
    """The real otel-viewer on free ports with TLS on both; queried over HTTPS."""

    def __init__(self, certs, client_ca=False):
        args = [binary("otel-viewer"), "--grpc-port", "0", "--http-port", "0", "--quiet",
                "--tls-cert", os.path.join(certs, "server.pem"),
                "--tls-key", os.path.join(certs, "server.key")]
        if client_ca:
            args += ["--tls-client-ca", os.path.join(certs, "ca.pem")]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     cwd=ROOT, text=True)
        line = self.proc.stdout.readline()
        if "listening" not in line:
            raise RuntimeError(f"viewer did not start: {line}{self.proc.stdout.read()}")
        parts = dict(p.split("=") for p in line.split()[2:4])
        self.grpc_port = int(parts["grpc"].rsplit(":", 1)[1])
        self.http_port = int(parts["http"].rsplit(":", 1)[1])
        self.ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
        if client_ca:
            self.ctx.load_cert_chain(os.path.join(certs, "client.pem"), os.path.join(certs, "client.key"))

    def query(self, path):
        url = f"https://127.0.0.1:{self.http_port}{path}"
        with urllib.request.urlopen(url, context=self.ctx, timeout=10) as r:
            return json.loads(r.read())

    def wait_for(self, path, ready, timeout=20.0):
        deadline = time.monotonic() + timeout
        answer = None
        while time.monotonic() < deadline:
            answer = self.query(path)
            if ready(answer):
                return answer
            time.sleep(0.05)
        return None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        return self.proc.returncode


FAST = {"OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_BLRP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "200", "OTEL_EXPORTER_OTLP_TIMEOUT": "2000"}


def service(name, env):
    return Process("iss-distance-service", free_port(), {**FAST, "OTEL_SERVICE_NAME": name, **env})


def stop(p, what):
    rc = p.stop()
    expect(rc == 0, f"{what}: the service exited with {rc}:\n{p.output()[-1500:]}")


def arrives(viewer, name, what):
    """The service `name` sent spans, log records and metrics to viewer."""
    traces = viewer.wait_for(f"/api/traces?service={name}", lambda a: len(a["traces"]) >= 1)
    expect(traces is not None, f"{what}: no trace arrived")
    logs = viewer.wait_for(f"/api/logs?service={name}", lambda a: len(a["logs"]) >= 1)
    expect(logs is not None, f"{what}: no log record arrived")
    metrics = viewer.wait_for("/api/metrics?name=incoming.requests",
                              lambda a: any(m["service"] == name for m in a["metrics"]))
    expect(metrics is not None, f"{what}: no metric arrived")


class FirstBytes:
    """A cleartext TCP listener that keeps the first bytes of each connection."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.seen = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(3)
            data = b""
            try:
                while len(data) < 24:
                    chunk = conn.recv(24 - len(data))
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            conn.close()
            with self.lock:
                self.seen.append(data)

    def wait(self, n=1, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.seen) >= n:
                    return list(self.seen)
            time.sleep(0.05)
        with self.lock:
            return list(self.seen)

    def close(self):
        self.stopping = True
        self.thread.join()
        self.sock.close()


def first_bytes_case(endpoint_fmt, protocol, extra, want_tls, what):
    listener = FirstBytes()
    p = service("first-bytes", {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint_fmt.format(listener.port),
                                "OTEL_EXPORTER_OTLP_PROTOCOL": protocol, **extra})
    try:
        http("GET", p.url("/"))  # a span and a log record to export
        seen = listener.wait(1)
        expect(seen, f"{what}: the exporter never connected")
        for data in seen:
            if want_tls:
                expect(data[:2] == b"\x16\x03", f"{what}: first bytes {data!r} are not a TLS ClientHello")
            else:
                expect(data.startswith(b"PRI * HTTP/2.0") or data.startswith(b"POST "),
                       f"{what}: first bytes {data!r} are not cleartext HTTP")
    finally:
        listener.close()  # nothing listens now: the exporter fails fast, shutdown is quick
        p.stop()


with tempfile.TemporaryDirectory() as certs:
    make_certificates(certs)
    ca = os.path.join(certs, "ca.pem")
    viewer = TlsViewer(certs)
    try:
        # plain http on the TLS port is refused (no cleartext service there)
        try:
            status, _, _ = http("GET", f"http://127.0.0.1:{viewer.http_port}/healthz", timeout=5)
        except OSError:
            status = 0
        expect(status == 0, f"the TLS viewer answered cleartext HTTP with {status}")

        # gRPC, generic CERTIFICATE
        p = service("tls-grpc", {"OTEL_EXPORTER_OTLP_ENDPOINT": f"https://127.0.0.1:{viewer.grpc_port}",
                                 "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                                 "OTEL_EXPORTER_OTLP_CERTIFICATE": ca})
        status, _, _ = http("GET", p.url("/"))
        arrives(viewer, "tls-grpc", "gRPC over TLS")
        stop(p, "gRPC over TLS")

        # HTTP, the per-signal variables (the generic one names a CA that
        # signed nothing here: the per-signal ones must win)
        p = service("tls-http", {"OTEL_EXPORTER_OTLP_ENDPOINT": f"https://localhost:{viewer.http_port}",
                                 "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
                                 "OTEL_EXPORTER_OTLP_CERTIFICATE": os.path.join(certs, "other-ca.pem"),
                                 "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": ca,
                                 "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE": ca,
                                 "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE": ca})
        http("GET", p.url("/"))
        arrives(viewer, "tls-http", "OTLP/HTTP over TLS, per-signal certificates")
        stop(p, "OTLP/HTTP over TLS")

        # gRPC without a scheme: TLS by default (INSECURE unset)
        p = service("tls-grpc-noscheme", {"OTEL_EXPORTER_OTLP_ENDPOINT": f"localhost:{viewer.grpc_port}",
                                          "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                                          "OTEL_EXPORTER_OTLP_CERTIFICATE": ca})
        http("GET", p.url("/"))
        arrives(viewer, "tls-grpc-noscheme", "gRPC endpoint without a scheme")
        stop(p, "gRPC endpoint without a scheme")

        # the logs' certificate path cannot be read: logs are off, the
        # service answers, and its traces still arrive
        missing = os.path.join(certs, "no-such-ca.pem")
        p = service("tls-missing", {"OTEL_EXPORTER_OTLP_ENDPOINT": f"https://127.0.0.1:{viewer.grpc_port}",
                                    "OTEL_EXPORTER_OTLP_CERTIFICATE": ca,
                                    "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE": missing})
        status, _, _ = http("GET", p.url("/?latitude=1&longitude=2"))
        expect(status == 200, f"with an unreadable certificate the service answered {status}")
        expect(viewer.wait_for("/api/traces?service=tls-missing", lambda a: len(a["traces"]) >= 1),
               "with the logs' certificate unreadable, no trace arrived")
        stop(p, "unreadable certificate")
        expect(missing in p.output() and "cannot be read" in p.output(),
               f"no diagnostic names the unreadable certificate:\n{p.output()[-1500:]}")
    finally:
        expect(viewer.stop() == 0, "the TLS viewer did not exit cleanly")

    # mutual TLS: the viewer asks for a client certificate signed by the CA
    viewer = TlsViewer(certs, client_ca=True)
    try:
        client = {"OTEL_EXPORTER_OTLP_CERTIFICATE": ca,
                  "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": os.path.join(certs, "client.pem"),
                  "OTEL_EXPORTER_OTLP_CLIENT_KEY": os.path.join(certs, "client.key")}
        for proto, port in (("grpc", viewer.grpc_port), ("http/protobuf", viewer.http_port)):
            name = "mtls-" + proto.split("/")[0]
            p = service(name, {"OTEL_EXPORTER_OTLP_ENDPOINT": f"https://127.0.0.1:{port}",
                               "OTEL_EXPORTER_OTLP_PROTOCOL": proto, **client})
            http("GET", p.url("/"))
            arrives(viewer, name, f"mutual TLS over {proto}")
            stop(p, f"mutual TLS over {proto}")
    finally:
        expect(viewer.stop() == 0, "the mTLS viewer did not exit cleanly")

# never a cleartext byte to an https endpoint
first_bytes_case("https://127.0.0.1:{}", "grpc", {}, True, "gRPC to https://")
first_bytes_case("https://127.0.0.1:{}", "http/protobuf", {}, True, "OTLP/HTTP to https://")
first_bytes_case("127.0.0.1:{}", "grpc", {}, True, "gRPC without a scheme")
first_bytes_case("127.0.0.1:{}", "grpc", {"OTEL_EXPORTER_OTLP_INSECURE": "true"}, False,
                 "gRPC without a scheme, INSECURE=true")
first_bytes_case("http://127.0.0.1:{}", "grpc", {}, False, "gRPC to http://")

print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
