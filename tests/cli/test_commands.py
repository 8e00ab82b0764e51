"""The CLI: every command documented and helpful; query commands answer in text and JSON."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from debugtape.cli.main import cli, command_names
from tests.store.util import record_session
from tests.support import REPO


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) > 3
    readme = (REPO / "README.md").read_text()
    assert re.search(rf"debugtape {re.escape(name)}\b", readme), f"README does not mention `debugtape {name}`"


def test_query_commands_in_text_and_json(store_path) -> None:
    sid = record_session(store_path, 2)
    db = ["--db", str(store_path)]
    run = CliRunner().invoke
    sessions = json.loads(run(cli, ["sessions", "--json", *db]).output)
    assert sessions[0]["id"] == sid and sessions[0]["status"] == "completed"
    assert sid[:8] in run(cli, ["sessions", *db]).output
    show = json.loads(run(cli, ["show", sid[:6], "--json", *db]).output)
    assert set(show) == {"session", "breakpoints", "snapshots"} and len(show["snapshots"]) == 2
    snap_id = show["snapshots"][0]["id"]
    snap = json.loads(run(cli, ["snapshot", snap_id[:8], "--json", *db]).output)
    assert snap["data"]["frames"][0]["locals"]["i"] == 0
    assert "local i (" not in run(cli, ["snapshot", snap_id[:8], *db]).output
    assert "local i = 0" in run(cli, ["snapshot", snap_id[:8], *db]).output
    tl = json.loads(run(cli, ["timeline", "--session", sid[:6], "--type", "debug_snapshot", "--json", *db]).output)
    assert [e["seq"] for e in tl] == [3, 4]
    assert "work (app.c:10)" in run(cli, ["timeline", "--symbol", "work", *db]).output
    d = json.loads(run(cli, ["diff", snap_id, show["snapshots"][1]["id"], "--json", *db]).output)
    assert d["frames"][0]["changes"][0]["path"] == "locals.i"
    replay = json.loads(run(cli, ["replay", sid, "--json", *db]).output)
    assert replay["snapshots"] == 2 and replay["status"] == "completed"
    pruned = json.loads(run(cli, ["prune", "--keep", "0", "--dry-run", "--json", *db]).output)
    assert pruned == {"pruned": [sid], "dry_run": True}


def test_errors_are_one_line(store_path) -> None:
    record_session(store_path, 1)
    result = CliRunner().invoke(cli, ["show", "nosuchsession", "--db", str(store_path)])
    assert result.exit_code == 1 and "no session matches 'nosuchsession'" in result.output


def test_export_import_round_trip(store_path, tmp_path) -> None:
    sid = record_session(store_path, 2)
    out = tmp_path / "tape.jsonl"
    run = CliRunner().invoke
    r = run(cli, ["export", sid, "--include-private", "-o", str(out), "--db", str(store_path)])
    assert r.exit_code == 0, r.output
    assert (out.stat().st_mode & 0o777) == 0o600
    other = tmp_path / "b" / "tape.db"
    r = run(cli, ["import", str(out), "--db", str(other)])
    assert "7 events imported" in r.output, r.output
    r = run(cli, ["import", str(out), "--db", str(other)])
    assert "0 events imported, 7 already present" in r.output
    private = run(cli, ["export", sid, "--db", str(store_path)])
    assert private.output.strip().endswith("(use --include-private)")


def test_a_child_session_names_its_parent(store_path) -> None:
    # What the VS Code extension sends for a child debug session (its header's `parent`), fed
    # through the real ingest: `sessions --json` and `show --json` name the parent.
    import subprocess
    import sys

    def ingest(records: list[dict]) -> str:
        out = subprocess.run([sys.executable, "-m", "debugtape", "ingest", "--db", str(store_path)],
                             input="\n".join(json.dumps(r) for r in records), capture_output=True, text=True,
                             timeout=60, check=True)
        return out.stdout.strip().splitlines()[-1]

    parent = ingest([{"kind": "start", "name": "app", "tool": "vscode"}, {"kind": "end", "reason": "exited"}])
    child = ingest([{"kind": "start", "name": "app / worker", "tool": "vscode", "meta": {"parent": parent}},
                    {"kind": "end", "reason": "exited"}])
    run = CliRunner().invoke
    db = ["--db", str(store_path)]
    rows = {r["id"]: r for r in json.loads(run(cli, ["sessions", "--json", *db]).output)}
    assert rows[child]["parent"] == parent and rows[parent]["parent"] is None
    assert json.loads(run(cli, ["show", child, "--json", *db]).output)["session"]["parent"] == parent


def test_timeline_leaves_stack_samples_out_unless_asked(store_path) -> None:
    from debugtape.events import Event
    from debugtape.redact import Redactor, redact_event
    from debugtape.store import Store

    r = Redactor()
    evs = [Event("session_started", "samp1", {"name": "sampling", "tool": "gdb"}, seq=1)]
    for seq in range(2, 40):
        if seq % 10 == 0:
            evs.append(Event("debug_snapshot", "samp1", {"reason": "breakpoint", "frames": [{"symbol": "work"}]}, seq=seq))
        else:
            evs.append(Event("stack_sample", "samp1", {"threads": [{"id": 1, "frames": [{"symbol": "work"}]}]}, seq=seq))
    evs.append(Event("note", "samp1", {"text": "look here"}, seq=40))
    with Store(store_path) as s:
        s.append([redact_event(e, r) for e in evs])
    run = CliRunner().invoke
    db = ["--db", str(store_path)]

    def types(*args: str) -> list[str]:
        return [e["type"] for e in json.loads(run(cli, ["timeline", "--session", "samp1", "--json", *db, *args]).output)]

    assert types() == ["session_started", "debug_snapshot", "debug_snapshot", "debug_snapshot", "note"]
    assert types("--samples").count("stack_sample") == 35 and len(types("--samples")) == 40
    assert types("--type", "stack_sample") == ["stack_sample"] * 35
    assert types("--type", "note") == ["note"]
    assert types("--limit", "2") == ["debug_snapshot", "note"]  # the last two shown, not two samples
    human = run(cli, ["timeline", "--session", "samp1", *db])
    assert "stack_sample" not in human.stdout and "look here" in human.stdout
    assert "35 stack samples not shown" in human.stderr
    everything = json.loads(run(cli, ["timeline", "--json", "--limit", "3", *db]).output)
    assert [e["type"] for e in everything] == ["debug_snapshot", "debug_snapshot", "note"]


def test_follow_leaves_stack_samples_out_unless_asked(store_path) -> None:
    from debugtape.cli.cmd_follow import follow
    from debugtape.events import Event
    from debugtape.redact import Redactor, redact_event
    from debugtape.store import Store

    r = Redactor()
    seq = [0]

    def batch(*types: str) -> list:
        out = []
        for t in types:
            seq[0] += 1
            data = {"threads": [{"id": 1}]} if t == "stack_sample" else {"name": "f"} if seq[0] == 1 else {"text": f"n{seq[0]}"}
            out.append(redact_event(Event(t, "fol1", data, seq=seq[0]), r))
        return out

    def followed(writer: Store, samples: bool) -> list[str]:
        got: list = []
        polls = [0]

        def stop() -> bool:
            polls[0] += 1
            if polls[0] == 1:  # another connection commits while follow watches
                writer.append(batch("stack_sample", "stack_sample", "note"))
            return any(se.event.type == "note" and se.event.seq == seq[0] for se in got) or polls[0] > 4000

        with Store(store_path) as reader:
            follow(reader, "fol1", got.append, backlog=2, samples=samples, stop=stop)
        return [se.event.type for se in got]

    with Store(store_path) as writer:
        writer.append(batch("session_started", "note", "stack_sample", "stack_sample", "note", "stack_sample"))
        assert followed(writer, False) == ["note", "note"] + ["note"]  # backlog, then live
        assert followed(writer, True) == ["stack_sample", "note"] + ["stack_sample", "stack_sample", "note"]
