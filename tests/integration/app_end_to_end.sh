#!/usr/bin/env bash
# The four services and the viewer end to end (app_end_to_end.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 app_end_to_end.py
