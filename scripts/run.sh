#!/usr/bin/env bash
# run.sh: the native way to run the workshop (`make run`): the local
# telemetry viewer in the foreground, the four services in the background
# sending it traces, metrics and logs. Ctrl-C stops everything it started.
#
#   app:    http://localhost:5000     viewer: OTLP gRPC 4317, HTTP 4318
#   service logs: build/run-logs/<service>.log
# It prints the app's address only once all four services answer 200 on
# their readiness endpoint (GET /healthz), saying what it waits for.
# Other ports: FRONTEND_PORT, GATEWAY_PORT, GEOLOCATOR_PORT,
# ISS_DISTANCE_PORT, VIEWER_GRPC_PORT, VIEWER_HTTP_PORT; arguments go to
# the viewer (--quiet...).
set -uo pipefail
BUILD=${BUILD:-build}
LOGDIR="$BUILD/run-logs"
mkdir -p "$LOGDIR"
FRONTEND_PORT=${FRONTEND_PORT:-5000}
GATEWAY_PORT=${GATEWAY_PORT:-5001}
GEOLOCATOR_PORT=${GEOLOCATOR_PORT:-5002}
ISS_DISTANCE_PORT=${ISS_DISTANCE_PORT:-5003}
VIEWER_GRPC_PORT=${VIEWER_GRPC_PORT:-4317}
VIEWER_HTTP_PORT=${VIEWER_HTTP_PORT:-4318}
READY_TIMEOUT_S=${READY_TIMEOUT_S:-120}

for program in otel-viewer iss-distance-service geolocator-service gateway frontend; do
  if [[ ! -x "$BUILD/bin/$program" ]]; then
    echo "make run: $BUILD/bin/$program was not built; run 'make' and read its errors." >&2
    exit 1
  fi
done

for port in "$FRONTEND_PORT" "$GATEWAY_PORT" "$GEOLOCATOR_PORT" "$ISS_DISTANCE_PORT" \
            "$VIEWER_GRPC_PORT" "$VIEWER_HTTP_PORT"; do
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
export OTEL_EXPORTER_OTLP_ENDPOINT=${OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:$VIEWER_GRPC_PORT}
export OTEL_RESOURCE_ATTRIBUTES=${OTEL_RESOURCE_ATTRIBUTES:-deployment.environment.name=dev}
export OTEL_METRIC_EXPORT_INTERVAL=${OTEL_METRIC_EXPORT_INTERVAL:-5000}
# Spans and log records every half second rather than the SDK's default 5 s,
# so that the live view shows a request's whole trace within a second.
export OTEL_BSP_SCHEDULE_DELAY=${OTEL_BSP_SCHEDULE_DELAY:-500}
export OTEL_BLRP_SCHEDULE_DELAY=${OTEL_BLRP_SCHEDULE_DELAY:-500}

"$BUILD/bin/otel-viewer" --grpc-port "$VIEWER_GRPC_PORT" --http-port "$VIEWER_HTTP_PORT" "$@" &
viewer=$!
pids+=("$viewer")

start() { # name port VAR=value...
  local name=$1 port=$2
  shift 2
  env PORT="$port" OTEL_SERVICE_NAME="$name" "$@" "$BUILD/bin/$name" >"$LOGDIR/$name.log" 2>&1 &
  pids+=("$!")
  names+=("$name") ports+=("$port")
}
names=() ports=()
start iss-distance-service "$ISS_DISTANCE_PORT"
start geolocator-service "$GEOLOCATOR_PORT"
start gateway "$GATEWAY_PORT" GEOLOCATOR_SERVICE_URL="http://127.0.0.1:$GEOLOCATOR_PORT/" \
  ISS_DISTANCE_SERVICE_URL="http://127.0.0.1:$ISS_DISTANCE_PORT/"
start frontend "$FRONTEND_PORT" GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/"

# True when 127.0.0.1:$1 answers GET /healthz with 200 (bash's /dev/tcp:
# no curl needed to run the app).
ready() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r -t 5 status <&3 || exit 1
    [[ $status == HTTP/1.[01]" 200"* ]]
  ) 2>/dev/null
}

echo "make run: waiting for the four services to be ready (GET /healthz answers 200)"
deadline=$((SECONDS + READY_TIMEOUT_S))
for i in "${!names[@]}"; do
  name=${names[$i]} port=${ports[$i]} pid=${pids[$((i + 1))]}
  ready "$port" && continue
  echo "  waiting for $name (port $port)..."
  until ready "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "make run: $name exited before it was ready; its log, $LOGDIR/$name.log, ends with:" >&2
      tail -n 5 "$LOGDIR/$name.log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "make run: $name is not ready after ${READY_TIMEOUT_S} s; see $LOGDIR/$name.log" >&2
      exit 1
    fi
    sleep 0.1 # polling a service that is starting; bounded by READY_TIMEOUT_S
  done
  echo "  $name is ready"
done
echo
echo "  The ISS distance app is at http://localhost:$FRONTEND_PORT  (Ctrl-C stops everything)"
echo "  Service logs: $LOGDIR/"
echo
wait "$viewer"
