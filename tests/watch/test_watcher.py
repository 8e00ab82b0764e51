"""The Watcher on real files, real git commits and real watchdog (inotify) observers."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from debugtape.correlate.git import git_dir
from debugtape.watch.watcher import Watcher
from tests.support import need_binary
from tests.watch.helpers import Recorder, git, make_repo

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    need_binary("git")
    return make_repo(tmp_path / "repo")


@pytest.fixture
def watching(repo: Path) -> Iterator[tuple[Watcher, Recorder]]:
    before = set(threading.enumerate())
    rec = Recorder()
    gd = git_dir(repo)
    w = Watcher(repo, rec, top=repo, git_dirs=[gd] if gd else [], skip_dirs=[repo / ".debugtape"],
                debounce=0.05)
    w.start()
    yield w, rec
    w.stop()
    leaked = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not leaked, f"threads left running: {leaked}"


def test_edit_create_delete_move_and_ignore(repo: Path, watching: tuple[Watcher, Recorder]) -> None:
    w, rec = watching
    text = (repo / "parser.c").read_text().splitlines(keepends=True)
    text[11] = "changed 12\n"
    text[12] = "changed 13\n"
    (repo / "parser.c").write_text("".join(text))
    (repo / "new.c").write_text("int x;\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.bin").write_text("ignored by .gitignore")
    (repo / "main.o").write_text("ignored too")
    (repo / ".debugtape").mkdir()
    (repo / ".debugtape" / "tape.db").write_text("the store itself is never a change")
    (repo / ".parser.c.swp").write_text("editor litter")
    assert rec.wait(lambda r: {"parser.c", "new.c"} <= set(r.changes()))
    changes = rec.changes()
    assert changes["parser.c"]["kind"] == "modified"
    assert changes["parser.c"]["lines"] == [[12, 13]]
    assert changes["parser.c"]["size"] == (repo / "parser.c").stat().st_size
    assert changes["new.c"]["kind"] == "created" and "lines" not in changes["new.c"]
    batch = rec.of("batch_processed")[0]
    assert batch["source"] == "watch" and set(batch["paths"]) == {"parser.c", "new.c"}

    os.rename(repo / "new.c", repo / "renamed.c")
    (repo / "parser.c").unlink()
    assert rec.wait(lambda r: "renamed.c" in {d.get("dest") for d in r.of("file_changed")}
                    and r.changes()["parser.c"]["kind"] == "deleted")
    moved = next(d for d in rec.of("file_changed") if d.get("dest") == "renamed.c")
    assert moved["path"] == "new.c" and moved["kind"] == "moved"
    seen = {d["path"] for d in rec.of("file_changed")}
    assert not seen & {"build/out.bin", "main.o", ".debugtape/tape.db", ".parser.c.swp"}


def test_atomic_save_reads_as_modified(repo: Path, watching: tuple[Watcher, Recorder]) -> None:
    _, rec = watching
    tmp = repo / ".parser.c.tmp.1234"
    tmp.write_text("line 1\nnew line 2\n")
    os.replace(tmp, repo / "parser.c")
    assert rec.wait(lambda r: "parser.c" in r.changes())
    change = rec.changes()["parser.c"]
    assert change["kind"] == "modified"
    assert change["lines"] == [[2, 2]]
    assert all(not d["path"].startswith(".parser.c.tmp") for d in rec.of("file_changed"))


def test_commits_checkout_and_branch_moves(repo: Path, watching: tuple[Watcher, Recorder]) -> None:
    _, rec = watching
    (repo / "parser.c").write_text("rewritten\n")
    git(repo, "commit", "-q", "-am", "rewrite the parser")
    head = git(repo, "rev-parse", "HEAD")
    assert rec.wait(lambda r: any(d["hash"] == head for d in r.of("vcs_commit")))
    commit = next(d for d in rec.of("vcs_commit") if d["hash"] == head)
    assert commit["reason"] == "commit" and commit["branch"] == "main"
    assert commit["message"] == "rewrite the parser" and commit["files"] == ["parser.c"]
    assert commit["previous"] == git(repo, "rev-parse", "HEAD~1")

    # A checkout and a commit in quick succession (one batch): the reflog tells them apart.
    git(repo, "checkout", "-q", "-b", "topic", "HEAD~1")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "t.c").write_text("t\n")
    git(repo, "add", "t.c")
    git(repo, "commit", "-q", "-m", "topic work")
    topic = git(repo, "rev-parse", "HEAD")
    assert rec.wait(lambda r: any(d["hash"] == topic for d in r.of("vcs_commit")))
    moves = [(d["reason"], d["hash"], d["branch"]) for d in rec.of("vcs_commit")]
    assert moves[-2:] == [("checkout", base, "topic"), ("commit", topic, "topic")]

    git(repo, "reset", "-q", "--hard", base)
    assert rec.wait(lambda r: r.of("vcs_commit")[-1]["reason"] == "reset")
    assert rec.of("vcs_commit")[-1]["hash"] == base
    assert rec.of("vcs_commit")[-1]["previous"] == topic

    git(repo, "branch", "-f", "main", topic)  # another branch moved: a ref move
    assert rec.wait(lambda r: any(d["reason"] == "ref" and d["branch"] == "main"
                                  for d in r.of("vcs_commit")))


def test_burst_of_1000_writes_loses_nothing(repo: Path, watching: tuple[Watcher, Recorder]) -> None:
    _, rec = watching
    (repo / "burst").mkdir()
    names = {f"burst/f{i:04d}.txt" for i in range(1000)}
    for name in sorted(names):
        (repo / name).write_text(name)
    assert rec.wait(lambda r: names <= set(r.changes()), timeout=30), \
        f"missing {len(names - set(rec.changes()))} of 1000"
    first: dict[str, str] = {}
    for d in rec.of("file_changed"):
        first.setdefault(d["path"], d["kind"])
    # A burst longer than the 1 s batch limit may split a file's events over two batches
    # (created, then modified): its first event still says created.
    assert all(first[n] == "created" for n in names)
    # Each batch's summary follows its file_changed records: wait for the last one too.
    assert rec.wait(lambda r: sum(b["count"] for b in r.of("batch_processed")) >= 1000, timeout=30)


def test_stop_flushes_what_was_observed(repo: Path) -> None:
    rec = Recorder()
    w = Watcher(repo, rec, top=repo, debounce=5.0)  # a long quiet period: only stop() flushes
    w.start()
    (repo / "late.c").write_text("x\n")
    # Wait until watchdog has delivered the event to the watcher, then stop at once.
    deadline = 100
    while not len(w._pending) and deadline:
        threading.Event().wait(0.05)
        deadline -= 1
    w.stop()
    assert "late.c" in rec.changes()


def test_outside_git(tmp_path: Path) -> None:
    rec = Recorder()
    w = Watcher(tmp_path, rec, debounce=0.05)
    w.start()
    try:
        (tmp_path / "plain.txt").write_text("hello")
        assert rec.wait(lambda r: "plain.txt" in r.changes())
        assert rec.changes()["plain.txt"] == {"path": "plain.txt", "kind": "created", "size": 5}
    finally:
        w.stop()


def test_watching_a_subfolder_still_sees_commits(repo: Path) -> None:
    (repo / "src").mkdir()
    rec = Recorder()
    gd = git_dir(repo)
    w = Watcher(repo / "src", rec, top=repo, git_dirs=[gd] if gd else [], debounce=0.05)
    w.start()
    try:
        (repo / "src" / "inner.c").write_text("x\n")
        (repo / "outside.c").write_text("not watched\n")
        git(repo, "add", "src/inner.c")
        git(repo, "commit", "-q", "-m", "inner")
        head = git(repo, "rev-parse", "HEAD")
        assert rec.wait(lambda r: "src/inner.c" in r.changes()
                        and any(d["hash"] == head for d in r.of("vcs_commit")))
        assert "outside.c" not in rec.changes()
    finally:
        w.stop()


def test_fast_forward_lists_each_commit(repo: Path, watching: tuple[Watcher, Recorder]) -> None:
    _, rec = watching
    start = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    for i in range(3):
        (repo / f"f{i}.c").write_text(f"{i}\n")
        git(repo, "add", f"f{i}.c")
        git(repo, "commit", "-q", "-m", f"feature {i}")
    feature = git(repo, "log", "--format=%H", "-3", "--reverse").split()
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feature")
    assert rec.wait(lambda r: [d["reason"] for d in r.of("vcs_commit")][-3:] == ["merge"] * 3), \
        [(d["reason"], d["hash"][:7], d.get("message")) for d in rec.of("vcs_commit")]
    merged = rec.of("vcs_commit")[-3:]
    assert [d["hash"] for d in merged] == feature
    assert all(d["branch"] == "main" and d["previous"] == start for d in merged)


def test_without_a_reflog_states_are_compared(repo: Path) -> None:
    import shutil

    git(repo, "config", "core.logAllRefUpdates", "false")
    shutil.rmtree(repo / ".git" / "logs")
    rec = Recorder()
    w = Watcher(repo, rec, top=repo, git_dirs=[repo / ".git"], debounce=0.05)
    w.start()
    try:
        (repo / "parser.c").write_text("x\n")
        git(repo, "commit", "-q", "-am", "no reflog")
        head = git(repo, "rev-parse", "HEAD")
        assert rec.wait(lambda r: any(d["hash"] == head for d in r.of("vcs_commit")))
        assert rec.of("vcs_commit")[-1]["reason"] == "commit"
    finally:
        w.stop()


def test_a_file_moved_in_over_a_tracked_one_reads_as_modified(
        repo: Path, tmp_path: Path, watching: tuple[Watcher, Recorder]) -> None:
    _, rec = watching
    outside = tmp_path / "elsewhere.c"  # written outside the watched tree, then moved in
    outside.write_text("line 1\nline two\n")
    os.rename(outside, repo / "parser.c")
    assert rec.wait(lambda r: "parser.c" in r.changes())
    assert rec.changes()["parser.c"]["kind"] == "modified"
    assert rec.changes()["parser.c"]["lines"] == [[2, 2]]

    (repo / "parser.c").unlink()
    assert rec.wait(lambda r: r.changes()["parser.c"]["kind"] == "deleted")
    (repo / "parser.c").write_text("back again\n")  # after a reported deletion: created anew
    assert rec.wait(lambda r: r.changes()["parser.c"]["kind"] != "deleted")
    assert rec.changes()["parser.c"]["kind"] == "created"


def test_a_stash_is_no_commit(repo: Path, watching: tuple[Watcher, Recorder]) -> None:
    """`git stash` writes "reset: moving to HEAD" into HEAD's reflog: HEAD did not move."""
    _, rec = watching
    (repo / "parser.c").write_text("work in progress\n")
    assert rec.wait(lambda r: "parser.c" in r.changes())
    git(repo, "stash", "-q")
    assert rec.wait(lambda r: r.changes()["parser.c"].get("lines") == [])  # back to HEAD's text
    (repo / "marker.c").write_text("x\n")
    git(repo, "add", "marker.c")
    git(repo, "commit", "-q", "-m", "after the stash")
    head = git(repo, "rev-parse", "HEAD")
    assert rec.wait(lambda r: any(d["hash"] == head for d in r.of("vcs_commit")))
    assert [(d["reason"], d["hash"]) for d in rec.of("vcs_commit")] == [("commit", head)]
