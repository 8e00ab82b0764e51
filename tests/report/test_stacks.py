"""Speedscope and collapsed exports of sampled stacks stored by the real pipeline."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from debugtape.report.stacks import collapsed_lines, speedscope_json
from debugtape.store import Store
from tests.report.conftest import STACKS, expected_collapsed, record_session

# speedscope's published schema (https://www.speedscope.app/file-format-schema.json, from
# jlfwong/speedscope's file-format-schema.json), kept here so the test needs no network.
SCHEMA = json.loads((Path(__file__).parent / "speedscope-file-format-schema.json").read_text())


def test_speedscope_validates_against_the_published_schema(store_path: Path) -> None:
    sid = record_session(store_path, "prof", rounds=30)
    with Store(store_path, readonly=True) as store:
        doc = speedscope_json(store, [sid])
    jsonschema.validate(doc, SCHEMA)
    json.dumps(doc)  # plain JSON all the way down
    # one sampled profile per thread, 30 samples each, stacks root first
    assert [p["type"] for p in doc["profiles"]] == ["sampled", "sampled"]
    assert [len(p["samples"]) for p in doc["profiles"]] == [30, 30]
    names = [f["name"] for f in doc["shared"]["frames"]]
    first = doc["profiles"][0]["samples"][0]
    assert [names[i] for i in first] == list(reversed(STACKS[0][0]))
    for p in doc["profiles"]:
        assert len(p["weights"]) == len(p["samples"]) and p["endValue"] == sum(p["weights"])
        assert all(0 <= i < len(names) for s in p["samples"] for i in s)


def test_speedscope_schema_rejects_a_broken_file(store_path: Path) -> None:
    """The schema check is real: a profile without weights fails it."""
    sid = record_session(store_path, "prof", rounds=3)
    with Store(store_path, readonly=True) as store:
        doc = speedscope_json(store, [sid])
    del doc["profiles"][0]["weights"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_collapsed_reparses_to_the_recorded_stacks(store_path: Path) -> None:
    a = record_session(store_path, "a", rounds=30)
    b = record_session(store_path, "b", rounds=7)
    with Store(store_path, readonly=True) as store:
        lines = list(collapsed_lines(store, [a, b]))
    parsed: Counter[str] = Counter()
    for line in lines:
        stack, _, count = line.rpartition(" ")  # how flamegraph.pl and inferno split a line
        assert stack and count.isdigit() and "\n" not in line
        assert stack not in parsed, "each distinct stack appears once"
        parsed[stack] = int(count)
    assert parsed == expected_collapsed(30) + expected_collapsed(7)
    assert lines == sorted(lines)
    assert any(";poll:odd name" in line for line in lines)  # ';' inside a name cannot split frames


def test_no_samples_gives_empty_exports(store_path: Path) -> None:
    sid = record_session(store_path, "none", rounds=0, snaps=0)
    with Store(store_path, readonly=True) as store:
        assert list(collapsed_lines(store, [sid])) == []
        doc = speedscope_json(store, [sid])
    jsonschema.validate(doc, SCHEMA)
    assert doc["profiles"] == []


def test_public_api_fallback_reads_the_same_stacks(store_path: Path) -> None:
    """Without direct SQLite access the stacks come through Store.events, identically."""
    from debugtape.report.samples import session_stacks

    sid = record_session(store_path, "fallback", rounds=12)

    class EventsOnly:
        def __init__(self, store: Store) -> None:
            self.events = store.events

    with Store(store_path, readonly=True) as store:
        fast = [(label, stack) for _t, label, stack in session_stacks(store, sid)]
        slow = [(label, stack) for _t, label, stack in session_stacks(EventsOnly(store), sid)]  # type: ignore[arg-type]
    assert fast == slow and len(fast) == 24


def test_export_command_writes_both_formats(store_path: Path, tmp_path: Path) -> None:
    """`debugtape export --format speedscope|collapsed`, default all sessions, -o written 0600."""
    import stat

    from click.testing import CliRunner

    from debugtape.cli.main import cli

    a = record_session(store_path, "a", rounds=9)
    record_session(store_path, "b", rounds=6)
    db = ["--db", str(store_path)]
    out = tmp_path / "prof.speedscope.json"
    result = CliRunner().invoke(cli, ["export", "--format", "speedscope", "-o", str(out), *db])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(len(p["samples"]) for p in doc["profiles"]) == [6, 6, 9, 9]  # two threads per session
    result = CliRunner().invoke(cli, ["export", "--format", "collapsed", a[:8], *db])
    assert result.exit_code == 0
    parsed = {line.rpartition(" ")[0]: int(line.rpartition(" ")[2]) for line in result.output.splitlines()}
    assert parsed == expected_collapsed(9)
    # a session without samples: valid, empty output, and a word on stderr saying why
    empty = record_session(store_path, "none", rounds=0, snaps=0)
    for fmt in ("speedscope", "collapsed"):
        result = CliRunner().invoke(cli, ["export", "--format", fmt, empty[:8], *db])
        assert result.exit_code == 0 and "no sampled stacks" in result.stderr
    assert json.loads(CliRunner().invoke(cli, ["export", "--format", "speedscope", empty[:8], *db]).stdout)["profiles"] == []
