"""GitCorrelator on real repositories: snapshots, breakpoints, stable ids that survive moves."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from debugtape.correlate import GitCorrelator, make_correlator, parse_stable_id
from debugtape.correlate.correlator import STAT_TTL
from debugtape.correlate.stable import StableId
from tests.correlate.gitrepo import GitRepo

SRC = """#include <stdio.h>

int split(int n)
{
  int half = n / 2;
  return half;
}

int main(void)
{
  printf("%d\\n", split(10));
  return 0;
}
"""

# The same code with a new function above split: split moves down by five lines.
MOVED = SRC.replace("int split", "static int unused(void)\n{\n  return 1;\n}\n\nint split", 1)


def _repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "w")
    r.write("src/tree.c", SRC)
    r.commit("tree")
    return r


def test_breakpoint_gets_symbol_and_stable_id(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    c = make_correlator(str(r.root))
    out = c.breakpoint({"bp_id": "1", "file": str(r.root / "src/tree.c"), "line": 5, "condition": "n > 3"})
    assert out["symbol"] == "split"
    assert out["stable_id"] == "src/tree.c#split+2"
    assert out["condition"] == "n > 3"
    rel = c.breakpoint({"bp_id": "2", "location": "src/tree.c:11"})  # relative to the session cwd
    assert rel["stable_id"] == "src/tree.c#main+2"


def test_stable_id_matches_after_the_function_moved_down(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    before = GitCorrelator(str(r.root)).breakpoint({"file": str(r.root / "src/tree.c"), "line": 5})
    r.write("src/tree.c", MOVED)
    r.commit("add unused() above split")
    after = GitCorrelator(str(r.root)).breakpoint({"file": str(r.root / "src/tree.c"), "line": 10})
    assert before["stable_id"] == after["stable_id"] == "src/tree.c#split+2"
    old_line = GitCorrelator(str(r.root)).breakpoint({"file": str(r.root / "src/tree.c"), "line": 5})
    assert old_line["stable_id"] != before["stable_id"]  # the old line number is now elsewhere


def test_snapshot_gets_commit_blame_symbols(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    outside = tmp_path / "lib.c"
    outside.write_text("int lib(void)\n{\n  return 0;\n}\n")
    c = make_correlator(str(r.root))
    ctx = c.session_context(str(r.root))
    assert ctx is not None and ctx["head"] == r.head()
    data = {
        "reason": "breakpoint",
        "frames": [
            {"index": 0, "file": str(r.root / "src/tree.c"), "line": 5, "locals": {"half": 5}},
            {"index": 1, "symbol": "main", "file": str(r.root / "src/tree.c"), "line": 11},
            {"index": 2, "symbol": "lib", "file": str(outside), "line": 3},
            {"index": 3, "symbol": "__libc_start_main", "module": "/lib/libc.so.6"},
        ],
    }
    out = c.snapshot(data)
    assert "blame" not in data["frames"][0]  # the input is not changed in place
    f0, f1, f2, f3 = out["frames"]
    assert f0["symbol"] == "split" and f0["blame"]["commit"] == r.head()
    assert f0["stable_id"] == "src/tree.c#split+2" and f0["locals"] == {"half": 5}
    assert f1["symbol"] == "main"
    assert f2["blame"] == {"status": "outside_repo"}
    assert "stable_id" not in f1 and "stable_id" not in f2  # only where the stop happened
    assert "blame" not in f3
    assert out["commit"]["head"] == r.head() and out["commit"]["dirty"] is False


def test_snapshot_sees_uncommitted_line_and_dirty_tree(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    c = make_correlator(str(r.root))
    c.session_context(str(r.root))
    frame = {"file": str(r.root / "src/tree.c"), "line": 5}
    clean = c.snapshot({"frames": [frame]})
    r.write("src/tree.c", SRC.replace("n / 2", "n >> 1"))
    time.sleep(STAT_TTL + 0.05)  # files are checked again at most every STAT_TTL seconds
    dirty = c.snapshot({"frames": [frame]})
    assert clean["commit"]["dirty"] is False
    assert dirty["commit"]["dirty"] is True and dirty["commit"]["diff_hash"]
    assert dirty["frames"][0]["blame"] == {"status": "uncommitted"}



def test_a_repeated_stack_sees_its_file_change(tmp_path: Path) -> None:
    """The answers for a stack hit again and again are reused only while its files keep their
    stats and HEAD stays: an edit of the same size (a new mtime only) and a commit that moves
    the function are both seen within STAT_TTL."""
    r = _repo(tmp_path)
    c = make_correlator(str(r.root))
    c.session_context(str(r.root))
    path = r.root / "src/tree.c"
    stack = {"frames": [{"file": str(path), "line": 5}, {"file": str(path), "line": 11, "symbol": "main"}]}
    first = r.head()
    for _ in range(50):
        out = c.snapshot(stack)
    assert out["frames"][0]["blame"]["commit"] == first and out["frames"][0]["stable_id"] == "src/tree.c#split+2"
    before = path.stat().st_mtime_ns
    path.write_text(SRC.replace("n / 2", "n / 3"))  # the same size
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a new mtime even on a coarse clock
    time.sleep(STAT_TTL + 0.05)
    edited = c.snapshot(stack)
    assert edited["frames"][0]["blame"] == {"status": "uncommitted"}
    assert edited["frames"][1]["blame"]["commit"] == first and edited["commit"]["dirty"] is True
    r.write("src/tree.c", MOVED)
    second = r.commit("add unused() above split")
    time.sleep(STAT_TTL + 0.05)
    moved = c.snapshot(stack)
    assert moved["frames"][0]["stable_id"] == "src/tree.c#unused+2"
    assert moved["frames"][0]["blame"]["commit"] == second and moved["commit"]["head"] == second
    assert moved["commit"]["dirty"] is False

def test_files_of_another_repository_are_remembered_until_its_head_moves(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A program recorded from outside the repository of its sources (gdb started in a build
    folder): a stack hit again reuses its answers, and a commit in the sources' repository is
    seen within STAT_TTL."""
    r = _repo(tmp_path)
    outside = tmp_path / "build"
    outside.mkdir()
    c = make_correlator(str(outside))
    assert c is not None and c.session_context(str(outside)) is None
    path = r.root / "src/tree.c"
    stack = {"frames": [{"file": str(path), "line": 5}, {"file": str(path), "line": 11, "symbol": "main"}]}
    answered = []
    real = c._answers
    monkeypatch.setattr(c, "_answers", lambda *a: answered.append(1) or real(*a))
    first = r.head()
    for _ in range(5):
        out = c.snapshot(stack)
        time.sleep(STAT_TTL / 4)
    assert out["frames"][0]["blame"]["commit"] == first and len(answered) == 1
    r.write("NOTES", "HEAD moves, src/tree.c stays as it was\n")
    r.commit("notes")
    time.sleep(STAT_TTL + 0.05)
    c.snapshot(stack)
    assert len(answered) == 2  # answered again: that repository's HEAD moved
    r.write("src/tree.c", MOVED)
    second = r.commit("add unused() above split")
    time.sleep(STAT_TTL + 0.05)
    moved = c.snapshot(stack)
    assert len(answered) == 3
    assert moved["frames"][0]["stable_id"] == "src/tree.c#unused+2"
    assert moved["frames"][0]["blame"]["commit"] == second and "commit" not in moved


