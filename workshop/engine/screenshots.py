"""make workshop-screenshots: the pictures of the viewer's pages in the
workshop text (workshop/images/), taken by headless Chromium against the
real app, so they can be made again whenever the pages change.

It runs the four finished services and an isolated viewer on free ports
with the local ISS API stand-in, sends a few seconds of requests (places
that exist, one that does not, and some while the ISS API fails, so the
pages have errors, logs and rates to show), and photographs each page.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

from runner import IssApiStandIn, Process, StartError, Viewer, http_get

PAGES = {  # image name: (path, what it shows)
    "viewer-traces": ("/", "the trace list"),
    "viewer-trace": (None, "one trace through the four services"),
    "viewer-logs": ("/logs", "the log tail"),
    "viewer-charts": ("/charts", "the metric charts"),
    "viewer-map": ("/map", "the service map"),
}
PLACES = ["London", "Paris", "Zurich", "Tokyo", "Nairobi", "Qwertyuiopland", "Lima", "Oslo"]


def run(root, build_dir, out_dir):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("workshop-screenshots: chromium is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    bin_dir = os.path.join(root, build_dir, "bin")
    log_dir = tempfile.mkdtemp(prefix="screenshots-")
    os.makedirs(out_dir, exist_ok=True)
    viewer = Viewer(os.path.join(bin_dir, "otel-viewer"), os.path.join(log_dir, "viewer.log"))
    api = IssApiStandIn()
    procs = []
    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        def start(name, **extra):
            env = {**viewer.otlp_env(), "PORT": "0", **extra}
            p = Process(name, [os.path.join(bin_dir, name)], env, os.path.join(log_dir, f"{name}.log"), port=0)
            procs.append(p)
            return p
        iss = start("iss-distance-service", ISS_NOW_URL=api.url)
        geo = start("geolocator-service")
        gw = start("gateway", GEOLOCATOR_SERVICE_URL=geo.url(), ISS_DISTANCE_SERVICE_URL=iss.url())
        fe = start("frontend", GATEWAY_URL=gw.url())
        t_end = time.monotonic() + 6  # a few seconds of traffic, so that the charts have rates to draw
        n = 0
        while time.monotonic() < t_end:
            api.failing = n % 7 == 6
            http_get(fe.url("/?location=" + urllib.parse.quote(PLACES[n % len(PLACES)])))
            n += 1
            time.sleep(0.1)  # spreads the requests over the seconds the rate charts need
        api.failing = False
        http_get(fe.url("/?location=London"))
        for p in procs:
            p.terminate()
        for p in procs:
            p.stop()
        traces = viewer.traces("frontend")
        london = [t for t in traces if any("location=London" in json.dumps(s.get("attributes", []))
                                           for s in t["spans"])]
        trace_id = (london or traces)[-1]["traceId"]
        base = f"http://127.0.0.1:{viewer.http_port}"
        for name, (path, what) in PAGES.items():
            shot = os.path.join(out_dir, f"{name}.png")
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1400,800",
                            "--hide-scrollbars", "--virtual-time-budget=3000",
                            base + (path or f"/trace/{trace_id}")], capture_output=True, timeout=120)
            ok = os.path.exists(shot) and os.path.getsize(shot) > 10000
            print(f"workshop-screenshots: {os.path.relpath(shot, root)}: {what}" + ("" if ok else " FAILED"))
            if not ok:
                return 1
        print(f"workshop-screenshots: {n + 1} requests through the app, {len(PAGES)} pages")
        return 0
    except StartError as e:
        print(f"workshop-screenshots: {e}", file=sys.stderr)
        return 1
    finally:
        for p in procs:
            p.stop()
        api.stop()
        viewer.stop()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(log_dir, ignore_errors=True)
