"""A Docker engine for the tests, and the base images the Dockerfiles need.

Engine: the one already running is used as it is. Otherwise, as root and
with Debian's docker.io installed, `dockerd --bridge=none --iptables=false
--ip6tables=false` is started (no bridge, no firewall rules: containers run
with --network host, all traffic stays on 127.0.0.1) and stopped again at
the end. When neither works, Unavailable says why (the test then skips).

Base images: no registry is reachable here, so `debian:12` and
`debian:12-slim` (the Dockerfiles' FROM lines) are made with debootstrap
(minbase, the same mirror and suites as the official image) and
`docker import`-ed. The root filesystem is cached as a tarball in
/var/cache/otel-workshop (OTEL_WORKSHOP_CACHE), keyed by a hash of the
recipe and of the mirror's package list as apt last saw it, so it is made
again only when Debian's packages change. The key is the imported image's
comment, so an engine that already holds the current image imports
nothing; a debian:12 that came from a registry is used as it is.
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
SECURITY = os.environ.get("DEBIAN_SECURITY_MIRROR", "http://deb.debian.org/debian-security")
SUITE = "bookworm"
CACHE = os.environ.get("OTEL_WORKSHOP_CACHE", "/var/cache/otel-workshop")
TAGS = ("debian:12", "debian:12-slim")
# /etc/apt/sources.list.d/debian.sources of the official debian:12 image
SOURCES = f"""Types: deb
URIs: {MIRROR}
Suites: {SUITE} {SUITE}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: {SECURITY}
Suites: {SUITE}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""
RECIPE = f"debootstrap --variant=minbase {SUITE} {MIRROR}\n{SOURCES}"


class Unavailable(Exception):
    """No engine can run here; the message says why."""


def say(msg):
    print(msg, flush=True)


