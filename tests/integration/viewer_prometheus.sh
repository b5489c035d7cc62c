#!/usr/bin/env bash
# otel-viewer's /metrics scraped by a real Prometheus (Debian's prometheus
# package): the viewer receives the metric fixture of tests/fixtures/viewer/
# over OTLP/HTTP; promtool checks the exposition; a Prometheus server
# scrapes the viewer every second (honor_labels, as a scrape of a
# Collector's exporter is set up, so that job is the viewer's) and the
# dashboard's kind of PromQL is queried back. The OpenMetrics form carries
# the histogram's exemplar. Everything on 127.0.0.1, free ports.
set -euo pipefail
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }

"$ROOT/$BUILD/bin/otel-viewer" --grpc-port 0 --http-port 0 --quiet > "$work/viewer.out" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q listening "$work/viewer.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*http=127.0.0.1:\([0-9]*\).*/\1/p' "$work/viewer.out")
[[ -n "$port" ]] || fail "viewer did not start: $(cat "$work/viewer.out")"
while IFS= read -r line; do
  out=$(printf '%s' "$line" | curl -sf -H 'Content-Type: application/json' --data-binary @- \
        "http://127.0.0.1:$port/v1/metrics") || fail "POST /v1/metrics"
  [[ "$out" == "{}" ]] || fail "POST /v1/metrics answered $out"
done < "$ROOT/tests/fixtures/viewer/metrics_app.jsonl"
curl -sf "http://127.0.0.1:$port/metrics" > "$work/metrics.txt" || fail "no /metrics"

echo "== promtool check metrics"
promtool check metrics < "$work/metrics.txt" > "$work/promtool.out" 2>&1 || true
# lint only: the fixture's gauge is in km, promtool prefers base units
if grep -v 'use base unit "meters" instead of "kilometers"' "$work/promtool.out" | grep -q .; then
  cat "$work/promtool.out"; fail "promtool rejected the exposition"
fi
echo "promtool: no problems (but the km lint)"

echo "== OpenMetrics with exemplars"
curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' "http://127.0.0.1:$port/metrics" > "$work/om.txt"
grep -q '^http_server_request_duration_seconds_bucket{.*le="0.5"} 20 # {trace_id="5b8efff798038103d269b633813fc60c",span_id="d000000000000001"} 0.3 ' "$work/om.txt" \
  || { cat "$work/om.txt"; fail "no exemplar on the 0.5 bucket"; }
tail -1 "$work/om.txt" | grep -qx '# EOF' || fail "OpenMetrics text does not end with # EOF"
echo "openmetrics: exemplar on le=0.5, # EOF"

echo "== a real Prometheus server scrapes the viewer"
pport=$(free_port)
cat > "$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: otel-viewer
    honor_labels: true
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
[[ "$got" == "60" ]] || { tail -20 "$work/prometheus.log"; fail "iss_requests_total{response_status=\"200\"} is '$got', want 60"; }
echo "prometheus: iss_requests_total{response_status=\"200\"} = 60"
check() { # query want
  local v
  v=$(query "$1" | value_of)
  [[ "$v" == "$2" ]] || fail "$1 = '$v', want $2"
  echo "prometheus: $1 = $v"
}
check 'iss_requests_total{service_name="iss-distance-service",job="workshop/iss-distance-service",instance="iss-1"}' 60
check 'sum by (service_name) (http_server_request_duration_seconds_count)' 20
check 'http_server_request_duration_seconds_sum{http_route="/"}' 3.5
# buckets 10 in (0, 0.1], 10 in (0.1, 0.5]: p99 at rank 19.8 of 20, 9.8/10 into (0.1, 0.5]
check 'round(1000 * histogram_quantile(0.99, sum by (le, service_name) (http_server_request_duration_seconds_bucket)))' 492
check 'iss_altitude_kilometers' 409
check 'up{job="otel-viewer"}' 1
echo "1 passed, 0 failed"
