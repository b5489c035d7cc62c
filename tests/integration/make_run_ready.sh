#!/usr/bin/env bash
# make run waits for the services to be ready before it prints the address
# (make_run_ready.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 make_run_ready.py
