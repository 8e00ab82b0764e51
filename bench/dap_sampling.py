"""Stack samples per second of a busy Python program under `debugtape record --python --sample`,
side by side in one run for its two samplers.

tests/fixtures/python/busy.py spins for S seconds in `outer` -> `inner`; the recorder asks for
RATE Hz and stores every sample (pipeline, redaction, store):

- DAP pause sampling (the fallback): pause, stack of every thread, continue, over debugpy;
- py-spy (used when installed and allowed to attach): `py-spy record` beside the debug session.

Samples per second are counted over the program's busy time, from the stored samples' own
timestamps; the share of samples that caught `inner` shows they are samples of the real work.

    python bench/dap_sampling.py [--quick] [--seconds S] [--rate RATE]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from debugtape.adapters.common.options import RecordOptions  # noqa: E402
from debugtape.adapters.dap.record import record  # noqa: E402
from debugtape.adapters.dap.sampling import py_spy_path  # noqa: E402
from debugtape.events import parse_ts  # noqa: E402
from debugtape.store import Store  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "python"


def sample(seconds: float, rate: float, use_py_spy: bool, work: Path) -> tuple[int, float, float]:
    """(samples stored, samples per second while busy, share of samples inside `inner`)."""
    os.environ["DEBUGTAPE_PY_SPY"] = "1" if use_py_spy else "0"
    db = work / ("pyspy" if use_py_spy else "pause") / "tape.db"
    sid = record(RecordOptions(program=["busy.py", str(seconds)], db=db, cwd=str(FIXTURES), sample_hz=rate))
    store = Store(db)
    try:
        rows = [row.event for row in store.events(session=sid, types=["stack_sample"])]
    finally:
        store.close()
    busy = [e for e in rows if any(f.get("symbol") in ("inner", "outer") for f in e.data.get("frames", []))]
    inner = sum(1 for e in busy if any(f.get("symbol") == "inner" for f in e.data.get("frames", [])))
    if len(busy) < 2:
        return len(rows), 0.0, 0.0
    span = parse_ts(busy[-1].ts) - parse_ts(busy[0].ts)
    return len(rows), (len(busy) - 1) / span if span > 0 else 0.0, inner / len(busy)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1.5 s of work instead of 5")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--rate", type=float, default=100.0)
    args = ap.parse_args()
    seconds = args.seconds or (1.5 if args.quick else 5.0)
    rows = []
    with tempfile.TemporaryDirectory(prefix="debugtape-bench-") as tmp:
        rows.append(("DAP pause sampling", *sample(seconds, args.rate, False, Path(tmp))))
        if py_spy_path():
            rows.append(("py-spy", *sample(seconds, args.rate, True, Path(tmp))))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work slows every variant)")
    print(f"requested {args.rate:.0f} Hz over {seconds} s of work")
    print(f"{'sampler':<22} {'stored':>7} {'samples/s':>10} {'in inner':>9}")
    for name, n, per_s, share in rows:
        print(f"{name:<22} {n:>7} {per_s:>10.1f} {share:>8.0%}")
    best = max(r[2] for r in rows)
    ratio = rows[-1][2] / rows[0][2] if len(rows) > 1 and rows[0][2] else 1.0
    print(f"ratio: py-spy / pause = {ratio:.2f}x; best {best:.1f} samples/s "
          f"(target >= 50: {'met' if best >= 50 else 'NOT met'})")


if __name__ == "__main__":
    main()
