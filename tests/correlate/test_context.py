"""Commit context against real repositories: clean, dirty, detached, unborn, outside."""

from __future__ import annotations

from pathlib import Path

from debugtape.correlate.context import Repo, commit_context
from debugtape.correlate.git import GitError, run_git
from tests.correlate.gitrepo import GitRepo


def _repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "w")
    r.write("a.c", "int a;\n")
    r.commit("first")
    return r


def test_clean_tree(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    ctx = commit_context(r.root)
    assert ctx is not None
    assert ctx["head"] == r.head()
    assert ctx["branch"] == "main" and ctx["detached"] is False
    assert ctx["dirty"] is False and ctx["diff_hash"] is None
    assert Path(ctx["root"]) == r.root.resolve()


def test_diff_hash_changes_with_the_diff(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    r.write("a.c", "int a = 1;\n")
    one = commit_context(r.root)
    r.write("a.c", "int a = 2;\n")
    two = commit_context(r.root)
    r.write("a.c", "int a = 1;\n")
    again = commit_context(r.root)
    assert one and two and again
    assert one["dirty"] and two["dirty"]
    assert one["diff_hash"] != two["diff_hash"]
    assert again["diff_hash"] == one["diff_hash"]  # the same diff, the same hash


def test_staged_change_is_dirty_and_untracked_file_is_not(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    r.write("new.c", "int n;\n")
    assert commit_context(r.root)["dirty"] is False  # type: ignore[index]
    r.git("add", "new.c")
    assert commit_context(r.root)["dirty"] is True  # type: ignore[index]


def test_detached_head(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    first = r.head()
    r.write("a.c", "int a = 3;\n")
    r.commit("second")
    r.git("checkout", "-q", "--detach", first)
    ctx = commit_context(r.root / ".")
    assert ctx is not None
    assert ctx["head"] == first and ctx["branch"] is None and ctx["detached"] is True


def test_cached_context_notices_head_move_and_watched_edit(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    repo = Repo(r.root)
    first = repo.context(max_age=60)
    r.write("a.c", "int a = 4;\n")
    r.commit("second")
    moved = repo.context(watch={str(r.root / "a.c"): None}, max_age=60)
    assert moved["head"] == r.head() != first["head"]
    assert repo.context(watch={str(r.root / "a.c"): None}, max_age=60)["dirty"] is False
    r.write("a.c", "int a = 5; /* edited */\n")
    edited = repo.context(watch={str(r.root / "a.c"): None}, max_age=60)
    assert edited["dirty"] is True


def test_unborn_branch(tmp_path: Path) -> None:
    r = GitRepo(tmp_path / "empty")
    ctx = commit_context(r.root)
    assert ctx is not None and ctx["head"] is None and ctx["branch"] == "main"
    assert ctx["detached"] is False


def test_outside_any_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert commit_context(plain) is None


def test_git_error_names_command_and_message(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    try:
        run_git(["rev-parse", "--verify", "nosuchrev"], r.root)
    except GitError as exc:
        assert "rev-parse" in str(exc) and exc.returncode == 128
    else:
        raise AssertionError("expected GitError")
    try:
        run_git(["status"], tmp_path / "missing")
    except GitError as exc:
        assert "does not exist" in str(exc)
    else:
        raise AssertionError("expected GitError")
