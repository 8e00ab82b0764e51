"""Recorded breakpoint hits per second under debugpy, side by side in one run.

The same program (tests/fixtures/python/loop.py: `step` called N times) hits the same breakpoint
under the same recorder, which at every stop asks for the threads (once), the stack and the
locals of the top frames (through their scopes at the first stop, then through the frame ids
once debugpy is seen to answer both alike), writes a snapshot into a store and continues:

- baseline: a plain DAP client: debugpy's adapter and debuggee as they come (`python -m
  debugpy.adapter`, Nagle on, pydevd writing header and body apart);
- debugtape through debugpy's adapter (`DEBUGTAPE_DEBUGPY_ADAPTER=1`): the transport fixes
  (TCP_NODELAY in the adapter and the debuggee), every request through the adapter process;
- debugtape: `debugtape record --python` as it runs by default: the transport fixes, and DAP
  straight to debugpy's server in the program (no adapter process in between).

Hits per second are counted from the first recorded stop to the last (start-up excluded), from
the snapshots' own timestamps in the store.

    python bench/dap_headless.py [--quick] [--hits N] [--baseline-hits M]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _prep  # noqa: E402  (bench/, beside this script)

from debugtape.adapters.common.options import RecordOptions  # noqa: E402
from debugtape.adapters.dap.record import HeadlessRecorder  # noqa: E402
from debugtape.events import parse_ts  # noqa: E402
from debugtape.pipeline import open_pipeline  # noqa: E402
from debugtape.store import Store  # noqa: E402

LOOP = ROOT / "tests" / "fixtures" / "python" / "loop.py"


def hit_line() -> int:
    return next(i for i, line in enumerate(LOOP.read_text().splitlines(), 1) if "MARK:hit" in line)


def run(hits: int, nodelay: bool, direct: bool, work: Path) -> tuple[int, float, float]:
    """(snapshots stored, hits per second between the first and last stop, wall seconds)."""
    db = work / ("direct" if direct else "fixed" if nodelay else "plain") / "tape.db"
    opts = RecordOptions(program=[str(LOOP), str(hits)], db=db, breaks=[f"{LOOP}:{hit_line()}"], cwd=str(work),
                         quiet=True)
    t0 = time.perf_counter()
    with open_pipeline(db, cwd=str(work)) as pipeline:
        HeadlessRecorder(opts, nodelay=nodelay, direct=direct).run(pipeline.feed)
        session = pipeline.session_id
    wall = time.perf_counter() - t0
    store = Store(db)
    try:
        stamps = [parse_ts(row.event.ts) for row in store.events(session=session, types=["debug_snapshot"])]
    finally:
        store.close()
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else 0.0
    return len(stamps), rate, wall


def main() -> None:
    _prep.compile_package()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 hits, 8 for the baseline")
    ap.add_argument("--hits", type=int, default=None)
    ap.add_argument("--baseline-hits", type=int, default=None)
    args = ap.parse_args()
    hits = args.hits or (200 if args.quick else 1000)
    base_hits = args.baseline_hits or (8 if args.quick else 30)
    with tempfile.TemporaryDirectory(prefix="debugtape-bench-") as tmp:
        work = Path(tmp)
        b_n, b_rate, b_wall = run(base_hits, nodelay=False, direct=False, work=work)
        a_n, a_rate, a_wall = run(hits, nodelay=True, direct=False, work=work)
        d_n, d_rate, d_wall = run(hits, nodelay=True, direct=True, work=work)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work slows every variant)")
    print(f"{'variant':<40} {'hits':>6} {'hits/s':>9} {'wall s':>8}")
    print(f"{'baseline: plain DAP client':<40} {b_n:>6} {b_rate:>9.1f} {b_wall:>8.2f}")
    print(f"{'debugtape, through debugpy adapter':<40} {a_n:>6} {a_rate:>9.1f} {a_wall:>8.2f}")
    print(f"{'debugtape record --python (direct)':<40} {d_n:>6} {d_rate:>9.1f} {d_wall:>8.2f}")
    ratio = d_rate / b_rate if b_rate else float("inf")
    print(f"ratio: debugtape records {ratio:.1f}x the hits per second of the plain client "
          f"(target >= 200 hits/s: {'met' if d_rate >= 200 else 'NOT met'})")


if __name__ == "__main__":
    main()
