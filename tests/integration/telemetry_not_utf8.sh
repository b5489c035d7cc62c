#!/usr/bin/env bash
# Bytes that are not UTF-8 in requests reach the telemetry as U+FFFD, and no
# export is refused for them (telemetry_not_utf8.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 telemetry_not_utf8.py
