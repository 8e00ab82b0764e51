"""Timeline queries on a store of 1,000,000 events and 100,000 snapshots, and `debugtape sessions` start-up.

Run: python bench/spine_queries.py [--events N] [--quick] [--keep PATH]
(--keep builds the store at PATH once and reuses it on later runs: building takes minutes.)
Baseline side by side: the same question answered by scanning the events table with json_extract
(what a store without the key index would do).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _prep  # bench/, beside this script

from debugtape.events import Event
from debugtape.redact import Redactor, redact_event
from debugtape.store import Store
from debugtape.store.writer import write_batch


def build(db: Path, n_events: int, n_sessions: int) -> None:
    r = Redactor()
    rnd = random.Random(1)
    per = n_events // n_sessions
    store = Store(db)
    for s in range(n_sessions):
        sid = f"{s:016x}"
        commit = hashlib.sha1(str(s % 50).encode()).hexdigest()
        batch = [redact_event(Event("session_started", sid, {"name": f"s{s}", "tool": "gdb",
                                                              "commit": {"head": commit}}, seq=1), r)]
        for seq in range(2, per + 1):
            if seq % 10 == 0:  # 10% snapshots, 5 frames each
                frames = [{"symbol": f"fn_{rnd.randrange(1000)}", "file": f"/src/mod{rnd.randrange(200)}.c",
                           "line": rnd.randrange(1, 500), "locals": {"i": seq}} for _ in range(5)]
                data = {"snap_id": f"{s:08x}{seq:08x}", "reason": "breakpoint", "frames": frames,
                        "commit": {"head": commit}}
                t = "debug_snapshot"
            else:
                data = {"frames": [{"symbol": "work"}], "stacks": [[0]], "threads": [{"id": 1, "stack": 0}]}
                t = "stack_sample"
            batch.append(redact_event(Event(t, sid, data, seq=seq), r))
            if len(batch) >= 5000:
                write_batch(store.conn, str(db), batch)
                batch = []
        write_batch(store.conn, str(db), batch)
    store.close()


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[max(0, int(len(xs) * 0.95) - 1)]


def main() -> None:
    _prep.compile_package()
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep", type=Path, help="build the store here once, reuse it on later runs")
    args = ap.parse_args()
    n = 100_000 if args.quick else args.events
    work = Path(tempfile.mkdtemp(prefix="dt-queries-"))
    db = args.keep or work / "tape.db"
    try:
        if not db.exists():
            t0 = time.perf_counter()
            build(db, n, 100)
            print(f"built {n:,} events ({n // 10:,} snapshots) in {time.perf_counter() - t0:.1f} s")
        with Store(db, readonly=True) as s:
            count = s.conn.execute("SELECT count(*) FROM events").fetchone()[0]
            snaps = s.conn.execute("SELECT count(*) FROM snapshots").fetchone()[0]
        print(f"store: {count:,} events, {snaps:,} snapshots ({db})")
        store = Store(db, readonly=True)
        rnd = random.Random(2)
        cases = {
            "symbol": lambda: {"symbol": f"fn_{rnd.randrange(1000)}"},
            "file": lambda: {"file": f"mod{rnd.randrange(200)}.c"},
            "commit": lambda: {"commit": hashlib.sha1(str(rnd.randrange(50)).encode()).hexdigest()[:10]},
            "session": lambda: {"session": f"{rnd.randrange(100):016x}"},
            # As `debugtape timeline --session S` asks it: stack samples left out (--samples
            # brings them back; the row above is that question).
            "sess-cli": lambda: {"session": f"{rnd.randrange(100):016x}", "samples": False},
        }
        base_sql = {
            # (type != 'stack_sample' lets it walk the time index that leaves samples out.)
            "symbol": ("SELECT id, data FROM events WHERE type='debug_snapshot' AND type != 'stack_sample' "
                       "AND EXISTS (SELECT 1 FROM "
                       "json_each(events.data, '$.frames') f WHERE json_extract(f.value, '$.symbol') = ?) "
                       "ORDER BY ts_ms DESC LIMIT 100", lambda a: (a["symbol"],)),
        }
        # Floor: the same SQL's rows fetched and left undecoded (what any Python reader pays),
        # timed on the same questions in the same run.
        # json: the same question as `timeline --json` answers it, each event's JSON text with its
        # stored data spliced in (Queries.event_texts), in process.
        print(f"{'filter':8} {'limit':>6} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6} {'json p95':>9} "
              f"{'floor p95':>10} {'ratio':>6}")
        for name, make in cases.items():
            for limit in (100, None):
                times, texts, floor, rows = [], [], [], 0
                for _ in range(30 if limit else 10):
                    a = make()
                    # Each way is timed as a command runs it, alone: the collector is run
                    # between them (untimed), so one way's garbage is not collected in another's time.
                    gc.collect()
                    t = time.perf_counter()
                    res = store.events(limit=limit, newest=limit is not None, **a)
                    times.append((time.perf_counter() - t) * 1000)
                    rows = max(rows, len(res))
                    del res
                    gc.collect()
                    t = time.perf_counter()
                    store.event_texts(limit=limit, newest=limit is not None, **a)
                    texts.append((time.perf_counter() - t) * 1000)
                    gc.collect()
                    t = time.perf_counter()
                    store.event_rows(limit=limit, newest=limit is not None, **a)
                    floor.append((time.perf_counter() - t) * 1000)
                print(f"{name:8} {str(limit or 'all'):>6} {statistics.median(times):8.2f} {p95(times):8.2f} {rows:6} "
                      f"{p95(texts):9.2f} {p95(floor):10.2f} {p95(times) / p95(floor):6.1f}")
        sql, args_of = base_sql["symbol"]
        times = []
        for _ in range(3):
            a = cases["symbol"]()
            t = time.perf_counter()
            store.conn.execute(sql, args_of(a)).fetchall()
            times.append((time.perf_counter() - t) * 1000)
        ours = []
        for _ in range(30):
            a = cases["symbol"]()
            t = time.perf_counter()
            store.events(limit=100, newest=True, **a)
            ours.append((time.perf_counter() - t) * 1000)
        print(f"baseline json_extract scan by symbol: median {statistics.median(times):.1f} ms; "
              f"debugtape {statistics.median(ours):.2f} ms; speed-up {statistics.median(times) / statistics.median(ours):.0f}x")
        store.close()
        # `debugtape sessions` as a whole process, against `python -c pass` start-up.
        exe = [sys.executable, "-m", "debugtape", "sessions", "--db", str(db)]
        walls, bare = [], []
        for _ in range(7):
            t = time.perf_counter()
            subprocess.run(exe, capture_output=True, check=True)
            walls.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare.append((time.perf_counter() - t) * 1000)
        print(f"debugtape sessions: median {statistics.median(walls):.0f} ms as a process "
              f"(python -c pass: {statistics.median(bare):.0f} ms; target < 150 ms)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
