"""How the watcher's events read in `debugtape timeline` (and the UI, which shares the summaries)."""

from __future__ import annotations

from typing import Any

import pytest

from debugtape.cli.render import event_summary
from debugtape.events import Event


@pytest.mark.parametrize("etype, data, text", [
    ("file_changed", {"path": "src/parser.c", "kind": "modified", "size": 9,
                      "lines": [[120, 130], [141, 141]]}, "modified src/parser.c lines 120-130, 141"),
    ("file_changed", {"path": "a.c", "kind": "modified", "lines": [[i, i] for i in range(1, 101)],
                      "lines_total": 130}, "modified a.c lines 1, 2, 3, 4 (+126 more)"),
    ("file_changed", {"path": "old.c", "kind": "moved", "dest": "new.c", "lines": []},
     "moved old.c -> new.c (same as HEAD)"),
    ("file_changed", {"path": "logo.png", "kind": "modified", "binary": True}, "modified logo.png (binary)"),
    ("file_changed", {"path": "notes.txt", "kind": "created", "size": 3}, "created notes.txt"),
    ("file_changed", {"path": "gone.c", "kind": "deleted"}, "deleted gone.c"),
    ("vcs_commit", {"hash": "c180162abcdef", "branch": "main", "reason": "commit",
                    "message": "rewrite the parser"}, "commit c180162a on main: rewrite the parser"),
    ("vcs_commit", {"hash": "c180162abcdef", "branch": None, "reason": "checkout", "message": "m"},
     "checkout c180162a: m"),
    ("watch_started", {"root": "/src/proj", "files": 1834}, "watching /src/proj (1834 files)"),
    ("watch_started", {"root": "/tmp/x", "files": None}, "watching /tmp/x"),
    ("batch_processed", {"count": 1, "paths": ["a.c"], "source": "watch"}, "1 file: a.c"),
    ("batch_processed", {"count": 60, "paths": [f"f{i}.c" for i in range(50)], "source": "watch"},
     "60 files: f0.c, f1.c, f2.c, f3.c (+56 more)"),
    ("batch_processed", {"count": 1, "paths": ["alice.jsonl"], "source": "inbox", "status": "done",
                         "result": {"imported": 41, "skipped": 0, "sessions": 1, "bad_lines": 0}},
     "inbox alice.jsonl: 41 events imported, 0 already present"),
    ("batch_processed", {"count": 1, "paths": ["vscode.dap.jsonl"], "source": "inbox", "status": "done",
                         "result": {"sessions": ["abc"]}}, "inbox vscode.dap.jsonl: 1 session(s) from a DAP log"),
    ("batch_processed", {"count": 1, "paths": ["junk.txt"], "source": "inbox", "status": "failed",
                         "reason": "the file is empty"}, "inbox junk.txt: failed: the file is empty"),
])
def test_summaries(etype: str, data: dict[str, Any], text: str) -> None:
    event = Event(type=etype, session="s", data=data, seq=1, ts="2026-01-01T00:00:00.000Z")
    assert event_summary(event) == text
