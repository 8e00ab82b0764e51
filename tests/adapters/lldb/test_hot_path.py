"""What the lldb snappoint path relies on in the shared code: the walker reusing a struct through
a pointer that names its pointee type, and the hand-off writing records in batches."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from debugtape.adapters.common.handoff import LineWriter
from debugtape.adapters.common.values import Bounds, Capture, Shape, capture_value
from tests.adapters.common.test_values import Node


@dataclass
class Ptr:
    target: Node
    name_pointee: bool = True


class CountingAccess:
    """Toy values; pointers name their pointee's type (as the lldb backend does), and every
    pointer followed is counted."""

    def __init__(self) -> None:
        self.followed = 0

    def inspect(self, value: Any) -> Shape:
        if isinstance(value, Node):
            return ("struct", value.address, "node", list(value.fields.items()))
        if isinstance(value, Ptr):
            t = value.target

            def follow() -> Node:
                self.followed += 1
                return t

            if value.name_pointee:
                return ("pointer", t.address, hex(t.address), follow, "node")
            return ("pointer", t.address, hex(t.address), follow)
        return ("scalar", value)


def capture_all(access: CountingAccess, values: list[Any], depth: int = 3) -> tuple[list[Any], Capture]:
    cap = Capture(Bounds(depth=depth))
    return [capture_value(access, v, cap, f"v{i}") for i, v in enumerate(values)], cap


def test_a_struct_seen_before_is_reused_without_following_the_pointer() -> None:
    shared = Node(0x1000, {"x": 1, "label": "origin"})
    named = CountingAccess()
    got, cap = capture_all(named, [Ptr(shared), Ptr(shared), Ptr(shared)])
    plain = CountingAccess()
    want, plain_cap = capture_all(plain, [Ptr(shared, False), Ptr(shared, False), Ptr(shared, False)])
    assert got == want == [{"x": 1, "label": "origin"}] * 3
    assert cap.used == plain_cap.used and cap.truncation == plain_cap.truncation
    assert named.followed == 1 and plain.followed == 3


def test_a_pointer_back_to_an_ancestor_is_still_a_cycle() -> None:
    a = Node(0x10)
    b = Node(0x20)
    a.fields = {"next": Ptr(b)}
    b.fields = {"next": Ptr(a)}
    d = Node(0x40, {"q": Ptr(a)})
    c = Node(0x30, {"p": Ptr(d)})
    # c -> d -> a -> b -> (a): a is kept whole at depth 2. Then a -> b -> (a) reaches a at depth 2
    # again, but now a is its own ancestor: a cycle, not the copy kept before.
    got, _ = capture_all(CountingAccess(), [Ptr(c), Ptr(a)], depth=5)
    want, _ = capture_all(CountingAccess(), [Ptr(c, False), Ptr(a, False)], depth=5)
    assert got == want
    assert got[1] == {"next": {"next": {"$cycle": "0x10"}}}


def read_lines(fd: int, want: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    out = b""
    deadline = time.monotonic() + timeout
    while out.count(b"\n") < want and time.monotonic() < deadline:
        try:
            out += os.read(fd, 65536)
        except BlockingIOError:
            time.sleep(0.01)
    return [json.loads(line) for line in out.splitlines()]


def pipe_writer(**kw: Any) -> tuple[LineWriter, int]:
    r, w = os.pipe()
    os.set_blocking(r, False)
    return LineWriter(os.fdopen(w, "wb"), "test", **kw), r


def test_batches_reach_the_reader_in_order_and_on_time() -> None:
    writer, r = pipe_writer(batch=0.2)
    t0 = time.monotonic()
    for i in range(50):
        writer.send({"i": i})
    assert read_lines(r, 1, timeout=0.05) == []  # gathered, not written yet
    got = read_lines(r, 50, timeout=3)
    assert [rec["i"] for rec in got] == list(range(50))  # nobody sent again: the thread wrote them
    assert time.monotonic() - t0 < 1.5
    writer.send({"i": 50})
    writer.flush()
    assert read_lines(r, 1) == [{"i": 50}]
    writer.send({"i": 51})
    assert writer.close() == 0
    assert read_lines(r, 1) == [{"i": 51}]
    assert writer.sent == 52


def test_batches_from_two_threads_keep_every_record() -> None:
    writer, r = pipe_writer(batch=0.01)
    got: list[dict[str, Any]] = []
    reader = threading.Thread(target=lambda: got.extend(read_lines(r, 2000, timeout=20)))
    reader.start()
    for i in range(2000):
        writer.send({"i": i, "pad": "x" * 200})
        if i % 100 == 0:
            time.sleep(0.02)  # let the writer thread's timer fire between sends
    writer.close()
    reader.join()
    assert [rec["i"] for rec in got] == list(range(2000))


def test_without_batching_every_record_is_written_at_once() -> None:
    writer, r = pipe_writer()
    writer.send({"i": 0})
    assert read_lines(r, 1, timeout=0.05) == [{"i": 0}]
    writer.close()
