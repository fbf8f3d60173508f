#!/usr/bin/env bash
# `make run`: the development server and a background worker (the PDF reports, the spreadsheet imports) side by
# side. Ctrl-C, or either of them stopping, stops both.
#   scripts/run-with-worker.sh PYTHON HOST
set -u
PY="$1"
HOST="$2"

"$PY" manage.py report_worker --no-startup-delay --verbosity 0 &
worker=$!
"$PY" manage.py runserver "$HOST" &
web=$!

stop() {
  trap - INT TERM EXIT
  kill "$worker" "$web" 2>/dev/null
  wait "$worker" "$web" 2>/dev/null
}
trap stop INT TERM EXIT
echo "Background worker (PDF reports, spreadsheet imports) running as process $worker; Ctrl-C stops it and the server."
wait -n "$worker" "$web"
