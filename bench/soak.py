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
            with self.lock:
                if good:
                    self.ok += 1
                else:
                    self.failed += 1

    def take(self):
        with self.lock:
            ok, failed = self.ok, self.failed
            self.ok = self.failed = 0
        return ok, failed

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=15)


def main():
    grpc_port, http_port = free_port(), free_port()
    otlp = {"OTEL_EXPORTER_OTLP_PROTOCOL": PROTOCOL,
            "OTEL_EXPORTER_OTLP_ENDPOINT":
                f"http://127.0.0.1:{grpc_port if PROTOCOL == 'grpc' else http_port}",
            "OTEL_BSP_SCHEDULE_DELAY": "500", "OTEL_BLRP_SCHEDULE_DELAY": "500",
            "OTEL_METRIC_EXPORT_INTERVAL": "5000"}
    viewer = start_viewer(grpc_port, http_port)
    procs = {}
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
        print("%6s %9s %7s  " % ("t(s)", "answered", "failed") +
              "  ".join("%-22s" % n for n in names))
        load = Load(fe)
        t0 = time.monotonic()
        next_sample, next_stop = t0 + SAMPLE, t0 + RESTART
        viewer_up, restart_at = True, None
        series = {n: [] for n in procs}
        viewer_series = []       # (t, rss, fds) the last sample before each stop
        last_viewer = None
        incarnation = 1
        while True:
            now = time.monotonic()
            if now - t0 >= SECONDS:
                break
            if viewer_up and now >= next_stop:
                if last_viewer:
                    viewer_series.append(last_viewer)
                rc = stop(viewer)
                if rc != 0:
                    print(f"soak: the viewer exited with {rc} when stopped")
                viewer_up, restart_at = False, now + DOWN
                next_stop += RESTART
            if not viewer_up and now >= restart_at:
                viewer = start_viewer(grpc_port, http_port)
                viewer_up, incarnation = True, incarnation + 1
            if now >= next_sample:
                next_sample += SAMPLE
                t = now - t0
                ok, failed = load.take()
                cols = []
                for n, p in procs.items():
                    if p.poll() is not None:
                        raise RuntimeError(f"{n} exited with {p.returncode}")
                    rss, fds = usage(p.pid)
                    series[n].append((t, rss, fds))
                    cols.append("%-22s" % f"{rss / 1024:6.1f} / {fds:3d}")
                if viewer_up:
                    rss, fds = usage(viewer.pid)
                    last_viewer = (t, rss, fds)
                    cols.append("%-22s" % f"{rss / 1024:6.1f} / {fds:3d} (#{incarnation})")
                else:
                    cols.append("%-22s" % "(stopped)")
                print("%6.0f %9d %7d  " % (t, ok, failed) + "  ".join(cols), flush=True)
            time.sleep(0.05)
        load.stop()
        print("after the warm-up (first sample at or after %.0f s) to the end:" % WARMUP)
        for n, s in series.items():
            s = [x for x in s if x[0] >= WARMUP] or s
            first, last = s[0], s[-1]
            lo = min(x[1] for x in s)
            hi = max(x[1] for x in s)
            print(f"  {n:22s} RSS {first[1] / 1024:6.1f} -> {last[1] / 1024:6.1f} MB "
                  f"({(last[1] - first[1]) * 100.0 / first[1]:+5.1f}%, samples within "
                  f"{(hi - lo) * 100.0 / lo:4.1f}%), fds {first[2]} -> {last[2]} "
                  f"(min {min(x[2] for x in s)}, max {max(x[2] for x in s)})")
        if viewer_series:
            v = " ".join(f"{r / 1024:.1f}/{f}" for _, r, f in viewer_series)
            print(f"  otel-viewer            RSS MB/fds at its last sample before each stop: {v}")
    finally:
        for p in procs.values():
            rc = stop(p)
            if rc != 0:
                print(f"soak: {p.args[0]} exited with {rc}")
        stop(viewer)


if __name__ == "__main__":
    main()
