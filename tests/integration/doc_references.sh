#!/usr/bin/env bash
# Every docs/*.md a source or document cites exists, and relative links in
# the Markdown files resolve (doc_references.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 doc_references.py
