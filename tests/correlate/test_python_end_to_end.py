"""A Python program recorded through the real debugpy on two commits of a real repository, then
every correlation query asked through the installed `debugtape` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.correlate.gitrepo import GitRepo
from tests.support import need_module

V1 = """def count_words(text):
    words = text.split()
    count = len(words)
    return count


class Tally:
    def add(self, items):
        total = 0
        for i in items:
            total += i
        return total


if __name__ == "__main__":
    for t in ["a b", "a b c"]:
        count_words(t)
    Tally().add([1, 2, 3])
"""

# normalize() above count_words moves everything down by seven lines; add() now doubles.
V2 = """import sys


def normalize(text):
    return text.strip().lower()


def count_words(text):
    words = normalize(text).split()
    count = len(words)
    return count


class Tally:
    def add(self, items):
        total = 0
        for i in items:
            total += i * 2
        return total


if __name__ == "__main__":
    for t in ["a b", "A B C d"]:
        count_words(t)
    Tally().add([1, 2, 3])
"""


def _debugtape(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "debugtape", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def _json(*args: str, cwd: Path) -> Any:
    out = _debugtape(*args, "--json", cwd=cwd)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    need_module("debugpy")
    tmp = tmp_path_factory.mktemp("py")
    r = GitRepo(tmp / "w")
    db = tmp / "store" / "tape.db"
    r.write("app.py", V1)
    c1 = r.commit("first version")
    one = _debugtape("record", "--python", "-q", "--db", str(db), "--name", "run-one",
                     "--break", "app.py:3", "--break", "app.py:11:i > 1", "--", "app.py", cwd=r.root)
    assert one.returncode == 0, one.stderr
    r.write("app.py", V2)
    c2 = r.commit("normalize before counting; double the tally")
    two = _debugtape("record", "--python", "-q", "--db", str(db), "--name", "run-two",
                     "--break", "app.py:10", "--break", "app.py:18:i > 1", "--", "app.py", cwd=r.root)
    assert two.returncode == 0, two.stderr
    return {"repo": r, "db": str(db), "c1": c1, "c2": c2, "one": one.stdout.strip(), "two": two.stdout.strip()}


@pytest.mark.timeout(300)
def test_snapshots_carry_commit_blame_and_the_class(runs: dict[str, Any]) -> None:
    root, db = runs["repo"].root, runs["db"]
    events = _json("timeline", "--session", "run-two", "--type", "debug_snapshot", "--db", db, cwd=root)
    adds = [e["data"] for e in events if e["data"]["frames"][0]["line"] == 18]
    assert len(adds) == 2  # i = 2 and i = 3: the condition held
    top = adds[0]["frames"][0]
    # debugpy names the frame `add`; the source says which class it belongs to.
    assert top["symbol"] == "Tally.add" and top["stable_id"] == "app.py#Tally.add+3"
    assert top["blame"]["commit"] == runs["c2"]
    assert adds[0]["commit"]["head"] == runs["c2"] and adds[0]["commit"]["dirty"] is False
    by_class = _json("timeline", "--symbol", "Tally.add", "--type", "debug_snapshot", "--db", db, cwd=root)
    assert len(by_class) == 4  # two hits in each session
    # Session two ran on c2, but the lines of its count_words stack were last touched by c1.
    blamed = _json("timeline", "--commit", runs["c1"][:10], "--session", "run-two", "--type", "debug_snapshot",
                   "--db", db, cwd=root)
    assert any(e["data"]["frames"][0]["symbol"] == "count_words" for e in blamed)


@pytest.mark.timeout(300)
def test_history_diff_suspects_and_breakpoints(runs: dict[str, Any]) -> None:
    root, db = runs["repo"].root, runs["db"]
    hist = _json("history", "app.py:18", "--var", "total", "--var", "i", "--db", db, cwd=root)
    assert hist["location"]["stable_id"] == "app.py#Tally.add+3"
    assert [(r["session_name"], r["line"], r["values"]) for r in hist["snapshots"]] == [
        ("run-one", 11, {"total": 1, "i": 2}), ("run-one", 11, {"total": 3, "i": 3}),
        ("run-two", 18, {"total": 2, "i": 2}), ("run-two", 18, {"total": 6, "i": 3})]
    text = _debugtape("history", "app.py:10", "--var", "count", "--db", db, cwd=root).stdout
    assert "count=(missing)" in text and "run-one" in text  # a stop before the line ran

    diff = _json("diff", "--at", "Tally.add", "run-one", "run-two", "--hit", "2", "--db", db, cwd=root)
    assert {c["name"]: (c["a"], c["b"]) for c in diff["changes"]}["total"] == (3, 6)
    assert diff["a"]["line"] == 11 and diff["b"]["line"] == 18
    text = _debugtape("diff", "--at", "app.py:10", "run-one", "run-two", "--hit", "2", "--db", db, cwd=root).stdout
    assert "run-one" in text and "~ text: 'a b c' -> 'A B C d'" in text and "(only in B)" in text

    snap = next(e["data"]["snap_id"] for e in _json("timeline", "--session", "run-two", "--type", "debug_snapshot",
                                                      "--db", db, cwd=root) if e["data"]["frames"][0]["line"] == 18)
    sus = _json("suspects", snap, "--db", db, cwd=root)
    assert sus["suspects"][0]["commit"] == runs["c2"] and sus["suspects"][0]["message"].startswith("normalize")
    assert sus["suspects"][0]["frames"][0]["symbol"] == "Tally.add"
    text = _debugtape("suspects", snap, "--db", db, cwd=root).stdout
    assert f"in session run-two at {runs['c2'][:10]}" in text and f"1. {runs['c2'][:10]}" in text

    gdb = _debugtape("breakpoints", "run-one", "--format", "gdb", "--db", db, cwd=root)
    assert gdb.returncode == 0, gdb.stderr
    app = str((root / "app.py").resolve())
    assert gdb.stdout.splitlines() == [f"break {app}:10", f"break {app}:18 if i > 1"]
