"""The Docker path for real: Debian's Docker engine builds and runs the images.

With an engine (docker_engine.py starts one as root, or skips with exit
status 77 and the reason):
- every image of docker-compose-services.yml is built as compose builds
  it (its build context and dockerfile; with --network host, as the engine
  has no bridge), the workshop-check image of the
  `check` profile included, onto debian:12 / debian:12-slim made with
  debootstrap (no registry is reachable); build times and sizes printed;
- the four service images run with --network host (every port free,
  telemetry to the real viewer on 127.0.0.1), started in the order the
  compose file's depends_on gives, each once the ones it calls report
  healthy (the image's own HEALTHCHECK on GET /healthz);
- each container runs as a non-root user (its config and `id -u` inside),
  reports healthy and answers /healthz from the host;
- a London request through the frontend container gives the distance and
  one trace across the four services in the viewer;
- `docker stop -t 10` ends each container with exit status 0 within the
  grace period: with the viewer, and with a collector that accepts and
  never answers, over OTLP/gRPC and OTLP/HTTP (stop times printed);
- the workshop-check image runs as non-root and has its toolchain.
What an engine cannot show here stays checked statically, and is said so.
"""
import fcntl
import os
import subprocess
import sys
import threading
import time

import yaml

from docker_engine import Engine, Unavailable, ensure_base_images, say
from harness import BlackHole, ROOT, Viewer, free_port, http

T0 = time.monotonic()
LABEL = "org.otel-workshop.test=docker_images"
PREFIX = f"otelws-test-{os.getpid()}"
GRACE_S = 10
failures = []
figures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
    return cond


def figure(line):
    figures.append(line)
    say(line)


def compose_images():
    """[(service, context, dockerfile, profiles)] as docker-compose-services.yml builds them."""
    with open(os.path.join(ROOT, "docker-compose-services.yml")) as f:
        services = yaml.safe_load(f)["services"]
    out = []
    for name, svc in services.items():
        b = svc.get("build")
        if b is None:
            continue
        b = {"context": b} if isinstance(b, str) else b
        ctx = os.path.normpath(os.path.join(ROOT, b.get("context", ".")))
        out.append((name, ctx, os.path.join(ctx, b.get("dockerfile", "Dockerfile")), svc.get("profiles", [])))
    return out


def build(engine, name, ctx, dockerfile):
    tag = f"otel-workshop-test/{name}"
    t = time.monotonic()
    # --network host: the engine runs without a bridge here (docker_engine.py),
    # so a build step reaches the Debian mirror only through the host's network
    r = subprocess.run([engine.docker, "build", "--force-rm", "--network", "host", "--label", LABEL, "-f", dockerfile,
                        "-t", tag, ctx],
                       capture_output=True, text=True)
    took = time.monotonic() - t
    if not expect(r.returncode == 0, f"{name}: docker build failed:\n{(r.stdout + r.stderr)[-3000:]}"):
        return None
    size = int(engine.run("image", "inspect", "--format", "{{.Size}}", tag))
    cached = r.stdout.count("Using cache")
    steps = r.stdout.count("\nStep ")
    figure(f"  built {name:22} {took:6.1f} s  {size / 1e6:6.1f} MB  ({cached} of {steps} steps from cache)")
    return tag


class Container:
    def __init__(self, engine, service, image, env, wave):
        self.engine, self.service = engine, service
        self.name = f"{PREFIX}-{wave}-{service}"
        args = ["run", "-d", "--network", "host", "--name", self.name]
        for k, v in env.items():
            args += ["-e", f"{k}={v}"]
        self.id = engine.run(*args, image).strip()
        self.port = int(env["PORT"])

    def state(self):
        out = self.engine.run("inspect", "--format",
                              "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
                              self.name, check=False)
        return tuple(out.stdout.split()) if out.returncode == 0 else ("gone", "none")

    def logs(self):
        r = self.engine.run("logs", "--tail", "30", self.name, check=False)
        return (r.stdout + r.stderr)[-3000:]


