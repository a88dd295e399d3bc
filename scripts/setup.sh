#!/usr/bin/env bash
# Create .venv with Python >= 3.12 and install chaingame into it (editable), with extras "$1".
# Usage: bash scripts/setup.sh [EXTRAS]   e.g. bash scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${CHAINGAME_PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.12 /root/.pyenv/versions/3.12*/bin/python python3 python; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      PY="$cand"; break
    fi
  done
fi
[ -n "$PY" ] || { echo "setup: chaingame needs Python >= 3.12 (Mesa >= 3.5); none found" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ -n "${1:-}" ]; then spec=".[$1]"; else spec="."; fi
.venv/bin/python -m pip install -q -e "$spec"
# The web app's browser files (JavaScript, CSS, fonts) from the npm registry, so that `chaingame play`
# renders with no CDN; a failure here only warns: `chaingame play` tries again and says what is missing.
.venv/bin/chaingame assets || echo "setup: could not fetch the web app's browser files; run .venv/bin/chaingame assets" >&2
# The week's compiled kernels (numba), compiled once here and cached beside the sources, so that the first
# `chaingame play` (and the first test) loads them in seconds instead of compiling them for minutes.
.venv/bin/python -c "from chaingame.engine import warm_up; print(f'setup: the compiled kernels ready in {warm_up():.0f} s')"
