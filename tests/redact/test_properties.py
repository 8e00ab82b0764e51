"""Hypothesis: a planted secret never survives, the engine never raises, twice equals once."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debugtape.redact import Redactor
from tests.redact.samples import FORMATS, SECRET_PART
from tests.redact.test_keys import SECRET_NAMES

R = Redactor(b"test-key-0123456789abcdef0123456")
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
    st.sampled_from(["0x4052a0", '0x4052a0 "abc"', "/usr/lib/libc.so.6", "main", "[REDACTED:x:0123abcd]"]),
)
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=30,
)
words = st.text(alphabet="abcdefghij klmnop0123456789-_/.", max_size=20)
separators = st.sampled_from([" ", ", ", " (", ": ", "\n", "\t", " = "])


@st.composite
def planted(draw: st.DrawFn) -> tuple[Any, str]:
    """A random JSON-like value with one secret planted somewhere inside; returns (value, secret)."""
    how = draw(st.sampled_from(["format", "named", "argv", "env", "json_text"]))
    if how == "format":
        kind = draw(st.sampled_from(sorted(FORMATS)))
        plant: Any = draw(words) + draw(separators) + FORMATS[kind][0] + draw(separators) + draw(words)
        secret = SECRET_PART.get(kind, FORMATS[kind][0])
    else:
        secret = "S3cr3t" + draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#%", min_size=4, max_size=16))
        name = draw(st.sampled_from(SECRET_NAMES))
        if how == "named":
            plant = {name: secret}
        elif how == "argv":
            plant = ["prog", "--" + name.lower().replace("_", "-"), secret]
        elif how == "env":
            plant = ["HOME=/root", name.upper().replace("-", "_").replace(".", "_") + "=" + secret]
        else:
            plant = json.dumps({"cfg": {name: secret}})
    # Bury the plant at a random depth inside random containers.
    value: Any = plant
    for wrap in draw(st.lists(st.sampled_from(["list", "dict", "tuple"]), max_size=6)):
        sibling = draw(json_like)
        if wrap == "list":
            value = [sibling, value]
        elif wrap == "tuple":
            value = (value, sibling)
        else:
            value = {draw(st.sampled_from(["locals", "frames", "x", "data", "v"])): value, "other": sibling}
    return value, secret


def leaked(out: Any, secret: str) -> bool:
    text = json.dumps(out, ensure_ascii=False)
    return secret in text or json.dumps(secret)[1:-1] in text


@SETTINGS
@given(planted())
def test_planted_secret_never_survives(case: tuple[Any, str]) -> None:
    value, secret = case
    out, stats = R.redact(value)
    assert not leaked(out, secret)
    assert stats.count >= 1


@SETTINGS
@given(json_like)
def test_never_raises_and_keeps_json(value: Any) -> None:
    out, _ = R.redact(value)
    json.dumps(out)  # the result is always JSON


@SETTINGS
@given(st.one_of(json_like, planted().map(lambda c: c[0])))
def test_twice_equals_once(value: Any) -> None:
    once, _ = R.redact(value)
    twice, stats = R.redact(once)
    assert _same(once, twice)
    assert stats.count == 0


@SETTINGS
@given(st.text())
def test_text_never_raises_and_is_idempotent(text: str) -> None:
    once, _ = R.redact_text(text)
    assert R.redact_text(once)[0] == once


# Values that take the walk's fast paths: pointers before texts, short strings, `types` maps,
# value fields, number lists, next to secrets.
fast_path_scalars = st.one_of(
    scalars, st.integers(min_value=-10**13, max_value=10**13),
    st.sampled_from(['0x4052a8 "abc"', '0x4052a0 "abc" password=hunter2x', 'password=hunter2x "abc"',
                     "0X4052A0", "0x" + "1" * 17, "ok", "int", "char *", "4111111111111111"]),
)
fast_path_values = st.recursive(
    fast_path_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.lists(st.integers(), max_size=5),
                            st.dictionaries(st.sampled_from(["types", "value", "result", "name", "p", "n"]),
                                            inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=3)),
    max_leaves=30,
)


@SETTINGS
@given(st.lists(st.one_of(fast_path_values, planted().map(lambda c: c[0])), min_size=2, max_size=5))
def test_caches_never_change_the_output(values: list[Any]) -> None:
    warm = Redactor(b"test-key-0123456789abcdef0123456")
    for value in values:  # every clean string, name and type seen before
        warm.redact(value)
    for value in values:
        cold = Redactor(b"test-key-0123456789abcdef0123456")
        (out, stats), (expected, expected_stats) = warm.redact(value), cold.redact(value)
        assert _same(out, expected) and stats.kinds == expected_stats.kinds


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


@pytest.mark.parametrize("obj", [object(), {1, 2}, float("inf"), 10**400, "\ud800", b"\xff\xfe"])
def test_odd_values(obj: Any) -> None:
    out, _ = R.redact({"v": obj})
    json.dumps(out)
