"""Helpers for driving `debugtape ui` with textual's pilot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import DataTable


def cell(table: DataTable[Any], row: int, col: int) -> str:
    return str(table.get_row_at(row)[col])


async def wait_for(pilot: Any, cond: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until `cond()` holds; fail saying where the app is when it never does."""
    for _ in range(int(timeout / 0.05)):
        if cond():
            return
        await pilot.pause(0.05)
    app = pilot.app
    raise AssertionError(f"condition not met in time (screen {app.screen!r}, focus {app.focused!r})")
