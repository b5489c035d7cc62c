"""make workshop-run: `make run` that follows your edits, the native
counterpart of `docker compose -f docker-compose-services.yml up --watch`.

It runs the viewer (live view in this terminal) and the four services on
the usual ports, watches the service folders, servicekit/ and libotel-lite/
(inotify through inotifywait; polling once a second where inotify cannot
see changes: WSL's /mnt, network folders, or WORKSHOP_POLL=1), and after
each save rebuilds with make, restarts only the services whose binary
changed, and prints one status line. A failed build keeps the previous
binary running. Ctrl-C stops everything.
"""
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

import build as builder
import report
from runner import Process, StartError, free_port, port_in_use

SERVICES = ("iss-distance-service", "geolocator-service", "gateway", "frontend")  # the order they start in
# The ports of `make run`; `--free-ports` (for tests) takes free ones instead.
DEFAULT_PORTS = {"iss-distance-service": 5003, "geolocator-service": 5002, "gateway": 5001, "frontend": 5000,
                 "otlp-grpc": 4317, "otlp-http": 4318}
WATCHED = ("iss-distance-service", "geolocator-service", "gateway", "frontend", "servicekit", "libotel-lite")
SOURCE_SUFFIXES = (".c", ".h", ".mk", ".proto", ".tle")
NO_INOTIFY_FS = {"9p", "drvfs", "nfs", "nfs4", "cifs", "smb3", "fuse.sshfs", "vboxsf", "virtiofs"}
DEBOUNCE_S = 0.3


def service_env(name, ports):
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{ports['otlp-grpc']}",
           "OTEL_RESOURCE_ATTRIBUTES": os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=dev"),
           "OTEL_METRIC_EXPORT_INTERVAL": "5000", "OTEL_BSP_SCHEDULE_DELAY": "500",
           "OTEL_BLRP_SCHEDULE_DELAY": "500", "PORT": str(ports[name])}
    env.update({k: v for k, v in os.environ.items() if k.startswith("OTEL_")})
    if name == "gateway":
        env.update(GEOLOCATOR_SERVICE_URL=f"http://127.0.0.1:{ports['geolocator-service']}/",
                   ISS_DISTANCE_SERVICE_URL=f"http://127.0.0.1:{ports['iss-distance-service']}/")
    if name == "frontend":
        env["GATEWAY_URL"] = f"http://127.0.0.1:{ports['gateway']}/"
    return env


def filesystem_type(path):
    best, fstype = "", ""
    try:
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                if len(parts) > 2 and path.startswith(parts[1]) and len(parts[1]) > len(best):
                    best, fstype = parts[1], parts[2]
    except OSError:
        pass
    return fstype


def is_source(path):
    base = os.path.basename(path)
    return base.endswith(SOURCE_SUFFIXES) and not base.startswith(".") and "/build" not in path


