#!/usr/bin/env bash
# Export recovers when the collector's connection goes silent
# (export_recovers_silent_peer.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 export_recovers_silent_peer.py
