"""DAP variables to raw-record values: numbers where the text is a number, cut strings, lists."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CaptureBounds", "scalar", "cut_text", "expandable", "is_index_list", "visible", "NO_EXPAND_TYPES", "HIDDEN_GROUPS"]

_INT = re.compile(r"^-?\d{1,18}$")
_FLOAT = re.compile(r"^-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")
_FLOAT_TYPES = ("float", "double", "long double", "float32", "float64")

# Children of these are code, not data: expanding them costs round trips and tells nothing.
NO_EXPAND_TYPES = frozenset({
    "module", "function", "type", "builtin_function_or_method", "method", "method-wrapper",
    "classmethod", "staticmethod", "property", "wrapper_descriptor", "getset_descriptor", "code",
    "frame", "traceback",
})
# debugpy's pseudo-variables that group members; not part of the program's state.
HIDDEN_GROUPS = frozenset({"special variables", "function variables", "class variables", "protected variables"})


@dataclass(frozen=True)
class CaptureBounds:
    """What one snapshot fetches; the pipeline enforces its own bounds again regardless."""

    frames: int = 20
    locals_frames: int = 5
    value_chars: int = 256
    depth: int = 3
    items: int = 25
    requests: int = 64  # per stop, so a huge object graph cannot stall the program


def cut_text(text: str, limit: int) -> tuple[str, int | None]:
    """The text cut to `limit` characters and the original length when it was cut."""
    if len(text) <= limit:
        return text, None
    return text[:limit], len(text)


def scalar(value: str, typ: str | None) -> Any:
    """The debugger's text of a leaf value, as a JSON number or boolean where it plainly is one."""
    t = (typ or "").lower()
    if _INT.match(value) and "char" not in t:
        return int(value)
    if t in _FLOAT_TYPES and _FLOAT.match(value):
        try:
            return float(value)
        except ValueError:
            return value
    if t == "bool" and value in ("True", "False", "true", "false"):
        return value in ("True", "true")
    return value


def expandable(var: Mapping[str, Any]) -> bool:
    """Whether a variable's children say more than its text: not for code, and not for C strings,
    whose text already shows the characters ("0x… \"abc\"") that the children split one by one."""
    typ = str(var.get("type", ""))
    if typ in NO_EXPAND_TYPES:
        return False
    return not ("char" in typ and ("*" in typ or "[" in typ))


def is_index_list(names: Sequence[str]) -> bool:
    return bool(names) and all(n.isdigit() or (n.startswith("[") and n.endswith("]") and n[1:-1].isdigit()) for n in names)


def visible(var: Mapping[str, Any]) -> bool:
    name = str(var.get("name", ""))
    hint = var.get("presentationHint") or {}
    return name not in HIDDEN_GROUPS and not (isinstance(hint, Mapping) and hint.get("visibility") == "internal") and name != "len()"
