#!/usr/bin/env bash
# otel-viewer --from-jsonl reopens what --jsonl wrote (viewer_from_jsonl.py).
cd "$(dirname "$0")" && exec /usr/bin/python3 viewer_from_jsonl.py
