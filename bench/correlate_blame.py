"""Blame for a 20-frame stack on a 5,000-commit repository: debugtape's cached per-file blame
against one `git blame -L N,N --porcelain` per frame, side by side in one run.

    python bench/correlate_blame.py [--quick] [--commits N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from debugtape.correlate import context  # noqa: E402
from debugtape.correlate.blame import BlameCache  # noqa: E402
from tests.correlate.gitrepo import GitRepo, fast_import_history  # noqa: E402


def _forget_repos() -> None:
    # Cold means cold: no repository discovery or HEAD cached from an earlier run.
    context._repos.clear()
    context._dir_top.clear()
    context._by_path.clear()


def baseline(root: Path, locs: list[tuple[str, int]]) -> float:
    t = time.perf_counter()
    for path, line in locs:
        subprocess.run(["git", "blame", "-L", f"{line},{line}", "--porcelain", path],
                       cwd=root, capture_output=True, check=True)
    return time.perf_counter() - t


def cold(locs: list[tuple[str, int]]) -> tuple[float, int]:
    _forget_repos()
    cache = BlameCache()
    t = time.perf_counter()
    cache.blame(locs)
    return time.perf_counter() - t, cache.git_calls


def warm(locs: list[tuple[str, int]], rounds: int) -> float:
    cache = BlameCache()
    cache.blame(locs)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        cache.blame(locs)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--commits", type=int, default=5000)
    args = ap.parse_args()
    reps = 2 if args.quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "big")
        t = time.perf_counter()
        fast_import_history(repo, args.commits)
        print(f"built a {args.commits}-commit repository (20 files x 300 lines) in {time.perf_counter() - t:.1f} s")
        stacks = {
            "20 frames in 5 files": [(str(repo.root / f"src/f{i % 5}.c"), 1 + i * 13) for i in range(20)],
            "20 frames in 20 files": [(str(repo.root / f"src/f{i}.c"), 1 + i * 13) for i in range(20)],
        }
        print(f"{'stack':<24}{'baseline':>12}{'cold':>12}{'warm':>12}{'cold x':>9}{'warm x':>9}  git calls")
        for name, locs in stacks.items():
            base = statistics.median(baseline(repo.root, locs) for _ in range(reps))
            colds = [cold(locs) for _ in range(reps)]
            c = statistics.median(x for x, _ in colds)
            w = warm(locs, 50 if args.quick else 500)
            print(f"{name:<24}{base * 1000:>10.1f}ms{c * 1000:>10.1f}ms{w * 1000:>10.3f}ms"
                  f"{base / c:>8.1f}x{base / w:>8.0f}x  {colds[0][1]} (baseline {len(locs)})")
        print("targets: warm <= 50 ms, cold <= 500 ms")


if __name__ == "__main__":
    main()
