#!/usr/bin/env bash
# Half-open and idle connections cannot stall the services or the viewer (slow_clients.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 slow_clients.py
