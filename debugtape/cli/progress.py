"""A rich progress bar for long commands, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["progress"]

T = TypeVar("T")


def progress(iterable: Iterable[T], total: int | None = None, label: str = "working") -> Iterator[T]:
    """Yield the items of `iterable`, drawing a progress bar on stderr when it is a TTY.

    Nothing is drawn when stderr is a pipe or a file (scripts, CI, `2>log`), so output that
    others parse stays clean. `total` may be None when the length is unknown.
    """
    if not sys.stderr.isatty():
        yield from iterable
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

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        # Updating rich for every item costs more than the work for small items: batch it.
        pending = 0
        for item in iterable:
            yield item
            pending += 1
            if pending >= 256:
                bar.advance(task, pending)
                pending = 0
        bar.advance(task, pending)
