"""Decoding `stack_sample` events into plain stacks, whichever form (interned or not) they were stored in."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from debugtape.events import Event, parse_ts

__all__ = ["FrameKey", "Sample", "StoreReader", "decode_sample", "frame_key", "iter_samples", "frame_name"]

log = logging.getLogger(__name__)

# A function as the flame graph and the exports see it: (symbol, file). Lines are left out on
# purpose: one function sampled at ten lines is still one box.
FrameKey = tuple[str, str]


class StoreReader(Protocol):
    """The part of `debugtape.store.Store`'s read API the report and the UI use."""

    def sessions(self) -> Sequence[Mapping[str, Any]]: ...

    def session(self, session_id: str) -> Mapping[str, Any]: ...

    def events(self, **filters: Any) -> Iterable[Any]: ...

    def data_version(self) -> int: ...


@dataclass(frozen=True)
class Sample:
    """One thread's stack at one sampling instant; `stack` runs from the outermost frame inwards."""

    session: str
    ts: float
    thread: str
    stack: tuple[FrameKey, ...]


def frame_key(frame: Mapping[str, Any]) -> FrameKey:
    symbol = frame.get("symbol") or frame.get("address") or "??"
    return (str(symbol), str(frame.get("file") or ""))


def frame_name(key: FrameKey) -> str:
    return key[0]


def _thread_label(thread: Mapping[str, Any]) -> str:
    name = thread.get("name")
    tid = thread.get("id")
    if name and tid is not None and str(tid) != str(name):
        return f"{name} ({tid})"
    return str(name or tid or "thread")


def decode_sample(event: Event) -> Iterator[Sample]:
    """Yield one Sample per thread of a `stack_sample` event; malformed parts are skipped, logged."""
    data = event.data
    ts = parse_ts(event.ts)
    frames = data.get("frames") if isinstance(data.get("frames"), list) else []
    stacks = data.get("stacks") if isinstance(data.get("stacks"), list) else []
    keys = [frame_key(f) if isinstance(f, Mapping) else ("??", "") for f in frames]
    for thread in data.get("threads") or []:
        if not isinstance(thread, Mapping):
            continue
        inner_first: list[FrameKey]
        try:
            if "stack" in thread and isinstance(thread["stack"], int):  # interned form
                inner_first = [keys[i] for i in stacks[thread["stack"]]]
            elif isinstance(thread.get("frames"), list):  # raw record form
                inner_first = [
                    keys[f] if isinstance(f, int) else frame_key(f)
                    for f in thread["frames"]
                    if isinstance(f, (int, Mapping))
                ]
            else:
                continue
        except (IndexError, TypeError):
            log.warning("stack_sample %s/%s: stack index out of range, thread skipped",
                        event.session, event.seq)
            continue
        if inner_first:
            yield Sample(event.session, ts, _thread_label(thread), tuple(reversed(inner_first)))


def iter_samples(store: StoreReader, session_ids: Iterable[str]) -> Iterator[Sample]:
    """Every sampled stack of the given sessions, in store order."""
    for sid in session_ids:
        for row in store.events(session=sid, types=["stack_sample"]):
            event = row.event if hasattr(row, "event") else row
            yield from decode_sample(event)
