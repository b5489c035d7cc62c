#!/usr/bin/env bash
# make install into a temporary prefix, examples/ built against it with
# pkg-config, their telemetry in the real viewer (installed_examples.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 installed_examples.py
