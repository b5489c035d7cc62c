#!/usr/bin/env bash
# The workshop engine as a participant meets it (workshop_engine.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 workshop_engine.py "$@"
