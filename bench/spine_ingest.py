"""Ingest throughput through the store's writer vs raw sqlite3 executemany of the same rows, and emit latency.

Run: python bench/spine_ingest.py [--events N] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from debugtape.events import Event
from debugtape.redact import Redactor, redact_event
from debugtape.store import Store
from debugtape.store.writer import INSERTS, build_rows

MIXES = {
    "mixed": "80% stack_sample, 15% note, 5% debug_snapshot",
    "samples": "100% stack_sample (a sampling run)",
}


def make_events(n: int, mix: str = "mixed") -> list:
    """A sampling-heavy mix: 80% stack samples, 15% notes, 5% snapshots with two frames;
    or, with mix="samples", stack samples only (what a long sampling run writes)."""
    r = Redactor()
    sid = "bench000session1"
    out = [redact_event(Event("session_started", sid, {"name": "bench", "tool": "gdb"}, seq=1), r)]
    for i in range(2, n + 1):
        k = i % 20 if mix == "mixed" else 19
        if k == 0:
            data = {"snap_id": f"{i:016x}", "reason": "breakpoint", "frames": [
                {"symbol": "work", "file": "/src/app.c", "line": 10 + i % 7, "locals": {"i": i}},
                {"symbol": "main", "file": "/src/main.c", "line": 5}]}
            t = "debug_snapshot"
        elif k < 4:
            data, t = {"text": f"note {i}"}, "note"
        else:
            data = {"frames": [{"symbol": "work"}, {"symbol": "main"}], "stacks": [[0, 1]],
                    "threads": [{"id": 1, "stack": 0}]}
            t = "stack_sample"
        # Build the redacted event the cheap way for a benchmark: the gate on a trivial payload.
        out.append(redact_event(Event(t, sid, data, seq=i, ts="2026-11-23T18:00:00.000Z"), r))
    return out


def debugtape_run(path: Path, events: list, batch: int, timed: bool = False) -> tuple[float, list[float]]:
    """Seconds from the first emit to the last commit; with `timed`, each emit() is timed too
    (in a run of its own: the timing calls would otherwise share the GIL with the writer)."""
    store = Store(path)
    w = store.background_writer(max_batch=batch)
    lat: list[float] = []
    t0 = time.perf_counter()
    if timed:
        pc = time.perf_counter_ns
        for e in events:
            a = pc()
            w.emit(e)
            lat.append((pc() - a) / 1000)
    else:
        emit = w.emit
        for e in events:
            emit(e)
    w.close()
    dt = time.perf_counter() - t0
    assert store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == len(events)
    store.close()
    return dt, lat


def raw_batches(events: list, batch: int) -> list:
    """Exactly the rows the writer produces for each batch, built ahead of time (not timed)."""
    seqs: dict[str, int] = {}
    out = []
    for s in range(0, len(events), batch):
        rows = build_rows(events[s:s + batch], s, 0, lambda sess: seqs.get(sess, 0))
        seqs.update({sess: seq for sess, (seq, _) in rows.last.items()})
        out.append(rows)
    return out


def raw_run(path: Path, batches: list) -> float:
    """Plain stdlib sqlite3: BEGIN, executemany per table, COMMIT; same schema, WAL."""
    Store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    t0 = time.perf_counter()
    for rows in batches:
        conn.execute("BEGIN IMMEDIATE")
        for table, sql in INSERTS.items():
            conn.executemany(sql, getattr(rows, table))
        conn.execute("COMMIT")
    dt = time.perf_counter() - t0
    conn.close()
    return dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--mix", choices=sorted(MIXES), action="append",
                    help="event mix (repeatable; default: both)")
    args = ap.parse_args()
    n = 30_000 if args.quick else args.events
    for mix in args.mix or ["mixed", "samples"]:
        run_mix(n, mix)


def run_mix(n: int, mix: str) -> None:
    events = make_events(n, mix)
    batches = raw_batches(events, 1000)
    work = Path(tempfile.mkdtemp(prefix="dt-bench-"))
    try:
        best_dt = best_raw = float("inf")
        for rep in range(3):
            dt, _ = debugtape_run(work / f"dt{rep}.db", events, 1000)
            best_dt = min(best_dt, dt)
            best_raw = min(best_raw, raw_run(work / f"raw{rep}.db", batches))
        _, lat_all = debugtape_run(work / "latency.db", events, 1000, timed=True)
        ours, raw = n / best_dt, n / best_raw
        print(f"events: {n} ({MIXES[mix]}), batches of 1000, best of 3")
        print(f"debugtape writer : {ours:>10,.0f} events/s")
        print(f"raw executemany  : {raw:>10,.0f} events/s  (same rows, same schema, WAL)")
        print(f"ratio            : {ours / raw:.2f}x   (target >= 0.60, and >= 200,000 events/s)")
        print(f"emit() latency   : median {statistics.median(lat_all):.2f} us, p99 "
              f"{sorted(lat_all)[int(len(lat_all) * 0.99)]:.2f} us  (target median <= 10 us)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
