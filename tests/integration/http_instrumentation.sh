#!/usr/bin/env bash
# civetweb + libcurl instrumentation across processes (http_instrumentation.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 http_instrumentation.py
