"""A report of a real debugpy recording, opened in Debian's Chromium (headless)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from debugtape.pipeline import open_pipeline
from debugtape.store import Store
from tests.report.browser import open_report
from tests.report.conftest import record_session
from tests.support import REPO, compile_c, need_binary, need_module

FIXTURE = Path(__file__).parent / "fixtures" / "walk.py"


def _debugtape(*args: str, cwd: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "debugtape", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.timeout(240)
def test_report_of_a_real_debugpy_session_in_chromium(tmp_path: Path, store_path: Path) -> None:
    need_module("debugpy")
    prog = tmp_path / "walk.py"
    shutil.copy(FIXTURE, prog)
    _debugtape("record", "--python", "--db", str(store_path), "--break", "walk.py:9", "--sample", "50hz",
               "--", "walk.py", "6", cwd=tmp_path)
    page = tmp_path / "report.html"
    _debugtape("report", "--db", str(store_path), "-o", str(page), cwd=tmp_path)
    with Store(store_path, readonly=True) as store:
        (session,) = store.sessions()
        snaps = store.snapshots(session["id"])
        third = store.snapshot(f"{session['id']}:{snaps[2]['seq']}").event.data["frames"][0]
    assert len(snaps) == 6  # visit() runs six times

    seen = open_report(page, "report-debugpy.png", click=2, filter_text="visit walk.py:9")
    assert seen["errors"] == []
    assert seen["requests"] == []  # nothing left the page
    assert seen["markers"] == seen["shown"] == 6
    assert seen["countText"] == "6 of 6 snapshots shown"
    assert seen["shownFilteredOut"] == 0 and seen["shownFiltered"] == 6 and seen["listRowsFiltered"] == 6
    assert seen["detailIndex"] == "2"
    assert seen["localNames"] == list(third["locals"])
    assert seen["localNames"] == ["i", "item", "total"]
    assert seen["localValues"][0] == "2" and "item2" in seen["localValues"][1]
    assert seen["sourceLines"][0].split() == ["9", "return", "total"]
    # The sampler ran: the flame graph has the program's own frames (`main` sleeps between stops).
    assert seen["hotRows"] > 0
    assert any(t.startswith("main (walk.py) — ") for t in seen["flameTitles"]), seen["flameTitles"]
    assert seen["breakpointRows"] == 1 and seen["compareRows"] == 3
    assert seen["readyMs"] < 2000


@pytest.mark.timeout(180)
def test_report_of_a_real_gdb_session_in_chromium(tmp_path: Path, store_path: Path) -> None:
    need_binary("gdb")
    prog = compile_c(REPO / "tests" / "fixtures" / "c" / "hits.c", tmp_path / "hits")
    _debugtape("record", "--gdb", "--db", str(store_path), "--break", "hit", "--sample", "200hz",
               "--", str(prog), "7", cwd=tmp_path)
    page = tmp_path / "gdb.html"
    _debugtape("report", "--db", str(store_path), "-o", str(page), cwd=tmp_path)
    with Store(store_path, readonly=True) as store:
        (session,) = store.sessions()
        assert len(store.snapshots(session["id"])) == 7  # hit() runs seven times

    seen = open_report(page, "report-gdb.png", click=3)
    assert seen["errors"] == [] and seen["requests"] == []
    assert seen["markers"] == seen["shown"] == 7
    assert seen["detailTitle"] == "breakpoint at hits.c:11 in hit"
    assert seen["argNames"][0] == "i" and seen["argValues"][0] == "3"  # the fourth call: hit(3, p)
    assert "sq" in seen["localNames"]
    assert seen["sourceLines"][0].split() == ["11", "int", "sq", "=", "i", "*", "i;"]


@pytest.mark.timeout(120)
def test_two_sessions_side_by_side_and_hostile_values(tmp_path: Path, store_path: Path) -> None:
    a = record_session(store_path, "first", snaps=4)
    with open_pipeline(store_path) as p:  # a file watcher's session between the two runs
        p.feed({"kind": "start", "name": "watch", "tool": "watch"})
        p.feed({"kind": "event", "type": "file_changed", "data": {"path": "src/prog.c", "kind": "modified"}})
    b = record_session(store_path, "second", snaps=4, head_value=100)
    page = tmp_path / "two.html"
    _debugtape("report", a[:8], b[:8], "--db", str(store_path), "-o", str(page), cwd=tmp_path)
    seen = open_report(page, "report-two-sessions.png", click=5, filter_text="second compute")
    assert seen["errors"] == [] and seen["requests"] == []
    assert seen["markers"] == 8
    # a local holding "</script><script>alert(1)</script>" is shown as text, not run
    assert "</script><script>alert(1)</script>" in seen["localValues"]
    assert seen["localNames"] == ["n", "label"]
    assert int(seen["localValues"][0]) >= 100  # marker 5 (0-based) is the second run's
    assert seen["compareRows"] == 2
    assert seen["compareDiffers"] == ["n"]  # the first hit's n: 0 in the first run, 100 in the second
    assert seen["changeMarks"] == 1 and seen["markersWallClock"] == 8
    assert seen["shownFilteredOut"] == 0
    assert seen["shownFiltered"] == 0  # "second" is a session name, not a snapshot field
