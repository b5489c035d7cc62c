"""Checks the Docker path without a Docker engine (none runs here).

Parses docker-compose.yml (platform) and docker-compose-services.yml (the
four services) and checks what can be checked statically (docker_images.sh
builds and runs the images for real where an engine can start): every build
context, Dockerfile, COPY source, mounted file and watched path exists; each
Dockerfile builds a binary the Makefile knows; services listen on 5000 and
the URLs between them name real services on that port; telemetry goes to the
platform's collector on a port its config receives on; both files share one
network; the frontend is published on host port 5000.
Prints one line per failed check and exits 1 if any failed.
"""
import os
import re
import sys
from urllib.parse import urlparse

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def load(name):
    with open(os.path.join(ROOT, name)) as f:
        return yaml.safe_load(f)


platform = load("docker-compose.yml")
apps = load("docker-compose-services.yml")
makefiles = ""
for dirpath, _, files in os.walk(ROOT):
    if "/build" in dirpath or "/.git" in dirpath:
        continue
    for f in files:
        if f in ("Makefile", "module.mk"):
            makefiles += open(os.path.join(dirpath, f)).read()

# ---- platform -------------------------------------------------------------
pservices = platform.get("services", {})
for name in ("otel-collector", "tempo", "loki", "prometheus", "grafana"):
    check(name in pservices, f"docker-compose.yml: service {name} missing")
for name, svc in pservices.items():
    for vol in svc.get("volumes", []):
        host = vol.split(":")[0]
        if host.startswith("./"):
            check(os.path.exists(os.path.join(ROOT, host)),
                  f"docker-compose.yml: {name} mounts missing {host}")
