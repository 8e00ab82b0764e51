"""Restored breakpoints land on the moved line in the real gdb and lldb: through the rendered
commands, and through `tape restore` inside each debugger, which also says what it could not
place."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from debugtape.correlate.restore import breakpoints_for
from debugtape.store import Store
from tests.adapters.gdb.gdbrun import gdb_command
from tests.adapters.lldb import lldbrun
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


# ---- `tape restore` inside the debuggers, sessions recorded by the debuggers themselves ----------

BEFORE = """#include <stdio.h>

static int gone(int x)
{
  return x + 1;
}

int split(int n)
{
  int half = n / 2;
  return half;
}

int main(void)
{
  printf("%d\\n", split(2) + split(10) + gone(1));
  return 0;
}
"""

# gone() deleted, two helpers above split: split's third line moves from 10 to 15.
AFTER = """#include <stdio.h>

static int helper(void)
{
  return 1;
}

static int other(void)
{
  return 2;
}

int split(int n)
{
  int half = n / 2;
  return half;
}

int main(void)
{
  printf("%d\\n", split(2) + split(10) + helper() + other());
  return 0;
}
"""


def _debugger_repo(tmp_path: Path) -> tuple[GitRepo, Path]:
    r = GitRepo(tmp_path / "w")
    r.write("src/tree.c", BEFORE)
    r.commit("tree")
    return r, compile_c(r.root / "src/tree.c", tmp_path / "tree-before")


def _after(r: GitRepo, tmp_path: Path) -> Path:
    r.write("src/tree.c", AFTER)
    r.commit("drop gone(), add helpers above split")
    return compile_c(r.root / "src/tree.c", tmp_path / "tree-after")


def _run(cmd: list[str], cwd: Path) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=90, cwd=cwd,
                         stdin=subprocess.DEVNULL)
    return out.stdout + out.stderr


@pytest.mark.timeout(180)
def test_tape_restore_in_gdb_follows_the_moved_function(tmp_path: Path) -> None:
    r, prog = _debugger_repo(tmp_path)
    db = tmp_path / "store" / "tape.db"
    first = _run(gdb_command(prog, [f"tape start --db {db} before", "break tree.c:10 if n > 3",
                                    "break gone", "tape stop"]), r.root)
    assert "recording session" in first, first
    prog = _after(r, tmp_path)
    out = _run(gdb_command(prog, [f"tape start --db {db} after", "tape restore before", "info breakpoints",
                                  "run", "frame", "tape stop"]), r.root)
    assert "debugtape: 1 breakpoint commands replayed" in out, out
    assert "skipped breakpoint 2" in out and "gone is no longer in src/tree.c" in out, out
    listed = out.split("info breakpoints", 1)[-1]
    assert "tree.c:15" in out and "stop only if n > 3" in listed, out
    assert "split (n=10) at " in out and "tree.c:15" in out.split("split (n=10)", 1)[1], out


@pytest.mark.timeout(180)
def test_tape_restore_in_lldb_follows_the_moved_function(tmp_path: Path) -> None:
    lldb = lldbrun.need_lldb()
    r, prog = _debugger_repo(tmp_path)
    db = tmp_path / "store" / "tape.db"

    def lldb_cmd(program: Path, commands: list[str]) -> list[str]:
        cmd = [lldb, "--no-lldbinit", "-b"]
        for c in lldbrun.INIT + commands:
            cmd += ["-o", c]
        return [*cmd, "--", str(program)]

    first = _run(lldb_cmd(prog, [f"tape start --db {db} before",
                                 "breakpoint set -f tree.c -l 10 -c 'n > 3'", "breakpoint set -n gone",
                                 "tape stop"]), r.root)
    assert "recording session" in first, first
    prog = _after(r, tmp_path)
    # No session named: `latest` is the newest finished session with breakpoints, not this one.
    out = _run(lldb_cmd(prog, [f"tape start --db {db} after", "tape restore", "run", "frame info",
                               "tape stop"]), r.root)
    assert "-l 15 -c 'n > 3'" in out, out
    assert "skipped breakpoint 2" in out and "gone is no longer in src/tree.c" in out, out
    assert "split(n=10)" in out and "tree.c:15" in out.split("split(n=10)", 1)[1], out
