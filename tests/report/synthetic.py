"""Synthetic sessions written through the real store API, for tests and benchmarks of the report."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from debugtape.events import Event, new_session_id, now_ts
from debugtape.redact import Redactor, redact_event
from debugtape.store import Store

__all__ = ["write_session", "SYMBOLS"]

SYMBOLS = ["main", "parse", "tokenize", "read_block", "btree_split", "btree_insert", "hash_key",
           "alloc", "memcpy_fast", "log_line", "flush", "compare"]


def _frames(rng: random.Random, depth: int, src: str) -> list[dict[str, Any]]:
    chain = ["main"] + [rng.choice(SYMBOLS[1:]) for _ in range(depth - 1)]
    return [{"symbol": s, "file": src, "line": 10 + SYMBOLS.index(s), "module": "/bin/prog"}
            for s in reversed(chain)]


def _events(sid: str, snapshots: int, samples: int, t0: float, src: str, commit: str,
            seed: int, name: str, pool: int) -> Iterator[Event]:
    rng = random.Random(seed)
    seq = 0
    # A program walks a limited set of call paths: stacks come from a pool (0: every one random,
    # the worst case for the report), and the second thread mostly idles in one place.
    paths = [_frames(rng, rng.randint(3, 9), src) for _ in range(pool)]
    idle = _frames(rng, 3, src)

    def stack_for(tid: int) -> list[dict[str, Any]]:
        if not pool:
            return _frames(rng, rng.randint(3, 9), src)
        if tid == 2 and rng.random() < 0.9:
            return idle
        return paths[min(int(rng.paretovariate(1.2)) - 1, pool - 1)]

    def ev(kind: str, t: float, data: dict[str, Any]) -> Event:
        nonlocal seq
        seq += 1
        return Event(type=kind, session=sid, seq=seq, ts=now_ts(t), data=data)

    ctx = {"head": commit, "branch": "main", "dirty": False}
    yield ev("session_started", t0, {"name": name, "tool": "synthetic", "program": "/bin/prog",
                                     "commit": ctx})
    for bp, line in (("1", 11), ("2", 14)):
        yield ev("breakpoint_set", t0, {"bp_id": bp, "location": f"prog.c:{line}", "file": src,
                                       "line": line, "symbol": SYMBOLS[line - 10], "hits": 0})
    total = snapshots + samples
    span = max(1.0, total / 1000.0)
    every = max(1, total // max(1, snapshots)) if snapshots else total + 1
    made_snaps = 0
    for k in range(total):
        t = t0 + span * k / total
        if made_snaps < snapshots and (k % every == 0 or total - k <= snapshots - made_snaps):
            made_snaps += 1
            frames = _frames(rng, 6, src)
            for i, f in enumerate(frames):
                f["index"] = i
                if i < 3:
                    f["locals"] = {"i": made_snaps, "len": rng.randint(0, 99),
                                   "buf": f"0x{rng.randrange(1 << 32):08x} \"abc\"",
                                   "node": {"key": rng.randint(0, 9), "next": {"$cycle": "0x1"}}}
                    f["args"] = {"n": i}
                    f["types"] = {"i": "int", "len": "int", "buf": "char *", "node": "struct node"}
            bp = "1" if made_snaps % 2 else "2"
            yield ev("debug_snapshot", t, {"reason": "breakpoint", "bp_id": bp,
                                           "thread": {"id": 1, "name": "main"},
                                           "frames": frames, "truncation": [], "commit": ctx})
        else:
            stacks, frame_list, index = [], [], {}
            threads = []
            for tid in (1, 2):
                stack = []
                for f in stack_for(tid):
                    key = (f["symbol"], f["line"])
                    if key not in index:
                        index[key] = len(frame_list)
                        frame_list.append(f)
                    stack.append(index[key])
                threads.append({"id": tid, "name": f"t{tid}", "stack": len(stacks)})
                stacks.append(stack)
            yield ev("stack_sample", t, {"frames": frame_list, "stacks": stacks, "threads": threads})
    yield ev("note", t0 + span, {"text": f"synthetic run {name}"})
    yield ev("session_ended", t0 + span, {"reason": "exited", "exit_code": 0,
                                          "counts": {"snapshots": snapshots, "samples": samples}})


def write_session(db: Path, snapshots: int, samples: int, *, t0: float = 1.7e9, src: str = "/nonexistent/prog.c",
                  commit: str = "a" * 40, seed: int = 1, name: str = "synthetic", pool: int = 400) -> str:
    """Write one complete session and return its id. `samples` counts stack_sample events (2 threads each).

    `pool` is how many distinct call paths the samples are drawn from; 0 makes every stack random.
    """
    sid = new_session_id()
    redactor = Redactor(b"k" * 32)
    batch = []
    with Store(db) as store:
        for event in _events(sid, snapshots, samples, t0, src, commit, seed, name, pool):
            batch.append(redact_event(event, redactor))
            if len(batch) >= 5000:
                store.append(batch)
                batch = []
        store.append(batch)
    return sid
