#!/usr/bin/env bash
# The frontend rendered by headless Chromium (frontend_browser.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 frontend_browser.py
