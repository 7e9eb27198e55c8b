#!/usr/bin/env bash
# Sets up a development environment: a virtualenv with casework and its test tools,
# the pinned front-end packages from npm, and GOV.UK Frontend's assets copied into place.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
npm ci --no-audit --no-fund --loglevel=error
.venv/bin/python -c "from casework.assets import install_assets; install_assets()"
