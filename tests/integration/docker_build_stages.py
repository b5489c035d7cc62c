"""Each service image, as far as it can be made without a Docker engine.

For every service of docker-compose-services.yml, from its Dockerfile:
- the build stage: only the files its COPY lines copy are put in an empty
  folder, and its `RUN make <target>` is run there: the build must succeed,
  so a Dockerfile that forgets a folder the build needs fails here;
- the runtime stage: the binary, alone in another empty folder (as in the
  image, nothing of the repository beside it), must start and answer its
  simplest request, so a service that reads a file of the repository at
  run time fails here;
- every shared library the binary loads must come from a package the
  runtime stage installs (or one they depend on, or one the base image
  has), so a slim image that lacks a library fails here;
- every folder the build stage copies, but scripts/, must be one compose
  watches for rebuilds (`develop: watch`), so an edit there rebuilds.
Prints one line per failed check; exits 1 if any failed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

from harness import ROOT, free_port, http, wait_for_port

failures = []
checks = 0


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        failures.append(msg)


# What each service needs to start, and the request it must answer then.
START = {
    "iss-distance-service": ({}, "/?latitude=51.5&longitude=-0.12", 200),
    "geolocator-service": ({}, "/?location=London", 200),
    "gateway": ({"GEOLOCATOR_SERVICE_URL": "http://127.0.0.1:9/", "ISS_DISTANCE_SERVICE_URL": "http://127.0.0.1:9/"},
                "/", 400),
    "frontend": ({"GATEWAY_URL": "http://127.0.0.1:9/"}, "/", 200),
}


def stages(dockerfile):
    text = open(dockerfile).read()
    parts = re.split(r"^FROM\s", text, flags=re.M)
    return parts[1], parts[-1]  # the first (build) and the last (runtime) stage


def packages_with_dependencies(packages):
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                          "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages],
                         capture_output=True, text=True, check=True).stdout
    return {line.strip() for line in out.splitlines() if line and not line.startswith(" ")}


def base_image_packages():
    """The packages of Priority required: what debian:12-slim is made of."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Priority}\\n"], capture_output=True,
                         text=True, check=True).stdout
    return {p for p, prio in (line.split() for line in out.splitlines() if " " in line) if prio == "required"}


def packages_of(paths):
    """{library path: the package that ships it}, merged /usr or not."""
    forms = {}
    for path in paths:
        for form in (path, re.sub(r"^/usr/lib/", "/lib/", path), re.sub(r"^/lib/", "/usr/lib/", path)):
            forms.setdefault(form, path)
    out = subprocess.run(["dpkg", "-S", *forms], capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        pkg, _, form = line.partition(": ")
        if form in forms:
            found[forms[form]] = pkg.split(":", 1)[0]
    return found


def libraries(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    found = set()
    for line in out.splitlines():
        m = re.search(r"=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)", line)
        if m:
            found.add(os.path.realpath(m.group(1)))
    return found


services = yaml.safe_load(open(os.path.join(ROOT, "docker-compose-services.yml")))["services"]
base = base_image_packages()
work = tempfile.mkdtemp(prefix="docker-stages-")
try:
    for name, svc in services.items():
        if svc.get("profiles"):
            continue  # tool images (workshop-check) build no service; check_compose.py checks them
        build = svc.get("build", {})
        context = os.path.join(ROOT, build.get("context", "."))
        build_stage, runtime_stage = stages(os.path.join(context, build.get("dockerfile", "Dockerfile")))

        # the build stage, with only what it copies
        tree = os.path.join(work, name, "src")
        os.makedirs(tree)
        copied = []
        for src, dest in re.findall(r"^COPY\s+(?!--)(\S+)\s+(\S+)", build_stage, re.M):
            target = os.path.join(tree, dest)
            if os.path.isdir(os.path.join(context, src)):
                shutil.copytree(os.path.join(context, src), target, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("build", "build-asan"))
                copied.append(src.rstrip("/"))
            else:
                os.makedirs(os.path.dirname(target.rstrip("/")) or tree, exist_ok=True)
                shutil.copy(os.path.join(context, src), target)
        make = re.search(r"^RUN make (\S+)", build_stage, re.M)
        check(make is not None, f"{name}: the build stage runs no make target")
        if not make:
            continue
        env = {k: v for k, v in os.environ.items() if k not in ("BUILD", "SANITIZE", "MAKEFLAGS", "MFLAGS")}
        r = subprocess.run(["make", "-j2", make.group(1)], cwd=tree, env=env, capture_output=True, text=True)
        built = os.path.join(tree, make.group(1))
        check(r.returncode == 0 and os.path.isfile(built),
              f"{name}: 'make {make.group(1)}' with only the copied files failed:\n{(r.stdout + r.stderr)[-2000:]}")
        if not os.path.isfile(built):
            continue

        # the runtime stage: the binary alone, started where nothing of the repository is
        bindir = os.path.join(work, name, "bin")
        os.makedirs(bindir)
        binary = shutil.copy(built, bindir)
        shutil.rmtree(tree)
        check(name in START, f"{name}: add how to start it and what to ask it to START in this test")
        if name not in START:
            continue
        extra_env, path, want = START[name]
        port = free_port()
        run_env = {"PATH": "/usr/bin:/bin", "PORT": str(port), "OTEL_SDK_DISABLED": "true", **extra_env}
        log = open(os.path.join(work, name, "run.log"), "w+")
        proc = subprocess.Popen([binary], cwd=bindir, env=run_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, proc)
            status, body, _ = http("GET", f"http://127.0.0.1:{port}{path}")
            check(status == want, f"{name}: alone in an empty folder, GET {path} answered {status}, want {want}")
        except RuntimeError as e:
            log.seek(0)
            check(False, f"{name}: alone in an empty folder it did not start ({e}):\n{log.read()[-2000:]}")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()

        # its shared libraries come from the runtime stage's packages
        install = re.search(r"apt-get install ((?:[^&]|\\\n)*)", runtime_stage)
        wanted = [w for w in (install.group(1).split() if install else []) if not w.startswith("-") and w != "\\"]
        check(wanted, f"{name}: the runtime stage installs no packages")
        available = packages_with_dependencies(wanted) | base
        libs = libraries(binary)
        owners = packages_of(libs)
        check(libs, f"{name}: ldd lists no libraries")
        missing = [f"{lib} ({owners.get(lib, 'no package')})" for lib in sorted(libs)
                   if owners.get(lib) not in available]
        check(not missing, f"{name}: the runtime stage does not install what it loads: {', '.join(missing)}")

        # what the build copies is what compose watches
        watched = {w["path"].lstrip("./").rstrip("/") for w in svc.get("develop", {}).get("watch", [])
                   if w.get("action") == "rebuild"}
        for folder in copied:
            if folder != "scripts":
                check(folder in watched, f"{name}: the build copies {folder}/ but compose does not watch it")
finally:
    shutil.rmtree(work, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
