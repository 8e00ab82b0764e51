"""Correlation's share of a real gdb breakpoint hit: `debugtape record --gdb` on a program that
stops N times in a 20-deep stack spread over five files, with DEBUGTAPE_CORRELATE=off and on,
side by side in one run. Per-hit cost = (time for N hits - time for N/10 hits) / (0.9 N).

    python bench/correlate_gdb.py [--quick] [--hits N] [--commits N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _prep  # noqa: E402  (bench/, beside this script)

from tests.correlate.gitrepo import GitRepo, fast_import_history  # noqa: E402

# Five files; level k of the recursion lives in file k % 5, so the stack spans all of them.
LEVEL = """#include "deep.h"

int level{k}(int depth, int i)
{{
  int here = depth * 10 + i;
  if (depth >= 19)
    return leaf(i, here);
  return next_level(depth + 1, i) + here % 3;
}}
"""
LEAF = """#include "deep.h"

int leaf(int i, int here)
{
  int sq = i * i + here;
  return sq % 7;
}

int next_level(int depth, int i)
{
  switch (depth % 5) {
  case 0: return level0(depth, i);
  case 1: return level1(depth, i);
  case 2: return level2(depth, i);
  case 3: return level3(depth, i);
  default: return level4(depth, i);
  }
}

int main(int argc, char **argv)
{
  int n = argc > 1 ? atoi(argv[1]) : 10;
  int total = 0;
  for (int i = 0; i < n; i++)
    total += next_level(1, i);
  printf("%d\\n", total);
  return 0;
}
"""
HEADER = """#include <stdio.h>
#include <stdlib.h>
int leaf(int i, int here);
int next_level(int depth, int i);
int level0(int, int); int level1(int, int); int level2(int, int); int level3(int, int); int level4(int, int);
"""
BREAK_LINE = 5  # `int sq = ...` in leaf()


def build(root: Path) -> Path:
    src = root / "deep"
    src.mkdir()
    (src / "deep.h").write_text(HEADER)
    (src / "leaf.c").write_text(LEAF)
    for k in range(5):
        (src / f"level{k}.c").write_text(LEVEL.format(k=k))
    prog = root / "deep.bin"
    subprocess.run(["gcc", "-g", "-O0", "-o", str(prog), *map(str, sorted(src.glob("*.c")))], check=True)
    return prog


def record(root: Path, prog: Path, db: Path, hits: int, correlate: bool) -> float:
    env = {**os.environ, "DEBUGTAPE_CORRELATE": "on" if correlate else "off"}
    cmd = [sys.executable, "-m", "debugtape", "record", "--gdb", "--break", f"deep/leaf.c:{BREAK_LINE}",
           "--db", str(db), "--", str(prog), str(hits)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=1800)
    took = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"debugtape record failed: {proc.stderr[-2000:]}")
    return took


def snapshots(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM snapshots").fetchone()[0])


def main() -> None:
    _prep.compile_package()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--hits", type=int, default=None)
    ap.add_argument("--commits", type=int, default=None)
    args = ap.parse_args()
    if not shutil.which("gdb") or not shutil.which("gcc"):
        raise SystemExit("needs gdb and gcc (scripts/install.sh)")
    hits = args.hits or (200 if args.quick else 1000)
    few = max(1, hits // 10)
    commits = args.commits or (1000 if args.quick else 5000)
    reps = 2 if args.quick else 4
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo")
        fast_import_history(repo, commits)
        prog = build(repo.root)
        repo.commit("deep stack program")
        per: dict[bool, list[float]] = {False: [], True: []}
        for r in range(reps):
            for on in (False, True):  # alternate, so a busy machine weighs on both sides alike
                big = Path(tmp) / f"{on}-{r}-big.db"
                small = Path(tmp) / f"{on}-{r}-small.db"
                t_big = record(repo.root, prog, big, hits, on)
                t_small = record(repo.root, prog, small, few, on)
                got = snapshots(big)
                if got < hits * 0.95:
                    print(f"warning: {got} of {hits} hits recorded (rate limit?)")
                per[on].append((t_big - t_small) / (hits - few))
        print(f"{commits}-commit repository; gdb stops {hits} times in a 20-deep stack over 6 files, "
              f"{reps} runs each")
        # The minimum is the least disturbed run: on a busy machine the median mostly measures
        # the neighbours.
        for label, pick in (("min", min), ("median", statistics.median)):
            off, on_ = pick(per[False]), pick(per[True])
            print(f"per recorded hit ({label}): correlation off {off * 1000:.2f} ms, on {on_ * 1000:.2f} ms, "
                  f"added {(on_ / off - 1) * 100:+.1f}% (target <= 20%)")


if __name__ == "__main__":
    main()