def test_session_outside_any_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    src = plain / "p.py"
    src.write_text("def f(x):\n    return x\n")
    c = make_correlator(str(plain))
    assert c.session_context(str(plain)) is None
    out = c.snapshot({"frames": [{"file": str(src), "line": 2}]})
    assert "commit" not in out
    assert out["frames"][0]["blame"] == {"status": "outside_repo"}
    assert out["frames"][0]["symbol"] == "f"
    assert out["frames"][0]["stable_id"] == f"{src}#f+1"


def test_bad_input_passes_through(tmp_path: Path) -> None:
    c = make_correlator(str(tmp_path))
    weird = {"frames": ["not a frame", {"file": 3, "line": "x"}, {"file": "<string>", "line": 1}]}
    out = c.snapshot(weird)
    assert out["frames"][0] == "not a frame"
    assert c.breakpoint({"location": "main"}) == {"location": "main"}


def test_parse_stable_id_round_trip() -> None:
    for sid in (StableId("a/b.c", "split", 2), StableId("x.cpp", "operator+", 0),
                StableId("/abs/a#b.py", "C.m", 3), StableId("m.py", None, 7)):
        assert parse_stable_id(str(sid)) == sid
    assert parse_stable_id("main") is None


def test_breakpoint_prefetches_blame_for_its_first_hit(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    c = GitCorrelator(str(r.root))
    c.breakpoint({"file": str(r.root / "src/tree.c"), "line": 5})
    deadline = time.monotonic() + 20
    while c.blame_cache.git_calls == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert c.blame_cache.git_calls == 1
    out = c.snapshot({"frames": [{"file": str(r.root / "src/tree.c"), "line": 6}]})
    assert out["frames"][0]["blame"]["commit"] == r.head()
    assert c.blame_cache.git_calls == 1  # the whole of split was blamed ahead of the hit


def test_correlation_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUGTAPE_CORRELATE", "off")
    assert make_correlator(str(tmp_path)) is None  # the pipeline's pass-through takes over
    monkeypatch.setenv("DEBUGTAPE_CORRELATE", "on")
    assert isinstance(make_correlator(str(tmp_path)), GitCorrelator)


@pytest.mark.parametrize(("have", "resolved", "shown"), [
    ("add", "Tally.add", "Tally.add"),            # debugpy gives no class
    ("inner", "outer.<locals>.inner", "outer.<locals>.inner"),
    ("bar", "ns::Foo::bar", "ns::Foo::bar"),
    ("??", "split", "split"),                      # the debugger knew no name
    ("_ZN5store4Tree5splitEi", "store::Tree::split", "store::Tree::split"),  # a linkage name
    (None, "split", "split"),
    ("ns::Foo::bar(int)", "ns::Foo::bar", "ns::Foo::bar(int)"),  # the debugger's own, fuller name
    ("<lambda>", "main", "<lambda>"),              # another function than the enclosing one
    ("ladd", "Tally.add", "ladd"),
])
def test_a_frame_gets_the_source_qualified_name(have: object, resolved: str, shown: str) -> None:
    from debugtape.correlate.correlator import _qualified

    assert _qualified(have, resolved) == shown
