"""Correlation is the built-in `correlate` plugin: listed, disabled by name, replaced by another
plugin's `debugtape_correlator`, whose failures are counted and skipped like any hook's."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from debugtape.cli.cmd_plugins import command as plugins_command
from debugtape.pipeline import open_pipeline
from debugtape.plugins import load_hooks
from debugtape.store import Store
from tests.support import need_binary
from tests.watch.helpers import git, make_repo

pytestmark = pytest.mark.timeout(90)

SAMPLE = ["raiser", "hanger", "garbage", "dropper", "broken", "typo"]  # not under test here


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    need_binary("git")
    return make_repo(tmp_path / "repo")


def _disable(repo: Path, names: list[str], timeout: float = 2.0) -> Path:
    folder = repo / ".debugtape"
    folder.mkdir(exist_ok=True)
    listed = ", ".join(f'"{n}"' for n in names)
    (folder / "config.toml").write_text(f"[plugins]\ndisabled = [{listed}]\ntimeout = {timeout}\n")
    return folder / "tape.db"


def _record(db: Path, repo: Path, notes: list[str | None]) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                                      dict[str, Any]]:
    """A session with one breakpoint and a snapshot per note: (started, snapshots, ended counts)."""
    frame = {"index": 0, "symbol": "parse", "file": str(repo / "parser.c"), "line": 3}
    with open_pipeline(db, cwd=str(repo)) as p:
        p.feed({"kind": "start", "tool": "gdb", "cwd": str(repo)})
        p.feed({"kind": "breakpoint", "action": "set", "bp_id": "1", "location": "parser.c:3",
                "file": str(repo / "parser.c"), "line": 3})
        for note in notes:
            p.feed({"kind": "snapshot", "reason": "breakpoint", "frames": [dict(frame)],
                    **({"note": note} if note else {})})
        session = str(p.session_id)
    with Store(db, readonly=True) as store:
        events = [se.event for se in store.iter_session_events(session)]
    started = next(e.data for e in events if e.type == "session_started")
    snaps = [e.data for e in events if e.type == "debug_snapshot"]
    ended = next(e.data for e in events if e.type == "session_ended")["counts"]
    return started, snaps, ended


def test_correlate_is_listed_as_a_built_in_plugin(tmp_path: Path) -> None:
    hooks = load_hooks(tmp_path / ".debugtape")
    try:
        (info,) = [i for i in hooks.plugins if i.name == "correlate"]
        assert info.builtin and info.status == "loaded" and info.hooks == ["debugtape_correlator"]
    finally:
        hooks.close()
    shown = CliRunner().invoke(plugins_command, ["--db", str(tmp_path / ".debugtape" / "tape.db")])
    assert shown.exit_code == 0, shown.output
    assert shown.output.split() == ["correlate", "loaded", "built-in", "correlator"]


def test_correlation_runs_as_the_plugin_and_stops_when_disabled(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    head = git(repo, "rev-parse", "HEAD")
    monkeypatch.setenv("DEBUGTAPE_DISABLE_PLUGINS", "*")  # every installed plugin, not built-ins
    db = _disable(repo, [])
    started, snaps, counts = _record(db, repo, [None])
    assert started["commit"]["head"] == head
    assert snaps[0]["commit"]["head"] == head and snaps[0]["frames"][0]["blame"]["commit"] == head
    assert counts["plugin_failures"] == 0

    db = _disable(repo, ["correlate"])  # by name, like any plugin
    started, snaps, counts = _record(db, repo, [None])
    assert started["commit"] is None
    assert "commit" not in snaps[0] and "blame" not in snaps[0]["frames"][0]
    assert counts["plugin_failures"] == 0


def test_a_plugin_correlator_replaces_the_built_in_and_its_failures_are_skipped(
        plugin_path: Path, repo: Path) -> None:
    db = _disable(repo, SAMPLE, timeout=0.3)
    began = time.monotonic()
    notes = [None, "correlator raises", "correlator garbage", "correlator hangs", None]
    started, snaps, counts = _record(db, repo, notes)
    assert time.monotonic() - began < 10  # one 0.3 s wait, then the plugin is off
    assert started["commit"] == {"head": "stamp", "cwd_seen": str(repo)}  # the plugin's answer
    assert len(snaps) == len(notes)  # no snapshot lost
    assert [bool(s.get("stamped")) for s in snaps] == [True, False, False, False, False]
    assert all("blame" not in s["frames"][0] for s in snaps)  # the built-in did not run
    # raised, returned garbage, hung (then disabled for the session: the last one never asked)
    assert counts["plugin_failures"] == 3


def test_a_plugin_correlator_that_is_disabled_leaves_the_built_in(plugin_path: Path, repo: Path) -> None:
    db = _disable(repo, [*SAMPLE, "stamp"])
    started, snaps, _ = _record(db, repo, [None])
    assert started["commit"]["head"] == git(repo, "rev-parse", "HEAD")
    assert "stamped" not in snaps[0] and "blame" in snaps[0]["frames"][0]
