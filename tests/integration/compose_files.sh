#!/usr/bin/env bash
# Static checks of the Docker path (no Docker engine here): see check_compose.py.
exec /usr/bin/python3 "$(dirname "$0")/check_compose.py"
