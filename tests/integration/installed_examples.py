"""libotel-lite as an installed library, used the way a program outside
the tree uses it.

1. `make install-files PREFIX=<tmp>` (what `make install` runs once the
   Debian packages are there): headers in include/otel/, libotel-lite.a,
   libotel-lite.so.X.Y.Z with soname libotel-lite.so.X and its two links,
   lib/pkgconfig/otel-lite.pc. The shared library exports exactly the
   functions the installed headers mark OTEL_API (nm -D), nothing else.
   With DESTDIR the same files land under DESTDIR and the .pc file still
   names the PREFIX; `make uninstall` removes every file again.
2. Each program in examples/ builds with
   `cc -Wall -Wextra -Werror app.c $(pkg-config --cflags --libs otel-lite)`
   (only the installed headers: nothing of the tree is on the command line)
   and loads the installed libotel-lite.so.
3. Their telemetry reaches the real viewer: hello_signals's span, counter
   point and log record (OTLP/gRPC, the log record inside the span's
   trace); civetweb_server (OTLP/HTTP) serving curl_client (OTLP/gRPC): one
   trace of client and server spans, the handler's log record in it, the
   server's duration histogram.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from harness import BUILD, ROOT, Viewer

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(cmd, env=None, **kw):
    p = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        print(f"$ {' '.join(cmd)}\n{p.stdout}")
    return p


sanitize = os.environ.get("SANITIZE") or ("1" if BUILD.startswith("build-asan") else "0")
make = ["make", "--no-print-directory", "-s", f"BUILD={BUILD}", f"SANITIZE={sanitize}"]
san_flags = ["-fsanitize=address,undefined"] if sanitize == "1" else []

work = tempfile.mkdtemp(prefix="otel-install-")
prefix = os.path.join(work, "prefix")
viewer = None
procs = []
try:
    # ---- 1. the installed files ------------------------------------------
    if not expect(run(make + ["install-files", f"PREFIX={prefix}"]).returncode == 0, "make install-files failed"):
        raise SystemExit
    lib = os.path.join(prefix, "lib")
    headers = sorted(os.listdir(os.path.join(ROOT, "libotel-lite", "include", "otel")))
    expect(sorted(os.listdir(os.path.join(prefix, "include", "otel"))) == headers,
           f"installed headers: {os.listdir(os.path.join(prefix, 'include', 'otel'))}")
    real = [f for f in os.listdir(lib) if re.fullmatch(r"libotel-lite\.so\.\d+\.\d+\.\d+", f)]
    expect(len(real) == 1, f"no versioned shared library in {os.listdir(lib)}")
    so = os.path.join(lib, real[0] if real else "libotel-lite.so")
    major = real[0].split(".")[2] if real else "?"
    expect(os.path.isfile(os.path.join(lib, "libotel-lite.a")), "no libotel-lite.a")
    for link in (f"libotel-lite.so.{major}", "libotel-lite.so"):
        expect(os.path.islink(os.path.join(lib, link)) and os.readlink(os.path.join(lib, link)) == real[0],
               f"{link} is not a link to {real}")
    dyn = run(["readelf", "-d", so]).stdout
    expect(f"Library soname: [libotel-lite.so.{major}]" in dyn, f"soname: {dyn[:400]}")
    pc = open(os.path.join(lib, "pkgconfig", "otel-lite.pc")).read()
    expect(f"prefix={prefix}\n" in pc, "otel-lite.pc does not name the prefix")

    exported = set(run(["nm", "-D", "--defined-only", "--format=posix", so]).stdout.split("\n"))
    exported = {line.split()[0] for line in exported if line.strip()}
    declared = set()
    for h in headers:
        text = open(os.path.join(prefix, "include", "otel", h)).read()
        declared |= set(re.findall(r"OTEL_API\b[^;(]*?\b(otel_\w+)\s*\(", text, re.S))
    expect(len(declared) > 100, f"only {len(declared)} OTEL_API functions found in the headers")
    expect(exported - declared == set(), f"exported but not OTEL_API: {sorted(exported - declared)[:20]}")
    expect(declared - exported == set(), f"OTEL_API but not exported: {sorted(declared - exported)[:20]}")

    # DESTDIR: staged under it, .pc names the prefix; uninstall removes all
    dest = os.path.join(work, "dest")
    expect(run(make + ["install-files", f"DESTDIR={dest}", "PREFIX=/opt/otel"]).returncode == 0,
           "make install-files DESTDIR= failed")
    staged = os.path.join(dest, "opt", "otel")
    expect("prefix=/opt/otel\n" in open(os.path.join(staged, "lib", "pkgconfig", "otel-lite.pc")).read(),
           "with DESTDIR, otel-lite.pc does not name PREFIX")
    expect(os.path.isfile(os.path.join(staged, "include", "otel", "sdk.h")), "DESTDIR: no include/otel/sdk.h")
    expect(run(make + ["uninstall", f"DESTDIR={dest}", "PREFIX=/opt/otel"]).returncode == 0, "make uninstall failed")
    left = [os.path.join(d, f) for d, _, fs in os.walk(dest) for f in fs]
    expect(left == [], f"make uninstall left {left}")

    # ---- 2. examples/ built against the installed copy --------------------
    env = {"PKG_CONFIG_PATH": os.path.join(lib, "pkgconfig")}
    flags = run(["pkg-config", "--cflags", "--libs", "otel-lite"], env).stdout.split()
    expect(flags and not any(ROOT in f for f in flags), f"pkg-config flags: {flags}")
    bins = {}
    for name in ("hello_signals", "civetweb_server", "curl_client"):
        out = os.path.join(work, name)
        p = run(["cc", "-Wall", "-Wextra", "-Werror", *san_flags, f"examples/{name}.c", *flags,
                 f"-Wl,-rpath,{lib}", "-o", out], env)
        if expect(p.returncode == 0, f"examples/{name}.c does not build against the installed copy"):
            bins[name] = out
            ldd = run(["ldd", out]).stdout
            expect(f"libotel-lite.so.{major} => {lib}/" in ldd, f"{name} does not load the installed library: {ldd}")
    if len(bins) != 3:
        raise SystemExit

    # ---- 3. their telemetry in the viewer ---------------------------------
    viewer = Viewer()
    p = run([bins["hello_signals"]], viewer.otlp_env("grpc"), timeout=60)
    expect(p.returncode == 0 and "done" in p.stdout, f"hello_signals: {p.returncode} {p.stdout}")
    traces = viewer.wait_for("/api/traces?service=hello-signals", lambda a: len(a["traces"]) == 1)["traces"]
    span = traces[0]["spans"][0]
    expect(span["name"] == "say-hello", f"hello_signals span: {span['name']}")
    logs = viewer.wait_for("/api/logs?service=hello-signals", lambda a: len(a["logs"]) >= 1)["logs"]
    expect(logs[0]["body"].get("stringValue") == "hello, world" and logs[0].get("traceId") == traces[0]["traceId"],
           f"hello_signals log record: {logs}")
    points = viewer.wait_for("/api/metrics?service=hello-signals&name=hello.greetings",
                             lambda a: len(a["metrics"]) >= 1)["metrics"]
    expect(float(points[0].get("value", 0)) == 1, f"hello.greetings: {points}")

    server_log = open(os.path.join(work, "civetweb_server.log"), "w")
    server = subprocess.Popen([bins["civetweb_server"]], cwd=work, text=True,
                              env={**os.environ, **viewer.otlp_env("http/protobuf"), "PORT": "0"},
                              stdout=subprocess.PIPE, stderr=server_log)
    procs.append(server)
    line = server.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+/hello)", line)
    if not expect(m, f"civetweb_server did not say where it listens: {line!r} "
                     f"{open(server_log.name).read()}"):
        raise SystemExit
    p = run([bins["curl_client"], m.group(1)], viewer.otlp_env("grpc"), timeout=60)
    expect(p.returncode == 0 and "HTTP 200" in p.stdout, f"curl_client: {p.returncode} {p.stdout}")
    traces = viewer.wait_for("/api/traces?service=curl-client",
                             lambda a: any(t["spanCount"] == 3 for t in a["traces"]))["traces"]
    trace = next(t for t in traces if t["spanCount"] == 3)
    by = {(s["service"], s["kind"]): s for s in trace["spans"]}
    parent, client, srv = by.get(("curl-client", 1)), by.get(("curl-client", 3)), by.get(("civetweb-server", 2))
    if expect(parent and client and srv, f"spans of the trace: {list(by)}"):
        expect(client["parentSpanId"] == parent["spanId"], "the CLIENT span is not a child of fetch-greeting")
        expect(srv["parentSpanId"] == client["spanId"], "the server's span is not a child of the CLIENT span")
        expect(srv["name"] == "GET /hello", f"server span name {srv['name']!r}")
    logs = viewer.wait_for(f"/api/logs?service=civetweb-server&trace_id={trace['traceId']}",
                           lambda a: len(a["logs"]) >= 1)["logs"]
    expect(logs[0]["body"].get("stringValue", "").startswith("saying hello to 127.0.0.1"), f"server log: {logs}")
    server.send_signal(signal.SIGTERM)  # exports the histogram at shutdown
    expect(server.wait(timeout=30) == 0, f"civetweb_server exited with {server.returncode}")
    dur = viewer.wait_for("/api/metrics?service=civetweb-server&name=http.server.request.duration",
                          lambda a: len(a["metrics"]) >= 1)["metrics"]
    expect(int(dur[0].get("count", 0)) == 1, f"http.server.request.duration: {dur}")
except SystemExit:
    pass
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    if viewer:
        expect(viewer.stop() == 0, "the viewer did not exit cleanly")
    shutil.rmtree(work, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
print("installed_examples:", "ok" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
