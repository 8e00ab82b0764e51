"""Fixtures for the report tests: sessions recorded through the real pipeline into a real store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from debugtape.pipeline import open_pipeline

SRC = Path(__file__).resolve()

# Two threads' stacks per sample, innermost frame first as adapters send them.
STACKS = [
    [["compute", "worker", "main"], ["wait", "main"]],
    [["compute", "worker", "main"], ["poll;odd name", "wait", "main"]],
    [["alloc", "compute", "worker", "main"], ["wait", "main"]],
]


def _frames(names: list[str]) -> list[dict]:
    return [{"symbol": n, "file": "/src/prog.c", "line": 10 + i, "module": "prog"} for i, n in enumerate(names)]


def expected_collapsed(rounds: int) -> Counter[str]:
    """What the collapsed export must contain after `record_session(..., rounds)`."""
    out: Counter[str] = Counter()
    for r in range(rounds):
        for stack in STACKS[r % len(STACKS)]:
            out[";".join(n.replace(";", ":") for n in reversed(stack))] += 1
    return out


def record_session(db: Path, name: str, *, rounds: int = 30, snaps: int = 4, head_value: int = 0,
                   secret: str | None = None) -> str:
    """A session with a breakpoint, `snaps` snapshots, `rounds` two-thread samples and a note."""
    with open_pipeline(db) as p:
        p.feed({"kind": "start", "name": name, "tool": "gdb", "program": "/src/prog"})
        p.feed({"kind": "breakpoint", "action": "set", "bp_id": "1", "location": "prog.c:12",
                "file": "/src/prog.c", "line": 12, "symbol": "compute"})
        for r in range(rounds):
            p.feed({"kind": "sample", "threads": [
                {"id": t + 1, "name": f"t{t + 1}", "frames": _frames(stack)}
                for t, stack in enumerate(STACKS[r % len(STACKS)])]})
            if r % max(1, rounds // snaps) == 0 and r // max(1, rounds // snaps) < snaps:
                local = {"n": r + head_value, "label": "</script><script>alert(1)</script>"}
                if secret:
                    local["password"] = secret
                p.feed({"kind": "snapshot", "reason": "breakpoint", "bp_id": "1",
                        "thread": {"id": 1, "name": "t1"},
                        "frames": [{"index": 0, "symbol": "compute", "file": str(SRC), "line": 1,
                                    "locals": local, "types": {"n": "int"}},
                                   {"index": 1, "symbol": "main", "file": str(SRC), "line": 3}]})
        p.feed({"kind": "note", "text": f"note in {name}"})
        p.feed({"kind": "end", "reason": "exited", "exit_code": 0})
        return str(p.session_id)


@pytest.fixture
def two_sessions(store_path: Path) -> tuple[str, str]:
    return record_session(store_path, "first", head_value=0), record_session(store_path, "second", head_value=100)
