"""Export recovers when the collector's connection goes silent.

A collector that vanishes without closing its connection (its host gone, a
network cut, a load balancer that drops the flow) leaves the exporter with a
connection that accepts bytes and never answers. gRPC then fails every call
with DEADLINE_EXCEEDED, not UNAVAILABLE, and used to keep the channel: with
no keepalive either, nothing ever recovered while TCP itself stayed up.

Here a proxy on 127.0.0.1 stands between geolocator-service and the real
viewer. Once spans flow through it, the proxy silences the connections it
has (it goes on reading and forwards nothing, never closes) while new
connections still reach the viewer: as if the collector moved. Requests
carry their own trace ids; the test waits (bounded) for a trace made after
the silence to reach the viewer, and prints how long that took, for gRPC
and OTLP/HTTP. Telemetry must flow again within RECOVER_LIMIT_S, and the
exports that failed meanwhile must show in the SDK's own metric
otel.sdk.exporter.span.exported (error.type=export_failed) at the viewer.
"""
import os
import socket
import sys
import threading
import time

from harness import Process, Viewer, free_port, http

RECOVER_LIMIT_S = 20.0
failures = []


class SilencingProxy:
    """Forwards 127.0.0.1:port to target; silence() mutes the connections
    open at that moment (read and dropped, never closed)."""

    def __init__(self, target_port):
        self.target = target_port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = []  # [client, upstream, muted]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                c.close()
                continue
            entry = [c, u, False]
            with self.lock:
                self.conns.append(entry)
            threading.Thread(target=self._pump, args=(entry, c, u), daemon=True).start()
            threading.Thread(target=self._pump, args=(entry, u, c), daemon=True).start()

    def _pump(self, entry, src, dst):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                return
            if not data:
                return
            if entry[2]:
                continue  # muted: swallow, answer nothing, keep the socket
            try:
                dst.sendall(data)
            except OSError:
                return

    def silence(self):
        with self.lock:
            for e in self.conns:
                e[2] = True
            return len(self.conns)

    def close(self):
        self.closed = True
        self.sock.close()
        with self.lock:
            for c, u, _ in self.conns:
                for s in (c, u):
                    try:
                        s.close()
                    except OSError:
                        pass


def traceparent(n):
    trace_id = os.urandom(16).hex()
    return trace_id, f"00-{trace_id}-{os.urandom(8).hex()}-01"


def arrived(viewer, trace_id):
    answer = viewer.query(f"/api/traces?trace_id={trace_id}")
    return bool(answer and answer.get("traces"))


def run(protocol):
    viewer = Viewer()
    proxy = SilencingProxy(viewer.grpc_port if protocol == "grpc" else viewer.http_port)
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{proxy.port}",
           "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
           "OTEL_EXPORTER_OTLP_TIMEOUT": "1000",
           "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_BLRP_SCHEDULE_DELAY": "100",
           "OTEL_METRIC_EXPORT_INTERVAL": "500"}
    geo = None
    try:
        geo = Process("geolocator-service", free_port(), env)
        url = geo.url("/?location=London")
        # spans flow through the proxy
        deadline = time.monotonic() + 20
        first, ok = None, False
        while time.monotonic() < deadline and not ok:
            first, tp = traceparent(0)
            http("GET", url, headers={"traceparent": tp})
            end = time.monotonic() + 2
            while time.monotonic() < end and not ok:
                ok = arrived(viewer, first)
                time.sleep(0.05)
        if not ok:
            failures.append(f"{protocol}: no trace reached the viewer through the proxy")
            return
        muted = proxy.silence()
        start = time.monotonic()
        sent = []
        recovered = None
        while time.monotonic() - start < RECOVER_LIMIT_S and recovered is None:
            trace_id, tp = traceparent(len(sent))
            http("GET", url, headers={"traceparent": tp})
            sent.append(trace_id)
            for t in sent[-20:]:
                if arrived(viewer, t):
                    recovered = time.monotonic() - start
                    break
            time.sleep(0.2)
        if recovered is None:
            failures.append(f"{protocol}: no trace reached the viewer within {RECOVER_LIMIT_S:.0f} s "
                            f"of the connection going silent")
            print(f"  {protocol:14} {muted} connection(s) silenced; not recovered")
        else:
            print(f"  {protocol:14} {muted} connection(s) silenced; telemetry flowed again "
                  f"after {recovered:.1f} s")
            # the failed exports are counted and reach the viewer as the SDK's own metric
            def failed_and_exported(a):
                pts = [m for m in a["metrics"] if m.get("service") == "geolocator-service"]
                failed = [m for m in pts if "export_failed" in str(m.get("attributes"))]
                ok = [m for m in pts if "error.type" not in str(m.get("attributes"))]
                return (any(float(m.get("value", 0)) >= 1 for m in failed) and
                        any(float(m.get("value", 0)) >= 1 for m in ok))
            try:
                viewer.wait_for("/api/metrics?name=otel.sdk.exporter.span.exported", failed_and_exported)
            except AssertionError as e:
                failures.append(f"{protocol}: otel.sdk.exporter.span.exported: {e}")
    finally:
        if geo:
            rc = geo.stop()
            if rc != 0:
                failures.append(f"{protocol}: geolocator-service exited with {rc}; log {geo.log_path}")
        proxy.close()
        viewer.stop()


for protocol in ("grpc", "http/protobuf"):
    run(protocol)

if failures:
    print("FAIL export_recovers_silent_peer:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok export_recovers_silent_peer: telemetry flows again after the collector's "
      "connection went silent, gRPC and HTTP")
