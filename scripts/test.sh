#!/usr/bin/env bash
# One command for the whole suite: set up, lint, run every test on SQLite, then again on
# PostgreSQL when CASEWORK_TEST_POSTGRES_URL names one (CI always does; see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check casework migrations config tests bench

echo "== tests on SQLite"
CASEWORK_TEST_DATABASE_URL="" .venv/bin/python -m pytest "$@"

if [ -n "${CASEWORK_TEST_POSTGRES_URL:-}" ]; then
  echo "== tests on PostgreSQL"
  # Browser journeys exercise the pages, not the database: they run once, on SQLite.
  CASEWORK_TEST_DATABASE_URL="$CASEWORK_TEST_POSTGRES_URL" .venv/bin/python -m pytest -m "not browser" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true but CASEWORK_TEST_POSTGRES_URL is not set: the PostgreSQL run cannot be skipped" >&2
  exit 1
else
  echo "== PostgreSQL run skipped: set CASEWORK_TEST_POSTGRES_URL to a database to run it"
fi
