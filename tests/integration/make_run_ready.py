"""make run (scripts/run.sh) waits for readiness before it gives the address.

run.sh runs on free ports (FRONTEND_PORT... VIEWER_HTTP_PORT) from a
BUILD folder whose bin/ links to the real programs, except that
geolocator-service is a stand-in that listens at once but answers
GET /healthz with 503 until the test opens its gate (a FIFO), and then
execs the real geolocator on the same port: a service that listens before
it can answer. Checked:
- run.sh says it waits for geolocator-service, and does not print the app's
  address while that service is not ready (the old port check printed it
  as soon as the port was open);
- after the gate opens, the address line comes, and at that moment all
  four services answer /healthz with 200 and a London request through the
  frontend gets its distance;
- Ctrl-C (SIGINT) stops run.sh and everything it started.
"""
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from harness import BUILD, ROOT, free_port, http

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


STAND_IN = r'''#!/usr/bin/python3
# geolocator-service stand-in (make_run_ready.py): 503 on /healthz until
# the gate FIFO is written, then the real geolocator on the same port.
import http.server, os, sys, threading
real, gate = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
print("stand-in: listening, not ready", flush=True)
open(gate).read()  # blocks until the test opens the gate
srv.shutdown(); srv.server_close()
os.execv(real, [real])
'''

tmp = tempfile.mkdtemp(prefix="make-run-ready-")
bindir = os.path.join(tmp, "bin")
os.makedirs(bindir)
for name in ("otel-viewer", "iss-distance-service", "gateway", "frontend"):
    os.symlink(os.path.join(ROOT, BUILD, "bin", name), os.path.join(bindir, name))
gate = os.path.join(tmp, "gate")
os.mkfifo(gate)
stand_in = os.path.join(tmp, "stand_in.py")
with open(stand_in, "w") as f:
    f.write(STAND_IN)
wrapper = os.path.join(bindir, "geolocator-service")
with open(wrapper, "w") as f:
    f.write(f'#!/bin/sh\nexec /usr/bin/python3 {stand_in} {os.path.join(ROOT, BUILD, "bin", "geolocator-service")} {gate}\n')
os.chmod(wrapper, 0o755)

ports = {k: free_port() for k in ("FRONTEND_PORT", "GATEWAY_PORT", "GEOLOCATOR_PORT", "ISS_DISTANCE_PORT",
                                  "VIEWER_GRPC_PORT", "VIEWER_HTTP_PORT")}
env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "BUILD": tmp}
env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
run = subprocess.Popen(["bash", os.path.join(ROOT, "scripts", "run.sh"), "--quiet"], cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
lines = []
seen = threading.Condition()


def reader():
    for line in run.stdout:
        with seen:
            lines.append(line.rstrip("\n"))
            seen.notify_all()


threading.Thread(target=reader, daemon=True).start()


def wait_line(fragment, timeout):
    """Waits until run.sh printed a line containing fragment; returns it or None."""
    deadline = time.monotonic() + timeout
    with seen:
        while True:
            hit = next((l for l in lines if fragment in l), None)
            left = deadline - time.monotonic()
            if hit or left <= 0:
                return hit
            seen.wait(left)


def healthz(port):
    try:
        return http("GET", f"http://127.0.0.1:{port}/healthz", timeout=5)[0]
    except OSError:
        return 0


try:
    expect(wait_line("waiting for geolocator-service", 60) is not None,
           f"run.sh does not say it waits for geolocator-service: {lines}")
    # the other three come up meanwhile; once they answer, run.sh must still be waiting
    deadline = time.monotonic() + 60
    others = ("ISS_DISTANCE_PORT", "GATEWAY_PORT", "FRONTEND_PORT")
    # (and the stand-in, a Python program that binds later than the C services, listens)
    while time.monotonic() < deadline and not (all(healthz(ports[k]) == 200 for k in others)
                                               and healthz(ports["GEOLOCATOR_PORT"]) != 0):
        time.sleep(0.05)
    expect(all(healthz(ports[k]) == 200 for k in others), "iss-distance-service, gateway, frontend not ready")
    expect(healthz(ports["GEOLOCATOR_PORT"]) == 503, "the stand-in does not answer 503")
    expect(wait_line("The ISS distance app is at", 2) is None,
           "run.sh printed the app's address while geolocator-service answered 503")
    with open(gate, "w") as f:
        f.write("go\n")
    line = wait_line("The ISS distance app is at", 60)
    expect(line is not None and f"http://localhost:{ports['FRONTEND_PORT']}" in line,
           f"no address line after the geolocator became ready: {lines}")
    if line:
        states = {k: healthz(v) for k, v in ports.items() if not k.startswith("VIEWER")}
        expect(all(s == 200 for s in states.values()), f"/healthz when the address was printed: {states}")
        status, page, _ = http("GET", f"http://127.0.0.1:{ports['FRONTEND_PORT']}/?location=London")
        expect(status == 200 and 'id="distance"' in page, f"London through make run's frontend: {status}")
    expect(any("geolocator-service is ready" in l for l in lines), "run.sh does not say when it is ready")
finally:
    if run.poll() is None:
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        try:
            run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            failures.append("run.sh did not stop within 30 s of SIGINT")
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    # nothing it started may still listen
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(healthz(p) for p in ports.values()):
        time.sleep(0.05)
    left = [k for k, p in ports.items() if healthz(p)]
    expect(not left, f"still answering after Ctrl-C: {left}")
    try:
        os.killpg(run.pid, signal.SIGKILL)  # the stand-in, if the gate never opened
    except ProcessLookupError:
        pass
    subprocess.run(["rm", "-rf", tmp])

for f in failures:
    print("FAIL:", f)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
