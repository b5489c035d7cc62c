#!/usr/bin/env bash
# The readiness endpoint, the frontend's "starting up" answer, probes kept
# out of the telemetry (readiness.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 readiness.py
