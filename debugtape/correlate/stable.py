"""Stable breakpoint identities: file, enclosing symbol and the line's offset within it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from debugtape.correlate.context import repo_for
from debugtape.correlate.symbols import SymbolIndex, default_index

__all__ = ["StableId", "stable_id_for", "parse_stable_id", "display_path"]


@dataclass(frozen=True)
class StableId:
    """`path#symbol+offset` (path relative to the work tree root when inside one), or
    `path:line` when no symbol encloses the line."""

    path: str
    symbol: str | None
    offset: int  # the offset within the symbol, or the line itself without a symbol

    def __str__(self) -> str:
        if self.symbol is None:
            return f"{self.path}:{self.offset}"
        return f"{self.path}#{self.symbol}+{self.offset}"


def display_path(path: str | os.PathLike[str]) -> str:
    """The path relative to its work tree root (the same in every clone), else absolute."""
    p = Path(path)
    repo = repo_for(p)
    if repo is not None:
        rel = repo.relpath(p.resolve()) or repo.relpath(p)
        if rel is not None:
            return rel
    return os.fspath(p)


def stable_id_for(path: str | os.PathLike[str], line: int, index: SymbolIndex = default_index) -> StableId:
    sym = index.resolve(path, line)
    shown = display_path(path)
    if sym is None:
        return StableId(shown, None, line)
    return StableId(shown, sym.name, line - sym.start_line)


def parse_stable_id(text: str) -> StableId | None:
    """The inverse of str(StableId); None for text that is not one."""
    if "#" in text:
        head, _, rest = text.rpartition("#")
        symbol, plus, offset = rest.rpartition("+")
        if head and plus and symbol and offset.lstrip("-").isdigit():
            return StableId(head, symbol, int(offset))
        return None
    head, colon, line = text.rpartition(":")
    if head and colon and line.isdigit():
        return StableId(head, None, int(line))
    return None
