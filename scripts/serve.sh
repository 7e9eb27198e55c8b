#!/usr/bin/env bash
# One command for a laptop: set up, create the SQLite database, load the demo partnership
# when the database is empty (printing its sign-ins), and serve on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/casework init
.venv/bin/casework demo
echo "Serving on http://127.0.0.1:${PORT:-5000} (Ctrl-C to stop)"
exec .venv/bin/casework serve --port "${PORT:-5000}"
