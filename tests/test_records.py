"""Raw record validation: clear reasons for every bad shape."""

from __future__ import annotations

import pytest

from debugtape.records import RecordError, parse_rate, validate

BAD = [
    ([1, 2], "JSON object"),
    ({"kind": "nope"}, "unknown record kind"),
    ({"kind": "snapshot"}, "needs 'frames'"),
    ({"kind": "snapshot", "frames": [1]}, "frame 0 must be an object"),
    ({"kind": "breakpoint", "action": "explode"}, "action must be one of"),
    ({"kind": "note", "text": 5}, "needs 'text' of type string"),
    ({"kind": "event", "type": "file_changed", "data": []}, "needs 'data' of type object"),
    ({"kind": "sample", "threads": [{"frames": 3}]}, "thread 0"),
    ({"kind": "note", "text": "x", "ts": [1]}, "ts must be"),
]


@pytest.mark.parametrize("record,reason", BAD)
def test_bad_records_get_a_reason(record: object, reason: str) -> None:
    with pytest.raises(RecordError) as err:
        validate(record)
    assert reason in err.value.reason


@pytest.mark.parametrize("record", [
    {"kind": "start"}, {"kind": "end"}, {"kind": "note", "text": "hi", "ts": 1.5},
    {"kind": "snapshot", "frames": [{"symbol": "main"}]}, {"kind": "sample", "threads": [{"frames": []}]},
    {"kind": "breakpoint", "action": "set"}, {"kind": "event", "type": "file_changed", "data": {}},
])
def test_good_records_pass(record: dict) -> None:
    assert validate(record) is record


@pytest.mark.parametrize("text,rate", [("100hz", 100.0), ("50", 50.0), ("2.5/s", 2.5), ("off", None), ("0", None)])
def test_parse_rate(text: str, rate: float | None) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "-3hz", "20000hz"])
def test_parse_rate_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(text)
