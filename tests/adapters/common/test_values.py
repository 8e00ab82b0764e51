"""The debugger-neutral value walker: bounds, cycles, bytes that are not UTF-8, every cut recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from debugtape.adapters.common.snapshot import build_snapshot, stack_of
from debugtape.adapters.common.values import Bounds, Capture, Shape, capture_value, render_c_string


@dataclass(eq=False)
class Node:
    """A toy heap object: a struct at an address, with fields."""

    address: int
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ptr:
    target: Node | None


@dataclass
class CStr:
    address: int
    data: bytes


class Boom:
    pass


class ToyAccess:
    """Describes plain Python objects the way a debugger backend describes its values."""

    def inspect(self, value: Any) -> Shape:
        if isinstance(value, Boom):
            raise RuntimeError("Cannot access memory at address 0x0")
        if value is None:
            return ("optimized_out",)
        if isinstance(value, Node):
            return ("struct", value.address, "node", list(value.fields.items()))
        if isinstance(value, Ptr):
            if value.target is None:
                return ("pointer", 0, "0x0", None)
            t = value.target
            return ("pointer", t.address, hex(t.address), lambda: t)
        if isinstance(value, CStr):
            return ("cstring", value.address, lambda n: value.data[:n])
        if isinstance(value, bytes):
            return ("chars", value, len(value))
        if isinstance(value, list):
            return ("array", None, "int[]", len(value), value.__getitem__)
        return ("scalar", value)


def cap_of(**kw: Any) -> Capture:
    return Capture(Bounds(**kw))


def test_scalars_and_special_values() -> None:
    cap = cap_of()
    acc = ToyAccess()
    assert capture_value(acc, 3, cap, "x") == 3
    assert capture_value(acc, None, cap, "x") == {"$optimized_out": True}
    assert capture_value(acc, Boom(), cap, "x") == {"$error": "Cannot access memory at address 0x0"}
    assert cap.truncation == []


def test_cyclic_list_is_marked_not_followed_forever() -> None:
    a, b = Node(0x1000), Node(0x2000)
    a.fields = {"value": 1, "next": Ptr(b)}
    b.fields = {"value": 2, "next": Ptr(a)}
    cap = cap_of(depth=10)
    out = capture_value(ToyAccess(), Ptr(a), cap, "head")
    assert out == {"value": 1, "next": {"value": 2, "next": {"$cycle": "0x1000"}}}


def test_depth_cut_is_recorded() -> None:
    nodes = [Node(0x100 * (i + 1)) for i in range(6)]
    for i, n in enumerate(nodes):
        n.fields = {"v": i, "next": Ptr(nodes[i + 1] if i + 1 < len(nodes) else None)}
    cap = cap_of(depth=3)
    out = capture_value(ToyAccess(), Ptr(nodes[0]), cap, "l")
    assert out["next"]["next"]["v"] == 2
    assert out["next"]["next"]["next"] == hex(nodes[3].address)
    assert {"path": "l.next.next.next", "why": "depth", "kept": 3} in cap.truncation


def test_items_and_length_cuts() -> None:
    cap = cap_of(items=25, chars=10)
    out = capture_value(ToyAccess(), list(range(1000)), cap, "big")
    assert out == list(range(25))
    assert {"path": "big", "why": "items", "kept": 25, "total": 1000} in cap.truncation
    assert capture_value(ToyAccess(), "x" * 30, cap, "s") == "x" * 10
    assert {"path": "s", "why": "length", "kept": 10, "total": 30} in cap.truncation


def test_c_strings_render_like_a_debugger_and_bad_utf8_becomes_bytes() -> None:
    cap = cap_of(chars=8)
    acc = ToyAccess()
    assert capture_value(acc, CStr(0x4052A0, b"abc"), cap, "p") == '0x4052a0 "abc"'
    assert capture_value(acc, CStr(0x10, b"a\"b\n"), cap, "q") == '0x10 "a\\"b\\n"'
    assert capture_value(acc, CStr(0x20, b"\xff\xfeok"), cap, "bad") == {"$bytes": "fffe6f6b"}
    assert capture_value(acc, CStr(0x30, b"0123456789abc"), cap, "long") == '0x30 "01234567"...'
    assert {"path": "long", "why": "length", "kept": 8} in cap.truncation
    assert capture_value(acc, b"\xc3\x28", cap, "arr") == {"$bytes": "c328"}
    assert render_c_string(None, "héllo".encode(), True) == '"héllo"'


def test_snapshot_budget_stops_capture_and_says_so() -> None:
    cap = cap_of(snapshot_bytes=2000, chars=256, items=100)
    out = capture_value(ToyAccess(), ["y" * 200] * 100, cap, "frames[0].locals.a")
    assert cap.full
    assert 5 <= len(out) < 100
    assert any(c["why"] == "size" for c in cap.truncation)


class ToyFrame:
    def __init__(self, i: int, fail: bool = False) -> None:
        self.i = i
        self.fail = fail
        self.described = False

    def describe(self) -> dict[str, Any]:
        self.described = True
        return {"symbol": f"f{self.i}", "file": "/src/a.c", "line": 10 + self.i, "module": "/bin/a"}

    def variables(self) -> tuple[list[tuple[str, Any, str]], list[tuple[str, Any, str]]]:
        if self.fail:
            raise RuntimeError("no symbol table")
        return [("n", self.i, "int")], [("x", 1, "int"), ("x", 2, "int")]


def test_snapshot_frames_bounds_and_lazy_stack() -> None:
    frames = [ToyFrame(i) for i in range(100)]
    rec = build_snapshot(iter(frames), ToyAccess(), "breakpoint", thread={"id": 1}, bounds=Bounds(frames=20, locals_frames=5), bp_id="1")
    assert rec["kind"] == "snapshot" and rec["bp_id"] == "1" and rec["thread"] == {"id": 1}
    assert len(rec["frames"]) == 20
    assert rec["frames"][0]["args"] == {"n": 0}
    assert rec["frames"][0]["locals"] == {"x": 1}  # the innermost of two shadowing locals
    assert rec["frames"][0]["types"] == {"n": "int", "x": "int"}
    assert "locals" in rec["frames"][4] and "locals" not in rec["frames"][5]
    assert {"path": "frames", "why": "frames", "kept": 20} in rec["truncation"]
    assert not frames[21].described  # a deep recursion is not walked to its bottom


def test_frame_without_symbols_keeps_the_stack() -> None:
    rec = build_snapshot([ToyFrame(0, fail=True), ToyFrame(1)], ToyAccess(), "step")
    assert rec["frames"][0]["error"] == "no symbol table"
    assert rec["frames"][1]["args"] == {"n": 1}


@pytest.mark.parametrize("limit", [0, 3])
def test_stack_of_limits(limit: int) -> None:
    assert len(stack_of((ToyFrame(i) for i in range(10)), limit)) == limit
