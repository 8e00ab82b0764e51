"""Sampled stacks of a busy 4-thread program at 100 Hz with gdb, side by side in one run.

- baseline, the "poor man's profiler": one `gdb -p PID -batch -ex 'thread apply all bt'` per
  sample, timed while the program runs;
- debugtape in gdb: `tape sample 100hz` (a helper sends SIG36, a silent catchpoint stops, the
  stop handler reads every thread's stack, the loop continues);
- debugtape headless: `debugtape record --gdb --sample 100hz` (the same in gdb, continued over MI).

The cost of one debugtape sample is the time the program loses to it: tests/fixtures/c/threads.c
runs for a fixed time and counts its work, so (1 - work sampled / work alone) x duration / samples
is what each sample cost the program.

    python bench/gdb_sampling.py [--quick] [--seconds S] [--pmp N]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from debugtape.cli.cmd_gdb_init import init_line  # noqa: E402

GDB = ["gdb", "-nx", "-batch", "-iex", "set debuginfod enabled off"]


def build(out: Path) -> Path:
    prog = out / "threads"
    subprocess.run(["gcc", "-g", "-O0", "-pthread", "-o", str(prog), str(ROOT / "tests/fixtures/c/threads.c")],
                   check=True)
    return prog


def work(text: str) -> int:
    m = re.search(r"progress (\d+) (\d+) (\d+) (\d+)", text)
    if not m:
        raise RuntimeError(f"the program did not report its progress: {text[-500:]}")
    return sum(int(x) for x in m.groups())


def alone(prog: Path, secs: float) -> int:
    return work(subprocess.run([str(prog), str(secs)], capture_output=True, text=True, check=True).stdout)


def poor_mans_profiler(prog: Path, secs: float, samples: int) -> float:
    """Seconds per sample of `gdb -p PID -batch -ex 'thread apply all bt'`."""
    proc = subprocess.Popen([str(prog), str(samples * 10.0 + 5)], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.2)
        t = time.perf_counter()
        for _ in range(samples):
            out = subprocess.run([*GDB, "-p", str(proc.pid), "-ex", "thread apply all bt"],
                                 capture_output=True, text=True, check=True)
            assert "spin" in out.stdout or "worker" in out.stdout, out.stdout[-300:]
        return (time.perf_counter() - t) / samples
    finally:
        proc.kill()
        proc.wait()


def stored_samples(db: Path) -> tuple[int, float]:
    """Samples stored and their rate between the first and the last."""
    from debugtape.events import parse_ts
    from debugtape.store import Store

    store = Store(db)
    try:
        rows = store.events(types=["stack_sample"])
    finally:
        store.close()
    if len(rows) < 2:
        return len(rows), 0.0
    return len(rows), (len(rows) - 1) / (parse_ts(rows[-1].event.ts) - parse_ts(rows[0].event.ts))


def in_gdb(prog: Path, secs: float, db: Path) -> tuple[int, tuple[int, float], float]:
    t = time.perf_counter()
    out = subprocess.run([*GDB, "-iex", init_line(), "-ex", f"tape start --db {db} bench", "-ex", "break main",
                          "-ex", "run", "-ex", "tape sample 100hz", "--args", str(prog), str(secs)],
                         capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    return work(out.stdout), stored_samples(db), time.perf_counter() - t


def headless(prog: Path, secs: float, db: Path) -> tuple[int, tuple[int, float], float]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "debugtape", "record", "--gdb", "--db", str(db), "--sample", "100hz",
                          "--", str(prog), str(secs)], capture_output=True, text=True, check=True)
    return work(out.stderr), stored_samples(db), time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 s runs, 3 baseline samples")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--pmp", type=int, default=10, help="baseline samples to time")
    a = ap.parse_args()
    secs, pmp_n = (1.0, 3) if a.quick else (a.seconds, a.pmp)
    with tempfile.TemporaryDirectory(prefix="debugtape-bench-") as d:
        tmp = Path(d)
        prog = build(tmp)
        base_work = alone(prog, secs)
        pmp = poor_mans_profiler(prog, secs, pmp_n)
        rows = []
        for label, fn in (("debugtape in gdb (tape sample 100hz)", in_gdb),
                          ("debugtape record --gdb --sample 100hz", headless)):
            done, (n, rate), wall = fn(prog, secs, tmp / label.split()[1] / "tape.db")
            lost = max(0.0, 1 - done / base_work) * secs
            per = lost / n if n else float("nan")
            rows.append((label, n, rate, done / base_work, per, wall))
        print(f"busy 4-thread program for {secs:g} s; work alone: {base_work}")
        print(f"  poor man's profiler (gdb -p PID -batch -ex 'thread apply all bt'): {pmp * 1000:8.1f} ms per sample")
        for label, n, rate, progress, per, wall in rows:
            print(f"  {label:<40} {n:5d} samples at {rate:5.1f}/s, the program kept "
                  f"{progress:5.1%} of its speed, {per * 1000:6.2f} ms per sample; gdb run {wall:.1f} s")
        for label, _n, _r, _p, per, _w in rows:
            if per > 0:
                print(f"ratio poor man's profiler / {label}: {pmp / per:6.0f}x cheaper (target >= 50x)")
            else:  # the program lost no measurable work to sampling in this run (noise)
                print(f"ratio poor man's profiler / {label}: no measurable cost per sample in this run "
                      "(re-run, or a longer --seconds, for a finite ratio)")


if __name__ == "__main__":
    main()
