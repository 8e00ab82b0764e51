"""A plugin with a misspelt hook name: rejected at load time, not silently ignored."""

from __future__ import annotations

from typing import Any


def debugtape_snaphot(data: dict[str, Any]) -> None:
    return None
