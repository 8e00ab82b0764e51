"""Sampled stacks of a busy multi-threaded program: debugtape over lldb vs one `lldb -p` per sample.

In one run, on tests/fixtures/c/threads.c (4 busy threads, fixed duration):

- plain: the program alone; its progress counters are the reference;
- debugtape: the `debugtape record --lldb --sample 100hz -- threads D` driver (headless, SB API),
  run in this process: samples stored, and the cost per sample as the time the driver holds the
  program stopped (stop event seen, every thread's stack read and handed on, continued);
- baseline: the "poor man's profiler" with lldb, `lldb-19 -p PID -b -o 'thread backtrace all'`,
  timed per sample against the same running program.

Usage: python bench/lldb_sampling.py [--quick] [--seconds D] [--baseline-samples K]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from debugtape.adapters.lldb.locate import lldb_binary  # noqa: E402


def progress(text: str) -> int:
    m = re.search(r"progress ((?:\d+ ?)+)", text)
    if not m:
        raise SystemExit(f"no progress line in {text!r}")
    return sum(int(x) for x in m.group(1).split())


def count_samples(db: Path, session: str) -> int:
    from debugtape.store import Store

    store = Store(db)
    try:
        return sum(1 for _ in store.events(session=store.resolve_session(session), types=["stack_sample"]))
    finally:
        store.close()


def baseline(lldb: str, prog: Path, samples: int) -> tuple[list[float], int]:
    """Seconds per `lldb -p PID -b -o 'thread backtrace all'`, and how many attaches failed."""
    proc = subprocess.Popen([str(prog), "600"], stdout=subprocess.DEVNULL)
    times: list[float] = []
    failed = 0
    try:
        time.sleep(0.3)
        while len(times) < samples and failed < samples * 4:
            t0 = time.perf_counter()
            out = subprocess.run([lldb, "--no-lldbinit", "-p", str(proc.pid), "-b", "-o", "thread backtrace all"],
                                 capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
            elapsed = time.perf_counter() - t0
            if out.stdout.count("frame #0") >= 4:
                times.append(elapsed)
            else:  # lldb-server 19 sometimes crashes attaching to a multi-threaded process here
                failed += 1
    finally:
        proc.kill()
        proc.wait()
    return times, failed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 s run, 3 baseline samples")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--baseline-samples", type=int, default=8)
    ap.add_argument("--rate", default="100hz")
    args = ap.parse_args()
    seconds, base_n = (1.0, 3) if args.quick else (args.seconds, args.baseline_samples)
    lldb = lldb_binary()
    if not lldb:
        sys.exit("lldb-19 is not installed")
    work = Path(tempfile.mkdtemp(prefix="lldb-sampling-"))
    prog = work / "threads"
    subprocess.run(["gcc", "-g", "-O0", "-pthread", "-o", str(prog), str(REPO / "tests/fixtures/c/threads.c")],
                   check=True)
    plain = progress(subprocess.run([str(prog), str(seconds)], capture_output=True, text=True, check=True).stdout)
    db = work / "tape.db"
    # In this process, so the driver's own timing of each sample (stop seen -> continued) is at hand.
    import contextlib
    import io

    from debugtape.adapters.common.options import RecordOptions
    from debugtape.adapters.lldb import record as lldb_record
    from debugtape.records import parse_rate

    opts = RecordOptions(program=[str(prog), str(seconds)], db=db, sample_hz=parse_rate(args.rate), cwd=str(work))
    out = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out):
        session = lldb_record.record(opts)
    wall = time.perf_counter() - t0
    recorded = progress(out.getvalue())
    samples = count_samples(db, session)
    stats = lldb_record.LAST_RUN
    per_sample = stats.sample_seconds / max(stats.samples, 1)
    base, failed = baseline(lldb, prog, base_n)
    print(f"lldb-19 sampling a 4-thread busy program for {seconds:g} s at {args.rate}")
    print(f"  debugtape record --lldb: {samples} samples ({samples / seconds:.0f}/s), run {wall:.2f} s,"
          f" program progress {recorded / plain:.0%} of a plain run")
    print(f"  debugtape cost per sample (program stopped: stop seen -> stacks read -> continued): "
          f"{per_sample * 1000:.2f} ms over {stats.samples} samples")
    if base:
        med = statistics.median(base)
        print(f"  lldb -p PID -b -o 'thread backtrace all': {med * 1000:.0f} ms per sample (median of {len(base)},"
              f" {failed} attaches failed and were retried)")
        print(f"  ratio baseline / debugtape per sample: {med / max(per_sample, 1e-6):.0f}x  (target >= 50x)")
    else:
        print(f"  lldb -p baseline: every attach failed ({failed}); lldb-server 19 crashes attaching here")


if __name__ == "__main__":
    main()
