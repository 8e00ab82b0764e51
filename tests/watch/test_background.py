"""The watcher beside a recording: `tape start --watch` in the real gdb and lldb, and
`debugtape record --watch`. Edits land on the same timeline as the snapshots, in order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from debugtape.watch.background import BackgroundWatchError, start_background
from tests.adapters.gdb.gdbrun import run_gdb, sessions, stored
from tests.adapters.lldb.lldbrun import run_lldb
from tests.support import compile_c, need_binary
from tests.watch.helpers import make_repo

pytestmark = pytest.mark.timeout(180)

NOTES = "".join(f"line {n}\n" for n in range(1, 21))
# With an argument it rewrites that file before each call of `step`, changing line 12, then
# line 3, and waits half a second (a developer's edit between two stops).
PROGRAM = r"""
#include <stdio.h>
#include <unistd.h>

__attribute__((noinline)) int step(int i) { return i * 2; }

static void edit(const char *path, int changed) {
    FILE *f = fopen(path, "w");
    for (int n = 1; n <= 20; n++)
        fprintf(f, n == changed ? "edited %d\n" : "line %d\n", n);
    fclose(f);
}

int main(int argc, char **argv) {
    int total = 0;
    for (int i = 0; i < 2; i++) {
        if (argc > 1) {
            edit(argv[1], i == 0 ? 12 : 3);
            usleep(500000);
        }
        total += step(i);
    }
    return total == 2 ? 0 : 1;
}
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A git repository holding notes.txt and the program (built, git-ignored)."""
    need_binary("git")
    repo = make_repo(tmp_path / "proj", {"notes.txt": NOTES, "prog.c": PROGRAM,
                                         ".gitignore": "prog\n*.sh\n.debugtape/\n"})
    return repo, compile_c(repo / "prog.c", repo / "prog")


def _timeline(db: Path) -> list[tuple[str, Any]]:
    """(type, what) of the snapshots and notes.txt changes of every session, in time order."""
    out: list[tuple[str, Any]] = []
    for e in stored(db):
        if e["type"] == "debug_snapshot":
            out.append(("snapshot", e["data"]["frames"][0]["symbol"]))
        elif e["type"] == "file_changed" and e["data"]["path"] == "notes.txt":
            out.append(("edit", e["data"]["lines"]))
    return out


def _check(db: Path, tool: str, timeline: list[tuple[str, Any]]) -> None:
    assert {row["tool"]: row["status"] for row in sessions(db)} == {tool: "completed", "watch": "completed"}
    # The first edit (right after the watcher started) is recorded; the second sits between the
    # two stops.
    assert timeline[0] == ("edit", [[12, 12]]), timeline
    assert timeline[-3:] == [("snapshot", "step"), ("edit", [[3, 3]]), ("snapshot", "step")], timeline


def test_tape_start_watch_in_gdb(project: tuple[Path, Path]) -> None:
    repo, prog = project
    db, notes = repo / ".debugtape" / "tape.db", repo / "notes.txt"
    out = run_gdb(prog, [
        f"tape start --watch --db {db} fix",
        f"shell sed -i '12s/.*/edited 12/' {notes}",  # at once: the watcher must already watch
        "break step", "run",
        f"shell sed -i '12s/.*/line 12/; 3s/.*/edited 3/' {notes}; sleep 0.5",
        "continue", "tape status", "tape stop",
    ])
    assert "watching files" in out.stdout, out.stdout + out.stderr
    _check(db, "gdb", _timeline(db))


def test_tape_start_watch_in_lldb(project: tuple[Path, Path]) -> None:
    repo, prog = project
    db, notes = repo / ".debugtape" / "tape.db", repo / "notes.txt"
    # lldb's `platform shell` passes no `;` to the shell: each edit is a script.
    first, second = repo / "first.sh", repo / "second.sh"
    first.write_text(f"sed -i '12s/.*/edited 12/' {notes}\n")
    second.write_text(f"sed -i '12s/.*/line 12/; 3s/.*/edited 3/' {notes}\nsleep 0.5\n")
    out = run_lldb(prog, [
        f"tape start --watch --db {db} fix",
        f"platform shell sh {first}",
        "breakpoint set -n step", "run",
        f"platform shell sh {second}",
        "continue", "tape status", "tape stop",
    ])
    assert "watching files" in out.stdout, out.stdout + out.stderr
    rows = sessions(db)
    assert {r["name"] for r in rows if r["tool"] == "lldb"} == {"fix"}  # --watch is no part of the name
    _check(db, "lldb", _timeline(db))


def test_record_watch(project: tuple[Path, Path]) -> None:
    repo, prog = project
    db = repo / ".debugtape" / "tape.db"
    # The program edits notes.txt as soon as it starts: the watcher must already watch.
    run = subprocess.run(
        [sys.executable, "-m", "debugtape", "record", "--gdb", "--watch", "--break", "step",
         "--db", str(db), "--", str(prog), "notes.txt"],
        cwd=repo, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == next(r["id"] for r in sessions(db) if r["tool"] == "gdb")
    assert "watching " in run.stderr  # the watcher said so before the program ran
    _check(db, "gdb", _timeline(db))


def test_a_watcher_that_cannot_start_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    lines: list[str] = []
    with pytest.raises(BackgroundWatchError, match=r"exited at once \(code 1\)"):
        start_background(blocker / "tape.db", cwd=str(tmp_path), on_line=lines.append)
    assert lines  # its own error message reached the caller
