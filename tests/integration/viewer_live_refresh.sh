#!/usr/bin/env bash
# The viewer's pages refresh live in headless Chromium, and /api/stream sends events (viewer_live_refresh.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 viewer_live_refresh.py
