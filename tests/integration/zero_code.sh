#!/usr/bin/env bash
# otel-instrument (zero-code instrumentation) on real processes (zero_code.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 zero_code.py
