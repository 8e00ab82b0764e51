"""Recording cost per breakpoint hit in gdb, side by side in one run.

The same program (tests/fixtures/c/hits.c: `hit` under a 7-frame stack) hits the same breakpoint
N times (default 1,000) under:

- baseline: gdb's own logging of the hit (`commands` / `silent` / `bt full` / `continue` / `end`),
  output to a file;
- debugtape in gdb: `tape start`, the breakpoint with `commands` / `silent` / `continue` / `end`:
  a snapshot (frames, arguments and locals of the top 5, bounded) at every stop, handed to
  `debugtape ingest`, which redacts, correlates and stores it; the run ends when the session is
  stored;
- debugtape headless: `debugtape record --gdb --break hit -- hits N` (gdb over MI);
- debugtape in gdb with `tape snappoint hit` (records and carries on without a stop);
- for reference, the in-gdb capture alone (snapshots built and dropped, no ingest process).

Each variant runs --repeat times, alternating; the median wall time is reported.

    python bench/gdb_hits.py [--quick] [--hits N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _prep  # noqa: E402  (bench/, beside this script)

from debugtape.cli.cmd_gdb_init import init_line  # noqa: E402

GDB = ["gdb", "-nx", "-batch", "-iex", "set debuginfod enabled off"]


def build(out: Path) -> Path:
    prog = out / "hits"
    subprocess.run(["gcc", "-g", "-O0", "-o", str(prog), str(ROOT / "tests/fixtures/c/hits.c")], check=True)
    return prog


def script(tmp: Path, name: str, lines: list[str]) -> Path:
    # `commands ... end` needs a script file: gdb does not take it through -ex.
    path = tmp / f"{name}.gdb"
    path.write_text("\n".join(lines) + "\n")
    return path


CPU: dict[str, list[float]] = {}


def timed(cmd: list[str], log: Path | None = None, label: str = "") -> float:
    """Wall seconds; the CPU seconds of the run and its children (ingest too) go to CPU[label]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    with open(log or os.devnull, "w") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(label, []).append(cpu)
    return wall


def gdb_run(prog: Path, n: int, commands: Path, *pre: str, log: Path | None = None, label: str = "") -> float:
    return timed([*GDB, *pre, "-x", str(commands), "--args", str(prog), str(n)], log, label)


def headless(prog: Path, n: int, db: Path) -> float:
    return timed([sys.executable, "-m", "debugtape", "record", "--gdb", "--db", str(db), "--quiet",
                  "--break", "hit", "--", str(prog), str(n)], label="headless")


def count_snapshots(db: Path) -> tuple[int, float]:
    """Snapshots stored in the newest session and the span between the first and the last."""
    from debugtape.events import parse_ts
    from debugtape.store import Store

    store = Store(db)
    try:
        sid = store.sessions()[-1]["id"]
        snaps = store.events(session=sid, types=["debug_snapshot"])
    finally:
        store.close()
    if len(snaps) < 2:
        return len(snaps), 0.0
    return len(snaps), parse_ts(snaps[-1].event.ts) - parse_ts(snaps[0].event.ts)


