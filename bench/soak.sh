#!/usr/bin/env bash
# soak.sh: minutes of steady load through the app while the collector (the
# real viewer) restarts every 30 s; prints the RSS and open-fd series of
# every service and the viewer (bench/soak.py says how). Not part of
# `make bench` or CI: run `make soak` or `bash bench/soak.sh`, shortened
# with SOAK_SECONDS=120.
set -euo pipefail
cd "$(dirname "$0")/.." && exec /usr/bin/python3 bench/soak.py
