#!/usr/bin/env bash
# The four services stop within 6 s of SIGTERM with a black-hole collector,
# over gRPC and OTLP/HTTP (services_stop_black_hole.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 services_stop_black_hole.py