def main() -> None:
    _prep.compile_package()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 hits, one repetition")
    ap.add_argument("--hits", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    n, repeat = (200, 1) if a.quick else (a.hits, a.repeat)
    with tempfile.TemporaryDirectory(prefix="debugtape-bench-") as d:
        tmp = Path(d)
        prog = build(tmp)
        plain = script(tmp, "plain", ["break hit", "commands", "silent", "continue", "end", "run"])
        bt_full = script(tmp, "bt_full", ["break hit", "commands", "silent", "bt full", "continue", "end", "run"])
        # The capture alone: the same snapshots, handed to a sink that drops them (no ingest child).
        drop = tmp / "drop.py"
        drop.write_text(
            "import debugtape.adapters.gdb.commands as c\n"
            "class Drop:\n"
            "    def send(self, r): pass\n"
            "    def flush(self, timeout=5.0): pass\n"
            "    def close(self, timeout=30.0): return 0\n"
            "    def alive(self): return True\n"
            "c.TAPE.recorder._sink_factory = lambda db: Drop()\n")
        capture = script(tmp, "capture", [f"source {drop}", f"tape start --db {tmp / 'drop.db'}", "break hit",
                                          "commands", "silent", "continue", "end", "run"])
        times: dict[str, list[float]] = {"plain": [], "bt_full": [], "capture": [], "in_gdb": [], "snappoint": [],
                                         "headless": []}
        stored: dict[str, tuple[int, float]] = {}
        for r in range(repeat):
            times["plain"].append(gdb_run(prog, n, plain, label="plain"))
            log = tmp / "bt_full.log"
            times["bt_full"].append(gdb_run(prog, n, bt_full, log=log, label="bt_full"))
            assert log.read_text().count("\n#0 ") >= n, "bt full did not log every hit"
            times["capture"].append(gdb_run(prog, n, capture, "-iex", init_line(), label="capture"))
            db = tmp / f"in{r}" / "tape.db"
            tape = script(tmp, f"tape{r}", [f"tape start --db {db} bench", "break hit", "commands", "silent",
                                            "continue", "end", "run"])
            times["in_gdb"].append(gdb_run(prog, n, tape, "-iex", init_line(), label="in_gdb"))
            stored["in_gdb"] = count_snapshots(db)
            db = tmp / f"sp{r}" / "tape.db"
            snap = script(tmp, f"snap{r}", [f"tape start --db {db} bench", "tape snappoint hit", "run"])
            times["snappoint"].append(gdb_run(prog, n, snap, "-iex", init_line(), label="snappoint"))
            stored["snappoint"] = count_snapshots(db)
            db = tmp / f"hl{r}" / "tape.db"
            times["headless"].append(headless(prog, n, db))
            stored["headless"] = count_snapshots(db)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{n} breakpoint hits, median of {repeat} run(s), wall time of the whole gdb run:")
        print(f"  gdb, silent continue (no logging, floor)   {med['plain']:7.2f} s")
        print(f"  gdb, bt full logging (baseline)             {med['bt_full']:7.2f} s  "
              f"{(med['bt_full'] - med['plain']) / n * 1000:6.2f} ms/hit over the floor")
        print(f"  debugtape in gdb, capture only (not stored)  {med['capture']:7.2f} s  "
              f"{(med['capture'] - med['plain']) / n * 1000:6.2f} ms/hit over the floor")
        for key, label in (("in_gdb", "debugtape in gdb (tape start)"),
                           ("snappoint", "debugtape in gdb (tape snappoint)"),
                           ("headless", "debugtape record --gdb (MI)")):
            snaps, span = stored[key]
            rate = (snaps - 1) / span if span > 0 else float("nan")
            print(f"  {label:<42}{med[key]:7.2f} s  {(med[key] - med['plain']) / n * 1000:6.2f} ms/hit over the floor; "
                  f"{snaps} snapshots stored, {n / med[key]:.0f} hits/s overall, {rate:.0f} hits/s while running")
        cpu = {k: statistics.median(v) for k, v in CPU.items()}
        print("CPU seconds (gdb and its children, the ingest process included; less sensitive to a busy machine):")
        print("  " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()))
        print("CPU ms per hit over the floor: " + ", ".join(
            f"{k} {(v - cpu['plain']) / n * 1000:.2f}" for k, v in cpu.items() if k != "plain"))
        print(f"ratio capture only / gdb bt full: {med['capture'] / med['bt_full']:.2f} wall, "
              f"{cpu['capture'] / cpu['bt_full']:.2f} CPU")
        print(f"ratio debugtape in gdb / gdb bt full: {med['in_gdb'] / med['bt_full']:.2f} wall, "
              f"{cpu['in_gdb'] / cpu['bt_full']:.2f} CPU (target <= 1.0)")
        print(f"ratio debugtape in gdb with tape snappoint / gdb bt full: {med['snappoint'] / med['bt_full']:.2f} wall, "
              f"{cpu['snappoint'] / cpu['bt_full']:.2f} CPU")
        print(f"ratio debugtape headless / gdb bt full: {med['headless'] / med['bt_full']:.2f} wall, "
              f"{cpu['headless'] / cpu['bt_full']:.2f} CPU")
        print(f"headless recorded hits per second (whole run): {n / med['headless']:.0f} (target >= 200)")


if __name__ == "__main__":
    main()
