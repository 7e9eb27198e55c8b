#!/usr/bin/env bash
# One command for the whole suite: set up, lint, run every test on SQLite (and, side by side,
# on PostgreSQL when CASEWORK_TEST_POSTGRES_URL names one: CI always does, see .ci/run), then
# run the tests whose answers turn on the date again as of fixed days.
#
# Run as of a chosen day: scripts/test.sh --today 2028-02-29 (or CASEWORK_TEST_TODAY=...).
# CASEWORK_TEST_DAYS="..." replaces the fixed days; CASEWORK_TEST_DAYS="" skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check casework migrations config tests bench

# SQLite and PostgreSQL runs go side by side (two cores: one each); their output is kept in
# logs and shown whole when a run fails, else its summary line.
logs=$(mktemp -d)
run_logged() {  # name, then the command: runs it with its output in $logs/<name>.log
  local name=$1 rc=0
  shift
  "$@" >"$logs/$name.log" 2>&1 || rc=$?
  echo "$rc" >"$logs/$name.rc"
}
report() {  # name: prints the run's summary, or its whole log if it failed; 1 if it failed
  if [ "$(cat "$logs/$1.rc")" != "0" ]; then
    echo "-- $1: FAILED"
    cat "$logs/$1.log"
    return 1
  fi
  echo "-- $1: $(tail -n 1 "$logs/$1.log")"
}

failed=0
if [ -n "${CASEWORK_TEST_POSTGRES_URL:-}" ]; then
  echo "== tests on SQLite and, beside them, on PostgreSQL"
  # Browser journeys exercise the pages, not the database: they run once, on SQLite.
  run_logged postgresql env CASEWORK_TEST_DATABASE_URL="$CASEWORK_TEST_POSTGRES_URL" \
    .venv/bin/python -m pytest -p no:cacheprovider -m "not browser" "$@" &
  pg=$!
  run_logged sqlite env CASEWORK_TEST_DATABASE_URL="" .venv/bin/python -m pytest "$@"
  wait "$pg" || true
  report sqlite || failed=1
  report postgresql || failed=1
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true but CASEWORK_TEST_POSTGRES_URL is not set: the PostgreSQL run cannot be skipped" >&2
  exit 1
else
  echo "== tests on SQLite (PostgreSQL run skipped: set CASEWORK_TEST_POSTGRES_URL to run it)"
  CASEWORK_TEST_DATABASE_URL="" .venv/bin/python -m pytest "$@" || failed=1
fi
[ "$failed" = "0" ] || exit 1

# A cut-off day (1st Tuesday panels: 2 Feb 2027's cut-off), that meeting during its hours,
# the day after a bank holiday (Boxing Day's substitute), a leap day, and a year's end.
DAYS=${CASEWORK_TEST_DAYS-"2027-01-21 2027-02-02T10:30 2026-12-29 2028-02-29 2027-12-31"}
if [ -n "$DAYS" ]; then
  echo "== date-sensitive tests as of: $DAYS (two at a time)"
  # shellcheck disable=SC2086
  printf '%s\n' $DAYS | xargs -P 2 -I{} sh -c \
    'CASEWORK_TEST_DATABASE_URL="" .venv/bin/python -m pytest -q -p no:cacheprovider -m dates --today "{}" > "$0/{}.log" 2>&1; echo $? > "$0/{}.rc"' "$logs"
  for day in $DAYS; do
    report "$day" || failed=1
  done
  [ "$failed" = "0" ] || exit 1
fi
