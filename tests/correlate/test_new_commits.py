"""Commits made while a session is recorded become vcs_commit events of that session, without
the file watcher: seen at the next stop (before its snapshot) and at the end of the session."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from debugtape.correlate.correlator import STAT_TTL
from debugtape.pipeline import open_pipeline
from debugtape.store import Store
from tests.correlate.gitrepo import GitRepo


def _snap(repo: GitRepo, i: int) -> dict[str, Any]:
    return {"kind": "snapshot", "reason": "breakpoint",
            "frames": [{"symbol": "main", "file": str(repo.root / "app.c"), "line": 2, "locals": {"i": i}}]}


def _types_and_hashes(db: Path, sid: str) -> list[tuple[str, str | None]]:
    with Store(db) as s:
        return [(e.event.type, e.event.data.get("hash")) for e in s.iter_session_events(sid)
                if e.event.type in ("vcs_commit", "debug_snapshot", "session_ended")]


def test_commits_made_while_recording_are_events_of_the_session(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "w")
    repo.write("app.c", "int main(void)\n{\n  return 0;\n}\n")
    repo.commit("first")
    db = tmp_path / "store" / "tape.db"
    with open_pipeline(db, cwd=str(repo.root)) as p:
        p.feed({"kind": "start", "tool": "gdb", "cwd": str(repo.root)})
        p.feed(_snap(repo, 0))
        repo.write("app.c", "int main(void)\n{\n  return 1;\n}\n")
        second = repo.commit("second")
        repo.write("notes.txt", "x\n")
        third = repo.commit("third")
        time.sleep(STAT_TTL + 0.05)  # past the correlator's reuse of HEAD
        p.feed(_snap(repo, 1))
        p.feed(_snap(repo, 2))  # HEAD unchanged: nothing more
        repo.write("notes.txt", "y\n")
        fourth = repo.commit("fourth")
        sid = p.session_id
    assert sid is not None
    assert _types_and_hashes(db, sid) == [
        ("debug_snapshot", None), ("vcs_commit", second), ("vcs_commit", third), ("debug_snapshot", None),
        ("debug_snapshot", None), ("vcs_commit", fourth), ("session_ended", None),
    ]
    with Store(db) as s:
        commits = [e.event.data for e in s.iter_session_events(sid) if e.event.type == "vcs_commit"]
        ended = [e.event.data for e in s.iter_session_events(sid) if e.event.type == "session_ended"][0]
    assert commits[0]["message"] == "second" and commits[0]["files"] == ["app.c"]
    assert commits[0]["branch"] == "main" and commits[0]["author"].startswith("Ada Tester")
    assert ended["counts"]["commits"] == 3


def test_a_reset_to_an_older_commit_lists_nothing(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "w")
    repo.write("app.c", "int main(void)\n{\n  return 0;\n}\n")
    first = repo.commit("first")
    repo.write("app.c", "int main(void)\n{\n  return 1;\n}\n")
    repo.commit("second")
    db = tmp_path / "store" / "tape.db"
    with open_pipeline(db, cwd=str(repo.root)) as p:
        p.feed({"kind": "start", "tool": "gdb", "cwd": str(repo.root)})
        repo.git("reset", "-q", "--hard", first)
        time.sleep(STAT_TTL + 0.05)
        p.feed(_snap(repo, 0))
        sid = p.session_id
    assert sid is not None
    assert [t for t, _ in _types_and_hashes(db, sid)] == ["debug_snapshot", "session_ended"]


def test_outside_a_repository_no_commits_are_looked_for(tmp_path: Path) -> None:
    db = tmp_path / "store" / "tape.db"
    (tmp_path / "plain").mkdir()
    with open_pipeline(db, cwd=str(tmp_path / "plain")) as p:
        p.feed({"kind": "start", "tool": "gdb", "cwd": str(tmp_path / "plain")})
        p.feed({"kind": "snapshot", "frames": [{"symbol": "main"}]})
        sid = p.session_id
    assert sid is not None
    assert [t for t, _ in _types_and_hashes(db, sid)] == ["debug_snapshot", "session_ended"]
