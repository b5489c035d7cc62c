#!/usr/bin/env bash
# The viewer's pages for the real app's telemetry, in headless Chromium
# (viewer_browser_app.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 viewer_browser_app.py
