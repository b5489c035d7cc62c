"""The soak (bench/soak.sh): the four services under a steady load through
the frontend for SOAK_SECONDS (default 300), exporting to the real viewer
over OTLP (SOAK_PROTOCOL, grpc or http/protobuf), while the viewer is
stopped every SOAK_RESTART_SECONDS (default 30) and started again on the
same ports SOAK_DOWN_SECONDS (default 3) later, so every exporter sees its
collector vanish and come back. Every SOAK_SAMPLE_SECONDS (default 10) it
prints the resident memory (VmRSS) and open file descriptors of each
service and of the viewer, and the requests answered since the last line;
at the end, for each service, the change from the first sample after the
warm-up (SOAK_WARMUP_SECONDS, default 60) to the last, and the spread of
the samples in between. The viewer starts empty at each restart, so its
series is compared at the same age: the last sample before each stop.
Only the standard library; everything on 127.0.0.1, on free ports.
"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("BUILD", "build")
SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
RESTART = float(os.environ.get("SOAK_RESTART_SECONDS", "30"))
DOWN = float(os.environ.get("SOAK_DOWN_SECONDS", "3"))
SAMPLE = float(os.environ.get("SOAK_SAMPLE_SECONDS", "10"))
WARMUP = float(os.environ.get("SOAK_WARMUP_SECONDS", "60"))
RATE = float(os.environ.get("SOAK_RATE", "40"))          # requests per second
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "4"))       # keep-alive connections
PROTOCOL = os.environ.get("SOAK_PROTOCOL", "grpc")
LOGS = tempfile.mkdtemp(prefix="soak-")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start(name, port, env):
    full = dict(os.environ, PORT=str(port), **env)
    log = open(os.path.join(LOGS, f"{name}.log"), "a")
    p = subprocess.Popen([os.path.join(ROOT, BUILD, "bin", name)], env=full, cwd=ROOT,
                         stdout=log, stderr=subprocess.STDOUT)
    wait_port(port, p)
    return p


def start_viewer(grpc_port, http_port):
    log = open(os.path.join(LOGS, "otel-viewer.log"), "a")
    p = subprocess.Popen([os.path.join(ROOT, BUILD, "bin", "otel-viewer"), "--grpc-port",
                          str(grpc_port), "--http-port", str(http_port), "--quiet"],
                         cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    wait_port(http_port, p)
    wait_port(grpc_port, p)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def usage(pid):
    """(VmRSS in KiB, open file descriptors) of pid."""
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


class Load:
    """CLIENTS threads, each on one keep-alive connection to the frontend,
    together at RATE requests per second."""

    def __init__(self, port):
        self.port = port
        self.ok = self.failed = 0
        self.slowest = 0.0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(CLIENTS)]
        for t in self.threads:
            t.start()

    def run(self, i):
        interval = CLIENTS / RATE
        next_at = time.monotonic() + i * interval / CLIENTS
        conn = None
        while not self.stopping.is_set():
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            began = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/?location=London")
                r = conn.getresponse()
                r.read()
                good = r.status == 200
            except (OSError, http.client.HTTPException):
                good = False
                if conn:
                    conn.close()
                conn = None
            took = time.monotonic() - began
            with self.lock:
                self.slowest = max(self.slowest, took)
                if good:
                    self.ok += 1
                else:
                    self.failed += 1

    def take(self):
        with self.lock:
            got = self.ok, self.failed, self.slowest
            self.ok = self.failed = 0
            self.slowest = 0.0
        return got

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=15)


class Collector:
    """The viewer, stopped every RESTART seconds and started DOWN seconds
    later on the same ports, in its own thread so that samples stay on time
    (stopping waits for the viewer to exit)."""

    def __init__(self, grpc_port, http_port):
        self.ports = grpc_port, http_port
        self.lock = threading.Lock()
        self.proc = start_viewer(*self.ports)
        self.incarnation = 1
        self.bad_exits = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.t0 = time.monotonic()
        self.thread.start()

    def run(self):
        n = 1
        while not self.stopping.wait(max(0.0, self.t0 + n * RESTART - time.monotonic())):
            with self.lock:
                p, self.proc = self.proc, None
            rc = stop(p)
            if rc != 0:
                self.bad_exits.append(rc)
            if self.stopping.wait(DOWN):
                return
            p = start_viewer(*self.ports)
            with self.lock:
                self.proc, self.incarnation = p, self.incarnation + 1
            n += 1

    def current(self):
        """(pid, incarnation), or (None, None) while stopped."""
        with self.lock:
            return (self.proc.pid, self.incarnation) if self.proc else (None, None)

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=60)
        with self.lock:
            if self.proc:
                rc = stop(self.proc)
                if rc != 0:
                    self.bad_exits.append(rc)


def growth(s):
    first, last = s[0], s[-1]
    lo, hi = min(x[1] for x in s), max(x[1] for x in s)
    return (f"RSS {first[1] / 1024:6.1f} -> {last[1] / 1024:6.1f} MB "
            f"({(last[1] - first[1]) * 100.0 / first[1]:+5.1f}%, samples within "
            f"{(hi - lo) * 100.0 / lo:4.1f}%), fds {first[2]} -> {last[2]} "
            f"(min {min(x[2] for x in s)}, max {max(x[2] for x in s)})")


def main():
    grpc_port, http_port = free_port(), free_port()
    otlp = {"OTEL_EXPORTER_OTLP_PROTOCOL": PROTOCOL,
            "OTEL_EXPORTER_OTLP_ENDPOINT":
                f"http://127.0.0.1:{grpc_port if PROTOCOL == 'grpc' else http_port}",
            "OTEL_BSP_SCHEDULE_DELAY": "500", "OTEL_BLRP_SCHEDULE_DELAY": "500",
            "OTEL_METRIC_EXPORT_INTERVAL": "5000"}
    collector = Collector(grpc_port, http_port)
    procs = {}
    bad = []
    try:
        iss = free_port()
        procs["iss-distance-service"] = start("iss-distance-service", iss, otlp)
        geo = free_port()
        procs["geolocator-service"] = start("geolocator-service", geo, otlp)
        gw = free_port()
        procs["gateway"] = start("gateway", gw, dict(
            otlp, GEOLOCATOR_SERVICE_URL=f"http://127.0.0.1:{geo}/",
            ISS_DISTANCE_SERVICE_URL=f"http://127.0.0.1:{iss}/"))
        fe = free_port()
        procs["frontend"] = start("frontend", fe, dict(otlp, GATEWAY_URL=f"http://127.0.0.1:{gw}/"))
        names = list(procs) + ["otel-viewer"]
        print(f"soak: {SECONDS:.0f} s, {RATE:.0f} req/s on {CLIENTS} keep-alive connections to "
              f"the frontend (GET /?location=London), OTLP over {PROTOCOL}; the viewer is stopped "
              f"every {RESTART:.0f} s for {DOWN:.0f} s; logs in {LOGS}")
        print("RSS in MB / open fds, one line every %.0f s:" % SAMPLE)
        print("%6s %9s %7s %8s  " % ("t(s)", "answered", "failed", "slowest") +
              "  ".join("%-22s" % n for n in names))
        load = Load(fe)
        t0 = time.monotonic()
        series = {n: [] for n in procs}
        viewer_last = {}         # incarnation -> its last (t, rss, fds)
        k = 1
        while k * SAMPLE <= SECONDS:
            time.sleep(max(0.0, t0 + k * SAMPLE - time.monotonic()))
            k += 1
            t = time.monotonic() - t0
            ok, failed, slowest = load.take()
            cols = []
            for n, p in procs.items():
                if p.poll() is not None:
                    raise RuntimeError(f"{n} exited with {p.returncode}")
                rss, fds = usage(p.pid)
                series[n].append((t, rss, fds))
                cols.append("%-22s" % f"{rss / 1024:6.1f} / {fds:3d}")
            pid, inc = collector.current()
            try:
                rss, fds = usage(pid) if pid else (None, None)
            except FileNotFoundError:  # stopped in between
                rss = None
            if rss is not None:
                viewer_last[inc] = (t, rss, fds)
                cols.append("%-22s" % f"{rss / 1024:6.1f} / {fds:3d} (#{inc})")
            else:
                cols.append("%-22s" % "(stopped)")
            print("%6.0f %9d %7d %6.0fms  " % (t, ok, failed, slowest * 1000) + "  ".join(cols),
                  flush=True)
        load.stop()
        print("after the warm-up (first sample at or after %.0f s) to the end:" % WARMUP)
        for n, s in series.items():
            print(f"  {n:22s} " + growth([x for x in s if x[0] >= WARMUP] or s))
        print("second half only:")
        for n, s in series.items():
            print(f"  {n:22s} " + growth([x for x in s if x[0] >= SECONDS / 2] or s))
        v = " ".join(f"{r / 1024:.1f}/{f}" for _, (_, r, f) in sorted(viewer_last.items()))
        print(f"  otel-viewer            RSS MB/fds at the last sample of each run: {v}")
    finally:
        for n, p in procs.items():
            rc = stop(p)
            if rc != 0:
                bad.append(f"{n} exited with {rc}")
        collector.close()
        bad += [f"otel-viewer exited with {rc}" for rc in collector.bad_exits]
    print("exit statuses: " + ("; ".join(bad) if bad else "all 0" + (
        " (an ASan build: LeakSanitizer found no leak at exit)" if "asan" in BUILD else "")))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
