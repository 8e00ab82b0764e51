"""CPU per debug snapshot in the `debugtape ingest` process, against a floor of decoding and storing.

The records are what the gdb adapter sends for tests/fixtures/c/hits.c (`hit` under a 6-frame
stack, arguments and locals in the top 5; captured from a real `tape start` run), with the
source file in a fresh git repository so the correlation stage does its real work (commit
context, blame, symbols). Variants, alternated --repeat times, CPU time (all threads of the
process, or the child and its git children), median:

- floor: json.loads + validate, the snapshot through the redaction gate (the store accepts
  nothing else) and the store's writer: what any recording must pay;
- ingest, correlation off (DEBUGTAPE_CORRELATE=off), in this process;
- ingest, in this process;
- ingest as a `debugtape ingest` child (--child): per snapshot = (CPU with N snapshots - CPU
  with none) / N, so interpreter start-up does not count.

    python bench/ingest_snapshot.py [--snapshots N] [--repeat R] [--child] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from debugtape.cli.cmd_ingest import ingest_stream  # noqa: E402
from debugtape.events import Event, now_ts  # noqa: E402
from debugtape.records import validate  # noqa: E402
from debugtape.redact import load_redactor, redact_event  # noqa: E402
from debugtape.store import Store  # noqa: E402
from tests.correlate.gitrepo import GitRepo  # noqa: E402

# (symbol, line, args, locals, types) of the 6 frames gdb shows at `hit` in hits.c.
_POINT = {"x": 0, "y": 2, "label": '0x555555556004 "origin"'}
_PT_TYPES = {"i": "int", "p": "struct point *"}


def _frames(file: str, prog: str, i: int, n: int) -> list[dict[str, Any]]:
    point = {**_POINT, "x": i}
    out: list[dict[str, Any]] = [
        {"symbol": "hit", "line": 11, "args": {"i": i, "p": point}, "locals": {"sq": i * i},
         "types": {**_PT_TYPES, "sq": "int"}},
        {"symbol": "level3", "line": 15, "args": {"i": i, "p": point}, "locals": {"t": i + 3},
         "types": {**_PT_TYPES, "t": "int"}},
        {"symbol": "level2", "line": 16, "args": {"i": i, "p": point}, "locals": {"t": i + 2},
         "types": {**_PT_TYPES, "t": "int"}},
        {"symbol": "level1", "line": 17, "args": {"i": i, "p": point}, "locals": {"t": i + 1},
         "types": {**_PT_TYPES, "t": "int"}},
        {"symbol": "run", "line": 24, "args": {"n": n}, "locals": {"i": i, "total": i * 7, "p": point},
         "types": {"n": "int", "i": "int", "total": "long", "p": "struct point"}},
        {"symbol": "main", "line": 31},
    ]
    for k, f in enumerate(out):
        f.update({"file": file, "module": prog, "address": f"0x5555555551{0x54 + 0x30 * k:02x}", "index": k})
    return [{k: f[k] for k in ("symbol", "file", "line", "module", "address", "index", "args", "locals", "types")
             if k in f} for f in out]


def records(repo: Path, n: int) -> list[dict[str, Any]]:
    """A whole session as the gdb adapter sends it: start, breakpoint, n snapshots, end."""
    file, prog = str(repo / "hits.c"), str(repo / "hits")
    t = time.time()
    out: list[dict[str, Any]] = [
        {"kind": "start", "ts": t, "name": "bench", "tool": "gdb", "program": prog, "argv": [prog],
         "cwd": str(repo), "env": {"SHELL": "/bin/bash", "PWD": str(repo), "LANG": "C.UTF-8"}, "pid": None,
         "meta": {"gdb": "15.0"}},
        {"kind": "breakpoint", "ts": t, "action": "set", "bp_id": "1", "location": "hit", "condition": None,
         "hits": 0, "enabled": True, "bp_kind": "breakpoint", "file": file, "line": 11, "symbol": "hit"},
    ]
    for i in range(n):
        out.append({"kind": "snapshot", "ts": t + i * 0.001, "reason": "breakpoint",
                    "thread": {"id": 1, "name": "hits", "tid": 4242}, "frames": _frames(file, prog, i, n),
                    "truncation": [], "bp_id": "1"})
    out.append({"kind": "end", "ts": t + n * 0.001, "reason": "exited", "exit_code": 0})
    return out


def lines(recs: list[dict[str, Any]]) -> bytes:
    # As the adapters' handoff encodes them (debugtape/adapters/common/handoff.py).
    return b"".join((json.dumps(r, ensure_ascii=False, default=repr, separators=(",", ":")) + "\n").encode()
                    for r in recs)


def floor(data: bytes, db: Path, repo: Path) -> None:
    """Decode, validate, gate and store each snapshot: no bounds, correlation or summary."""
    store = Store(db)
    writer = store.background_writer()
    redactor = load_redactor(db.parent, repo)
    sid, seq = "floor" + os.urandom(6).hex(), 1
    writer.emit(redact_event(Event("session_started", sid, {"name": "floor", "tool": "gdb"}, seq=1), redactor))
    for raw in io.BytesIO(data):
        rec = validate(json.loads(raw))
        if rec["kind"] != "snapshot":
            continue
        seq += 1
        body = {k: v for k, v in rec.items() if k not in ("kind", "ts")}
        writer.emit(redact_event(Event("debug_snapshot", sid, body, seq=seq, ts=now_ts(rec["ts"])), redactor))
    writer.flush()
    writer.close()
    store.close()


def ingest(data: bytes, db: Path, repo: Path) -> None:
    ingest_stream(io.BytesIO(data), db, cwd=str(repo), snapshot_rate=1e9)


@contextmanager
def correlation(on: bool) -> Iterator[None]:
    old = os.environ.get("DEBUGTAPE_CORRELATE")
    os.environ["DEBUGTAPE_CORRELATE"] = "on" if on else "off"
    try:
        yield
    finally:
        if old is None:
            del os.environ["DEBUGTAPE_CORRELATE"]
        else:
            os.environ["DEBUGTAPE_CORRELATE"] = old


def cpu_in_process(fn: Callable[[bytes, Path, Path], None], data: bytes, db: Path, repo: Path) -> float:
    """CPU seconds of this process (every thread: the store's writer, background blame)."""
    t = time.process_time()
    fn(data, db, repo)
    return time.process_time() - t


def cpu_child(data: bytes, db: Path, repo: Path) -> float:
    """CPU seconds of a `debugtape ingest` child and the git processes it ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the debugtape beside this script (a worktree too)
    subprocess.run([sys.executable, "-m", "debugtape", "ingest", "--db", str(db), "--cwd", str(repo),
                    "--snapshot-rate", "1e9"], input=data, stdout=subprocess.DEVNULL, check=True, cwd=repo, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def make_repo(tmp: Path) -> Path:
    repo = GitRepo(tmp / "repo")
    shutil.copy(ROOT / "tests/fixtures/c/hits.c", repo.root / "hits.c")
    repo.commit("hits", "hits.c")
    return repo.root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snapshots", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", action="store_true", help="also measure a `debugtape ingest` child process")
    ap.add_argument("--profile", action="store_true", help="cProfile one in-process ingest and print the top")
    ap.add_argument("--quick", action="store_true", help="400 snapshots, 2 repeats (bench/run_all.sh --quick)")
    a = ap.parse_args()
    if a.quick:
        a.snapshots, a.repeat = 400, 2
    n = a.snapshots
    with tempfile.TemporaryDirectory(prefix="debugtape-ingest-") as d:
        tmp = Path(d)
        repo = make_repo(tmp)
        data, empty = lines(records(repo, n)), lines(records(repo, 0))
        if a.profile:
            with correlation(True):
                ingest(lines(records(repo, 50)), tmp / "warm.db", repo)
                prof = cProfile.Profile()
                prof.enable()
                ingest(data, tmp / "prof.db", repo)
                prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(30)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
            return
        runs: dict[str, Callable[[Path], float]] = {
            "floor: decode + gate + store": lambda db: cpu_in_process(floor, data, db, repo),
            "ingest, correlation off": lambda db: cpu_in_process(ingest, data, db, repo),
            "ingest": lambda db: cpu_in_process(ingest, data, db, repo),
        }
        if a.child:
            runs["ingest child (start-up subtracted)"] = (
                lambda db: cpu_child(data, db, repo) - cpu_child(empty, db.with_suffix(".0.db"), repo))
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        # A first, untimed pass warms the imports and the per-process caches alike for all.
        with correlation(True):
            ingest(lines(records(repo, 20)), tmp / "warm.db", repo)
        for r in range(a.repeat):
            for name, run in runs.items():
                with correlation(name != "ingest, correlation off"):
                    cpu[name].append(run(tmp / f"{r}-{len(cpu[name])}-{name.split(':')[0].replace(' ', '_')}.db"))
        print(f"{n} snapshots (6 frames, locals in the top 5) of tests/fixtures/c/hits.c, git repository; "
              f"CPU per snapshot, median of {a.repeat} (min-max):")
        for name, v in cpu.items():
            med = statistics.median(v) / n * 1e6
            print(f"  {name:<38}{med:8.0f} us   ({min(v) / n * 1e6:.0f}-{max(v) / n * 1e6:.0f})")


if __name__ == "__main__":
    main()
