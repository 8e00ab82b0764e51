"""What a LOCATION argument names (stable id, FILE:LINE in today's code, or a symbol) and which
snapshot frames it matches."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from debugtape.correlate.git import toplevel
from debugtape.correlate.stable import StableId, parse_stable_id, stable_id_for
from debugtape.errors import DebugtapeError

__all__ = ["Location", "parse_location", "find_source", "CorrelateError"]


class CorrelateError(DebugtapeError):
    """A correlation query cannot be answered; the message says why and what to try."""


def _ends_with_path(full: str, tail: str) -> bool:
    full, tail = full.replace("\\", "/"), tail.replace("\\", "/").lstrip("./")
    return full == tail or full.endswith("/" + tail)


def _symbol_matches(have: Any, want: str) -> bool:
    if not isinstance(have, str) or not have:
        return False
    have = have.split("(", 1)[0].strip()  # gdb says "ns::f(int)"
    return have == want or any(have.endswith(sep + want) for sep in ("::", "."))


def find_source(path: str, cwd: str | os.PathLike[str] | None = None) -> Path | None:
    """A source file named on the command line or in an event: as given, relative to `cwd`, or
    relative to the work tree root of `cwd`."""
    p = Path(path)
    if p.is_absolute():
        return p if p.is_file() else None
    base = Path(cwd or os.getcwd())
    for root in (base, toplevel(base)):
        if root is not None and (root / p).is_file():
            return (root / p).resolve()
    return None


@dataclass(frozen=True)
class Location:
    """A parsed LOCATION. `stable` is set when it names a place inside a symbol; `file` and
    `line` when it names a line; `symbol` alone when it names a function."""

    text: str
    stable: StableId | None = None
    file: str | None = None
    line: int | None = None
    symbol: str | None = None

    @property
    def basename(self) -> str | None:
        path = self.stable.path if self.stable else self.file
        return path.replace("\\", "/").rsplit("/", 1)[-1] if path else None

    def matches(self, frame: Mapping[str, Any]) -> bool:
        sid_text = frame.get("stable_id")
        have = parse_stable_id(sid_text) if isinstance(sid_text, str) else None
        if self.stable is not None and have is not None:
            return (have.symbol == self.stable.symbol and have.offset == self.stable.offset
                    and (_ends_with_path(have.path, self.stable.path)
                         or _ends_with_path(self.stable.path, have.path)))
        if self.file is not None and self.line is not None:
            f = frame.get("file")
            return isinstance(f, str) and frame.get("line") == self.line and (
                _ends_with_path(f, self.file) or _ends_with_path(self.file, f))
        if self.symbol is not None and self.stable is None:
            # The stable id names the function as the source does (Tally.add) where an older
            # recording's frame may carry the debugger's name only (debugpy says add).
            return (_symbol_matches(frame.get("symbol"), self.symbol)
                    or (have is not None and _symbol_matches(have.symbol, self.symbol)))
        return False

    @property
    def index_symbol(self) -> str | None:
        """The name to look up in the store's symbol keys: the last part (`add` for
        `Tally.add`), which every stored spelling of the function is indexed under."""
        return self.symbol.rsplit("::", 1)[-1].rsplit(".", 1)[-1] if self.symbol else None


def parse_location(text: str, cwd: str | os.PathLike[str] | None = None) -> Location:
    """`src/tree.c#split+2` (a stable id), `tree.c:42` (a line of today's file, followed to its
    stable id when the file exists) or `split` (a function: any line in it)."""
    text = text.strip()
    if not text:
        raise CorrelateError("empty location: give FILE:LINE, a function name, or a stable id (file#symbol+offset)")
    sid = parse_stable_id(text)
    if sid is not None and sid.symbol is not None:
        return Location(text, stable=sid)
    if sid is not None:  # FILE:LINE
        found = find_source(sid.path, cwd)
        if found is not None:
            today = stable_id_for(found, sid.offset)
            if today.symbol is not None:
                return Location(text, stable=today, file=sid.path, line=sid.offset)
        return Location(text, file=sid.path, line=sid.offset)
    if "/" in text or ":" in text.replace("::", ""):
        raise CorrelateError(f"cannot read location {text!r}: give FILE:LINE, a function name, "
                             "or a stable id (file#symbol+offset)")
    return Location(text, symbol=text)
