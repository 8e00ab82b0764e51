"""A well-behaved plugin: logs every hook it receives, tags snapshots, adds rules and a command."""

from __future__ import annotations

import json
import os
from typing import Any

import click


def _log(hook: str, data: Any = None) -> None:
    # The tests read this file to see which hooks ran, also from another process.
    path = os.environ.get("SAMPLE_PLUGIN_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"hook": hook, "data": data}) + "\n")


def debugtape_session_started(data: dict[str, Any]) -> None:
    _log("session_started", data)


def debugtape_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    _log("snapshot", {"reason": data.get("reason")})
    data["frames"] = "mutating my copy must not reach the store"
    return {"tags": ["sample"], "sample_frames": 1}


def debugtape_breakpoint(data: dict[str, Any]) -> None:
    _log("breakpoint", data)


def debugtape_file_changed(data: dict[str, Any]) -> None:
    _log("file_changed", data)


def debugtape_commit_seen(data: dict[str, Any]) -> None:
    _log("commit_seen", data)


def debugtape_session_ended(data: dict[str, Any]) -> None:
    _log("session_ended", data)


def debugtape_redaction_rules() -> list[dict[str, object]]:
    return [{"kind": "ticket", "pattern": "TICKET-[0-9]{6}"},
            {"deny_keys": ["sample_pin"]}]


@click.command("sample-hello", help="Say hello from the sample plugin.")
def _hello() -> None:
    click.echo("hello from the sample plugin")


def debugtape_cli_commands() -> list[click.Command]:
    return [_hello]