class Watcher:
    """Puts changed source paths (relative to root) on a queue."""

    def __init__(self, root, changes):
        self.root = root
        self.changes = changes
        self.proc = None
        fstype = filesystem_type(root)
        self.polling = (os.environ.get("WORKSHOP_POLL") == "1" or not shutil.which("inotifywait")
                        or fstype in NO_INOTIFY_FS)
        self.how = ("polling once a second" + (f" ({fstype} does not report changes)" if fstype in NO_INOTIFY_FS
                                               else "")) if self.polling else "inotify"
        # Both ways are watching when the constructor returns: an edit made
        # right after the "Watching" line is never missed.
        if self.polling:
            self.before = self._snapshot()
            threading.Thread(target=self._poll, daemon=True).start()
        else:
            self._start_inotify()
            threading.Thread(target=self._inotify, daemon=True).start()

    def _start_inotify(self):
        dirs = [os.path.join(self.root, d) for d in WATCHED if os.path.isdir(os.path.join(self.root, d))]
        self.proc = subprocess.Popen(["inotifywait", "-m", "-r", "-e", "close_write,moved_to,delete",
                                      "--format", "%w%f", *dirs], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        for line in self.proc.stderr:  # "Setting up watches." then "Watches established."
            if "established" in line:
                break
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # keeps the pipe drained

    def _inotify(self):
        for line in self.proc.stdout:
            path = line.rstrip("\n")
            if is_source(path):
                self.changes.put(os.path.relpath(path, self.root))

    def _snapshot(self):
        seen = {}
        for d in WATCHED:
            for dirpath, dirnames, files in os.walk(os.path.join(self.root, d)):
                dirnames[:] = [x for x in dirnames if not x.startswith(".")]
                for f in files:
                    p = os.path.join(dirpath, f)
                    if is_source(p):
                        try:
                            seen[p] = os.stat(p).st_mtime_ns
                        except OSError:
                            pass
        return seen

    def _poll(self):
        before = self.before
        while True:
            time.sleep(1.0)  # the polling interval itself, not a wait for an event
            now = self._snapshot()
            for p in set(before) | set(now):
                if before.get(p) != now.get(p):
                    self.changes.put(os.path.relpath(p, self.root))
            before = now

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()


class App:
    def __init__(self, root, build_dir, style, ports):
        self.root, self.build_dir, self.style, self.ports = root, build_dir, style, ports
        self.bin_dir = os.path.join(root, build_dir, "bin")
        self.log_dir = os.path.join(root, build_dir, "run-logs")
        self.services = {}

    def binary(self, name):
        return os.path.join(self.bin_dir, name)

    def start(self, name):
        t0 = time.monotonic()
        p = Process(name, [self.binary(name)], service_env(name, self.ports),
                    os.path.join(self.log_dir, f"{name}.log"), port=self.ports[name], cwd=self.root)
        self.services[name] = p
        self.ports[name] = p.port
        return time.monotonic() - t0

    def restart(self, name):
        old = self.services.get(name)
        if old:
            old.stop()
        return self.start(name)

    def stop_all(self):
        for p in self.services.values():
            p.terminate()
        for p in self.services.values():
            p.stop(timeout=8)


def stamp():
    return time.strftime("%H:%M:%S")


def run(root, build_dir, free_ports=False):
    st = report.Style()
    # --free-ports: the services bind free ports themselves (PORT=0) and keep
    # them across restarts; the viewer's are picked here.
    ports = {k: 0 if k in SERVICES else free_port() for k in DEFAULT_PORTS} if free_ports else dict(DEFAULT_PORTS)
    busy = [p for p in ports.values() if port_in_use(p)]
    if busy:
        print(f"workshop-run: port {busy[0]} is already in use on 127.0.0.1 (is 'make run' or another "
              f"'make workshop-run' running?).\n  Stop whatever listens there (ss -ltnp 'sport = :{busy[0]}' "
              "shows it) and try again.", file=sys.stderr)
        return 1
    app = App(root, build_dir, st, ports)
    # The viewer is kept out of the terminal's process group: Ctrl-C stops the
    # services first, and they send what they still hold to a viewer that is
    # still there; then it is stopped.
    viewer = subprocess.Popen([app.binary("otel-viewer"), "--grpc-port", str(ports["otlp-grpc"]),
                               "--http-port", str(ports["otlp-http"]),
                               "--jsonl", os.path.join(root, build_dir, "telemetry.jsonl")], start_new_session=True)
    stopping = threading.Event()

    def on_signal(signum, frame):
        stopping.set()
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    changes = queue.Queue()
    watcher = None
    try:
        for name in SERVICES:
            app.start(name)
        watcher = Watcher(root, changes)
        print(f"\n  The ISS distance app is at http://localhost:{ports['frontend']}  (Ctrl-C stops everything)\n"
              f"  The viewer's pages are at http://127.0.0.1:{ports['otlp-http']}/\n"
              f"  Watching {', '.join(WATCHED)} ({watcher.how}): save a file and the services it touches "
              f"are rebuilt and restarted.\n  Service logs: {os.path.relpath(app.log_dir, root)}/\n", flush=True)
        while not stopping.is_set():
            try:
                first = changes.get(timeout=0.5)
            except queue.Empty:
                continue
            changed = {first}
            deadline = time.monotonic() + DEBOUNCE_S
            while time.monotonic() < deadline:  # a save often writes several files, or one file twice
                try:
                    changed.add(changes.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            rebuild(app, sorted(changed), st)
    except StartError as e:
        print(f"workshop-run: {e}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if watcher:
            watcher.stop()
        t0 = time.monotonic()
        app.stop_all()
        if viewer.poll() is None:
            viewer.send_signal(signal.SIGTERM)
        try:
            viewer.wait(timeout=8)
        except subprocess.TimeoutExpired:
            viewer.kill()
        print(f"workshop-run: stopped everything in {time.monotonic() - t0:.1f} s")
    return 0


def rebuild(app, changed, st):
    what = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    before = {n: _mtime(app.binary(n)) for n in SERVICES}
    t0 = time.monotonic()
    r = builder.build(app.root, app.build_dir, services=tuple(SERVICES), with_viewer=False, keep_going=True)
    rebuilt = [n for n in SERVICES if _mtime(app.binary(n)) != before[n]]
    restarted = []
    for n in rebuilt:
        try:
            app.restart(n)
            restarted.append(n)
        except StartError as e:
            print(f"[{stamp()}] {st.bad(str(e))}", flush=True)
    took = time.monotonic() - t0
    if r.ok:
        print(f"[{stamp()}] {what} changed: {st.ok('build ok')}; " +
              (f"restarted {', '.join(restarted)}" if restarted else "no service binary changed") +
              f" ({took:.1f} s)", flush=True)
        return
    first = str(r.errors[0]) if r.errors else (r.output.strip().splitlines() or ["make failed"])[-1]
    broken = {e.file.split("/", 1)[0] for e in r.errors}
    kept = [n for n in SERVICES if n in broken or broken & {"servicekit", "libotel-lite"}] or \
        [n for n in SERVICES if n not in rebuilt]
    print(f"[{stamp()}] {what} changed: {st.bad('build FAILED')}: {first}" +
          (f"; restarted {', '.join(restarted)}" if restarted else "") +
          f"; {', '.join(kept)} keep{'s' if len(kept) == 1 else ''} running the previous build", flush=True)


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None
