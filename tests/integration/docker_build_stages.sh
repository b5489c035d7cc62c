#!/usr/bin/env bash
# Each service's image as far as it can be made without Docker: its build
# stage from only the copied files, its binary alone, its runtime libraries
# (docker_build_stages.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 docker_build_stages.py
