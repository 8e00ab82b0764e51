"""The correlation queries end to end: sessions recorded through the real pipeline and store on
real repositories, then suspects, history, diff --at, breakpoints and commits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from debugtape.cli.main import cli
from debugtape.correlate.locations import CorrelateError
from debugtape.correlate.queries import diff_at, history, session_commits, suspects
from debugtape.correlate.restore import breakpoints_for
from debugtape.pipeline import open_pipeline
from debugtape.store import Store
from tests.correlate.gitrepo import GitRepo
from tests.correlate.test_correlator import MOVED, SRC


def _record(db: Path, root: Path, name: str, bps: list[dict[str, Any]], snaps: list[dict[str, Any]]) -> str:
    with open_pipeline(db, cwd=str(root)) as p:
        p.feed({"kind": "start", "name": name, "tool": "gdb", "cwd": str(root), "program": str(root / "tree")})
        for bp in bps:
            p.feed({"kind": "breakpoint", "action": "set", **bp})
        for s in snaps:
            p.feed({"kind": "snapshot", "reason": "breakpoint", **s})
        p.feed({"kind": "end", "reason": "exited", "exit_code": 0})
        assert p.session_id
        return p.session_id


def _frames(root: Path, line: int, half: int, n: int) -> list[dict[str, Any]]:
    f = str(root / "src/tree.c")
    return [
        {"index": 0, "symbol": "split", "file": f, "line": line,
         "args": {"n": n}, "locals": {"half": half, "node": {"count": n, "key": "k"}}},
        {"index": 1, "symbol": "main", "file": f, "line": line + 6},
    ]


@pytest.fixture
def two_sessions(tmp_path: Path) -> dict[str, Any]:
    """Session A on commit 1 (split at lines 3-7), session B on commit 2 where split moved down
    by five lines, each with a conditional breakpoint and two hits inside split."""
    r = GitRepo(tmp_path / "w")
    r.write("src/tree.c", SRC)
    c1 = r.commit("tree")
    db = tmp_path / "store" / "tape.db"
    f = str(r.root / "src/tree.c")
    a = _record(db, r.root, "run-a",
                [{"bp_id": "1", "file": f, "line": 5, "condition": "n > 3", "location": "src/tree.c:5"},
                 {"bp_id": "2", "file": f, "line": 11, "location": "src/tree.c:11", "enabled": False},
                 {"bp_id": "3", "location": "main"},
                 {"bp_id": "4", "bp_kind": "watchpoint", "location": "-location half"}],
                [{"bp_id": "1", "frames": _frames(r.root, 5, 5, 10)},
                 {"bp_id": "1", "frames": _frames(r.root, 5, 2, 4)}])
    r.write("src/tree.c", MOVED)
    c2 = r.commit("add unused() above split")
    b = _record(db, r.root, "run-b",
                [{"bp_id": "1", "file": f, "line": 10, "location": "src/tree.c:10"}],
                [{"bp_id": "1", "frames": _frames(r.root, 10, 6, 12)},
                 {"bp_id": "1", "frames": _frames(r.root, 10, 2, 4)}])
    return {"repo": r, "db": db, "a": a, "b": b, "c1": c1, "c2": c2}


def test_breakpoints_follow_the_moved_function(two_sessions: dict[str, Any]) -> None:
    r, db = two_sessions["repo"], two_sessions["db"]
    with Store(db, readonly=True) as store:
        plan = breakpoints_for(store, two_sessions["a"], root=r.root)
    placed = {p["bp_id"]: p for p in plan.placed}
    assert placed["1"]["line"] == 10 and placed["1"]["moved"] == 5  # split moved down by five lines
    assert placed["1"]["condition"] == "n > 3" and placed["1"]["how"] == "stable_id"
    assert (r.root / "src/tree.c").read_text().splitlines()[9] == "  int half = n / 2;"
    assert placed["2"]["line"] == 16 and placed["2"]["enabled"] is False
    assert placed["3"]["location"] == "main" and placed["3"]["how"] == "location"
    assert [s["bp_id"] for s in plan.skipped] == ["4"] and "watchpoint" in plan.skipped[0]["reason"]
    gdb, notes = plan.render("gdb")
    path = str((r.root / "src/tree.c").resolve())
    assert gdb == [f"break {path}:10 if n > 3", f"break {path}:16", "disable $bpnum", "break main"]
    assert notes and notes[0].startswith("# skipped breakpoint 4")
    lldb, _ = plan.render("lldb")
    assert lldb[0] == f"breakpoint set -f '{path}' -l 10 -c 'n > 3'"
    assert lldb[1].endswith(" -d") and lldb[2] == "breakpoint set -n 'main'"
    vscode = json.loads(plan.render("vscode")[0][0])["breakpoints"]
    assert vscode[0] == {"path": path, "line": 10, "condition": "n > 3", "enabled": True}
    assert vscode[1] == {"path": path, "line": 16, "enabled": False}


def test_breakpoints_that_cannot_be_placed_say_why(two_sessions: dict[str, Any]) -> None:
    r, db = two_sessions["repo"], two_sessions["db"]
    r.write("src/tree.c", MOVED.replace("split", "halve"))
    with Store(db, readonly=True) as store:
        plan = breakpoints_for(store, two_sessions["a"], root=r.root)
        assert any("split is no longer in src/tree.c" in s["reason"] for s in plan.skipped)
        (r.root / "src/tree.c").unlink()
        plan = breakpoints_for(store, two_sessions["a"], root=r.root)
        assert any("does not exist" in s["reason"] for s in plan.skipped)


def test_history_matches_across_the_move(two_sessions: dict[str, Any]) -> None:
    with Store(two_sessions["db"], readonly=True) as store:
        # Today's line 10 is where split's third line moved; A's snapshots (at old line 5) match.
        res = history(store, "src/tree.c:10", ["half", "node.count", "nope"], cwd=str(two_sessions["repo"].root))
        rows = res["snapshots"]
        assert res["location"]["stable_id"] == "src/tree.c#split+2"
        assert [r["session"] for r in rows] == [two_sessions["a"]] * 2 + [two_sessions["b"]] * 2
        assert [r["line"] for r in rows] == [5, 5, 10, 10]
        assert [r["values"]["half"] for r in rows] == [5, 2, 6, 2]
        assert rows[0]["values"]["node.count"] == 10 and rows[0]["values"]["nope"] == {"$missing": True}
        assert rows[0]["commit"]["head"] == two_sessions["c1"] and rows[2]["commit"]["head"] == two_sessions["c2"]
        by_symbol = history(store, "split", [])["snapshots"]
        assert len(by_symbol) == 4 and by_symbol[0]["values"]["n"] == 10
        assert history(store, "tree.c#split+0", [])["snapshots"] == []


def test_diff_at_compares_the_same_stable_breakpoint(two_sessions: dict[str, Any]) -> None:
    with Store(two_sessions["db"], readonly=True) as store:
        res = diff_at(store, "src/tree.c#split+2", two_sessions["a"], two_sessions["b"])
        changes = {c["name"]: c for c in res["changes"]}
        assert changes["half"] == {"name": "half", "change": "changed", "a": 5, "b": 6}
        assert changes["node.count"]["a"] == 10 and changes["node.count"]["b"] == 12
        assert "node.key" in res["unchanged"]
        assert res["a"]["line"] == 5 and res["b"]["line"] == 10 and res["a"]["hits"] == 2
        second = diff_at(store, "src/tree.c#split+2", two_sessions["a"], two_sessions["b"], hit=2)
        assert second["changes"] == []
        with pytest.raises(CorrelateError, match="no hit 3"):
            diff_at(store, "src/tree.c#split+2", two_sessions["a"], two_sessions["b"], hit=3)


def test_suspects_rank_innermost_and_recent(two_sessions: dict[str, Any], tmp_path: Path) -> None:
    r = two_sessions["repo"]
    f = str(r.root / "src/tree.c")
    outside = tmp_path / "lib.c"
    outside.write_text("int lib(void)\n{\n  return 0;\n}\n")
    r.write("src/tree.c", MOVED.replace('split(10)', 'split(11)'))  # line 16 now uncommitted
    c = _record(two_sessions["db"], r.root, "run-c", [], [{"frames": [
        {"index": 0, "file": f, "line": 10},  # split: last touched by c1 (moved, not changed)
        {"index": 1, "file": f, "line": 16},  # main: changed in the working tree
        {"index": 2, "file": f, "line": 3},   # unused(): added by c2
        {"index": 3, "file": str(outside), "line": 3},
    ]}])
    with Store(two_sessions["db"], readonly=True) as store:
        snap = store.snapshots(c)[0]["id"]
        res = suspects(store, snap)
    ranked = [(s["commit"], s["status"], [f["index"] for f in s["frames"]]) for s in res["suspects"]]
    assert ranked == [(two_sessions["c1"], "committed", [0]), (None, "uncommitted", [1]),
                      (two_sessions["c2"], "committed", [2])]
    assert res["suspects"][2]["message"] == "add unused() above split"
    assert res["suspects"][2]["author"].startswith("Ada Tester")
    assert res["unblamed"] == [{"index": 3, "symbol": "lib", "file": str(outside), "line": 3,
                                "status": "outside_repo"}]
    assert res["commit"]["dirty"] is True


def test_suspects_blames_late_at_the_recorded_head(two_sessions: dict[str, Any]) -> None:
    """A snapshot stored without blame (recorded by a tool without correlation) is blamed at its
    recorded HEAD, not at today's."""
    from debugtape.events import Event
    from debugtape.redact import Redactor, redact_event

    r = two_sessions["repo"]
    ev = Event("session_started", "f" * 16, {"name": "plain", "tool": "gdb", "cwd": str(r.root),
                                              "commit": {"head": two_sessions["c1"], "root": str(r.root)}}, seq=1)
    snap = Event("debug_snapshot", "f" * 16, {"snap_id": "late0001", "reason": "manual",
                 "commit": {"head": two_sessions["c1"]},
                 "frames": [{"index": 0, "file": str(r.root / "src/tree.c"), "line": 5}]}, seq=2)
    with Store(two_sessions["db"]) as store:
        store.append([redact_event(e, Redactor()) for e in (ev, snap)])
        res = suspects(store, "late0001")
    assert res["suspects"][0]["commit"] == two_sessions["c1"] and res["suspects"][0]["computed"] is True


