#!/usr/bin/env bash
# Regenerate the golden fixtures: installs kcat (Debian) and a throwaway venv OUTSIDE the repo
# with confluent-kafka + decompressors (PyPI), then runs capture.py.
set -euo pipefail
cd "$(dirname "$0")"
VENV="${CAPVENV:-/tmp/capvenv}"
command -v kcat >/dev/null || { apt-get update && apt-get install -y kcat; }
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q confluent-kafka==2.16.1 python-snappy lz4 zstandard
PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" capture.py
