#!/usr/bin/env bash
# One command for the whole suite: set up, lint, run every test on SQLite, run the tests whose
# answers turn on the date again as of fixed days, then everything on PostgreSQL when
# CASEWORK_TEST_POSTGRES_URL names one (CI always does; see .ci/run).
#
# Run as of a chosen day: scripts/test.sh --today 2028-02-29 (or CASEWORK_TEST_TODAY=...).
# CASEWORK_TEST_DAYS="..." replaces the fixed days; CASEWORK_TEST_DAYS="" skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check casework migrations config tests bench

echo "== tests on SQLite"
CASEWORK_TEST_DATABASE_URL="" .venv/bin/python -m pytest "$@"

# A cut-off day (1st Tuesday panels: 2 Feb 2027's cut-off), that meeting during its hours,
# the day after a bank holiday (Boxing Day's substitute), a leap day, and a year's end.
DAYS=${CASEWORK_TEST_DAYS-"2027-01-21 2027-02-02T10:30 2026-12-29 2028-02-29 2027-12-31"}
if [ -n "$DAYS" ]; then
  echo "== date-sensitive tests as of: $DAYS (two at a time)"
  logs=$(mktemp -d)
  # shellcheck disable=SC2086
  printf '%s\n' $DAYS | xargs -P 2 -I{} sh -c \
    'CASEWORK_TEST_DATABASE_URL="" .venv/bin/python -m pytest -q -p no:cacheprovider -m dates --today "{}" > "$0/{}.log" 2>&1; echo $? > "$0/{}.rc"' "$logs"
  failed=0
  for day in $DAYS; do
    if [ "$(cat "$logs/$day.rc")" != "0" ]; then
      failed=1
      echo "-- as of $day: FAILED"
      cat "$logs/$day.log"
    else
      echo "-- as of $day: $(tail -n 1 "$logs/$day.log")"
    fi
  done
  [ "$failed" = "0" ] || exit 1
fi

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