def test_commits_between_sessions(two_sessions: dict[str, Any]) -> None:
    with Store(two_sessions["db"], readonly=True) as store:
        res = session_commits(store, two_sessions["a"], two_sessions["b"])
    assert [c["hash"] for c in res["commits"]] == [two_sessions["c2"]]
    assert res["commits"][0]["files"] == ["src/tree.c"] and res["commits"][0]["branch"] == "main"
    with Store(two_sessions["db"], readonly=True) as store:
        swapped = session_commits(store, two_sessions["b"], two_sessions["a"])
    assert swapped["commits"] == [] and "swap them" in swapped["hint"]
    assert "hint" not in res


def test_cli_commands(two_sessions: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(two_sessions["db"])
    monkeypatch.chdir(two_sessions["repo"].root)
    run = CliRunner()
    out = run.invoke(cli, ["breakpoints", two_sessions["a"], "--format", "gdb", "--db", db])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[0].endswith("src/tree.c:10 if n > 3")
    assert "# skipped breakpoint 4" in out.stderr
    out = run.invoke(cli, ["history", "src/tree.c:10", "--var", "half", "--json", "--db", db])
    assert out.exit_code == 0, out.output
    assert [r["values"]["half"] for r in json.loads(out.stdout)["snapshots"]] == [5, 2, 6, 2]
    out = run.invoke(cli, ["history", "split", "--db", db])
    assert out.exit_code == 0 and "4 snapshot(s) at split" in out.stdout
    with Store(two_sessions["db"], readonly=True) as store:
        snap = store.snapshots(two_sessions["b"])[0]["id"]
    out = run.invoke(cli, ["suspects", snap, "--db", db])
    assert out.exit_code == 0 and f"1. {two_sessions['c1'][:10]}" in out.stdout and "Ada Tester" in out.stdout
    out = run.invoke(cli, ["diff", "--at", "src/tree.c:10", two_sessions["a"], two_sessions["b"], "--db", db])
    assert out.exit_code == 0, out.output
    assert "~ half: 5 -> 6" in out.stdout
    out = run.invoke(cli, ["commits", two_sessions["a"], two_sessions["b"], "--db", db])
    assert out.exit_code == 0, out.output
    assert "recorded as session" in out.stdout
    again = run.invoke(cli, ["commits", two_sessions["a"], two_sessions["b"], "--db", db])
    assert "already recorded" in again.stdout
    out = run.invoke(cli, ["timeline", "--commit", two_sessions["c2"][:8], "--json", "--db", db])
    assert out.exit_code == 0, out.output
    assert "vcs_commit" in out.stdout
    bad = run.invoke(cli, ["suspects", "ffffffffff", "--db", db])
    assert bad.exit_code != 0 and "no snapshot" in bad.output


def test_breakpoints_through_the_installed_command(two_sessions: dict[str, Any]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "debugtape", "breakpoints", "latest", "--format", "lldb",
         "--db", str(two_sessions["db"])],
        cwd=two_sessions["repo"].root, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("src/tree.c' -l 10")  # session B's breakpoint, today's line


def test_session_recorded_outside_any_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    src = plain / "job.py"
    src.write_text("import sys\n\n\ndef work(n):\n    total = n * 2\n    return total\n")
    db = tmp_path / "store" / "tape.db"
    sid = _record(db, plain, "outside", [{"bp_id": "1", "file": str(src), "line": 5}],
                  [{"bp_id": "1", "frames": [{"index": 0, "file": str(src), "line": 5, "locals": {"n": 2}}]}])
    with Store(db, readonly=True) as store:
        started = store.events(session=sid, types=["session_started"])[0].event.data
        assert started.get("commit") is None
        assert store.session(sid)["commit"] is None
        snap = store.events(session=sid, types=["debug_snapshot"])[0].event.data
        frame = snap["frames"][0]
        assert frame["blame"] == {"status": "outside_repo"} and frame["symbol"] == "work"
        assert frame["stable_id"] == f"{src}#work+1" and snap.get("commit") is None
        res = suspects(store, snap["snap_id"])
        assert res["suspects"] == [] and res["unblamed"][0]["status"] == "outside_repo"
        src.write_text("import sys\n\nX = 1\n\n\ndef work(n):\n    total = n * 2\n    return total\n")
        plan = breakpoints_for(store, sid, root=plain)
        assert plan.placed[0]["line"] == 7 and plan.placed[0]["file"] == str(src)
        with pytest.raises(CorrelateError, match="no commit"):
            session_commits(store, sid, sid)


def test_latest_means_the_newest_session_with_breakpoints(two_sessions: dict[str, Any], tmp_path: Path) -> None:
    r, db = two_sessions["repo"], two_sessions["db"]
    _record(db, r.root, "no-breakpoints", [], [])
    with Store(db, readonly=True) as store:
        assert breakpoints_for(store, "latest", root=r.root).session == two_sessions["b"]
    other = tmp_path / "other" / "tape.db"
    _record(other, r.root, "no-breakpoints", [], [])
    with Store(other, readonly=True) as store, pytest.raises(CorrelateError, match="set a breakpoint yet"):
        breakpoints_for(store, "latest", root=r.root)


def test_a_session_on_a_detached_head(two_sessions: dict[str, Any]) -> None:
    """Checked out at the first commit, detached: the session and its snapshots say so, blame
    answers at that commit, and the commits between it and session B are listed."""
    r, db = two_sessions["repo"], two_sessions["db"]
    r.git("checkout", "-q", "--detach", two_sessions["c1"])
    f = str(r.root / "src/tree.c")
    d = _record(db, r.root, "detached", [{"bp_id": "1", "file": f, "line": 5}],
                [{"bp_id": "1", "frames": _frames(r.root, 5, 5, 10)}])
    with Store(db, readonly=True) as store:
        snap = store.events(session=d, types=["debug_snapshot"])[0].event.data
        assert snap["commit"]["head"] == two_sessions["c1"]
        assert snap["commit"]["branch"] is None and snap["commit"]["detached"] is True
        assert snap["frames"][0]["blame"]["commit"] == two_sessions["c1"]
        assert snap["frames"][0]["stable_id"] == "src/tree.c#split+2"
        assert suspects(store, snap["snap_id"])["suspects"][0]["commit"] == two_sessions["c1"]
        res = session_commits(store, d, two_sessions["b"])
        assert [c["hash"] for c in res["commits"]] == [two_sessions["c2"]]
        assert res["from"]["branch"] is None and res["to"]["branch"] == "main"
        assert [r["session"] for r in history(store, "src/tree.c#split+2", ["half"])["snapshots"]][-1] == d


def test_queries_answer_as_the_store_stood_then(two_sessions: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """--as-of: after session A ended and before B started, only A exists."""
    db = str(two_sessions["db"])
    with Store(two_sessions["db"], readonly=True) as store:
        then = store.events(session=two_sessions["a"])[-1].id
        b_snap = store.snapshots(two_sessions["b"])[0]["id"]
        assert [r["session"] for r in history(store, "split", [], as_of=then)["snapshots"]] == [two_sessions["a"]] * 2
        assert breakpoints_for(store, "latest", root=two_sessions["repo"].root, as_of=then).session == two_sessions["a"]
        with pytest.raises(Exception, match="no session matches"):
            diff_at(store, "split", two_sessions["a"], two_sessions["b"], as_of=then)
    monkeypatch.chdir(two_sessions["repo"].root)
    run = CliRunner()
    out = run.invoke(cli, ["history", "split", "--as-of", str(then), "--json", "--db", db])
    assert out.exit_code == 0 and len(json.loads(out.stdout)["snapshots"]) == 2, out.output
    out = run.invoke(cli, ["breakpoints", "--as-of", str(then), "--format", "json", "--db", db])
    assert out.exit_code == 0 and json.loads(out.stdout)["session"] == two_sessions["a"], out.output
    out = run.invoke(cli, ["suspects", b_snap, "--as-of", str(then), "--db", db])
    assert out.exit_code != 0 and "no snapshot" in out.output
    out = run.invoke(cli, ["diff", "--at", "split", two_sessions["a"], two_sessions["b"], "--as-of", str(then), "--db", db])
    assert out.exit_code != 0 and "no session matches" in out.output
