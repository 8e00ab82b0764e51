"""The one-walk blame agrees with git blame on every line it answers, through inserts,
deletions, edits, a merge, a rename and working-tree changes."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from debugtape.correlate.blame import BlameCache, parse_porcelain
from debugtape.correlate.walk import map_through_hunks, walk_blame
from tests.correlate.gitrepo import GitRepo

HUNK_CASES = [
    (5, [(3, 1, 3, 1)], 5),        # an edit above: no shift
    (3, [(3, 1, 3, 1)], None),     # the edited line itself
    (10, [(4, 0, 5, 2)], 8),       # two lines inserted above
    (10, [(4, 3, 3, 0)], 13),      # three lines deleted above
    (3, [(4, 3, 3, 0)], 3),        # deletion after the line
    (6, [(2, 0, 3, 2), (8, 1, 10, 1)], 4),
    (10, [(2, 0, 3, 2), (8, 1, 10, 1)], None),
]


@pytest.mark.parametrize(("line", "hunks", "old"), HUNK_CASES)
def test_map_through_hunks(line: int, hunks: list[tuple[int, int, int, int]], old: int | None) -> None:
    assert map_through_hunks(line, hunks) == old


def _mutate(rng: random.Random, lines: list[str], tag: str) -> None:
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["edit", "insert", "delete"])
        at = rng.randrange(len(lines))
        if op == "edit":
            lines[at] = f"{lines[at]} /* {tag} */"
        elif op == "insert":
            lines[at:at] = [f"new {tag} {k}" for k in range(rng.randint(1, 3))]
        elif len(lines) > 10:
            del lines[at:at + rng.randint(1, 2)]


def _write(r: GitRepo, name: str, lines: list[str]) -> None:
    r.write(name, "\n".join(lines) + "\n")


@pytest.mark.timeout(120)
def test_walk_agrees_with_git_blame(tmp_path: Path) -> None:
    rng = random.Random(7)
    r = GitRepo(tmp_path / "w")
    files = {f"f{k}.c": [f"line {k}.{i}" for i in range(30)] for k in range(4)}
    files["sp ace.c"] = [f"spaced {i}" for i in range(30)]  # git ends such names with a tab
    for name, lines in files.items():
        _write(r, name, lines)
    r.commit("root")
    for n in range(40):
        name = rng.choice(sorted(files))
        _mutate(rng, files[name], f"c{n}")
        _write(r, name, files[name])
        r.commit(f"c{n}")
    # A side branch merged back: its lines reach main through the merge.
    r.git("checkout", "-q", "-b", "side")
    _mutate(rng, files["f1.c"], "side")
    _write(r, "f1.c", files["f1.c"])
    r.commit("side change")
    r.git("checkout", "-q", "main")
    _mutate(rng, files["f2.c"], "main")
    _write(r, "f2.c", files["f2.c"])
    r.commit("main change")
    r.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    # A rename: git blame follows it, a first-parent walk must not guess.
    r.git("mv", "f3.c", "g3.c")
    files["g3.c"] = files.pop("f3.c")
    r.commit("rename f3 to g3")
    for n in range(5):
        name = rng.choice(sorted(files))
        _mutate(rng, files[name], f"d{n}")
        _write(r, name, files[name])
        r.commit(f"d{n}")
    _mutate(rng, files["f0.c"], "wip")  # uncommitted
    _write(r, "f0.c", files["f0.c"])

    wanted = {name: set(range(1, len(lines) + 1)) for name, lines in files.items()}
    got = walk_blame(r.root, wanted)
    answered = 0
    for name in files:
        truth = parse_porcelain(subprocess.run(["git", "blame", "--porcelain", "--", name], cwd=r.root,
                                               capture_output=True, text=True, check=True).stdout)
        for line, answer in got[name].items():
            assert answer == truth[line], (name, line)
            answered += 1
    total = sum(len(v) for v in wanted.values())
    assert total // 2 < answered < total  # most lines walked; merged and renamed ones left to blame
    assert len(got["g3.c"]) < len(wanted["g3.c"]) // 2  # lines older than the rename: left to blame
    assert len(got["sp ace.c"]) > len(wanted["sp ace.c"]) // 2  # a name with a space is walked too
    # Through the cache, every line gets git blame's answer, walked or not.
    cache = BlameCache()
    locs = [(str(r.root / name), n) for name in sorted(files) for n in sorted(wanted[name])]
    ours = cache.blame(locs)
    for (path, line), answer in zip(locs, ours, strict=True):
        name = Path(path).name
        truth = parse_porcelain(subprocess.run(["git", "blame", "--porcelain", "-L", f"{line},{line}", "--", name],
                                               cwd=r.root, capture_output=True, text=True, check=True).stdout)
        assert answer == truth[line], (name, line)


def test_walk_gives_up_at_its_deadline(tmp_path: Path) -> None:
    r = GitRepo(tmp_path / "w")
    for n in range(3):
        r.write(f"f{n}.c", "int a;\n")
    r.commit("root")
    got = walk_blame(r.root, {f"f{n}.c": {1} for n in range(3)}, timeout=0.0)
    # Nothing wrong, at most what it read before the deadline (the rest is left to git blame).
    assert all(a["commit"] == r.head() for answers in got.values() for a in answers.values())
