"""Inbox format detection (table-driven) and the move to done/ or failed/ with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from debugtape.watch.inbox import Inbox, InboxError, detect_kind

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("text, kind", [
    ('{"ts": "2026-01-01T00:00:00.000Z", "session": "s1", "seq": 1, "type": "session_started", "data": {}}\n', "tape"),
    ('\n\n{"seq": 1, "type": "request", "command": "initialize"}\n', "dap"),
    ('{"dir": "from_adapter", "ts": 1.5, "msg": {"seq": 3, "type": "event", "event": "stopped"}}\n', "dap"),
    ((DATA / "stop.dap.jsonl").read_text(), "dap"),
])
def test_detect(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(text)
    assert detect_kind(path) == kind


@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    ("hello\n", "not JSON"),
    ("[1, 2]\n", "not a JSON object"),
    ('{"kind": "snapshot", "frames": []}\n', "neither an exported tape"),
])
def test_detect_rejects(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(text)
    with pytest.raises(InboxError, match=reason):
        detect_kind(path)


def test_scan_waits_for_a_still_file_and_moves_it(tmp_path: Path) -> None:
    imported: list[Path] = []

    def tape(path: Path) -> dict[str, Any]:
        imported.append(path)
        return {"imported": 1}

    def broken(path: Path) -> dict[str, Any]:
        raise RuntimeError("the store is full")

    folder = tmp_path / "inbox"
    inbox = Inbox(folder, {"tape": tape, "dap": broken})
    emitted: list[dict[str, Any]] = []
    inbox.start(emitted.append)
    inbox.stop()  # no polling thread: drive scan() by hand
    line = json.dumps({"session": "s", "seq": 1, "type": "note", "data": {}}) + "\n"
    (folder / "a.jsonl").write_text(line)
    (folder / "b.dap.jsonl").write_text((DATA / "stop.dap.jsonl").read_text())
    (folder / ".hidden").write_text(line)
    assert inbox.scan() == []  # first sight: wait one poll for the size to hold
    results = {r["paths"][0]: r for r in inbox.scan()}
    assert results["a.jsonl"]["status"] == "done" and imported == [inbox.work / "a.jsonl"]
    assert results["b.dap.jsonl"]["status"] == "failed"
    assert results["b.dap.jsonl"]["reason"] == "RuntimeError: the store is full"
    assert (folder / "done" / "a.jsonl").exists()
    assert (folder / "failed" / "b.dap.jsonl.reason").read_text() == "RuntimeError: the store is full\n"
    assert (folder / ".hidden").exists()
    assert [e["data"]["status"] for e in emitted] == ["done", "failed"]
    # The same name again does not overwrite what done/ holds.
    (folder / "a.jsonl").write_text(line)
    inbox.scan()
    inbox.scan()
    assert len(list((folder / "done").glob("a*.jsonl"))) == 2
    assert oct((folder / "done").stat().st_mode & 0o777) == "0o700"


def test_two_watchers_import_a_file_once(tmp_path: Path) -> None:
    """Two watchers on one store (a terminal's, a debugger's): the second looks at the inbox
    while the first is importing a file; it must not import it too."""
    folder = tmp_path / "inbox"
    imported: list[str] = []

    def importer(path: Path) -> dict[str, Any]:
        imported.append(path.name)
        if len(imported) == 1:
            second.scan()  # the other watcher's poll, mid-import
        return {}

    first, second = (Inbox(folder, {"tape": importer}) for _ in range(2))
    for inbox in (first, second):
        inbox.start(lambda record: None)
        inbox.stop()
    (folder / "a.jsonl").write_text(json.dumps({"session": "s", "seq": 1, "type": "note", "data": {}}) + "\n")
    second.scan()
    first.scan()  # both have seen it hold still once
    first.scan()
    second.scan()
    assert imported == ["a.jsonl"]
    assert [p.name for p in (folder / "done").iterdir()] == ["a.jsonl"]


def test_a_dead_watchers_claim_comes_back(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / ".work-999999999").mkdir(parents=True)  # a watcher that died while importing
    (folder / ".work-999999999" / "left.jsonl").write_text("{}\n")
    inbox = Inbox(folder, {})
    inbox.start(lambda record: None)
    inbox.stop()
    assert not (folder / ".work-999999999").exists() and (folder / "left.jsonl").exists()
