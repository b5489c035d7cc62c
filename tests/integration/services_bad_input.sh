#!/usr/bin/env bash
# The bad-input table of the services (services_bad_input.py).
cd "$(dirname "$0")" && exec python3 services_bad_input.py
