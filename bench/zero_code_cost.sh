#!/usr/bin/env bash
# zero_code_cost.sh: what a request costs under otel-instrument's agent
# compared with the same program instrumented by hand, in instructions
# (valgrind's callgrind: counts, not time, so they do not depend on the
# machine's load; the background threads' timing - batch exports, civetweb's
# master loop - still moves them by a few percent from run to run).
#
# The program is zc_app (tools/otel-instrument/tests/zc_app.c): a civetweb
# server whose /hello handler GETs an upstream with libcurl. "agent" is
# zc_app (no telemetry code) with libotel-agent.so preloaded; "hand" is
# zc_app_hand, the same source built with its hand instrumentation
# (otel_civetweb_instrument, otel_curl_perform_with_headers); "none" is
# zc_app alone. Each exports to the real otel-viewer over OTLP/gRPC. The
# figure is (Ir after 2N requests - Ir after N requests) / N, all threads,
# start-up and shutdown cancelling out.
set -euo pipefail
BUILD=${BUILD:-build}
N=${ZC_BENCH_REQUESTS:-100}
command -v valgrind >/dev/null || { echo "zero_code_cost: valgrind is not installed (apt-get install valgrind)"; exit 1; }
app=$BUILD/tests/zero-code/zc_app
hand=$BUILD/tests/zero-code/zc_app_hand
agent=$(realpath "$BUILD/lib/libotel-agent.so")
for f in "$app" "$hand" "$agent" "$BUILD/bin/otel-viewer"; do
  [[ -e $f ]] || { echo "zero_code_cost: $f is missing (make all)"; exit 1; }
done
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # port pid
  for _ in $(seq 1200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "zero_code_cost: a process died before listening on $1"; exit 1; }
    sleep 0.05
  done
  echo "zero_code_cost: nothing listens on $1"; exit 1
}

"$BUILD/bin/otel-viewer" --grpc-port 0 --http-port 0 --quiet > "$tmp/viewer.out" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q grpc= "$tmp/viewer.out" && break; sleep 0.05; done
grpc=$(sed -n 's/.*grpc=[^ ]*:\([0-9]*\).*/\1/p' "$tmp/viewer.out" | head -1)
back=$(free_port)
PORT=$back NAME=back "$app" > /dev/null &
pids+=($!)
wait_port "$back" "${pids[-1]}"

run() { # mode requests -> prints total Ir
  local mode=$1 n=$2 port out pid
  port=$(free_port)
  out="$tmp/cg.$mode.$n"
  local -a cmd=(valgrind --tool=callgrind --callgrind-out-file="$out" -q)
  local -a env=(PORT="$port" NAME=front NEXT_URL="http://127.0.0.1:$back/hello"
                OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpc" OTEL_SERVICE_NAME="bench-$mode")
  case $mode in
    agent) env LD_PRELOAD="$agent" "${env[@]}" "${cmd[@]}" "$app" > /dev/null 2>&1 & ;;
    hand) env "${env[@]}" "${cmd[@]}" "$hand" > /dev/null 2>&1 & ;;
    none) env "${env[@]}" "${cmd[@]}" "$app" > /dev/null 2>&1 & ;;
  esac
  pid=$!
  wait_port "$port" "$pid"
  python3 - "$port" "$n" <<'PY'
import sys, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(n):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello", timeout=60) as r:
        assert r.status == 200
PY
  curl -s "http://127.0.0.1:$port/exit" > /dev/null || true
  wait "$pid" || { echo "zero_code_cost: $mode exited with $?"; exit 1; }
  sed -n 's/^summary: //p' "$out"
}

declare -A per
for mode in none hand agent; do
  a=$(run "$mode" "$N")
  b=$(run "$mode" $((2 * N)))
  per[$mode]=$(( (b - a) / N ))
  echo "zc_app $mode: $a Ir after $N requests, $b after $((2 * N)): $(( (b - a) / N )) instructions per request"
done
hand_cost=$(( per[hand] - per[none] ))
agent_cost=$(( per[agent] - per[none] ))
printf 'telemetry cost per request (over none): hand %d Ir, agent %d Ir, agent/hand %.3f; whole request: agent/hand %.3f\n' \
  "$hand_cost" "$agent_cost" "$(echo "$agent_cost / $hand_cost" | bc -l)" \
  "$(echo "${per[agent]} / ${per[hand]}" | bc -l)"
