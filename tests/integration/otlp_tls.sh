#!/usr/bin/env bash
# OTLP over TLS into the real viewer, certificates made by openssl now (otlp_tls.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 otlp_tls.py
