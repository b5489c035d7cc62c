#!/usr/bin/env bash
# The viewer's pages rendered by headless Chromium (viewer_browser.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 viewer_browser.py
