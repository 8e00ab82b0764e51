"""A plugin that drops snapshots whose note says so."""

from __future__ import annotations

from typing import Any


def debugtape_snapshot(data: dict[str, Any]) -> Any:
    if data.get("note") == "drop me":
        return False
    return None
