"""What the terminal UI shows, read from the store: session rows, snapshot rows, filters, replay steps."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from debugtape.events import Event, parse_ts

__all__ = ["Filter", "FilterMatches", "parse_filter", "session_cells", "snapshot_cells", "event_summary", "short_commit"]

SESSION_COLUMNS = ("id", "name", "tool", "status", "started", "commit", "snaps", "samples")
SNAPSHOT_COLUMNS = ("seq", "t", "reason", "bp", "symbol", "where", "thread")


@dataclass(frozen=True)
class Filter:
    """A filter typed in the UI: `sym:NAME file:PATH commit:PREFIX`; a bare word is a symbol."""

    symbol: str | None = None
    file: str | None = None
    commit: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.symbol or self.file or self.commit)

    def store_filters(self) -> dict[str, Any]:
        return {k: v for k, v in (("symbol", self.symbol), ("file", self.file), ("commit", self.commit)) if v}

    def describe(self) -> str:
        return " ".join(f"{k}:{v}" for k, v in (("sym", self.symbol), ("file", self.file),
                                               ("commit", self.commit)) if v)


def parse_filter(text: str) -> Filter:
    """'parse file:parser.c commit:abc' -> Filter(symbol='parse', file='parser.c', commit='abc')."""
    values: dict[str, str] = {}
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    for word in words:
        key, sep, value = word.partition(":")
        key = key.lower()
        if sep and key in ("sym", "symbol", "s"):
            values["symbol"] = value
        elif sep and key in ("file", "f"):
            values["file"] = value
        elif sep and key in ("commit", "c"):
            values["commit"] = value
        else:
            values["symbol"] = word
    return Filter(**{k: v for k, v in values.items() if v})


def short_commit(row: Mapping[str, Any]) -> str:
    commit = row.get("commit")
    if isinstance(commit, Mapping):
        commit = commit.get("head")
    text = str(commit or "")[:10]
    if row.get("dirty"):
        text += "*"
    return text


def session_cells(row: Mapping[str, Any]) -> tuple[str, ...]:
    counts = row.get("counts") or {}
    started = str(row.get("started") or "").replace("T", " ")[:19]
    return (str(row["id"])[:10], str(row.get("name") or ""), str(row.get("tool") or ""),
            str(row.get("status") or ""), started, short_commit(row),
            str(counts.get("snapshots", "")), str(counts.get("samples", "")))


def _where(file: object, line: object) -> str:
    base = str(file or "").rsplit("/", 1)[-1]
    return f"{base}:{line}" if base and line is not None else base


def snapshot_cells(row: Mapping[str, Any], t0_ms: int | None) -> tuple[str, ...]:
    """Cells for a row of `Store.snapshots(session)`."""
    t = ""
    if t0_ms is not None and row.get("ts_ms") is not None:
        t = f"{(int(row['ts_ms']) - t0_ms) / 1000:.3f}s"
    return (str(row["seq"]), t, str(row.get("reason") or ""), str(row.get("bp_id") or ""),
            str(row.get("symbol") or ""), _where(row.get("file"), row.get("line")),
            str(row.get("thread") or ""))


class FilterMatches:
    """What matches a filter, kept up to date incrementally: each refresh asks the store only
    about events committed since the last one (the UI refreshes every time a recording commits).
    """

    def __init__(self) -> None:
        self._key: tuple[Filter, str | None] | None = None
        self._after = 0
        self._found: set[Any] = set()

    def _update(self, store: Any, flt: Filter, session: str | None) -> set[Any]:
        if self._key != (flt, session):
            self._key, self._after, self._found = (flt, session), 0, set()
        last = int(store.last_event_id())
        if last > self._after:
            if session is None:
                types = ["debug_snapshot", "breakpoint_set", "session_started"]
            else:
                types = ["debug_snapshot"]
            rows = store.events(session=session, types=types, after_id=self._after,
                                **flt.store_filters())
            if session is None:
                self._found.update(r.event.session for r in rows)
            else:
                self._found.update(r.event.seq for r in rows)
            self._after = last
        return self._found

    def sessions(self, store: Any, flt: Filter) -> set[str] | None:
        """Sessions with a snapshot or breakpoint matching the filter (or, by commit, started on it)."""
        return None if flt.empty else self._update(store, flt, None)

    def seqs(self, store: Any, session: str, flt: Filter) -> set[int] | None:
        """Seqs of the session's snapshots that match the filter (None when there is no filter)."""
        return None if flt.empty else self._update(store, flt, session)


def event_summary(event: Event, t0: float | None) -> str:
    """One line saying what an event is, for the replay view (the CLI's wording, with a time)."""
    from debugtape.cli.render import event_summary as describe

    t = ""
    if t0 is not None:
        try:
            t = f"+{parse_ts(event.ts) - t0:.3f}s "
        except ValueError:
            t = ""
    return f"{t}{event.type}: {describe(event)}"
