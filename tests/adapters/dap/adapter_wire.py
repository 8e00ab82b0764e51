"""Sending DAP messages from the stand-in adapters the tests run as scripts (standard library only)."""

from __future__ import annotations

import json
import sys
from typing import Any

_seq = 0


def send(msg: dict[str, Any]) -> int:
    """Write one message to stdout with the next seq; returns that seq."""
    global _seq
    _seq += 1
    body = json.dumps({"seq": _seq, **msg}).encode()
    out = sys.stdout.buffer
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()
    return _seq
