"""`debugtape ui` driven by textual's pilot against a real store fed through the real pipeline."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from debugtape.pipeline import open_pipeline
from debugtape.store import Store
from debugtape.ui.app import TapeApp
from debugtape.ui.screens import ReplayScreen, SessionsScreen, SnapshotScreen, SnapshotsScreen
from tests.ui.pilot import cell, wait_for

SRC = Path(__file__).resolve()


def _snapshot(i: int, symbol: str = "parse") -> dict:
    return {"kind": "snapshot", "reason": "breakpoint", "bp_id": "1", "thread": {"id": 1, "name": "main"},
            "frames": [{"index": 0, "symbol": symbol, "file": str(SRC), "line": 3, "module": "prog",
                        "locals": {"count": i, "name": f"item{i}"}, "types": {"count": "int"}},
                       {"index": 1, "symbol": "main", "file": str(SRC), "line": 5}]}


def _record(db: Path, name: str, snaps: int, symbol: str = "parse") -> str:
    with open_pipeline(db) as p:
        p.feed({"kind": "start", "name": name, "tool": "python", "program": "prog.py"})
        p.feed({"kind": "breakpoint", "action": "set", "bp_id": "1", "file": str(SRC), "line": 3,
                "location": f"{SRC.name}:3"})
        for i in range(snaps):
            p.feed(_snapshot(i, symbol))
        p.feed({"kind": "note", "text": "looked at it"})
        p.feed({"kind": "end", "reason": "exited", "exit_code": 0})
        return str(p.session_id)


@pytest.mark.timeout(60)
def test_list_open_drill_down_and_replay(store_path: Path) -> None:
    older = _record(store_path, "older", 2, symbol="tokenize")
    newest = _record(store_path, "newest", 3)

    async def run() -> None:
        with Store(store_path, readonly=True) as store:
            app = TapeApp(store, store_path, poll_interval=0.1)
            async with app.run_test(size=(160, 40)) as pilot:
                screen = app.screen
                assert isinstance(screen, SessionsScreen)
                table = screen.query_one("#sessions", DataTable)
                assert table.row_count == 2
                assert screen.selected_id() == newest  # starts on the most recent session
                assert app.active_bindings["enter"].binding.description == "Open"  # in the footer
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, SnapshotsScreen))
                snaps = app.screen.query_one("#snapshots", DataTable)
                assert snaps.row_count == 3
                await pilot.press("down", "enter")
                await wait_for(pilot, lambda: isinstance(app.screen, SnapshotScreen))
                detail = app.screen
                assert detail.seq == int(cell(snaps, 1, 0))
                loc = detail.query_one("#locals", DataTable)
                names = {cell(loc, r, 1): cell(loc, r, 3) for r in range(loc.row_count)}
                assert names == {"count": "1", "name": "item1"}
                src = str(detail.query_one("#source", Static).render())
                assert "from __future__ import annotations" in src  # line 3 of this file
                await pilot.press("down")  # frame #1: main, no locals
                await wait_for(pilot, lambda: loc.row_count == 0)
                await pilot.press("n")  # next snapshot
                await wait_for(pilot, lambda: detail.seq == int(cell(snaps, 2, 0)))
                await pilot.press("escape", "escape")
                await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
                # filter by symbol: only the older session stopped in tokenize
                await pilot.press("slash", *"tokenize", "enter")
                await wait_for(pilot, lambda: table.row_count == 1)
                assert screen.selected_id() == older
                await pilot.press("slash", "ctrl+u", "enter")  # clear it again
                await wait_for(pilot, lambda: table.row_count == 2)
                # replay the newest session
                table.move_cursor(row=0)
                await pilot.press("r")
                await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
                replay = app.screen
                kinds = [e.type for e in replay.events]
                assert kinds[0] == "session_started" and kinds[-1] == "session_ended"
                assert kinds.count("debug_snapshot") == 3
                first_snap = kinds.index("debug_snapshot")
                for _ in range(first_snap):
                    await pilot.press("n")
                assert replay.pos == first_snap
                rloc = replay.query_one("#locals", DataTable)
                assert {cell(rloc, r, 1) for r in range(rloc.row_count)} == {"count", "name"}
                await pilot.press("end")
                assert replay.pos == len(kinds) - 1
                await pilot.press("home", "space")  # play from the start
                await wait_for(pilot, lambda: replay.pos >= 1, timeout=5)
                await pilot.press("space")
                await pilot.press("q")

    asyncio.run(run())


@pytest.mark.timeout(60)
def test_active_session_updates_live(store_path: Path) -> None:
    _record(store_path, "done", 1)
    feed_more = threading.Event()
    stop = threading.Event()
    errors: list[BaseException] = []

    def recorder() -> None:
        try:
            with open_pipeline(store_path) as p:
                p.feed({"kind": "start", "name": "live", "tool": "python"})
                p.feed(_snapshot(0))
                feed_more.wait(20)
                p.feed(_snapshot(1, symbol="late_arrival"))
                stop.wait(20)
        except BaseException as exc:  # surfaced in the test thread
            errors.append(exc)

    thread = threading.Thread(target=recorder, daemon=True)
    thread.start()

    async def run() -> None:
        with Store(store_path, readonly=True) as store:
            await asyncio.sleep(0)
            app = TapeApp(store, store_path, poll_interval=0.1)
            async with app.run_test(size=(160, 40)) as pilot:
                screen = app.screen
                table = screen.query_one("#sessions", DataTable)
                await wait_for(pilot, lambda: table.row_count == 2 and
                            any(cell(table, r, 1) == "live" for r in range(table.row_count)))
                live_row = next(r for r in range(table.row_count) if cell(table, r, 1) == "live")
                assert cell(table, live_row, 3) == "active"
                table.move_cursor(row=live_row)
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, SnapshotsScreen))
                snaps = app.screen.query_one("#snapshots", DataTable)
                await wait_for(pilot, lambda: snaps.row_count == 1)
                await pilot.press("slash", *"late_arrival", "enter")  # nothing matches yet
                await wait_for(pilot, lambda: snaps.row_count == 0)
                feed_more.set()  # the debugger stops again while we watch
                await wait_for(pilot, lambda: snaps.row_count == 1)
                assert cell(snaps, 0, 4) == "late_arrival"
                await pilot.press("slash", "ctrl+u", "enter")  # no filter: both snapshots
                await wait_for(pilot, lambda: snaps.row_count == 2)
                stop.set()
                await pilot.press("escape")
                await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
                table = app.screen.query_one("#sessions", DataTable)
                await wait_for(pilot, lambda: any(cell(table, r, 3) == "completed" and cell(table, r, 1) == "live"
                                               for r in range(table.row_count)))

    try:
        asyncio.run(run())
    finally:
        feed_more.set()
        stop.set()
        thread.join(10)
    assert not errors


@pytest.mark.timeout(60)
def test_filter_by_commit_and_file(store_path: Path) -> None:
    sid = _record(store_path, "one", 2)
    with Store(store_path, readonly=True) as store:
        head = store.session(sid)["commit"]
    if not head:
        pytest.skip("the recording was not made inside a git work tree")

    async def run() -> None:
        with Store(store_path, readonly=True) as store:
            app = TapeApp(store, store_path, poll_interval=0.1)
            async with app.run_test(size=(160, 40)) as pilot:
                table = app.screen.query_one("#sessions", DataTable)
                assert table.row_count == 1
                await pilot.press("slash", *f"commit:{head[:8]}", "enter")
                await pilot.pause(0.2)
                assert table.row_count == 1
                await pilot.press("slash", "ctrl+u", *"commit:0000000", "enter")
                await wait_for(pilot, lambda: table.row_count == 0)
                await pilot.press("slash", "ctrl+u", *f"file:{SRC.name}", "enter")
                await wait_for(pilot, lambda: table.row_count == 1)
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, SnapshotsScreen))
                assert app.screen.query_one("#snapshots", DataTable).row_count == 2
                await pilot.press("slash", "ctrl+u", *"file:elsewhere.c", "enter")
                await wait_for(pilot, lambda: app.screen.query_one("#snapshots", DataTable).row_count == 0)

    asyncio.run(run())


@pytest.mark.timeout(60)
def test_a_commit_while_a_screen_is_opening_does_not_crash(store_path: Path) -> None:
    """The poll may fire between pushing a screen and its widgets existing (seen with a live session)."""
    sid = _record(store_path, "one", 2)

    async def run() -> None:
        with Store(store_path, readonly=True) as store:
            app = TapeApp(store, store_path, poll_interval=30)
            async with app.run_test(size=(160, 40)) as pilot:
                app.push_screen(SnapshotsScreen(sid))
                app._version = -1  # as if another connection had just committed
                app.poll()  # before the new screen has composed its table
                await wait_for(pilot, lambda: isinstance(app.screen, SnapshotsScreen) and app.screen.is_mounted)
                assert app.screen.query_one("#snapshots", DataTable).row_count == 2

    asyncio.run(run())
