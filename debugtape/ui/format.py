"""Captured values and frames as short text for the terminal UI."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["format_value", "frame_title"]


def format_value(value: Any, limit: int = 400) -> str:
    """A captured value on one line: special markers as <cycle 0x..>, containers as compact JSON."""
    if isinstance(value, Mapping) and len(value) == 1:
        (key, inner), = value.items()
        if isinstance(key, str) and key.startswith("$"):
            name = key[1:].replace("_", " ")
            return f"<{name}>" if inner is True else f"<{name} {inner}>"
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def frame_title(frame: Mapping[str, Any]) -> str:
    where = str(frame.get("file") or frame.get("module") or "")
    if frame.get("line") is not None:
        where += f":{frame['line']}"
    return f"#{frame.get('index', '')} {frame.get('symbol') or frame.get('address') or '??'}  {where}"
