"""A store that is locked, read-only, full or corrupt: a one-line error that says which and what to do."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from debugtape.errors import StoreError
from debugtape.events import Event
from debugtape.redact import Redactor, redact_event
from debugtape.store import Store
from tests.store.util import record_session


def _events(sid: str, n: int, size: int = 2000) -> list:
    r = Redactor()
    evs = [redact_event(Event("session_started", sid, {}, seq=1), r)]
    return evs + [redact_event(Event("note", sid, {"text": "x" * size}, seq=i), r) for i in range(2, n + 2)]


def test_locked(store_path, monkeypatch) -> None:
    import debugtape.store.db as db

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    Store(store_path).close()
    holder = sqlite3.connect(store_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with Store(store_path) as s, pytest.raises(StoreError) as err:
            s.append(_events("a", 1))
    finally:
        holder.execute("ROLLBACK")
    assert err.value.what == "locked by another process"
    assert "\n" not in str(err.value)


def test_read_only(store_path) -> None:
    record_session(store_path)
    with Store(store_path, readonly=True) as s:
        assert s.sessions()  # reading works
        with pytest.raises(StoreError) as err:
            s.append(_events("b", 1))
    assert err.value.what == "read-only" and "writable" in err.value.fix


def test_full_disk_loses_nothing_once_space_returns(store_path) -> None:
    with Store(store_path) as s:
        pages = s.conn.execute("PRAGMA page_count").fetchone()[0]
        s.conn.execute(f"PRAGMA max_page_count = {pages + 5}")
        with pytest.raises(StoreError) as err:
            s.append(_events("c", 200))
        assert err.value.what == "disk is full"
        assert s.sessions() == []  # nothing half-written
        # The background writer keeps the batch and retries until there is room again.
        errors: list[StoreError] = []
        w = s.background_writer(on_error=errors.append)
        w._conn.execute(f"PRAGMA max_page_count = {pages + 5}")
        for e in _events("c", 200):
            w.emit(e)
        with pytest.raises(StoreError):
            w.flush(timeout=5)
        assert errors and errors[0].what == "disk is full"
        w._conn.execute("PRAGMA max_page_count = 1073741823")
        w.close(timeout=30)
        assert s.session("c")["events"] == 201


def test_corrupt(store_path) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as err:
        Store(store_path)
    assert err.value.what.startswith("corrupt")
    proc = subprocess.run([sys.executable, "-m", "debugtape", "sessions", "--db", str(store_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "corrupt" in proc.stderr and "move the file aside" in proc.stderr
