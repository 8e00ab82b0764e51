"""The recorder's state machine with a toy backend (the real debuggers are in tests/adapters/gdb and lldb)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from debugtape.adapters.common.recorder import Recorder, TapeError
from debugtape.records import validate
from tests.adapters.common.test_values import ToyAccess, ToyFrame


class ListSink:
    def __init__(self) -> None:
        self.records: list[Mapping[str, Any]] = []
        self.closed = False

    def send(self, record: Mapping[str, Any]) -> None:
        self.records.append(validate(dict(record)))

    def flush(self, timeout: float = 5.0) -> None:
        pass

    def close(self, timeout: float = 30.0) -> int | None:
        self.closed = True
        return 0

    def alive(self) -> bool:
        return not self.closed


class ToyBackend:
    tool = "toy"

    def __init__(self) -> None:
        self.access = ToyAccess()
        self.bps = [{"bp_id": "1", "location": "f", "hits": 0, "condition": None}]

    def process_info(self) -> dict[str, Any]:
        return {"program": "/bin/toy", "argv": ["/bin/toy"], "cwd": "/tmp", "pid": 42}

    def current_thread(self) -> dict[str, Any] | None:
        return {"id": 1, "name": "main"}

    def frames(self) -> Iterable[Any]:
        return [ToyFrame(0), ToyFrame(1)]

    def threads(self) -> Iterable[tuple[dict[str, Any], Iterable[Any]]]:
        return [({"id": 1}, [ToyFrame(0)]), ({"id": 2}, [ToyFrame(0), ToyFrame(1)])]

    def breakpoints(self) -> list[dict[str, Any]]:
        return [dict(b) for b in self.bps]

    def add_snappoint(self, location: str, condition: str | None) -> dict[str, Any]:
        bp = {"bp_id": "9", "location": location, "condition": condition, "hits": 0}
        self.bps.append(bp)
        return bp

    def execute(self, command: str) -> str:
        return ""


@pytest.fixture
def rec(monkeypatch: pytest.MonkeyPatch) -> tuple[Recorder, ListSink]:
    monkeypatch.setenv("SERVICE_TOKEN", "tok-PLANTED-env")
    monkeypatch.setenv("LANG", "C.UTF-8")
    sink = ListSink()
    return Recorder(ToyBackend(), sink_factory=lambda db: sink), sink


def test_a_session_from_start_to_end(rec: tuple[Recorder, ListSink], tmp_path: Path) -> None:
    r, sink = rec
    with pytest.raises(TapeError, match="not recording"):
        r.snap()
    sid = r.start("demo", db=str(tmp_path / "t.db"))
    with pytest.raises(TapeError, match="already recording"):
        r.start()
    r.snap("look")
    r.note("a note")
    r.sample_now()
    r.on_stop("signal", signal_name="SIGSEGV")
    r.snappoint("g", "x > 1")
    r.on_snappoint("9")
    r.backend.bps[0]["hits"] = 3  # type: ignore[attr-defined]
    assert "recording session" in r.status()
    assert r.stop() == sid
    assert r.stop() is None and "not recording" in r.status()
    kinds = [x["kind"] for x in sink.records]
    assert kinds == ["start", "breakpoint", "snapshot", "note", "sample", "snapshot", "snapshot",
                     "breakpoint", "end"]
    start = sink.records[0]
    assert start["session"] == sid and start["tool"] == "toy" and start["pid"] == 42
    assert start["env"]["LANG"] == "C.UTF-8"  # values of allow-listed variables only
    assert set(start["env"]) <= {"LANG", "LC_ALL", "LC_CTYPE", "TERM", "SHELL", "TZ", "PWD"}
    assert "SERVICE_TOKEN" in start["meta"]["env_names"]
    assert "tok-PLANTED-env" not in repr(sink.records)
    assert sink.records[2]["note"] == "look" and sink.records[2]["reason"] == "manual"
    assert sink.records[5]["reason"] == "crash" and sink.records[5]["signal"] == "SIGSEGV"
    assert sink.records[6]["reason"] == "snappoint" and sink.records[6]["bp_id"] == "9"
    assert sink.records[7] | {"ts": 0} == {"kind": "breakpoint", "action": "changed", "bp_id": "1",
                                           "location": "f", "hits": 3, "condition": None, "ts": 0}
    assert sink.records[-1]["reason"] == "stopped" and sink.closed


def test_program_exit_ends_the_session_with_its_code(rec: tuple[Recorder, ListSink], tmp_path: Path) -> None:
    r, sink = rec
    r.start(db=str(tmp_path / "t.db"))
    r.on_breakpoint("removed", {"bp_id": "1"})
    r.on_exit(exit_code=3)
    assert not r.recording
    assert sink.records[-1] == {"kind": "end", "ts": sink.records[-1]["ts"], "reason": "exited", "exit_code": 3}
    r.on_debugger_exit()  # nothing left to end
    assert sink.records[-1]["kind"] == "end"


def test_bad_usage_is_a_clear_error(rec: tuple[Recorder, ListSink], tmp_path: Path) -> None:
    r, _ = rec
    r.start(db=str(tmp_path / "t.db"))
    with pytest.raises(TapeError, match="usage: tape note TEXT"):
        r.note("  ")
    with pytest.raises(TapeError, match="usage: tape snappoint"):
        r.snappoint("")


def test_a_sink_that_cannot_start_is_reported(tmp_path: Path) -> None:
    def broken(db: str) -> Any:
        raise OSError("no such python")

    r = Recorder(ToyBackend(), sink_factory=broken)
    with pytest.raises(TapeError, match="cannot start `debugtape ingest`.*no such python"):
        r.start(db=str(tmp_path / "t.db"))
    assert not r.recording
