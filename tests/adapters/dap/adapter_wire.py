"""Sending DAP messages from the stand-in adapters the tests run as scripts (standard library only)."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

_seq = 0
_out: IO[bytes] | None = None  # stdout unless `use` names another stream


def use(stream: IO[bytes]) -> None:
    """Send to `stream` (a socket's writer) instead of stdout."""
    global _out
    _out = stream


def send(msg: dict[str, Any]) -> int:
    """Write one message (to stdout, or the stream `use` named) with the next seq; returns that seq."""
    global _seq
    _seq += 1
    body = json.dumps({"seq": _seq, **msg}).encode()
    out = _out or sys.stdout.buffer
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()
    return _seq