collector_cfg = yaml.safe_load(open(os.path.join(ROOT, "telemetry-platform-config/otel-collector.yaml")))
grpc_ep = collector_cfg["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]
collector_grpc_port = int(grpc_ep.rsplit(":", 1)[1])
platform_net = {k: v.get("name", k) for k, v in platform.get("networks", {}).items()}

# ---- services -------------------------------------------------------------
aservices = apps.get("services", {})
# services behind a profile are tools run on demand (workshop-check), not the app
tools = {n: svc for n, svc in aservices.items() if svc.get("profiles")}
aservices = {n: svc for n, svc in aservices.items() if not svc.get("profiles")}
expected = {"frontend", "gateway", "geolocator-service", "iss-distance-service"}
check(set(aservices) == expected, f"services file: services are {sorted(aservices)}, want {sorted(expected)}")
app_net = {k: (v or {}).get("name", k) for k, v in apps.get("networks", {}).items()}
check(set(app_net.values()) & set(platform_net.values()),
      f"services network {app_net} is not the platform network {platform_net}")

for name, svc in aservices.items():
    build = svc.get("build", {})
    ctx = os.path.join(ROOT, build.get("context", "."))
    dockerfile = os.path.join(ctx, build.get("dockerfile", "Dockerfile"))
    check(os.path.isdir(ctx), f"{name}: build context {ctx} missing")
    check(os.path.isfile(dockerfile), f"{name}: {dockerfile} missing")
    if os.path.isfile(dockerfile):
        text = open(dockerfile).read()
        for src in re.findall(r"^COPY\s+(?!--from)(\S+)", text, re.M):
            check(os.path.exists(os.path.join(ctx, src)), f"{name}: Dockerfile copies missing {src}")
        target = re.search(r"^RUN make (\S+)", text, re.M)
        check(target is not None, f"{name}: Dockerfile does not run make")
        if target:
            binary = os.path.basename(target.group(1))
            check(f"$(BUILD)/bin/{binary}" in makefiles, f"{name}: no Makefile rule builds bin/{binary}")
        check(re.search(r"^ENV PORT=5000$", text, re.M) is not None, f"{name}: image does not set PORT=5000")
        check(re.search(r"^USER (?!root)\S+", text, re.M) is not None, f"{name}: image runs as root")
        check(" AS build" in text and "debian:12-slim" in text, f"{name}: not a multi-stage build onto debian:12-slim")
        hc = re.search(r"^HEALTHCHECK .*\\\n\s*CMD curl [^\n]*http://127\.0\.0\.1:\$\{PORT\}/healthz", text, re.M)
        runtime = text.rsplit("\nFROM ", 1)[-1]
        check(hc is not None and re.search(r"apt-get install[^&]*\bcurl\b", runtime) is not None,
              f"{name}: no HEALTHCHECK probing /healthz with the curl the runtime stage installs")
    hc = svc.get("healthcheck", {})
    check("http://127.0.0.1:5000/healthz" in hc.get("test", []) and hc.get("test", [None])[0] == "CMD",
          f"{name}: compose healthcheck does not probe /healthz on port 5000: {hc.get('test')}")
    deps = svc.get("depends_on", {})
    check(isinstance(deps, dict) and all((d or {}).get("condition") == "service_healthy" for d in deps.values()),
          f"{name}: depends_on does not wait for service_healthy: {deps}")
    watch = [w["path"] for w in svc.get("develop", {}).get("watch", []) if w.get("action") == "rebuild"]
    check(f"./{name}" in watch and "./libotel-lite" in watch, f"{name}: watch paths {watch}")
    for p in watch:
        check(os.path.isdir(os.path.join(ROOT, p)), f"{name}: watched path {p} missing")
    env = svc.get("environment", {})
    ep = urlparse(env.get("OTEL_EXPORTER_OTLP_ENDPOINT", ""))
    check(ep.hostname == "otel-collector" and ep.port == collector_grpc_port,
          f"{name}: OTEL_EXPORTER_OTLP_ENDPOINT {ep.geturl()} is not the collector's gRPC receiver")
    check(env.get("OTEL_SERVICE_NAME") == name, f"{name}: OTEL_SERVICE_NAME is {env.get('OTEL_SERVICE_NAME')}")
    for key, value in env.items():
        if key.endswith("_SERVICE_URL") or key == "GATEWAY_URL":
            u = urlparse(value)
            check(u.hostname in aservices and u.port == 5000, f"{name}: {key}={value} does not name a service on port 5000")
    for k, v in (("frontend", "GATEWAY_URL"), ("gateway", "GEOLOCATOR_SERVICE_URL"),
                 ("gateway", "ISS_DISTANCE_SERVICE_URL")):
        if name == k:
            check(v in env, f"{name}: {v} not set")
    # every required environment variable the service reads is set
    main_c = os.path.join(ROOT, name, "src", "main.c")
    if os.path.isfile(main_c):
        for var in re.findall(r'svc_env_required\(\s*SERVICE_NAME,\s*"([A-Z_]+)"', open(main_c).read()):
            check(var in env, f"{name}: required variable {var} is not set in the compose file")

# ---- workshop-check: the checks for participants without a C toolchain ----
check(set(tools) == {"workshop-check"}, f"services file: tool services are {sorted(tools)}, want workshop-check")
wc = tools.get("workshop-check", {})
wc_file = os.path.join(ROOT, wc.get("build", {}).get("context", "."), wc.get("build", {}).get("dockerfile", "-"))
check(os.path.isfile(wc_file), f"workshop-check: {wc_file} missing")
if os.path.isfile(wc_file):
    text = open(wc_file).read()
    deps = open(os.path.join(ROOT, "scripts", "deps.sh")).read()
    build_pkgs = set(re.search(r"build_pkgs=\(([^)]*)\)", deps).group(1).split())
    installs = re.findall(r"apt-get install ((?:[^&]|\\\n)*)", text)
    have = {w for i in installs for w in i.split() if not w.startswith("-") and w != "\\"}
    missing = sorted((build_pkgs | {"python3"}) - have)
    check(not missing, f"workshop-check: the image lacks what the check needs to build and run: {missing}")
    workdir = re.search(r"^WORKDIR (\S+)", text, re.M)
    check(workdir and f".:{workdir.group(1)}:ro" in wc.get("volumes", []),
          f"workshop-check: the sources are not mounted read-only at the image's WORKDIR")
    check(re.search(r"^USER (?!root)\S+", text, re.M) is not None, "workshop-check: image runs as root")
    check("check-section" in text and re.search(r"^check-section:", makefiles, re.M) is not None,
          "workshop-check: the image does not run make check-section, or the Makefile has no such target")
    check(wc.get("network_mode") == "none", "workshop-check: it needs no network (network_mode: none)")
    check(re.search(r"^HEALTHCHECK NONE$", text, re.M) is not None, "workshop-check: says nothing about a healthcheck")

# one build-package layer for every image: the first RUN of each Dockerfile is the same
first_runs = {}
for name, svc in list(aservices.items()) + list(tools.items()):
    b = svc.get("build", {})
    path = os.path.join(ROOT, b.get("context", "."), b.get("dockerfile", "Dockerfile"))
    if os.path.isfile(path):
        m = re.search(r"^RUN (?:.*\\\n)*.*$", open(path).read(), re.M)
        first_runs[name] = m.group(0) if m else None
check(len(set(first_runs.values())) == 1,
      "the Dockerfiles' first RUN lines differ, so Docker installs the build packages once per image: "
      + ", ".join(sorted(first_runs)))
check(aservices.get("frontend", {}).get("ports") == ["5000:5000"], "frontend is not published on host port 5000")
for name in expected - {"frontend"}:
    check(not aservices.get(name, {}).get("ports"), f"{name} should not be published on the host")

for f in failures:
    print("FAIL:", f)
print(f"compose checks: {len(failures)} failed")
sys.exit(1 if failures else 0)
