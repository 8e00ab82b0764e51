"""A plugin that replaces the built-in correlation stage; it misbehaves when a snapshot's note asks."""

from __future__ import annotations

import threading
from typing import Any

RELEASE = threading.Event()


class Stamp:
    def session_context(self, cwd: str | None) -> dict[str, Any]:
        return {"head": "stamp", "cwd_seen": cwd}

    def snapshot(self, data: dict[str, Any]) -> Any:
        note = data.get("note")
        if note == "correlator raises":
            raise RuntimeError("stamp: cannot correlate this one")
        if note == "correlator hangs":
            RELEASE.wait(60)
        if note == "correlator garbage":
            return ["not", "the", "data"]
        return {**data, "stamped": True}

    def breakpoint(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "stamped": True}


def debugtape_correlator(cwd: str | None) -> Stamp:
    return Stamp()
