"""`debugtape ui` open on a session that `debugtape record --python` is recording right now."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from debugtape.errors import DebugtapeError
from debugtape.store import Store
from debugtape.ui.app import TapeApp
from debugtape.ui.screens import ReplayScreen, SessionsScreen, SnapshotsScreen
from tests.support import REPO, need_module
from tests.ui.pilot import cell, wait_for

# Stops at line 6 three times; before the second and the third it waits for a file to appear,
# so the test decides when the debugger stops again.
PROGRAM = """\
import os, sys, time


def stop(i):
    marker = i * 10
    return marker


stop(1)
for flag in sys.argv[1:]:
    while not os.path.exists(flag):
        time.sleep(0.02)
    stop(int(flag[-1]))
"""


def _snapshots_so_far(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with Store(db, readonly=True) as store:
            rows = store.sessions()
            return len(store.snapshots(rows[0]["id"])) if rows else 0
    except DebugtapeError:  # the recorder is still creating the store
        return 0


@pytest.mark.timeout(120)
def test_a_session_being_recorded_grows_on_screen(tmp_path: Path, store_path: Path) -> None:
    need_module("debugpy")
    (tmp_path / "prog.py").write_text(PROGRAM)
    flags = [tmp_path / "go2", tmp_path / "go3"]
    recorder = subprocess.Popen(
        [sys.executable, "-m", "debugtape", "record", "--python", "--db", str(store_path),
         "--break", "prog.py:6", "--", "prog.py", *map(str, flags)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 60
        while _snapshots_so_far(store_path) < 1:
            assert recorder.poll() is None, recorder.communicate()
            assert time.monotonic() < deadline, "the first stop was never recorded"
            time.sleep(0.1)

        async def run() -> None:
            with Store(store_path, readonly=True) as store:
                app = TapeApp(store, store_path, poll_interval=0.1)
                async with app.run_test(size=(160, 40)) as pilot:
                    sessions = app.screen.query_one("#sessions")
                    assert sessions.row_count == 1 and cell(sessions, 0, 3) == "active"
                    await pilot.press("enter")
                    await wait_for(pilot, lambda: isinstance(app.screen, SnapshotsScreen))
                    snaps = app.screen.query_one("#snapshots")
                    await wait_for(pilot, lambda: snaps.row_count == 1)
                    flags[0].touch()  # the program stops again while we watch
                    await wait_for(pilot, lambda: snaps.row_count == 2, timeout=30)
                    assert [cell(snaps, r, 4) for r in range(2)] == ["stop", "stop"]

                    await pilot.press("r")  # replay, still live
                    await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
                    replay = app.screen
                    assert isinstance(replay, ReplayScreen)

                    def stops() -> int:
                        return [e.type for e in replay.events].count("debug_snapshot")

                    assert stops() == 2
                    await pilot.press("end")
                    flags[1].touch()
                    await wait_for(pilot, lambda: stops() == 3 and replay.events[-1].type == "session_ended",
                                   timeout=30)
                    assert replay.events[-1].data.get("exit_code") == 0
                    await pilot.press("escape", "escape")
                    await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
                    table = app.screen.query_one("#sessions")
                    await wait_for(pilot, lambda: cell(table, 0, 3) == "completed")
                    assert cell(table, 0, 6) == "3"  # snapshots

        asyncio.run(run())
        assert recorder.wait(30) == 0
    finally:
        for flag in flags:
            flag.touch()
        if recorder.poll() is None:
            recorder.kill()
        recorder.communicate()