def wait_healthy(containers, timeout=120):
    """Waits until each container's own HEALTHCHECK says healthy."""
    deadline = time.monotonic() + timeout
    pending = list(containers)
    while pending and time.monotonic() < deadline:
        for c in list(pending):
            status, health = c.state()
            if health == "healthy":
                pending.remove(c)
            elif status not in ("created", "running"):
                failures.append(f"{c.service}: container {status} before it was healthy:\n{c.logs()}")
                pending.remove(c)
        if pending:
            time.sleep(0.2)  # polling docker's health status, bounded by timeout
    for c in pending:
        failures.append(f"{c.service}: not healthy after {timeout} s ({c.state()}):\n{c.logs()}")
    return not pending


def start_app(engine, images, otlp_env, wave):
    """The four services, each after the ones it calls are healthy
    (compose's depends_on: condition: service_healthy)."""
    ports = {s: free_port() for s in ("frontend", "gateway", "geolocator-service", "iss-distance-service")}
    url = {s: f"http://127.0.0.1:{p}/" for s, p in ports.items()}
    extra = {"gateway": {"GEOLOCATOR_SERVICE_URL": url["geolocator-service"],
                         "ISS_DISTANCE_SERVICE_URL": url["iss-distance-service"]},
             "frontend": {"GATEWAY_URL": url["gateway"]}}
    started = {}
    for group in (("iss-distance-service", "geolocator-service"), ("gateway",), ("frontend",)):
        cs = []
        for s in group:
            env = {"PORT": str(ports[s]), "OTEL_SERVICE_NAME": s, **otlp_env, **extra.get(s, {})}
            cs.append(Container(engine, s, images[s], env, wave))
            started[s] = cs[-1]
        if not wait_healthy(cs):
            break
    return started


