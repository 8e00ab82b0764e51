"""A plugin that answers with values its hooks do not accept."""

from __future__ import annotations

from typing import Any


def debugtape_snapshot(data: dict[str, Any]) -> Any:
    reason = data.get("reason")
    if reason == "step":
        return {"frames": []}  # may not replace the snapshot's own fields
    if reason == "signal":
        return {"blob": object()}  # not JSON
    if reason == "exception":
        return {"tags": "not-a-list"}
    return ["not", "a", "dict"]


def debugtape_redaction_rules() -> Any:
    return "not a list"


def debugtape_cli_commands() -> Any:
    return ["not a click command"]
