"""Slow and idle clients cannot stall the services or the viewer.

For each of the four services and the viewer's HTTP port, run as real
processes on free ports: 64 connections send the start of a request
("GET / HTTP/1.1", one header, no blank line) and then nothing, and one
more connects and sends nothing at all. A normal request must still be
answered within 2 s (civetweb gives each connection a worker for its whole
life; with the old 8 workers and no header timeout it waited more than
10 s). Then every half-open and idle connection must be closed by the
server once its request timeout has passed (5 s for the services,
servicekit/svc_server.h; 10 s for the viewer, http_server.c), and an idle
keep-alive connection once its keep-alive timeout (2 s) has passed.
"""
import select
import socket
import sys
import time

from harness import DeadPort, Process, Viewer, free_port

HALF_OPEN = 64
ANSWER_WITHIN = 2.0     # the bound this test exists for
MARGIN = 4.0            # slack for a loaded machine on top of each timeout
REQUEST_HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # no blank line: never ends
failures = []


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setblocking(False)
    return s


def closed_by_peer(s):
    """True when the server has closed s (EOF or reset), reading and
    discarding whatever it sent first (a 400 for a partial request)."""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True  # reset: closed as well


def wait_closed(socks, deadline):
    """Waits until every socket in socks is closed by the server or the
    deadline passes; returns the ones still open."""
    open_socks = list(socks)
    while open_socks:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        readable, _, _ = select.select(open_socks, [], [], min(left, 0.5))
        for s in readable:
            if closed_by_peer(s):
                open_socks.remove(s)
    return open_socks


def normal_request(port, path):
    """Sends one complete request with keep-alive; returns (seconds taken,
    status line, socket still open) or (seconds, None, None) on no answer."""
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    got = b""
    while b"\r\n\r\n" not in got:
        try:
            c = s.recv(65536)
        except socket.timeout:
            c = b""
        if not c:
            s.close()
            return time.monotonic() - start, None, None
        got += c
    head, body = got.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        c = s.recv(65536)
        if not c:
            break
        body += c
    s.setblocking(False)
    return time.monotonic() - start, head.split(b"\r\n")[0].decode(), s


def attack(name, port, path, request_timeout):
    """Holds HALF_OPEN + 1 connections open, then checks one normal request
    and returns what is to be checked later: (name, sockets, deadline,
    keep-alive socket)."""
    opened = time.monotonic()
    stalled = [connect(port) for _ in range(HALF_OPEN)]
    for s in stalled:
        s.sendall(REQUEST_HEAD)
    stalled.append(connect(port))  # sends nothing at all
    took, status, keep_alive = normal_request(port, path)
    print(f"{name}: with {HALF_OPEN} half-open connections, GET {path} answered "
          f"in {took:.3f} s: {status}")
    if status is None or took > ANSWER_WITHIN:
        failures.append(f"{name}: a normal request took {took:.1f} s "
                        f"(answered: {status is not None}), want under {ANSWER_WITHIN} s")
    return name, stalled, opened + request_timeout + MARGIN, keep_alive


quiet = {"OTEL_TRACES_EXPORTER": "none", "OTEL_LOGS_EXPORTER": "none",
         "OTEL_METRICS_EXPORTER": "none"}
dead_port = DeadPort()  # refuses connections for as long as it lives
dead = dead_port.url()
procs = []
viewer = Viewer()
try:
    iss = Process("iss-distance-service", free_port(), quiet)
    procs.append(iss)
    geo = Process("geolocator-service", free_port(), quiet)
    procs.append(geo)
    gateway = Process("gateway", free_port(), dict(quiet, GEOLOCATOR_SERVICE_URL=dead,
                                                   ISS_DISTANCE_SERVICE_URL=dead))
    procs.append(gateway)
    frontend = Process("frontend", free_port(), dict(quiet, GATEWAY_URL=gateway.url("/")))
    procs.append(frontend)

    SERVICE_TIMEOUT, VIEWER_TIMEOUT, KEEP_ALIVE_TIMEOUT = 5.0, 10.0, 2.0
    checks = [
        attack("iss-distance-service", iss.port, "/?latitude=51.5&longitude=-0.12", SERVICE_TIMEOUT),
        attack("geolocator-service", geo.port, "/?location=London", SERVICE_TIMEOUT),
        attack("gateway", gateway.port, "/", SERVICE_TIMEOUT),
        attack("frontend", frontend.port, "/", SERVICE_TIMEOUT),
        attack("otel-viewer", viewer.http_port, "/healthz", VIEWER_TIMEOUT),
    ]

    # An idle keep-alive connection is closed after the keep-alive timeout.
    ka_deadline = time.monotonic() + KEEP_ALIVE_TIMEOUT + MARGIN
    for name, _, _, ka in checks:
        if ka is not None and wait_closed([ka], ka_deadline):
            failures.append(f"{name}: an idle keep-alive connection is still open "
                            f"{KEEP_ALIVE_TIMEOUT + MARGIN:.0f} s after its response")
        elif ka is not None:
            print(f"{name}: idle keep-alive connection closed")

    # Half-open and idle connections are closed after the request timeout.
    for name, socks, deadline, _ in checks:
        left = wait_closed(socks, deadline)
        if left:
            failures.append(f"{name}: {len(left)} of {len(socks)} half-open or idle "
                            f"connections still open after their timeout + {MARGIN:.0f} s")
        else:
            print(f"{name}: all {len(socks)} half-open and idle connections closed")
        for s in socks:
            s.close()
    for _, _, _, ka in checks:
        if ka is not None:
            ka.close()

    # Still serving afterwards.
    for name, port, path in [("frontend", frontend.port, "/"),
                             ("otel-viewer", viewer.http_port, "/healthz")]:
        _, status, s = normal_request(port, path)
        if s:
            s.close()
        if status is None:
            failures.append(f"{name}: no answer after the slow clients went away")
finally:
    for p in procs:
        rc = p.stop()
        if rc != 0:
            failures.append(f"{p.name}: exit status {rc}")
    rc = viewer.stop()
    if rc != 0:
        failures.append(f"otel-viewer: exit status {rc}")

if failures:
    print("FAIL slow_clients:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("ok slow_clients: no service or viewer stalled by half-open connections")
