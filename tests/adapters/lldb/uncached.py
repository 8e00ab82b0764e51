"""Loaded into lldb after the `tape` commands (`command script import tests.adapters.lldb.uncached`):
frame descriptions and variable layouts are read afresh at every frame and strings from the
process's memory, as before the cache, so a test can compare what the cache gives with what lldb
says."""

from __future__ import annotations

from typing import Any

import lldb  # type: ignore[import-not-found]  # provided by lldb itself

from debugtape.adapters.lldb.commands import tape_state
from debugtape.adapters.lldb.reader import FrameCache, Slot, describe_frame


class UncachedFrames(FrameCache):
    def describe(self, frame: Any, key: tuple[Any, ...], pc: int) -> dict[str, Any]:
        return describe_frame(frame)

    def layout(self, key: tuple[Any, ...]) -> list[Slot] | None:
        return None

    def seen(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        return None

    def file_bytes(self, process: Any, address: int, size: int) -> bytes | None:
        return None  # every string from the process's memory


def __lldb_init_module(debugger: Any, internal_dict: Any) -> None:
    backend = tape_state(debugger).backend
    backend.frame_cache = UncachedFrames(lldb)
    backend.access.files = backend.frame_cache  # type: ignore[attr-defined]
