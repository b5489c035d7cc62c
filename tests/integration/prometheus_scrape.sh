#!/usr/bin/env bash
# The Prometheus exporter against the real Prometheus tools (Debian's
# prometheus package): promtool checks the exposition text, then a real
# Prometheus server scrapes the program every second and the series are
# queried back through its HTTP API. Everything on 127.0.0.1, free ports.
set -euo pipefail
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }

port=$(free_port)
"$ROOT/$BUILD/bin/prom_exposer" "$port" > "$work/exposer.out" &
pids+=($!)
for _ in $(seq 200); do grep -q listening "$work/exposer.out" 2>/dev/null && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$port/metrics" > "$work/metrics.txt" || fail "no /metrics"

echo "== promtool check metrics"
if ! promtool check metrics < "$work/metrics.txt" > "$work/promtool.out" 2>&1; then
  cat "$work/promtool.out"; fail "promtool rejected the exposition"
fi
cat "$work/promtool.out"
echo "promtool: no problems"

echo "== a real Prometheus server scrapes it"
pport=$(free_port)
cat > "$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: libotel-lite
    static_configs:
      - targets: ["127.0.0.1:$port"]
YML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$pport" > "$work/prometheus.log" 2>&1 &
pids+=($!)
query() { curl -sf --get "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" 2>/dev/null || true; }
value_of() { /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'; }
got=""
for _ in $(seq 300); do  # up to 30 s for the server to start and scrape
  got=$(query 'iss_requests_total{response_status="200"}' | value_of 2>/dev/null || true)
  [[ -n "$got" ]] && break
  sleep 0.1
done
[[ "$got" == "42" ]] || { tail -20 "$work/prometheus.log"; fail "iss_requests_total{response_status=\"200\"} is '$got', want 42"; }
check() { # query want
  local v
  v=$(query "$1" | value_of)
  [[ "$v" == "$2" ]] || fail "$1 = '$v', want $2"
  echo "prometheus: $1 = $v"
}
echo "prometheus: iss_requests_total{response_status=\"200\"} = 42"
check 'iss_requests_total{response_status="503"}' 3
check 'http_server_request_duration_seconds_count{http_route="/"}' 10
check 'http_server_request_duration_seconds_sum{http_route="/"}' 22.5
check 'http_server_request_duration_seconds_bucket{http_route="/",le="+Inf"}' 10
check 'http_server_active_requests' 5
check 'iss_altitude_meters' 417500
check 'target_info{service_name="prom-exposer",deployment_environment_name="dev"}' 1
check 'up{job="libotel-lite"}' 1
echo "1 passed, 0 failed"
