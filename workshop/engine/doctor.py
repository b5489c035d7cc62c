"""make workshop-doctor: a preflight before the workshop. It looks, changes
nothing, and says for every problem what to do: the tools of the native
path, the ports the app uses, whether Docker (and Compose v2) is there and
so which path is open, the watch mode's inotify, the age of the TLE that
the offline ISS position comes from, and which state the sources are in.
"""
import datetime
import os
import shutil
import subprocess

import report
from runner import port_in_use
from workspace import Workspace, WorkspaceError

PORTS = {5000: "frontend", 5001: "gateway", 5002: "geolocator-service", 5003: "iss-distance-service",
         4317: "otel-viewer / collector (OTLP gRPC)", 4318: "otel-viewer / collector (OTLP HTTP)"}
PKG_CONFIG = ("libcurl", "libprotobuf-c", "libcjson", "zlib", "proj", "geonames", "grpc")
HEADERS = {"civetweb": "/usr/include/civetweb.h", "cmocka": "/usr/include/cmocka.h"}


def _run(cmd, timeout=10):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return r.returncode, (r.stdout + r.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


def tle_epoch(path):
    """The epoch of a TLE file (line 1, columns 19-32: YYDDD.DDDDDDDD) as a UTC datetime."""
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("1 ") and len(line) >= 32:
                yy, day = int(line[18:20]), float(line[20:32])
                year = 2000 + yy if yy < 57 else 1900 + yy
                return datetime.datetime(year, 1, 1, tzinfo=datetime.timezone.utc) + \
                    datetime.timedelta(days=day - 1)
    raise ValueError("no line 1 in it")


def run(root, build_dir):
    st = report.Style()
    problems = 0
    native_ok = True

    def ok(msg):
        print(f"  {st.ok('✓')} {msg}")

    def warn(msg, fix):
        print(f"  {st.note('!')} {msg}\n      {st.dim(fix)}")

    def bad(msg, fix):
        nonlocal problems
        problems += 1
        print(f"  {st.bad('✗')} {msg}\n      {st.dim(fix)}")

    print(st.bold("The native path (make run, make workshop-run, make check-section)"))
    missing = [t for t in ("cc", "make", "pkg-config", "protoc-c") if not shutil.which(t)]
    libs = [p for p in PKG_CONFIG if shutil.which("pkg-config") and _run(["pkg-config", "--exists", p])[0] != 0]
    libs += [n for n, h in HEADERS.items() if not os.path.exists(h)]
    if missing or libs:
        native_ok = False
        bad(f"missing: {', '.join(missing + libs)}",
            "run 'make deps' (it installs Debian's packages with apt-get; as root or with sudo)")
    else:
        ok("compiler, make, protoc-c and the libraries the services link")
    if shutil.which("inotifywait"):
        ok("inotifywait: make workshop-run rebuilds within a second of a save")
    else:
        warn("inotifywait is missing: make workshop-run will poll the files once a second",
             "apt-get install inotify-tools (make workshop-run installs it when it can)")
    binaries = [b for b in ("otel-viewer", "iss-distance-service", "gateway", "geolocator-service", "frontend")
                if not os.access(os.path.join(root, build_dir, "bin", b), os.X_OK)]
    if binaries:
        warn(f"not built yet: {', '.join(binaries)}", "make (or make run) builds them, in about a minute")
    else:
        ok(f"built: {build_dir}/bin/ has the four services and the viewer")
    busy = [p for p in PORTS if port_in_use(p)]
    for p in busy:
        warn(f"port {p} ({PORTS[p]}) is in use on 127.0.0.1",
             f"make run and make workshop-run need it: stop what listens there (ss -ltnp 'sport = :{p}' "
             "shows it). make check-section does not care: it uses free ports.")
    if not busy:
        ok("ports " + ", ".join(str(p) for p in PORTS) + " are free")

    print(st.bold("The Docker path (docker compose ... up --watch)"))
    if not shutil.which("docker"):
        warn("no docker command: the Docker path is not open on this machine", "install Docker, or take the "
             "native path" + (" (open here)" if native_ok else ""))
        docker_ok = False
    else:
        rc, out = _run(["docker", "info", "--format", "{{.ServerVersion}}"])
        docker_ok = rc == 0
        if not docker_ok:
            warn(f"docker is installed but its engine does not answer ({out.splitlines()[-1] if out else rc})",
                 "start Docker (Docker Desktop, or 'sudo systemctl start docker'), or take the native path")
        else:
            ok(f"Docker engine {out}")
            rc, out = _run(["docker", "compose", "version"])
            if rc == 0:
                ok(out.splitlines()[0])
            else:
                docker_ok = False
                warn("Compose v2 ('docker compose') is missing; 'up --watch' needs Compose 2.22 or later",
                     "install the docker-compose-plugin, or take the native path")
    if not native_ok and not docker_ok:
        bad("neither path is open", "run 'make deps' for the native path (Debian 12), or install Docker")

    print(st.bold("The app"))
    tle = os.environ.get("ISS_TLE_FILE") or os.path.join(root, "iss-distance-service", "data", "iss-25544.tle")
    try:
        age = (datetime.datetime.now(datetime.timezone.utc) - tle_epoch(tle)).total_seconds() / 86400
        if abs(age) > 14:
            warn(f"the TLE ({os.path.relpath(tle, root)}) is {age:.0f} days old: offline ISS positions are "
                 "off by kilometres (expected; the workshop works the same)",
                 "for real positions set ISS_TLE_FILE to a fresh TLE (celestrak.org, NORAD 25544) or "
                 "ISS_NOW_URL to an open-notify API")
        else:
            ok(f"the TLE is {age:.0f} days old")
    except (OSError, ValueError) as e:
        bad(f"cannot read the TLE {tle}: {e}", "unset ISS_TLE_FILE, or point it at a TLE file")
    ws = Workspace(root)
    state = ws.load_state()
    try:
        edited = ws.edited_files(ws.marked_source(), state)
        where = state.get("state") or "as cloned (the finished code; 'make workshop-start' begins the workshop)"
        ok(f"the service sources are at: {where}" + (f"; your edits in {', '.join(edited)}" if edited else ""))
    except WorkspaceError as e:
        bad(str(e).splitlines()[0], "see the message above")
    print(st.bad(f"workshop-doctor: {problems} problem(s)") if problems else st.ok("workshop-doctor: ready"))
    return 1 if problems else 0
