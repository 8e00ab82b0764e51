"""The event envelope: JSON round trip, unknown fields, timestamps, ids."""

from __future__ import annotations

import json
import re

import pytest

from debugtape.events import EVENT_TYPES, Event, new_session_id, now_ts, parse_ts

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.mark.parametrize("etype", sorted(EVENT_TYPES))
def test_every_type_round_trips_exactly(etype: str) -> None:
    data = {f: {"nested": [1, "two", None, 3.5, True]} for f in EVENT_TYPES[etype]}
    ev = Event(type=etype, session="abc", seq=7, data=data, actor="gdb", visibility="team")
    text = ev.to_json()
    assert json.loads(text)["type"] == etype
    back = Event.from_json(text)
    assert back == ev
    assert back.to_json() == text


def test_unknown_envelope_fields_and_types_are_ignored() -> None:
    text = json.dumps({"ts": "2026-01-02T03:04:05.678Z", "session": "s", "seq": 3, "type": "from_the_future",
                       "actor": "x", "visibility": "public", "data": {"k": 1}, "extra": {"ignored": True}})
    ev = Event.from_json(text)
    assert ev.type == "from_the_future" and not ev.known
    assert "extra" not in ev.to_dict()


def test_timestamp_is_iso_utc_with_milliseconds() -> None:
    ts = now_ts(1700000000.1234)
    assert TS.match(ts), ts
    assert ts == "2023-11-14T22:13:20.123Z"
    assert abs(parse_ts(ts) - 1700000000.123) < 1e-6
    assert TS.match(Event(type="note", session="s").ts)


def test_session_ids_are_unique_under_rapid_creation() -> None:
    ids = [new_session_id() for _ in range(20000)]
    assert len(set(ids)) == len(ids)
    # Short prefixes are spread out, so 8 characters almost always identify a session.
    assert len({i[:8] for i in ids}) > 19900


@pytest.mark.parametrize("bad", [{"type": "Not Snake", "session": "s"}, {"type": "note", "session": "s", "visibility": "world"}])
def test_invalid_envelopes_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        Event(**bad)


def test_events_are_immutable() -> None:
    ev = Event(type="note", session="s", data={"text": "x"})
    with pytest.raises(AttributeError):
        ev.seq = 3  # type: ignore[misc]


def test_every_event_type_and_field_is_documented_in_the_readme() -> None:
    from tests.support import REPO

    readme = (REPO / "README.md").read_text()
    catalog = readme[readme.index("## Events"):readme.index("## Raw record format")]
    for etype, fields in EVENT_TYPES.items():
        row = next((line for line in catalog.splitlines() if line.startswith("|") and f"`{etype}`" in line.split("|")[1]), None)
        assert row is not None, f"{etype} is not in the README's event table"
        for f in fields:
            assert f"`{f}`" in row, f"{etype}.{f} is not documented in the README"


def test_typed_payloads_round_trip_and_ignore_unknown_fields() -> None:
    from debugtape.catalog import DebugSnapshot, Note, StackSample

    data = {"snap_id": "ab12", "reason": "breakpoint", "frames": [{"symbol": "f", "line": 3}],
            "truncation": [], "future_field": {"x": 1}}
    ev = Event(type="debug_snapshot", session="s", seq=2, data=data)
    p = ev.payload()
    assert isinstance(p, DebugSnapshot) and p.reason == "breakpoint" and p.frames == ({"symbol": "f", "line": 3},)
    with pytest.raises(AttributeError):
        p.reason = "step"  # type: ignore[misc]
    assert "future_field" not in p.to_data()
    back = Event.of(p, "s", 2, ts=ev.ts)
    assert Event.from_json(back.to_json()).payload() == p
    sample = StackSample(frames=({"symbol": "main"},), stacks=((0,),), threads=({"id": 1, "stack": 0},))
    assert StackSample.from_data(sample.to_data()) == sample
    assert Event.of(Note(text="hi"), "s", 1).data == {"text": "hi"}
    assert Event(type="from_the_future", session="s").payload() is None


def test_the_catalog_classes_and_event_types_agree() -> None:
    from debugtape.catalog import PAYLOADS

    assert {t: cls.field_names() for t, cls in PAYLOADS.items()} == EVENT_TYPES
