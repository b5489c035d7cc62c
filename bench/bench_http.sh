#!/usr/bin/env bash
# bench_http.sh: requests/s of a civetweb hello handler with and without
# libotel-lite's server instrumentation, under wrk on loopback, measured in
# the same run (alternating rounds; the median of 3 rounds each).
set -euo pipefail
BUILD=${BUILD:-build}
command -v wrk >/dev/null || { echo "bench_http: wrk is not installed (apt-get install wrk)"; exit 1; }
server=$BUILD/bench/hello_server
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_round() { # mode -> prints requests/s
  local port pid
  port=$(free_port)
  "$server" "$port" "$1" >/dev/null &
  pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  wrk -t2 -c32 -d5s "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}'
  kill -TERM "$pid"; wait "$pid" || true
}

median() { sort -n | sed -n 2p; }
plain=() inst=()
for _ in 1 2 3; do
  plain+=("$(run_round plain)")
  inst+=("$(run_round instrumented)")
done
p=$(printf '%s\n' "${plain[@]}" | median)
i=$(printf '%s\n' "${inst[@]}" | median)
printf 'civetweb hello, wrk -t2 -c32 -d5s (median of 3): plain %.0f req/s, instrumented %.0f req/s, ratio %.3f\n' \
  "$p" "$i" "$(echo "$i / $p" | bc -l)"
