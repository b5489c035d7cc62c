#!/usr/bin/env bash
# Control characters in telemetry never reach the terminal of the viewer's
# live view: a real export with ESC[2J and a BEL (viewer_terminal_escape.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 viewer_terminal_escape.py
