#!/usr/bin/env bash
# make workshop-run as a participant uses it (workshop_run.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 workshop_run.py "$@"
