#!/usr/bin/env bash
# faults_bench.sh: the figures of the fault-injection cases (make bench).
# The four services under steady load through the frontend and the gateway
# (2 client threads, keep-alive) first with OTEL_SDK_DISABLED=true (the
# baseline of the same run), then in each fault case of
# tests/integration/faults.py: no collector, collector killed and
# restarted, black hole, 503/429 then 200, SIGSTOP/SIGCONT. Prints per case
# the requests made, p50 and p99 latency and p99 against the baseline, the
# time from the collector's return until a span, a log record and a metric
# point made after it reached the collector, and the slowest service exit
# after SIGTERM. Nothing is asserted here beyond what the test asserts.
# Usage: bench/faults_bench.sh [case...]
set -euo pipefail
BUILD=${BUILD:-build}
export BUILD
cd "$(dirname "$0")/../tests/integration"
exec /usr/bin/python3 faults.py --bench "$@"
