"""Restored breakpoints land on the moved line in the real gdb and lldb."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from debugtape.correlate.restore import breakpoints_for
from debugtape.store import Store
from tests.correlate.gitrepo import GitRepo
from tests.correlate.test_correlator import MOVED, SRC
from tests.correlate.test_queries import _frames, _record
from tests.support import compile_c, need_binary


def _moved_session(tmp_path: Path) -> tuple[GitRepo, Path, str]:
    """A session with a conditional breakpoint in split, recorded before split moved down."""
    r = GitRepo(tmp_path / "w")
    r.write("src/tree.c", SRC)
    r.commit("tree")
    db = tmp_path / "store" / "tape.db"
    f = str(r.root / "src/tree.c")
    sid = _record(db, r.root, "before", [{"bp_id": "1", "file": f, "line": 5, "condition": "n > 3"}],
                  [{"bp_id": "1", "frames": _frames(r.root, 5, 5, 10)}])
    r.write("src/tree.c", MOVED)
    r.commit("move split down")
    return r, db, sid


@pytest.mark.timeout(120)
def test_gdb_stops_on_the_moved_line(tmp_path: Path) -> None:
    gdb = need_binary("gdb")
    r, db, sid = _moved_session(tmp_path)
    prog = compile_c(r.root / "src/tree.c", tmp_path / "tree")
    with Store(db, readonly=True) as store:
        commands, skipped = breakpoints_for(store, sid, root=r.root).render("gdb")
    assert not skipped and commands[0].endswith("src/tree.c:10 if n > 3")
    args = [gdb, "-nx", "-batch"]
    for c in commands:
        args += ["-ex", c]
    args += ["-ex", "run", "-ex", "frame", "-ex", "print half", "-ex", "kill", str(prog)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=90).stdout
    assert "split (n=10) at " in out and "tree.c:10" in out, out
    assert "int half = n / 2;" in out


@pytest.mark.timeout(120)
def test_lldb_stops_on_the_moved_line(tmp_path: Path) -> None:
    lldb = shutil.which("lldb") or shutil.which("lldb-19") or need_binary("lldb")
    r, db, sid = _moved_session(tmp_path)
    prog = compile_c(r.root / "src/tree.c", tmp_path / "tree")
    with Store(db, readonly=True) as store:
        commands, _ = breakpoints_for(store, sid, root=r.root).render("lldb")
    args = [lldb, "--batch", "--no-lldbinit"]
    for c in commands:
        args += ["-o", c]
    args += ["-o", "run", "-o", "frame info", "-o", "kill", str(prog)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=90).stdout
    assert "stop reason = breakpoint 1.1" in out, out
    assert "split(n=10)" in out and "tree.c:10" in out, out
