#!/usr/bin/env bash
# SGP4 against python3-sgp4 (sgp4_vs_python.py); Debian's python has the module.
exec /usr/bin/python3 "$(dirname "$0")/sgp4_vs_python.py"
