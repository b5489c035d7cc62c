"""make workshop-run, as a participant uses it, in a copy of the repository
and on free ports (`workshop.py run --free-ports`):

  - the app answers through the frontend;
  - a saved edit to iss-distance-service rebuilds and restarts that service
    alone (its process changes, the gateway's does not), and says so in one
    status line;
  - a build error in the gateway is reported with its file and line, and the
    gateway keeps running its previous build: the app still answers;
  - Ctrl-C (SIGINT to the process group, as a terminal sends it) stops
    everything, and says how long it took;
  - with WORKSHOP_POLL=1 (no inotify), an edit is picked up by polling.
"""
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "workshop", "engine"))
sys.path.insert(0, HERE)

import build as builder  # noqa: E402
from runner import http_get  # noqa: E402
from workshop_proof import BUILD, Tally, copy_tree  # noqa: E402

tally = Tally()
expect = tally.expect


def pids_of(work, name):
    out = subprocess.run(["pgrep", "-f", f"^{os.path.join(work, BUILD, 'bin', name)}$"], capture_output=True,
                         text=True).stdout
    return set(out.split())


class Run:
    """workshop.py run in its own process group, its output read line by line."""

    def __init__(self, work, env=None):
        self.lines = queue.Queue()
        self.all = []
        self.proc = subprocess.Popen([sys.executable, os.path.join(work, "workshop", "engine", "workshop.py"),
                                      "--build", BUILD, "run", "--free-ports"], cwd=work,
                                     env={**os.environ, "NO_COLOR": "1", **(env or {})}, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.all.append(line)
            self.lines.put(line)

    def wait_line(self, pattern, timeout=90):
        """The first new line matching pattern, or None after timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if re.search(pattern, line):
                return line
        return None

    def interrupt(self):
        t0 = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        return time.monotonic() - t0


def append(path, text):
    with open(path, encoding="utf-8") as f:
        body = f.read()
    with open(path + ".new", "w", encoding="utf-8") as f:  # an editor's save: a new file renamed over
        f.write(body + text)
    os.replace(path + ".new", path)


def main():
    work = tempfile.mkdtemp(prefix="workshop-run-")
    run = None
    try:
        copy_tree(work)
        b = builder.build(work, BUILD)
        expect(b.ok, "the copy builds", b.output[-2000:])
        run = Run(work)
        line = run.wait_line(r"The ISS distance app is at http://localhost:(\d+)", timeout=60)
        expect(line is not None, "workshop-run starts the app and says where", "".join(run.all)[-2000:])
        if line is None:
            return
        front = int(re.search(r":(\d+)", line)[1])
        status, body = http_get(f"http://127.0.0.1:{front}/?location=London")
        expect(status == 200 and "km" in body, "the app answers through the frontend", f"{status} {body[:300]}")
        iss_before, gw_before = pids_of(work, "iss-distance-service"), pids_of(work, "gateway")

        append(os.path.join(work, "iss-distance-service", "src", "main.c"), "\n/* an edit */\n")
        line = run.wait_line(r"changed: ")
        expect(line and "iss-distance-service/src/main.c changed: build ok; restarted iss-distance-service (" in line,
               "a saved edit to iss-distance-service rebuilds and restarts it alone", line or "".join(run.all)[-1500:])
        expect(pids_of(work, "iss-distance-service") not in (set(), iss_before) and
               pids_of(work, "gateway") == gw_before, "its process is new, the gateway's is the same")
        status, _ = http_get(f"http://127.0.0.1:{front}/?location=Paris")
        expect(status == 200, "the app answers after the restart", status)

        append(os.path.join(work, "gateway", "src", "main.c"), "\nthis is not C;\n")
        line = run.wait_line(r"changed: ")
        expect(line and "build FAILED" in line and re.search(r"gateway/src/main\.c:\d+:", line) and
               "gateway keeps running the previous build" in line,
               "a build error names its file and line, and the gateway keeps its previous build",
               line or "".join(run.all)[-1500:])
        status, _ = http_get(f"http://127.0.0.1:{front}/?location=Zurich")
        expect(status == 200 and pids_of(work, "gateway") == gw_before,
               "the app still answers, through the same gateway", status)

        took = run.interrupt()
        left = [n for n in ("otel-viewer", "iss-distance-service", "geolocator-service", "gateway", "frontend")
                if pids_of(work, n)]
        expect(run.proc.returncode == 0 and not left and any("stopped everything" in x for x in run.all),
               f"Ctrl-C stops everything ({took:.1f} s)", f"exit {run.proc.returncode}, still running: {left}")
        print(f"workshop-run: Ctrl-C to everything stopped: {took:.1f} s")

        run = Run(work, {"WORKSHOP_POLL": "1"})
        expect(run.wait_line(r"polling once a second", timeout=60) is not None,
               "with WORKSHOP_POLL=1 it says it polls", "".join(run.all)[-1500:])
        append(os.path.join(work, "iss-distance-service", "src", "main.c"), "\n/* another edit */\n")
        line = run.wait_line(r"changed: ")
        expect(line and "restarted iss-distance-service" in line, "polling picks up a saved edit",
               line or "".join(run.all)[-1500:])
        run.interrupt()
        run = None
    finally:
        if run and run.proc.poll() is None:
            run.interrupt()
        shutil.rmtree(work, ignore_errors=True)
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main())
