#!/usr/bin/env bash
# bench_app.sh: the app under load through the gateway (make bench):
# wrk on GET /?location=London against the gateway, with the four services
# instrumented (batch export to the local viewer), then with telemetry
# disabled (OTEL_SDK_DISABLED=true), alternating, 3 rounds each; prints
# requests/s and p50/p99 latency (medians of the rounds, each after a
# second of warm-up), the ratio, and
# the resident memory (RSS) of each service after the load (split into
# anonymous and file-backed memory, with the thread count), and the CPU
# time each process spent per request (the viewer included: on a 2-core
# machine the receiver competes with the services for the same cores).
# Export is OTLP/gRPC, the default; OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
# bash bench/bench_app.sh measures OTLP/HTTP instead.
set -euo pipefail
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { echo "bench_app: wrk is not installed (apt-get install wrk)"; exit 1; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
work=$(mktemp -d)
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap 'stop_all; rm -rf "$work"' EXIT

"$ROOT/$BUILD/bin/otel-viewer" --grpc-port 0 --http-port 0 --quiet > "$work/viewer.out" &
viewer=$!
for _ in $(seq 200); do grep -q listening "$work/viewer.out" && break; sleep 0.05; done
grpc=$(sed -n 's/.*grpc=127.0.0.1:\([0-9]*\).*/\1/p' "$work/viewer.out")
http=$(sed -n 's/.*http=127.0.0.1:\([0-9]*\).*/\1/p' "$work/viewer.out")
protocol=${OTEL_EXPORTER_OTLP_PROTOCOL:-grpc}
case $protocol in
  grpc) otlp_port=$grpc ;;
  http/protobuf) otlp_port=$http ;;
  *) echo "bench_app: OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, not '$protocol'"; exit 1 ;;
esac

round() { # disabled(true|false) -> "req/s p50_ms p99_ms"
  local iss geo gw
  iss=$(free_port); geo=$(free_port); gw=$(free_port)
  export OTEL_SDK_DISABLED=$1 OTEL_EXPORTER_OTLP_PROTOCOL=$protocol OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$otlp_port
  PORT=$iss "$ROOT/$BUILD/bin/iss-distance-service" >/dev/null 2>&1 & pids+=($!)
  PORT=$geo "$ROOT/$BUILD/bin/geolocator-service" >/dev/null 2>&1 & pids+=($!)
  wait_port "$iss"; wait_port "$geo"
  PORT=$gw GEOLOCATOR_SERVICE_URL=http://127.0.0.1:$geo/ ISS_DISTANCE_SERVICE_URL=http://127.0.0.1:$iss/ \
    "$ROOT/$BUILD/bin/gateway" >/dev/null 2>&1 & pids+=($!)
  wait_port "$gw"
  local procs=("${pids[@]}") t0=() i n
  [[ $1 == false ]] && procs+=("$viewer")
  # one second of warm-up (connections, pools and caches filled), not measured
  wrk -t2 -c16 -d1s "http://127.0.0.1:$gw/?location=London" > /dev/null
  for p in "${procs[@]}"; do t0+=("$(cpu_ticks "$p")"); done
  wrk -t2 -c16 -d5s --latency "http://127.0.0.1:$gw/?location=London" > "$work/wrk.out"
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  : > "$work/cpu.$1"
  for i in "${!procs[@]}"; do
    awk -v t="$(cpu_ticks "${procs[$i]}")" -v t0="${t0[$i]}" -v hz="$(getconf CLK_TCK)" -v n="$n" \
      -v name="$(ps -o comm= -p "${procs[$i]}")" \
      '{} END {printf "%s=%.1fus ", name, (t - t0) * 1e6 / hz / n}' </dev/null >> "$work/cpu.$1"
  done
  : > "$work/rss.$1"
  for p in "${pids[@]}"; do ps -o rss= -o comm= -p "$p" | awk '{printf "%s=%.1fMB ", $2, $1/1024}' >> "$work/rss.$1"; done
  : > "$work/split.$1"
  for p in "${pids[@]}"; do rss_split "$p" >> "$work/split.$1"; done
  stop_all
  awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print r, p50, p99}' "$work/wrk.out"
}
# where a process's resident memory is: anonymous (malloc arenas, the main
# heap, thread stacks) against file-backed (mostly the shared libraries'
# code and relocated data; its proportional share, PSS, in parentheses:
# the page cache's pages of libgrpc and the others are shared by the four
# processes), and its thread count
rss_split() {
  awk -v name="$(ps -o comm= -p "$1")" -v threads="$(ls "/proc/$1/task" | wc -l)" '
    /^[0-9a-f]+-[0-9a-f]+ / { file = ($6 != "" && $6 !~ /^\[/) }
    /^Rss:/ { if (file) f += $2; else a += $2 }
    /^Pss:/ { if (file) fp += $2 }
    END { printf "%s=%.1f+%.1f(%.1f)MB/%dthr ", name, a / 1024, f / 1024, fp / 1024, threads }' "/proc/$1/smaps"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system, in clock ticks
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000} printf "%.2f", v}' <<<"$1"; }
on=() off=()
for _ in 1 2 3; do
  off+=("$(round true)")
  on+=("$(round false)")
done
med() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
col() { local i=$1; shift; for x in "$@"; do echo "$x" | awk -v i="$i" '{print $i}'; done; }
r_on=$(med $(col 1 "${on[@]}")); r_off=$(med $(col 1 "${off[@]}"))
p50_on=$(med $(for v in $(col 2 "${on[@]}"); do to_ms "$v"; echo; done)); p99_on=$(med $(for v in $(col 3 "${on[@]}"); do to_ms "$v"; echo; done))
p50_off=$(med $(for v in $(col 2 "${off[@]}"); do to_ms "$v"; echo; done)); p99_off=$(med $(for v in $(col 3 "${off[@]}"); do to_ms "$v"; echo; done))
echo "app through the gateway, wrk -t2 -c16 -d5s GET /?location=London, OTLP export over $protocol (median of 3 rounds):"
printf '  instrumented:        %8.0f req/s  p50 %s ms  p99 %s ms\n' "$r_on" "$p50_on" "$p99_on"
printf '  OTEL_SDK_DISABLED:   %8.0f req/s  p50 %s ms  p99 %s ms\n' "$r_off" "$p50_off" "$p99_off"
printf '  ratio instrumented/disabled: %.3f\n' "$(echo "$r_on / $r_off" | bc -l)"
# each instrumented round against the disabled round just before it: the
# VM's speed drifts between phases, and neighbours share a phase
pairs=$(for i in 0 1 2; do echo "$(col 1 "${on[$i]}") $(col 1 "${off[$i]}")" | awk '{printf "%.3f\n", $1 / $2}'; done | sort -n | tr '\n' ' ')
echo "  ratio per pair of neighbouring rounds: $pairs"
echo "  RSS after the instrumented load: $(cat "$work/rss.false")"
echo "  RSS after the load without telemetry: $(cat "$work/rss.true")"
echo "  of which anonymous+file-backed(its PSS)/threads, instrumented: $(cat "$work/split.false")"
echo "  of which anonymous+file-backed(its PSS)/threads, without telemetry: $(cat "$work/split.true")"
echo "  CPU per request, instrumented (last round): $(cat "$work/cpu.false")"
echo "  CPU per request, without telemetry (last round): $(cat "$work/cpu.true")"
kill "$viewer" 2>/dev/null || true
