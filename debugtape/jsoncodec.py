"""Compact JSON text on the hot paths (the redaction gate, size checks of the bounds).

orjson when it is installed: it writes a snapshot's data five to six times faster than the
standard library. The standard library for what orjson refuses (integers past 64 bits, lone
surrogates), and whenever orjson is missing. Reading stays with the standard library: for
event-sized texts orjson was no faster here once integers past 64 bits (which it reads as
floats) had to be ruled out first.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # orjson is a dependency; without it everything still works, slower
    orjson = None  # type: ignore[assignment]

__all__ = ["dumps"]

_STD_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def dumps(value: Any) -> str:
    """Compact JSON text of `value`: what json.dumps(value, ensure_ascii=False, separators=(",",
    ":"), default=str) writes, except that floats may be spelled differently (1e-7 for 1e-07)
    and NaN or Infinity, which JSON does not have, are written as null."""
    if orjson is not None:
        try:
            return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:  # an integer past 64 bits or a lone surrogate
            pass
    return _STD_ENCODER.encode(value)
