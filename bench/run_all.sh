#!/usr/bin/env bash
# Runs every benchmark (pass --quick for a short run) and prints each one's side-by-side figures.
# The latest full figures, with their commands, are kept in bench/RESULTS.md.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
status=0
$PY -m compileall -q debugtape >/dev/null  # as pip install does (see bench/_prep.py)
for b in bench/[!_]*.py; do
  echo "=== $b $*"
  $PY "$b" "$@" || { echo "!!! $b failed"; status=1; }
done
exit $status
