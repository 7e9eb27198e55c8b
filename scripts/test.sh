#!/usr/bin/env bash
# One command for the whole suite: set up, lint, run every test on SQLite (those whose answers
# turn on the date as of fixed days instead of the real one) and on PostgreSQL when
# CASEWORK_TEST_POSTGRES_URL names one (CI always does; see .ci/run).
#
# Run as of a chosen day: scripts/test.sh --today 2028-02-29 (or CASEWORK_TEST_TODAY=...).
# CASEWORK_TEST_DAYS="..." replaces the fixed days; CASEWORK_TEST_DAYS="" skips them;
# CASEWORK_TEST_PG_DAY="" runs PostgreSQL as of the real date.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check casework migrations config tests bench
.venv/bin/lint-imports  # the layers of ../shared/DESIGN.md: [tool.importlinter] in pyproject.toml

# Every run is a job, two at a time (two cores), the longest first; each job's output is kept in
# a log and shown whole when it fails, else its summary line:
# - everything but the browser journeys on PostgreSQL, as of a meeting's morning (the pages do
#   not depend on the database; the day is one more fixed day, at no extra cost);
# - the whole suite on SQLite as of the first fixed day below (a cut-off day: 1st Tuesday
#   panels, 2 Feb 2027's cut-off), never the real one, so CI's answer cannot depend on the day
#   it runs, in two jobs: the browser journeys, and the rest; with arguments (--today, a file,
#   -k) one sqlite job runs exactly what they say;
# - the tests whose answers turn on the date (the `dates` marker), less the browser journeys
#   (they drive the same rules through pages, on the first day), on SQLite as of the other
#   fixed day: the day after a bank holiday (Boxing Day's substitute, whose next meetings are
#   in the new year). A leap day (2028-02-29) and a year's end are kept for changes to date
#   arithmetic: CASEWORK_TEST_DAYS="2027-01-21 2026-12-29 2028-02-29" (docs/testing.md).
PG_DAY=${CASEWORK_TEST_PG_DAY-"2027-02-02T10:30"}
DAYS=${CASEWORK_TEST_DAYS-"2027-01-21 2026-12-29"}
read -r FIRST_DAY OTHER_DAYS <<<"$DAYS" || true
logs=$(mktemp -d)
ARGS=("$@")

job() {  # name: runs that job
  local pytest=(.venv/bin/python -m pytest -p no:cacheprovider)
  case $1 in
    sqlite)
      if [ ${#ARGS[@]} -gt 0 ]; then  # exactly what the arguments say, browser tests too
        CASEWORK_TEST_DATABASE_URL="" "${pytest[@]}" "${ARGS[@]}"
        return
      fi
      CASEWORK_TEST_DATABASE_URL="" "${pytest[@]}" -m "not browser" --durations=15 \
        ${FIRST_DAY:+--today "$FIRST_DAY"} ;;
    browser)
      CASEWORK_TEST_DATABASE_URL="" "${pytest[@]}" -m browser --durations=15 \
        ${FIRST_DAY:+--today "$FIRST_DAY"} ;;
    postgresql)
      CASEWORK_TEST_DATABASE_URL="$CASEWORK_TEST_POSTGRES_URL" "${pytest[@]}" \
        -m "not browser" --durations=15 ${PG_DAY:+--today "$PG_DAY"} ${ARGS[@]+"${ARGS[@]}"} ;;
    *) CASEWORK_TEST_DATABASE_URL="" "${pytest[@]}" -q -m "dates and not browser" --today "$1" ;;
  esac
}
run_logged() {  # name: runs the job with its output in $logs/<name>.log, its status in .rc
  local rc=0
  job "$1" >"$logs/$1.log" 2>&1 || rc=$?
  echo "$rc" >"$logs/$1.rc"
}
report() {  # name: prints the job's summary, or its whole log if it failed; 1 if it failed
  if [ "$(cat "$logs/$1.rc")" != "0" ]; then
    echo "-- $1: FAILED"
    cat "$logs/$1.log"
    return 1
  fi
  echo "-- $1: $(tail -n 1 "$logs/$1.log")"
}

queue=()
if [ -n "${CASEWORK_TEST_POSTGRES_URL:-}" ]; then
  queue+=(postgresql)  # the longest job first
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true but CASEWORK_TEST_POSTGRES_URL is not set: the PostgreSQL run cannot be skipped" >&2
  exit 1
else
  echo "(PostgreSQL run skipped: set CASEWORK_TEST_POSTGRES_URL to a database to run it)"
fi
queue+=(sqlite)
# shellcheck disable=SC2206
[ ${#ARGS[@]} -eq 0 ] && queue+=(browser $OTHER_DAYS)
echo "== ${queue[*]} (two at a time)"
running=0
for name in "${queue[@]}"; do
  if [ "$running" -ge 2 ]; then
    wait -n
    running=$((running - 1))
  fi
  run_logged "$name" &
  running=$((running + 1))
done
wait
failed=0
for name in "${queue[@]}"; do
  report "$name" || failed=1
done
[ "$failed" = "0" ] || exit 1
