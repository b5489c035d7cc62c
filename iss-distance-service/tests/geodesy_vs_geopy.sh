#!/usr/bin/env bash
# Geodesic distance against python3-geopy (geodesy_vs_geopy.py).
exec /usr/bin/python3 "$(dirname "$0")/geodesy_vs_geopy.py"
