"""vcs_commit data from real repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from debugtape.correlate import GitError, commit_event_data, commits_between
from tests.correlate.gitrepo import GitRepo


def _repo(tmp_path: Path) -> tuple[GitRepo, list[str]]:
    r = GitRepo(tmp_path / "w")
    shas = []
    r.write("a.c", "int a;\n")
    shas.append(r.commit("first\n\nbody text"))
    r.write("b.c", "int b;\n")
    r.write("a.c", "int a = 1;\n")
    shas.append(r.commit("second: touch a and b"))
    r.write("dir/c ü.c", "int c;\n")
    shas.append(r.commit("third"))
    return r, shas


def test_one_commit(tmp_path: Path) -> None:
    r, shas = _repo(tmp_path)
    data = commit_event_data(r.root, "HEAD")
    assert data["hash"] == shas[2]
    assert data["author"] == "Ada Tester <ada@example.invalid>"
    assert data["message"] == "third"
    assert data["files"] == ["dir/c ü.c"]  # quotepath off: no octal escapes
    assert data["parents"] == [shas[1]]
    assert data["branch"] == "main"
    root = commit_event_data(r.root, shas[0])
    assert root["parents"] == [] and root["files"] == ["a.c"] and root["message"] == "first"
    assert root["branch"] is None  # not HEAD: the branch is not guessed


def test_history_between_two_revisions(tmp_path: Path) -> None:
    r, shas = _repo(tmp_path)
    got = commits_between(r.root, shas[0], shas[2], branch="main")
    assert [c["hash"] for c in got] == shas[1:]  # oldest first
    assert got[0]["files"] == ["a.c", "b.c"] and got[0]["branch"] == "main"
    assert commits_between(r.root, shas[2], shas[2]) == []
    assert [c["hash"] for c in commits_between(r.root, None, shas[1])] == [shas[1]]


def test_unknown_revision_is_a_clear_error(tmp_path: Path) -> None:
    r, _ = _repo(tmp_path)
    with pytest.raises(GitError) as info:
        commit_event_data(r.root, "0123456789abcdef0123456789abcdef01234567")
    assert "0123456789abcdef" in str(info.value)
