"""Sourced in gdb by test_frame_cache: snapshots of the selected thread with the frame cache on
and off, printed as `PROBE {json}` lines (timestamps and thread ids left out)."""

from __future__ import annotations

import json
from typing import Any

import gdb  # type: ignore[import-not-found]

from debugtape.adapters.common.snapshot import build_snapshot
from debugtape.adapters.gdb.commands import TAPE

backend = TAPE.backend
cache = backend.frame_cache


def _snapshot(cached: bool) -> dict[str, Any]:
    cache.enabled = cached
    try:
        record = build_snapshot(backend.frames(), backend.access, "manual", thread=backend.current_thread())
    finally:
        cache.enabled = True
    record.pop("ts")
    return json.loads(json.dumps(record, default=repr))


def probe(label: str) -> None:
    """Uncached, cached (filling the cache if needed), cached again: what each recorded, and the cache state."""
    before = len(cache)
    out = {"label": label, "uncached": _snapshot(False), "cached": _snapshot(True),
           "again": _snapshot(True), "entries_before": before, "entries": len(cache), "hits": cache.hits}
    gdb.write("PROBE " + json.dumps(out) + "\n")
