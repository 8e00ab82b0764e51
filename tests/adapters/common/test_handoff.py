"""LineWriter's batching with `lone_at_once` (gdb's hand-off): a burst is written in one piece, a
lone record at once, a batch that nobody adds to by the daemon thread; order is kept. (Batching
without it: tests/adapters/lldb/test_hot_path.py.)"""

from __future__ import annotations

import json
import os
import time

import pytest

from debugtape.adapters.common.handoff import LineWriter

pytestmark = pytest.mark.timeout(30)


def _read_available(fd: int) -> list[bytes]:
    """The chunks readable now, one os.read each (a pipe hands back what one write put in)."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return chunks
        if not chunk:  # the writer closed its end
            return chunks
        chunks.append(chunk)


def test_batching_writer_gathers_bursts_and_writes_lone_records_at_once() -> None:
    r, w = os.pipe()
    os.set_blocking(r, False)
    writer = LineWriter(os.fdopen(w, "wb"), "test", batch=0.2, lone_at_once=True)
    try:
        writer.send({"n": 0})  # nothing before it: written at once
        assert [json.loads(line) for c in _read_available(r) for line in c.splitlines()] == [{"n": 0}]
        for n in range(1, 6):  # a burst right after it: gathered
            writer.send({"n": n})
        assert _read_available(r) == []
        time.sleep(0.6)  # nobody adds to it: the daemon thread writes it, in one piece
        chunks = _read_available(r)
        assert len(chunks) == 1
        assert [json.loads(line)["n"] for line in chunks[0].splitlines()] == [1, 2, 3, 4, 5]
        time.sleep(0.3)
        writer.send({"n": 6})  # after a quiet spell: at once again
        assert [json.loads(line) for c in _read_available(r) for line in c.splitlines()] == [{"n": 6}]
        writer.send({"n": 7})
        assert writer.close() == 0
        rest = b"".join(_read_available(r))
        assert [json.loads(line)["n"] for line in rest.splitlines()] == [7]
    finally:
        os.close(r)
