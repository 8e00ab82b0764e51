"""git questions the watcher asks, against real repositories; the -U0 parser from real git output."""

from __future__ import annotations

from pathlib import Path

import pytest

from debugtape.watch.gitview import GitView, parse_diff_u0
from tests.support import need_binary
from tests.watch.helpers import git, make_repo

pytestmark = pytest.mark.timeout(60)

BASE = "".join(f"line {i}\n" for i in range(1, 21))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    need_binary("git")
    return make_repo(tmp_path / "repo")


def test_changed_lines_from_real_diffs(repo: Path) -> None:
    lines = BASE.splitlines(keepends=True)
    lines[4] = "LINE 5\n"  # change line 5
    lines[9:12] = []  # delete lines 10-12
    lines.append("line 21\nline 22\n")  # add two at the end (new lines 18-19)
    (repo / "parser.c").write_text("".join(lines))
    (repo / "we ird\t[x].c").write_text("a\n")
    git(repo, "add", "we ird\t[x].c")
    git(repo, "commit", "-q", "-m", "odd name")
    (repo / "we ird\t[x].c").write_text("a\nb\n")
    (repo / "blob.bin").write_bytes(b"\0\1\2")
    git(repo, "add", "blob.bin")
    git(repo, "commit", "-q", "-m", "binary")
    (repo / "blob.bin").write_bytes(b"\0\1\3\4")
    view = GitView(repo)
    got = view.changed_lines(["parser.c", "we ird\t[x].c", "blob.bin", "untracked.c"])
    assert got["parser.c"] == [[5, 5], [9, 9], [18, 19]]
    assert got["we ird\t[x].c"] == [[2, 2]]
    assert got["blob.bin"] == "binary"
    assert "untracked.c" not in got


def test_ignored_and_tracked(repo: Path) -> None:
    (repo / "build").mkdir()
    (repo / "build" / "out.txt").write_text("x")
    (repo / "main.o").write_text("x")
    (repo / "new.c").write_text("x")
    view = GitView(repo)
    names = ["build/out.txt", "main.o", "new.c", "parser.c", "[a].c"]
    assert view.ignored(names) == {"build/out.txt", "main.o"}
    assert view.ignored(["new.c"]) == set()  # git's "none ignored" exit code is not an error
    assert view.tracked(names) == {"parser.c"}
    assert view.count_files() == 3  # .gitignore, parser.c, new.c


def test_refs(repo: Path) -> None:
    view = GitView(repo)
    state = view.refs()
    assert state.head == git(repo, "rev-parse", "HEAD") and state.branch == "main"
    git(repo, "branch", "topic")
    git(repo, "checkout", "-q", "--detach")
    state = view.refs()
    assert state.branch is None and set(state.branches) == {"main", "topic"}


def test_unborn_repository(tmp_path: Path) -> None:
    need_binary("git")
    (tmp_path / "r").mkdir()
    git(tmp_path / "r", "init", "-q", "-b", "main")
    state = GitView(tmp_path / "r").refs()
    assert state.head is None and state.branch == "main" and state.branches == {}


@pytest.mark.parametrize("text, expected", [
    ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -3 +3 @@\n-a\n+b\n", {"x": [[3, 3]]}),
    ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1,4 @@\n", {"x": [[1, 4]]}),
    ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -5,2 +4,0 @@\n", {"x": [[4, 4]]}),
    ("diff --git a/x b/x\n--- a/x\n+++ /dev/null\n@@ -1,3 +0,0 @@\n", {"x": [[1, 1]]}),
    ('diff --git "a/t\\tb" "b/t\\tb"\n--- "a/t\\tb"\n+++ "b/t\\tb"\n@@ -1 +1,2 @@\n', {"t\tb": [[1, 2]]}),
    ('diff --git a/\\303\\251 b/\\303\\251\n--- "a/\\303\\251"\n+++ "b/\\303\\251"\n@@ -1 +1 @@\n',
     {"é": [[1, 1]]}),
    ("diff --git a/p q b/p q\nindex 1..2 100644\nBinary files a/p q and b/p q differ\n",
     {"p q": "binary"}),
    ("", {}),
])
def test_parse_diff_u0(text: str, expected: dict) -> None:
    assert parse_diff_u0(text) == expected