class Engine:
    """The docker client against a running engine (started if need be)."""

    def __init__(self):
        self.docker = os.environ.get("DOCKER") or shutil.which("docker", path="/usr/bin") or shutil.which("docker")
        self.dockerd = None
        self.log = None
        if not self.docker:
            raise Unavailable("no docker client (Debian: apt-get install docker.io; scripts/deps.sh installs it)")
        answer = self._answer()
        if answer.returncode == 0:
            say(f"docker: using the engine that is already running ({self.version()})")
            return
        if "permission denied" in answer.stderr.lower():
            raise Unavailable("an engine runs but this user may not use it (root, or the docker group)")
        if os.geteuid() != 0:
            raise Unavailable("no Docker engine is running and starting one needs root")
        dockerd = shutil.which("dockerd") or shutil.which("dockerd", path="/usr/sbin:/usr/bin")
        if not dockerd:
            raise Unavailable("no dockerd (Debian: apt-get install docker.io)")
        self.log = tempfile.NamedTemporaryFile("w+", prefix="dockerd-", suffix=".log", delete=False)
        # same process group as the test: run-tests.sh's timeout stops it too
        self.dockerd = subprocess.Popen([dockerd, "--bridge=none", "--iptables=false", "--ip6tables=false"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.dockerd.poll() is not None:
                break
            if self._answer().returncode == 0:
                say(f"docker: started dockerd (pid {self.dockerd.pid}, {self.version()}); stopped at the end")
                return
            time.sleep(0.2)  # polling a daemon that is starting, bounded to 60 s
        tail = self._log_tail()
        self.stop()
        raise Unavailable(f"dockerd did not start (no kernel support?): {tail}")

    def _log_tail(self):
        if not self.log:
            return ""
        self.log.flush()
        with open(self.log.name) as f:
            lines = [line.strip() for line in f if "level=error" in line or "level=fatal" in line]
        return " | ".join(lines[-3:]) or "see its log"

    def _answer(self):
        return subprocess.run([self.docker, "version", "--format", "{{.Server.Version}}"],
                              capture_output=True, text=True)

    def version(self):
        out = self.run("version", "--format", "client {{.Client.Version}}, engine {{.Server.Version}}")
        return out.strip()

    def run(self, *args, check=True, timeout=None, input=None):
        """Runs `docker args...`; returns its stdout (raises on failure when check)."""
        r = subprocess.run([self.docker, *args], capture_output=True, text=True, timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args[:3])}... failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
        return r.stdout if check else r

    def stop(self):
        if self.dockerd and self.dockerd.poll() is None:
            self.dockerd.terminate()
            try:
                self.dockerd.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.dockerd.kill()
                self.dockerd.wait()
        if self.log:
            self.log.close()
            os.unlink(self.log.name)
            self.log = None


def package_list_key():
    """Hash of the recipe and of the package list apt has for the mirror."""
    h = hashlib.sha256(RECIPE.encode())
    host = MIRROR.split("://", 1)[-1].rstrip("/").replace("/", "_")
    lists = sorted(glob.glob(f"/var/lib/apt/lists/{host}_dists_{SUITE}_main_binary-amd64_Packages*"))
    if lists:
        for path in lists:
            with open(path, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    else:  # no apt lists for that mirror: ask debootstrap for the list (about 20 s)
        with tempfile.TemporaryDirectory() as d:
            out = subprocess.run(["debootstrap", "--print-debs", "--variant=minbase", SUITE, d + "/t", MIRROR],
                                 capture_output=True, text=True, check=True).stdout
        h.update(out.encode())
    return h.hexdigest()[:16]


def ensure_base_images(engine):
    """Makes debian:12 and debian:12-slim exist in the engine. Returns a
    line saying where they came from."""
    key = package_list_key()
    comment = f"otel-workshop base {key}"
    have = {}
    for tag in TAGS:
        r = engine.run("image", "inspect", "--format", "{{.Comment}}", tag, check=False)
        have[tag] = r.stdout.strip() if r.returncode == 0 else None
    if all(c == comment for c in have.values()):
        return f"base images: {', '.join(TAGS)} already imported ({comment})"
    if all(c is not None and not c.startswith("otel-workshop base") for c in have.values()):
        return f"base images: {', '.join(TAGS)} are in the engine already (not made here); used as they are"
    tarball = os.path.join(CACHE, f"debian12-minbase-{key}.tar.gz")
    made = "cached"
    if not os.path.exists(tarball):
        if not shutil.which("debootstrap"):
            raise Unavailable("no base image and no debootstrap to make one (apt-get install debootstrap)")
        t0 = time.monotonic()
        say(f"base image: debootstrap {SUITE} (minbase) from {MIRROR}; a few minutes, once per package list")
        os.makedirs(CACHE, exist_ok=True)
        root = tempfile.mkdtemp(prefix="debootstrap-", dir=CACHE)
        try:
            subprocess.run(["debootstrap", "--variant=minbase", SUITE, root, MIRROR],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            os.unlink(os.path.join(root, "etc/apt/sources.list"))
            with open(os.path.join(root, "etc/apt/sources.list.d/debian.sources"), "w") as f:
                f.write(SOURCES)
            for junk in ("var/cache/apt/archives/*.deb", "var/lib/apt/lists/*_*", "var/log/*.log"):
                for p in glob.glob(os.path.join(root, junk)):
                    os.unlink(p)
            partial = tarball + ".part"
            subprocess.run(["tar", "-C", root, "--numeric-owner", "-czf", partial, "."], check=True)
            os.rename(partial, tarball)
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"making the base image failed: {e} {getattr(e, 'stderr', '') or ''}"[-2000:])
        finally:
            shutil.rmtree(root, ignore_errors=True)
        for old in glob.glob(os.path.join(CACHE, "debian12-minbase-*.tar.gz")):
            if old != tarball:
                os.unlink(old)
        made = f"made in {time.monotonic() - t0:.0f} s"
    engine.run("import", "-m", comment, tarball, TAGS[0])
    engine.run("tag", TAGS[0], TAGS[1])
    return f"base images: {', '.join(TAGS)} imported from {tarball} ({made})"


if __name__ == "__main__":  # make the base images only: python3 docker_engine.py
    try:
        e = Engine()
    except Unavailable as ex:
        sys.exit(f"docker: {ex}")
    try:
        say(ensure_base_images(e))
    finally:
        e.stop()
