"""A plugin whose snapshot hook never answers (until a test releases it)."""

from __future__ import annotations

import threading
from typing import Any

RELEASE = threading.Event()
calls = {"snapshot": 0, "session_started": 0}


def debugtape_session_started(data: dict[str, Any]) -> None:
    calls["session_started"] += 1


def debugtape_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    calls["snapshot"] += 1
    RELEASE.wait(60)
    return {"tags": ["too-late"]}
