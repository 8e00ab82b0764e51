"""Follow latency: an event emitted by one process shows in `debugtape follow` in another.

Run: python bench/spine_follow.py [--events N] [--quick]
Measures emit -> line printed by a real `debugtape follow --json` child, and, side by side,
the 150 ms polling interval the observability spec allows (what a naive 150 ms poll would give).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from debugtape.pipeline import open_pipeline


def run(db: Path, n: int, interval: float) -> list[float]:
    with open_pipeline(db) as p:
        p.feed({"kind": "start", "name": "follow-bench", "tool": "bench"})
        p.sink.flush()
        child = subprocess.Popen([sys.executable, "-m", "debugtape", "follow", p.session_id, "--json", "-n", "0",
                                  "--db", str(db)], stdout=subprocess.PIPE, text=True, bufsize=1)
        seen: dict[int, float] = {}

        def reader() -> None:
            assert child.stdout
            for line in child.stdout:
                ev = json.loads(line)
                if ev["type"] == "note":
                    seen[int(ev["data"]["text"])] = time.perf_counter()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        time.sleep(1.5)  # let the child start and begin polling
        sent: dict[int, float] = {}
        for i in range(n):
            sent[i] = time.perf_counter()
            p.feed({"kind": "note", "text": str(i)})
            time.sleep(interval)
        deadline = time.time() + 10
        while len(seen) < n and time.time() < deadline:
            time.sleep(0.01)
        child.terminate()
        child.wait()
    return [(seen[i] - sent[i]) * 1000 for i in range(n) if i in seen]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 40 if args.quick else args.events
    work = Path(tempfile.mkdtemp(prefix="dt-follow-"))
    try:
        lat = sorted(run(work / "tape.db", n, 0.02))
        p50, p95 = statistics.median(lat), lat[int(len(lat) * 0.95) - 1]
        print(f"events followed: {len(lat)}/{n}")
        print(f"debugtape follow : median {p50:.1f} ms, p95 {p95:.1f} ms  (target 10 ms / 50 ms)")
        print("spec allowance   : median 150 ms, p95 500 ms")
        print(f"ratio to spec    : median {p50 / 150:.3f}, p95 {p95 / 500:.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
