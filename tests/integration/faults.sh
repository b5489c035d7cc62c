#!/usr/bin/env bash
# Fault injection under load: no collector, collector killed and restarted,
# black hole, 503/429 then 200, SIGSTOP/SIGCONT (faults.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 faults.py "$@"
