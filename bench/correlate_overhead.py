"""What correlation adds to the recorded cost of a breakpoint hit: the same 20-frame snapshot
records through the real pipeline and store, without and with GitCorrelator, in one run.

The baseline is the pipeline's own cost per hit (bound, redact, sequence, SQLite write); the
debugger's capture cost comes on top of both, so the ratio printed here is the stricter one.

    python bench/correlate_overhead.py [--quick] [--hits N] [--commits N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from debugtape.correlate import make_correlator  # noqa: E402
from debugtape.pipeline import NullCorrelator, RateLimits, SessionPipeline  # noqa: E402
from debugtape.redact import load_redactor  # noqa: E402
from debugtape.store import Store  # noqa: E402
from tests.correlate.gitrepo import GitRepo, fast_import_history  # noqa: E402


def _record(root: Path, hit: int, step: bool) -> dict[str, Any]:
    frames = []
    for i in range(20):
        line = 1 + i * 13 + (hit % 10 if step and i == 0 else 0)
        frame: dict[str, Any] = {"index": i, "symbol": f"fn{i}", "file": str(root / f"src/f{i % 5}.c"),
                                 "line": line, "module": str(root / "prog")}
        if i < 5:
            frame["args"] = {"n": hit, "ctx": f"0x{0x4052a0 + i:x}"}
            frame["locals"] = {"len": hit % 7, "buf": "0x4052a0 \"abcdef\"", "node": {"key": i, "count": hit}}
        frames.append(frame)
    return {"kind": "snapshot", "reason": "breakpoint", "bp_id": "1", "thread": {"id": 1, "name": "main"},
            "frames": frames}


def run(db: Path, root: Path, correlator: Any, hits: int, step: bool) -> tuple[float, float, float]:
    """(median seconds per hit, mean seconds per hit including the store's flush, first hit)."""
    store = Store(db)
    writer = store.background_writer()
    redactor = load_redactor(db.parent, root)
    p = SessionPipeline(writer, redactor, correlator=correlator,
                        limits=RateLimits(snapshots_per_s=None, samples_per_s=None))
    p.feed({"kind": "start", "tool": "gdb", "cwd": str(root), "name": "bench"})
    writer.flush()
    records = [_record(root, h, step) for h in range(hits)]
    times = []
    t0 = time.perf_counter()
    for rec in records:
        t = time.perf_counter()
        p.feed(rec)
        times.append(time.perf_counter() - t)
    writer.flush()
    total = time.perf_counter() - t0
    p.finish()
    writer.close()
    store.close()
    return statistics.median(times[1:]), total / hits, times[0]


def _stage_alone(root: Path, hits: int) -> float:
    """GitCorrelator.snapshot on its own, per hit, after the first."""
    c = make_correlator(str(root))
    c.session_context(str(root))
    records = [{k: v for k, v in _record(root, h, False).items() if k != "kind"} for h in range(hits)]
    c.snapshot(records[0])
    t = time.perf_counter()
    for rec in records[1:]:
        c.snapshot(rec)
    return (time.perf_counter() - t) / max(1, hits - 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--hits", type=int, default=None)
    ap.add_argument("--commits", type=int, default=None)
    args = ap.parse_args()
    hits = args.hits or (200 if args.quick else 2000)
    commits = args.commits or (1000 if args.quick else 5000)
    reps = 3
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo")
        fast_import_history(repo, commits)
        print(f"{commits}-commit repository, {hits} hits of a 20-frame stack (locals in the top 5)")
        print(f"{'scenario':<30}{'median/hit off':>15}{'on':>9}{'added':>8}"
              f"{'mean/hit off':>14}{'on':>9}{'added':>8}{'first hit':>11}")
        for name, step in (("same breakpoint, same stack", False), ("stepping through a function", True)):
            off: list[tuple[float, float, float]] = []
            on: list[tuple[float, float, float]] = []
            for r in range(reps):  # alternate, so a busy machine weighs on both sides alike
                off.append(run(Path(tmp) / f"off{step}{r}.db", repo.root, NullCorrelator(), hits, step))
                on.append(run(Path(tmp) / f"on{step}{r}.db", repo.root, make_correlator(str(repo.root)),
                              hits, step))
            m_off, m_on = (statistics.median(x[0] for x in v) for v in (off, on))
            a_off, a_on = (statistics.median(x[1] for x in v) for v in (off, on))
            first = statistics.median(x[2] for x in on)
            print(f"{name:<30}{m_off * 1e6:>12.0f} us{m_on * 1e6:>6.0f} us{(m_on / m_off - 1) * 100:>7.1f}%"
                  f"{a_off * 1e6:>11.0f} us{a_on * 1e6:>6.0f} us{(a_on / a_off - 1) * 100:>7.1f}%"
                  f"{first * 1000:>8.0f} ms")
        stage = _stage_alone(repo.root, hits)
        print(f"{'the correlation stage alone (warm, same stack)':<46}{stage * 1e6:>8.0f} us per hit")
        print("target: correlation adds <= 20% per hit. The first hit of a stack pays the cold blame;\n"
              "mean/hit spreads it over the run. The debugger's own capture cost, not counted\n"
              "here, makes both ratios smaller in a real session.")


if __name__ == "__main__":
    main()
