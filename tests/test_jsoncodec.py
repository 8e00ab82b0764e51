"""The hot paths' JSON writer: the standard library's text, faster, and exact where orjson is not."""

from __future__ import annotations

import json

import pytest

from debugtape import jsoncodec
from debugtape.events import Event
from debugtape.redact import Redactor, redact_event


def _std(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def test_orjson_is_used_when_installed() -> None:
    pytest.importorskip("orjson")
    assert jsoncodec.orjson is not None


@pytest.mark.parametrize("value", [
    {"frames": [{"symbol": "f", "line": 3, "locals": {"s": "é\n\t\"\\\x00\u2028", "n": -7, "b": True}}]},
    {"a": None, "l": [1, 2.5, "x"], "t": (1, 2)},
    {1: "int key", None: "null key", 2.5: "float key"},
    {"set": {1}},  # not JSON: default=str, as json.dumps(default=str)
])
def test_same_text_as_the_standard_library(value: object) -> None:
    assert jsoncodec.dumps(value) == _std(value)


@pytest.mark.parametrize("value", [{"big": 2 ** 64 + 1, "neg": -(2 ** 70)}, {"lone": "a\ud800b"}])
def test_what_orjson_refuses_is_written_by_the_standard_library(value: object) -> None:
    assert jsoncodec.dumps(value) == _std(value)
    if "big" in value:  # type: ignore[operator]
        assert json.loads(jsoncodec.dumps(value)) == value


def test_the_gate_stores_a_128_bit_value_exactly() -> None:
    gated = redact_event(Event("note", "s", {"text": "x", "v": 2 ** 127 - 1}, seq=2), Redactor())
    assert json.loads(gated.data_json)["v"] == 2 ** 127 - 1
