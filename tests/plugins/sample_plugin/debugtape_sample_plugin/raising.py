"""A plugin whose every hook raises."""

from __future__ import annotations

from typing import Any


def debugtape_session_started(data: dict[str, Any]) -> None:
    raise RuntimeError("raiser: session_started always fails")


def debugtape_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    raise KeyError("raiser: snapshot always fails")


def debugtape_file_changed(data: dict[str, Any]) -> None:
    raise ValueError("raiser: file_changed always fails")


def debugtape_session_ended(data: dict[str, Any]) -> None:
    raise SystemExit("raiser: even SystemExit must not end the session")


def debugtape_cli_commands() -> list[Any]:
    raise RuntimeError("raiser: no commands")
