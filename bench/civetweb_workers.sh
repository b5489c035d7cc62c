#!/usr/bin/env bash
# civetweb_workers.sh: what a civetweb worker thread costs (make bench),
# the figure behind SVC_WORKER_THREADS (servicekit/svc_server.h): the
# instrumented hello_server with 8 and with 128 workers, its VmRSS and
# VmSize idle and after 1280 requests made 128 at a time (so that every
# worker has served), the difference per extra worker, and the size of a
# worker's stack mapping (Debian's civetweb fixes it at build time).
set -euo pipefail
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec /usr/bin/python3 - "$ROOT/$BUILD/bench/hello_server" <<'PY'
import collections, socket, subprocess, sys, threading, time, urllib.request

server = sys.argv[1]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def status(pid):
    d = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmSize", "Threads"):
            d[k] = int(v.split()[0])
    return d

def stack_mappings(pid, threads):
    """Sizes (KiB) of the rw anonymous mappings that appear once per thread."""
    sizes = collections.Counter()
    for line in open(f"/proc/{pid}/maps"):
        f = line.split()
        if f[1] == "rw-p" and len(f) == 5:
            a, b = (int(x, 16) for x in f[0].split("-"))
            sizes[(b - a) // 1024] += 1
    return [k for k, n in sizes.items() if n >= threads - 2]

def measure(workers):
    port = free_port()
    p = subprocess.Popen([server, str(port), "instrumented", str(workers)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        idle = status(p.pid)
        def client():
            for _ in range(10):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read()
        ts = [threading.Thread(target=client) for _ in range(128)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        used = status(p.pid)
        return idle, used, stack_mappings(p.pid, used["Threads"])
    finally:
        p.terminate()
        p.wait()

small, large = measure(8), measure(128)
for n, (idle, used, stacks) in ((8, small), (128, large)):
    print(f"civetweb with {n:3d} workers: VmRSS {idle['VmRSS'] / 1024:5.1f} MB idle, "
          f"{used['VmRSS'] / 1024:5.1f} MB after 1280 requests 128 at a time; "
          f"VmSize {used['VmSize'] / 1024:6.0f} MB; {used['Threads']} threads")
extra = 120
print(f"per extra worker: {(large[0]['VmRSS'] - small[0]['VmRSS']) / extra:.0f} KB resident idle, "
      f"{(large[1]['VmRSS'] - small[1]['VmRSS']) / extra:.0f} KB once it has served, "
      f"{(large[1]['VmSize'] - small[1]['VmSize']) / extra / 1024:.1f} MB of address space; "
      f"rw mappings one per thread: {', '.join(f'{k} KiB' for k in sorted(large[2]))}")
PY
