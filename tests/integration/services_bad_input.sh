#!/usr/bin/env bash
# The bad-input table of the services (services_bad_input.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 services_bad_input.py
