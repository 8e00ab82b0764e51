"""Per-line blame against real repositories, including one with 5,000 commits."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from debugtape.correlate.blame import BlameCache, line_ranges, parse_porcelain
from tests.correlate.gitrepo import GitRepo, fast_import_history


def _repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "w")
    r.write("m.c", "int a;\nint b;\nint c;\n")
    r.commit("first")
    r.write("m.c", "int a;\nint b = 2;\nint c;\n")
    r.commit("second")
    return r


def test_lines_name_the_commit_that_last_touched_them(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    first = r.git("rev-list", "--max-parents=0", "HEAD").strip()
    cache = BlameCache()
    path = str(r.root / "m.c")
    a, b = cache.blame([(path, 1), (path, 2)])
    assert a["commit"] == first
    assert b["commit"] == r.head()
    assert isinstance(b["author_time"], int)


def test_repeated_stops_cost_no_git_call(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    cache = BlameCache()
    path = str(r.root / "m.c")
    cache.blame([(path, 1), (path, 3)])
    assert cache.git_calls == 1  # both lines in one call
    cache.blame([(path, 1), (path, 3)])
    assert cache.git_calls == 1


def test_line_changed_in_working_tree_is_uncommitted(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    cache = BlameCache()
    path = str(r.root / "m.c")
    assert "commit" in cache.blame([(path, 3)])[0]
    r.write("m.c", "int a;\nint b = 2;\nint c = 9;\n")
    one, three = cache.blame([(path, 1), (path, 3)])
    assert three == {"status": "uncommitted"}
    assert "commit" in one  # the untouched line still names its commit


def test_outside_untracked_missing_and_past_the_end(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    outside = tmp_path / "elsewhere.c"
    outside.write_text("int x;\n")
    r.write("untracked.c", "int u;\n")
    cache = BlameCache()
    res = cache.blame([
        (str(outside), 1), (str(r.root / "untracked.c"), 1), (str(r.root / "gone.c"), 1),
        (str(r.root / "m.c"), 99), (None, None),
    ])
    assert [x["status"] for x in res] == ["outside_repo", "untracked", "unknown", "unknown", "unknown"]
    assert "past the end" in res[3]["reason"]


def test_new_commit_invalidates(tmp_path: Path) -> None:
    r = _repo(tmp_path)
    cache = BlameCache()
    path = str(r.root / "m.c")
    r.write("m.c", "int a = 7;\nint b = 2;\nint c;\n")
    assert cache.blame([(path, 1)])[0] == {"status": "uncommitted"}
    r.commit("third")
    assert cache.blame([(path, 1)])[0]["commit"] == r.head()


def test_widen_blames_the_rest_of_the_function_in_the_background(tmp_path: Path) -> None:
    import time

    r = _repo(tmp_path)
    cache = BlameCache(widen=lambda path, line: (1, 3))
    path = str(r.root / "m.c")
    assert "commit" in cache.blame([(path, 1)])[0]  # the stop pays for its own line only
    deadline = time.monotonic() + 20
    while cache.git_calls < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.git_calls == 2  # one for line 1 now, one for lines 2-3 in the background
    cache.blame([(path, 2)])
    cache.blame([(path, 3)])
    assert cache.git_calls == 2


def test_porcelain_parser_and_ranges() -> None:
    sample = (
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1 2\nauthor A\nauthor-time 100\n"
        "summary s\nfilename f\n\tx\n"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 2 2\n\ty\n"
        "0000000000000000000000000000000000000000 3 5 1\nauthor Not Committed Yet\n"
        "author-time 200\nfilename f\n\tz\n"
    )
    got = parse_porcelain(sample)
    assert got[1] == got[2] == {"commit": "a" * 40, "author_time": 100}
    assert got[5] == {"status": "uncommitted"}
    assert line_ranges([9, 3, 4, 5]) == [(3, 5), (9, 9)]


@pytest.mark.timeout(120)
def test_five_thousand_commit_repository(tmp_path: Path) -> None:
    r = GitRepo(tmp_path / "big")
    fast_import_history(r, 5000)
    assert r.git("rev-list", "--count", "HEAD").strip() == "5000"
    locs = [(str(r.root / f"src/f{i % 5}.c"), 1 + i * 13) for i in range(20)]
    cache = BlameCache()
    ours = cache.blame(locs)
    assert cache.git_calls < 5  # one history walk for the five files, not one blame per frame
    for (path, line), got in zip(locs, ours, strict=True):
        rel = Path(path).relative_to(r.root).as_posix()
        base = subprocess.run(
            ["git", "blame", "--porcelain", "-L", f"{line},{line}", rel],
            cwd=r.root, capture_output=True, text=True, check=True,
        ).stdout.split(" ", 1)[0]
        assert got["commit"] == base
    calls = cache.git_calls
    assert cache.blame(locs) == ours and cache.git_calls == calls


def test_a_blame_that_takes_too_long_is_unknown_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from debugtape.correlate import blame as blame_mod

    r = _repo(tmp_path)
    monkeypatch.setattr(blame_mod, "BLAME_TIMEOUT", 0.000001)
    cache = BlameCache()
    path = str(r.root / "m.c")
    first = cache.blame([(path, 1)])[0]
    assert first["status"] == "unknown" and "longer than" in first["reason"]
    assert cache.blame([(path, 2)])[0] == first  # not retried until the file or HEAD changes
    assert cache.git_calls == 1
