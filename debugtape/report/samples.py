"""Decoding `stack_sample` events into plain stacks, whichever form (interned or not) they were stored in."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from debugtape.events import parse_ts
from debugtape.store.queries import SAMPLE_JOIN

_loads: Callable[[str], Any] = json.loads
try:  # a third faster than json.loads on sample payloads, which hold no integers past 64 bits
    import orjson

    _loads = orjson.loads
except ImportError:  # orjson is a dependency; without it the standard library reads them
    pass

if TYPE_CHECKING:
    from debugtape.store import Store

__all__ = ["FrameKey", "Stack", "Progress", "no_progress", "frame_key", "stacks_of", "session_stacks",
           "count_stacks"]

log = logging.getLogger(__name__)

# A function as the flame graph and the exports see it: (symbol, file). Lines are left out on
# purpose: one function sampled at ten lines is still one box.
FrameKey = tuple[str, str]
# A sampled stack from the outermost frame inwards.
Stack = tuple[FrameKey, ...]

T = TypeVar("T")
# progress(iterable, total, label) -> the same items; the CLI passes a rich progress bar.
Progress = Callable[[Iterable[Any], "int | None", str], Iterable[Any]]


def no_progress(items: Iterable[T], total: int | None, label: str) -> Iterable[T]:
    return items


def frame_key(frame: Mapping[str, Any]) -> FrameKey:
    symbol = frame.get("symbol") or frame.get("address") or "??"
    return (str(symbol), str(frame.get("file") or ""))


def _thread_label(thread: Mapping[str, Any]) -> str:
    name = thread.get("name")
    tid = thread.get("id")
    if name and tid is not None and str(tid) != str(name):
        return f"{name} ({tid})"
    return str(name or tid or "thread")


def stacks_of(data: Mapping[str, Any]) -> Iterator[tuple[str, Stack]]:
    """(thread label, stack) for each thread of one `stack_sample` payload; bad parts are skipped.

    Stored samples are interned (`frames`, `stacks` of frame indices innermost first, `threads`
    pointing at a stack); the raw-record form (`threads[].frames`) is read too.
    """
    frames = data.get("frames")
    keys: list[FrameKey] = []
    if isinstance(frames, list):
        try:  # the common case, decoded JSON objects, without a check per frame
            keys = [(str(f.get("symbol") or f.get("address") or "??"), str(f.get("file") or ""))
                    for f in frames]
        except AttributeError:
            keys = [frame_key(f) if isinstance(f, Mapping) else ("??", "") for f in frames]
    stacks_field = data.get("stacks")
    stacks: list[Any] = stacks_field if isinstance(stacks_field, list) else []
    threads = data.get("threads")
    if not isinstance(threads, list):
        return
    decoded: dict[int, Stack] = {}  # threads often share a stack
    for thread in threads:
        if not isinstance(thread, Mapping):
            continue
        try:
            ix = thread.get("stack")
            if isinstance(ix, int):
                stack = decoded.get(ix)
                if stack is None:
                    stack = decoded[ix] = tuple(keys[i] for i in reversed(stacks[ix]))
            elif isinstance(thread.get("frames"), list):
                stack = tuple(keys[f] if isinstance(f, int) else frame_key(f)
                              for f in reversed(thread["frames"]) if isinstance(f, (int, Mapping)))
            else:
                continue
        except (IndexError, TypeError):
            log.warning("stack_sample: stack index out of range, thread skipped")
            continue
        if stack:
            yield _thread_label(thread), stack


def _raw_sample_rows(store: Store, sid: str) -> Iterator[tuple[int, str]]:
    """(ts in ms, data JSON) of a session's samples, straight from SQLite when the store allows.

    A long sampling run has far more samples than anything else; skipping the Event objects and
    parsing each distinct payload once keeps a 100,000-sample report within seconds.
    """
    conn = getattr(store, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        try:
            yield from conn.execute(
                f"SELECT e.ts_ms, e.data FROM {SAMPLE_JOIN} WHERE r.session = ? ORDER BY r.first_event, e.id",
                (sid,))
            return
        except sqlite3.Error as exc:  # another store layout: use the public API below
            log.debug("raw sample rows unavailable: %s", exc)
    for row in store.events(session=sid, types=["stack_sample"]):
        event = row.event
        yield int(parse_ts(event.ts) * 1000), json.dumps(dict(event.data))


def _sample_count(store: Store, sid: str) -> int | None:
    """How many stack_sample events the session holds, for a progress bar (None if unknown)."""
    try:
        n = (store.session(sid).get("counts") or {}).get("samples")
    except Exception:  # only a progress bar's total: never worth failing for
        return None
    return n if isinstance(n, int) else None


def session_stacks(store: Store, sid: str, progress: Progress = no_progress,
                   label: str = "samples") -> Iterator[tuple[int, str, Stack]]:
    """(ts in ms, thread label, stack) for every sampled thread of a session, in order."""
    cache: dict[str, list[tuple[str, Stack]]] = {}
    for ts_ms, text in progress(_raw_sample_rows(store, sid), _sample_count(store, sid), label):
        decoded = cache.get(text)
        if decoded is None:
            try:
                data = _loads(text)
            except ValueError:  # orjson's JSONDecodeError is one too
                log.warning("session %s: a stack_sample payload is not JSON, skipped", sid)
                continue
            decoded = list(stacks_of(data)) if isinstance(data, Mapping) else []
            if len(cache) < 4096:  # identical payloads repeat when a program idles
                cache[text] = decoded
        for thread, stack in decoded:
            yield ts_ms, thread, stack


def count_stacks(store: Store, sid: str, progress: Progress = no_progress,
                 label: str = "samples") -> tuple[Counter[tuple[str, Stack]], int, int]:
    """Counts of (thread label, stack) for a session, plus the first and last sample time (ms)."""
    counts: Counter[tuple[str, Stack]] = Counter()
    first = last = 0
    for ts_ms, thread, stack in session_stacks(store, sid, progress, label):
        counts[(thread, stack)] += 1
        if not first:
            first = ts_ms
        last = ts_ms
    return counts, first, last
