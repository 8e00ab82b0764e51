"""Rich progress bars for long commands, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["progress", "progress_bar", "Advance"]

T = TypeVar("T")

# advance(n) moves a bar on by n units (items, bytes...).
Advance = Callable[[int], None]

# Updating rich for every item costs more than the work for small items: advances are batched.
_BATCH = 256


def _ignore(n: int) -> None:
    return None


@contextmanager
def progress_bar(total: int | None, label: str) -> Iterator[Advance]:
    """A bar on stderr for the duration of the block; yields `advance(n)`.

    Nothing is drawn when stderr is a pipe or a file (scripts, CI, `2>log`), so output that
    others parse stays clean. With `total` None the bar pulses and counts, for work whose size
    is not known up front (or cannot be measured, such as one SQL transaction).
    """
    if not sys.stderr.isatty():
        yield _ignore
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = ([TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TimeRemainingColumn()] if total is not None
               else [TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()])
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        pending = 0

        def advance(n: int) -> None:
            nonlocal pending
            pending += n
            if pending >= _BATCH:
                bar.advance(task, pending)
                pending = 0

        yield advance
        bar.advance(task, pending)


def progress(iterable: Iterable[T], total: int | None = None, label: str = "working",
             weight: Callable[[T], int] | None = None) -> Iterator[T]:
    """Yield the items of `iterable` with a bar (see `progress_bar`); `weight(item)` is how far
    each item moves it (default 1), e.g. `len` of each line when `total` is a file's size."""
    with progress_bar(total, label) as advance:
        if advance is _ignore:
            yield from iterable
            return
        for item in iterable:
            yield item
            advance(1 if weight is None else weight(item))
