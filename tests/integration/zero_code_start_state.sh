#!/usr/bin/env bash
# The workshop's start state (no telemetry code) traced by otel-instrument
# across the four services (zero_code_start_state.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 zero_code_start_state.py