def stop_all(engine, containers, what):
    """docker stop -t GRACE_S on every container at once; checks status and time."""
    results = {}

    def stop(c):
        t = time.monotonic()
        r = engine.run("stop", "-t", str(GRACE_S), c.name, check=False, timeout=GRACE_S + 60)
        took = time.monotonic() - t
        code = engine.run("inspect", "--format", "{{.State.ExitCode}}", c.name, check=False).stdout.strip()
        results[c.service] = (took, code, r.returncode)

    threads = [threading.Thread(target=stop, args=(c,)) for c in containers.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for service, (took, code, rc) in sorted(results.items()):
        figure(f"  docker stop, {what:37} {service:22} {took:5.1f} s  exit status {code}")
        expect(rc == 0 and code == "0" and took < GRACE_S,
               f"{service}: docker stop ({what}) took {took:.1f} s, exit status {code} "
               f"(want 0 within {GRACE_S} s):\n{containers[service].logs()[-1500:]}")


def london_trace(answer):
    for t in answer["traces"]:
        names = {(s["service"], s["name"]) for s in t["spans"]}
        if ("frontend", "GET /") in names and t["spanCount"] >= 9:
            return t
    return None


def main():
    say("docker_images: not shown by the engine here, so still checked statically: the compose "
        "schema and depends_on/healthcheck (compose_files.sh: Compose v2 is not packaged in Debian 12, "
        "docker-compose 1.29 rejects `develop:`), the watch rules (docker_build_stages.sh), the platform "
        "configuration (platform_config.sh: its images cannot be pulled)")
    # One run at a time on a machine: a run stops the dockerd it started,
    # which would pull the engine from under a second run using it.
    lock_path = os.environ.get("OTEL_WORKSHOP_DOCKER_LOCK", "/tmp/otel-workshop-docker_images.lock")
    try:
        lock = open(lock_path, "a+")
    except PermissionError:  # another user's lock file: flock works read-only too
        lock = open(lock_path)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say("docker_images: another run of this test holds the engine; waiting for it to finish")
        t = time.monotonic()
        fcntl.flock(lock, fcntl.LOCK_EX)
        say(f"docker_images: waited {time.monotonic() - t:.0f} s")
    try:
        engine = Engine()
    except Unavailable as e:
        say(f"SKIP: docker_images: {e}")
        return 77
    viewer = None
    containers = []
    try:
        try:
            t = time.monotonic()
            say(ensure_base_images(engine))
            figure(f"  base images ready in {time.monotonic() - t:.1f} s")
        except Unavailable as e:
            say(f"SKIP: docker_images: {e}")
            return 77

        images, tools = {}, {}
        for name, ctx, dockerfile, profiles in compose_images():
            tag = build(engine, name, ctx, dockerfile)
            if tag:
                (tools if profiles else images)[name] = tag
        want = {"frontend", "gateway", "geolocator-service", "iss-distance-service"}
        if not expect(set(images) == want, f"service images built: {sorted(images)}, want {sorted(want)}"):
            return 1

        for name, tag in tools.items():  # workshop-check: toolchain, non-root
            r = engine.run("run", "--rm", "--network", "none", tag, "sh", "-c",
                           "id -u && command -v gcc make pkg-config protoc-c python3 >/dev/null && echo tools",
                           check=False, timeout=120)
            expect(r.returncode == 0 and r.stdout.split()[:1] != ["0"] and "tools" in r.stdout,
                   f"{name}: runs as root or lacks its toolchain: {r.stdout!r} {r.stderr[-500:]!r}")

        viewer = Viewer()
        otlp = {**viewer.otlp_env("grpc"), "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=docker-test"}
        t = time.monotonic()
        app = start_app(engine, images, otlp, "viewer")
        containers += app.values()
        figure(f"  four containers healthy in {time.monotonic() - t:.1f} s (started as depends_on orders them)")
        if len(app) != 4 or failures:
            return 1
        for s, c in app.items():
            user = engine.run("inspect", "--format", "{{.Config.User}}", c.name).strip()
            uid = engine.run("exec", c.name, "id", "-u").strip()
            expect(user not in ("", "root", "0") and uid != "0", f"{s}: runs as root (User={user!r}, id -u={uid})")
            status, body, _ = http("GET", f"http://127.0.0.1:{c.port}/healthz")
            expect(status == 200 and body == "ready\n", f"{s}: /healthz from the host: {status} {body!r}")
        status, page, _ = http("GET", f"http://127.0.0.1:{app['frontend'].port}/?location=London")
        expect(status == 200 and "London, England, United Kingdom" in page and 'id="distance"' in page,
               f"London through the frontend container: {status} {page[-300:]!r}")
        try:
            answer = viewer.wait_for("/api/traces?service=frontend", lambda a: london_trace(a) is not None, 30)
            services = {s["service"] for s in london_trace(answer)["spans"]}
            expect(services == want, f"services in the London trace: {sorted(services)}")
        except AssertionError as e:
            failures.append(str(e))
        stop_all(engine, app, "with the viewer")

        for protocol in ("grpc", "http/protobuf"):
            hole = BlackHole()
            try:
                env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{hole.port}",
                       "OTEL_EXPORTER_OTLP_PROTOCOL": protocol, "OTEL_BSP_SCHEDULE_DELAY": "100",
                       "OTEL_BLRP_SCHEDULE_DELAY": "100", "OTEL_METRIC_EXPORT_INTERVAL": "500"}
                wave = "blackhole-" + protocol.split("/")[0]
                app = start_app(engine, images, env, wave)
                containers += app.values()
                if len(app) != 4:
                    return 1
                for _ in range(20):  # telemetry queued and in flight towards the black hole
                    http("GET", f"http://127.0.0.1:{app['frontend'].port}/?location=London")
                stop_all(engine, app, f"black-hole collector, {protocol}")
            finally:
                hole.close()
        return 1 if failures else 0
    finally:
        for c in containers:
            engine.run("rm", "-f", c.name, check=False)
        if viewer:
            viewer.stop()
        engine.run("image", "prune", "-f", "--filter", f"label={LABEL}", check=False)
        engine.stop()


rc = main()
for f in failures:
    print("FAIL:", f)
if rc != 77:
    if failures:  # the figures again, after the failures
        print("figures:\n" + "\n".join(figures))
    print(f"docker_images: {time.monotonic() - T0:.0f} s in all")
    print(f"{1 if rc == 0 else 0} passed, {0 if rc == 0 else 1} failed")
else:
    print(f"docker_images: skipped after {time.monotonic() - T0:.0f} s")
sys.exit(rc)
