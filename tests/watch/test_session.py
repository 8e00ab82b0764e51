"""run_watch: one watch session in a real store, outside git too, leaving no thread behind."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from debugtape.store import Store
from debugtape.watch.inbox import Inbox
from debugtape.watch.session import run_watch

pytestmark = pytest.mark.timeout(60)


def test_plain_folder_session_and_no_leaked_threads(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    db = tmp_path / "store" / "tape.db"
    before = set(threading.enumerate())
    stop = threading.Event()
    ready = threading.Event()
    out: list[str] = []
    inbox = Inbox(db.parent / "inbox", {}, poll=0.1)
    t = threading.Thread(target=lambda: out.append(
        run_watch(root, db, stop, name="plain", inbox=inbox, on_ready=lambda s: ready.set())))
    t.start()
    assert ready.wait(15)
    (root / "a.txt").write_text("abc")
    deadline = time.monotonic() + 10
    found = False
    while not found and time.monotonic() < deadline:
        with Store(db, readonly=True) as store:
            found = any(se.event.data.get("path") == "a.txt" for se in store.events(types=["file_changed"]))
        time.sleep(0.05)
    stop.set()
    t.join(30)
    assert found and out
    with Store(db, readonly=True) as store:
        events = [se.event for se in store.iter_session_events(out[0])]
    started = next(e.data for e in events if e.type == "watch_started")
    assert started["files"] is None and started["repository"] is None
    assert events[-1].type == "session_ended" and events[-1].data["reason"] == "stopped"
    assert (db.parent / "inbox" / "done").is_dir()
    leaked = [th for th in set(threading.enumerate()) - before if th.is_alive()]
    assert not leaked, leaked


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    from debugtape.errors import ConfigError

    with pytest.raises(ConfigError, match="is not a folder"):
        run_watch(tmp_path / "nope", tmp_path / "tape.db", threading.Event())


@pytest.mark.parametrize("code, hint", [(28, "max_user_watches"), (24, "max_user_instances"),
                                        (13, "readable")])
def test_watch_error_says_what_to_do(code: int, hint: str) -> None:
    from debugtape.watch.watcher import WatchError

    err = WatchError("/src", OSError(code, "refused"))
    assert hint in str(err) and str(err).startswith("cannot watch /src: refused; ")
