#!/usr/bin/env bash
# `make demo`: build the bundled buggy C program, record it with gdb (two breakpoints, a snappoint
# and a sampled run) into a fresh store, print the timeline and the command that shows a snapshot.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
DEMO=${DEBUGTAPE_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/debugtape-demo.XXXXXX")}
mkdir -p "$DEMO"
DB="$DEMO/tape.db"
dt() { "$PY" -m debugtape "$@"; }

echo "== building examples/buggy/histogram.c (debug info on)"
gcc -g -O0 -Wall -o "$DEMO/histogram" examples/buggy/histogram.c
echo "== running it: the total is wrong"
"$DEMO/histogram" | head -1
echo
# A made-up token in the environment: the program keeps it in a local, gdb reads it, the store must not.
TOKEN="ghp_demo$(date +%s%N | sha256sum | head -c 28)"
export SENSOR_UPLOAD_TOKEN="$TOKEN"
echo "== recording it with gdb: a breakpoint where bucket == 10 (one past the end), a snappoint at"
echo "   report() and 100 Hz sampling of the running program"
echo "   debugtape record --gdb --db $DB --name demo --break 'histogram.c:37:bucket == 10' --snappoint report --sample 100hz -- $DEMO/histogram"
SID=$(dt record --gdb --db "$DB" --name demo --break 'histogram.c:37:bucket == 10' --snappoint report \
      --sample 100hz --quiet -- "$DEMO/histogram" 2>"$DEMO/record.log") || {
  echo "recording failed:"; cat "$DEMO/record.log"; exit 1; }
echo "   session $SID"
echo
echo "== the timeline (stack samples are left out: --samples lists them, debugtape report draws them)"
dt timeline --db "$DB" --session "$SID" 2>&1
SNAP=$(dt timeline --db "$DB" --session "$SID" --type debug_snapshot --json | "$PY" -c '
import json, sys
snaps = json.load(sys.stdin)
hit = [s for s in snaps if s["data"].get("reason") == "breakpoint"] or snaps
print(hit[0]["data"]["snap_id"])')
echo
echo "== one snapshot: bucket is 10, so counts[bucket]++ is about to hit h->total"
echo "   debugtape snapshot --db $DB $SNAP"
dt snapshot --db "$DB" "$SNAP" | head -40
echo
echo "== the token the program held in upload_token (and in its environment) is nowhere on disk:"
if grep -rqa "$TOKEN" "$DEMO"/tape.db*; then echo "   FOUND in the store: redaction failed"; exit 1; fi
echo "   grep -a \$SENSOR_UPLOAD_TOKEN $DB* finds nothing; the snapshot shows it as [REDACTED:...]"
echo
echo "The store is $DB; try: debugtape show --db $DB $SID"
