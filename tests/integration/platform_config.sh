#!/usr/bin/env bash
# The telemetry platform's configuration, checked without a Docker engine
# (platform_config.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 platform_config.py
