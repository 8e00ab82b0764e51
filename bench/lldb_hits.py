"""Recording cost per breakpoint hit inside lldb: debugtape vs lldb's own breakpoint logging.

Both runs hit the same breakpoint in tests/fixtures/c/hits.c N times (default 1,000), in the
same lldb-19 batch session shape, one after the other in this run:

- baseline: `breakpoint command add` printing `bt all` and `frame variable` for each of the top 5
  frames (`frame select N`), auto-continue, output to a file (logging the hits by hand);
- debugtape: `tape start` + `tape snappoint hit` (a snapshot of the stack with the locals of
  the top 5 frames, bounded, handed to `debugtape ingest`, redacted and stored).

The time is lldb's whole run, store writes included (lldb waits for ingest at the end).
Usage: python bench/lldb_hits.py [--quick] [--hits N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
import _prep  # noqa: E402  (bench/, beside this script)

from debugtape.adapters.lldb.locate import lldb_binary  # noqa: E402

INIT = [
    f'script import os, sys; sys.path.insert(0, "{REPO}"); os.environ.setdefault("DEBUGTAPE_PYTHON", "{sys.executable}")',
    "command script import debugtape.adapters.lldb.commands",
]


def lldb_run(lldb: str, commands: list[str], program: Path, hits: int, log: Path) -> float:
    cmd = [lldb, "--no-lldbinit", "-b"]
    for c in commands:
        cmd += ["-o", c]
    cmd += ["--", str(program), str(hits)]
    t0 = time.perf_counter()
    with log.open("w") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=True, timeout=900)
    return time.perf_counter() - t0


def main() -> None:
    _prep.compile_package()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 hits, one repeat")
    ap.add_argument("--hits", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    hits, repeat = (200, 1) if args.quick else (args.hits, args.repeat)
    lldb = lldb_binary()
    if not lldb:
        sys.exit("lldb-19 is not installed")
    work = Path(tempfile.mkdtemp(prefix="lldb-bench-"))
    prog = work / "hits"
    subprocess.run(["gcc", "-g", "-O0", "-o", str(prog), str(REPO / "tests/fixtures/c/hits.c")], check=True)
    db = work / "tape.db"
    script = work / "baseline.lldb"  # a multi-line breakpoint command needs a sourced file
    # `bt all`, then the variables of the top 5 frames: what a debugtape snapshot holds
    per_frame = "".join(f"frame select {i}\nframe variable\n" for i in range(5))
    script.write_text(f"breakpoint set -n hit\nbreakpoint command add 1\nbt all\n{per_frame}DONE\n"
                      "breakpoint modify --auto-continue true 1\nrun\n")
    baseline_cmds = [f"command source {script}"]
    debugtape_cmds = [*INIT, f"tape start --db {db} bench", "tape snappoint hit", "run"]
    empty_cmds = ["run"]
    results: dict[str, list[float]] = {"empty": [], "baseline": [], "debugtape": []}
    for _ in range(repeat):  # interleaved, so a busy machine slows both alike
        results["empty"].append(lldb_run(lldb, empty_cmds, prog, hits, work / "empty.log"))
        results["baseline"].append(lldb_run(lldb, baseline_cmds, prog, hits, work / "baseline.log"))
        results["debugtape"].append(lldb_run(lldb, INIT[:0] + debugtape_cmds, prog, hits, work / "debugtape.log"))
    base_log = (work / "baseline.log").read_text(errors="replace")
    assert base_log.count("frame #0") >= hits, "the baseline did not log every hit"
    assert "snappoint 1 at" in (work / "debugtape.log").read_text(errors="replace")
    med = {k: statistics.median(v) for k, v in results.items()}
    per_hit = {k: (med[k] - med["empty"]) / hits * 1000 for k in ("baseline", "debugtape")}
    print(f"lldb-19, {hits} breakpoint hits, median of {repeat} interleaved runs ({os.cpu_count()} CPUs)")
    print(f"  empty run (no breakpoint):          {med['empty']:.2f} s")
    print(f"  lldb's own logging (bt all + 5x frame variable): {med['baseline']:.2f} s  "
          f"{per_hit['baseline']:.2f} ms/hit  {hits / max(med['baseline'] - med['empty'], 1e-9):.0f} hits/s")
    print(f"  debugtape in lldb (snappoint, stored):        {med['debugtape']:.2f} s  "
          f"{per_hit['debugtape']:.2f} ms/hit  {hits / max(med['debugtape'] - med['empty'], 1e-9):.0f} hits/s")
    print(f"  ratio debugtape / lldb logging (whole run): {med['debugtape'] / med['baseline']:.2f}  (target <= 1.0)")
    print(f"  ratio per hit (empty run subtracted):       {per_hit['debugtape'] / per_hit['baseline']:.2f}")


if __name__ == "__main__":
    main()
