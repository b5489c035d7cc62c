"""The frontend in a real browser: Debian's headless Chromium renders the
page for a real query through the four services (offline), the DOM is
checked (distance, resolved place, ISS position; user input escaped, no
injected script), and a screenshot is saved to build/test-logs/frontend.png.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import quote

from harness import BUILD, ROOT, Process, free_port

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("FAIL: chromium is not installed (apt-get install chromium)")
    print("0 passed, 1 failed")
    sys.exit(1)

quiet = {"OTEL_TRACES_EXPORTER": "none", "OTEL_LOGS_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"}
iss = Process("iss-distance-service", free_port(), quiet)
geo = Process("geolocator-service", free_port(), quiet)
gateway = Process("gateway", free_port(), {**quiet, "GEOLOCATOR_SERVICE_URL": geo.url("/"),
                                           "ISS_DISTANCE_SERVICE_URL": iss.url("/")})
frontend = Process("frontend", free_port(), {**quiet, "GATEWAY_URL": gateway.url("/")})
profile = tempfile.mkdtemp()
shot = os.path.join(ROOT, BUILD, "test-logs", "frontend.png")


def browser(*args, url):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


try:
    dom = browser("--dump-dom", url=frontend.url("/?location=" + quote("Zürich"))).stdout
    m = re.search(r'id="distance">([0-9.]+) km<', dom)
    expect(m is not None and 0 < float(m.group(1)) < 20040, "no distance in the rendered page")
    expect('id="place">Zurich, Canton of Zurich, Switzerland<' in dom, "resolved place not shown")
    expect(re.search(r'id="iss-position">-?[0-9.]+°, -?[0-9.]+° at [0-9]+ km altitude<', dom) is not None,
           "ISS position not shown")
    expect('value="Zürich"' in dom, "the typed place is not kept in the form")

    evil = '<script>document.title="pwned"</script>'
    dom = browser("--dump-dom", url=frontend.url("/?location=" + quote(evil))).stdout
    expect("<title>How far is the ISS?</title>" in dom, "the injected script ran (title changed)")
    expect("&lt;script&gt;" in dom, "the input is not shown escaped")
    expect(dom.count("<script") == 0, "a script element came from the input")
    expect('id="error"' in dom and "Error 404" in dom, "unknown place not reported as an error")

    browser(f"--screenshot={shot}", "--window-size=1100,900", url=frontend.url("/?location=London"))
    expect(os.path.exists(shot) and os.path.getsize(shot) > 10000, f"no screenshot at {shot}")
    print(f"screenshot: {shot}")
finally:
    shutil.rmtree(profile, ignore_errors=True)
    for p in (frontend, gateway, geo, iss):
        rc = p.stop()
        expect(rc == 0, f"{p.name} exited with {rc}")

for f in failures:
    print("FAIL:", f)
print(f"{1 if not failures else 0} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
