#!/usr/bin/env bash
# civetweb + libcurl instrumentation across processes (http_instrumentation.py).
cd "$(dirname "$0")" && exec python3 http_instrumentation.py
