#!/usr/bin/env bash
# run.sh: the native way to run the workshop (`make run`): the local
# telemetry viewer in the foreground, the four services in the background
# sending it traces, metrics and logs. Ctrl-C stops everything it started.
#
#   app:    http://localhost:5000     viewer: OTLP gRPC 4317, HTTP 4318
#   service logs: build/run-logs/<service>.log
set -uo pipefail
BUILD=${BUILD:-build}
LOGDIR="$BUILD/run-logs"
mkdir -p "$LOGDIR"

for program in otel-viewer iss-distance-service geolocator-service gateway frontend; do
  if [[ ! -x "$BUILD/bin/$program" ]]; then
    echo "make run: $BUILD/bin/$program was not built; run 'make' and read its errors." >&2
    exit 1
  fi
done

for port in 5000 5001 5002 5003 4317 4318; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "make run: port $port is already in use on 127.0.0.1." >&2
    echo "  Stop whatever listens there (ss -ltnp 'sport = :$port' shows it) and try again." >&2
    exit 1
  fi
done

pids=()
stop_all() {
  trap - INT TERM EXIT
  [[ ${#pids[@]} -gt 0 ]] && kill -TERM "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
}
trap stop_all INT TERM EXIT

# The services read the standard OTEL_* variables; the viewer is the sink.
export OTEL_EXPORTER_OTLP_ENDPOINT=${OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:4317}
export OTEL_RESOURCE_ATTRIBUTES=${OTEL_RESOURCE_ATTRIBUTES:-deployment.environment.name=dev}
export OTEL_METRIC_EXPORT_INTERVAL=${OTEL_METRIC_EXPORT_INTERVAL:-5000}
# Spans and log records every half second rather than the SDK's default 5 s,
# so that the live view shows a request's whole trace within a second.
export OTEL_BSP_SCHEDULE_DELAY=${OTEL_BSP_SCHEDULE_DELAY:-500}
export OTEL_BLRP_SCHEDULE_DELAY=${OTEL_BLRP_SCHEDULE_DELAY:-500}

"$BUILD/bin/otel-viewer" "$@" &
viewer=$!
pids+=("$viewer")

start() { # name port VAR=value...
  local name=$1 port=$2
  shift 2
  env PORT="$port" OTEL_SERVICE_NAME="$name" "$@" "$BUILD/bin/$name" >"$LOGDIR/$name.log" 2>&1 &
  pids+=("$!")
}
start iss-distance-service 5003
start geolocator-service 5002
start gateway 5001 GEOLOCATOR_SERVICE_URL=http://127.0.0.1:5002/ ISS_DISTANCE_SERVICE_URL=http://127.0.0.1:5003/
start frontend 5000 GATEWAY_URL=http://127.0.0.1:5001/

for port in 5003 5002 5001 5000; do
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1 # polling a port that is coming up; bounded to 10 s
  done
done
echo
echo "  The ISS distance app is at http://localhost:5000  (Ctrl-C stops everything)"
echo "  Service logs: $LOGDIR/"
echo
wait "$viewer"
