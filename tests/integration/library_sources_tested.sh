#!/usr/bin/env bash
# Every libotel-lite source file is named by the opening comment of a test
# that exercises it (library_sources_tested.py), as README.md says.
cd "$(dirname "$0")" && exec /usr/bin/python3 library_sources_tested.py
