"""The hook specifications a debugtape plugin may implement (all prefixed `debugtape_`)."""

from __future__ import annotations

from typing import Any

import pluggy

__all__ = ["PROJECT", "hookimpl", "hookspec", "HOOK_NAMES"]

PROJECT = "debugtape"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def debugtape_session_started(data: dict[str, Any]) -> None:
    """A session started. `data` is the `session_started` event's data (name, tool, program,
    argv, cwd, pid, commit, meta) after redaction. Return value ignored."""


@hookspec
def debugtape_snapshot(data: dict[str, Any]) -> dict[str, Any] | bool | None:
    """A `debug_snapshot` is about to be stored; `data` is a private copy of its data.

    Return None to keep it unchanged, a dict of fields to add (JSON values; `tags` lists are
    merged across plugins; the catalog's own fields cannot be replaced), or False to drop the
    snapshot. Anything else counts as a plugin failure and is ignored.
    """


@hookspec
def debugtape_redaction_rules() -> list[Any] | None:
    """Extra redaction rules to add to the project's own (same shape as the entries of
    `[tool.debugtape.redact]`, see docs/redact.md). Called once when the redactor is built."""


@hookspec
def debugtape_breakpoint(data: dict[str, Any]) -> None:
    """A breakpoint was set, changed or removed; `data` carries `action` and the breakpoint
    event's fields (bp_id, location, file, line, condition, hits, symbol, enabled, kind)."""


@hookspec
def debugtape_file_changed(data: dict[str, Any]) -> None:
    """The watcher saw a file change: path (relative to the repository), kind
    (created|modified|deleted|moved), size, lines ([start, end] ranges against HEAD), dest."""


@hookspec
def debugtape_commit_seen(data: dict[str, Any]) -> None:
    """A `vcs_commit` is recorded (a commit, checkout, reset, merge... or another branch moved):
    hash, branch, parents, author, message, files, author_time, reason, previous."""


@hookspec
def debugtape_session_ended(data: dict[str, Any]) -> None:
    """A session ended; `data` is the `session_ended` data: reason, exit_code and counts
    (snapshots, samples, dropped, redactions, plugin_failures)."""


@hookspec
def debugtape_cli_commands() -> list[Any] | None:
    """Extra `debugtape` subcommands: a list of `click.Command` objects."""


@hookspec(firstresult=True)
def debugtape_correlator(cwd: str | None) -> Any:
    """The correlation stage for the sessions a process records from `cwd`: an object with
    `session_context(cwd) -> dict | None` (the `commit` of session_started and of every
    snapshot), `snapshot(data) -> dict` and `breakpoint(data) -> dict` (the data with `commit`,
    per-frame `blame`, `symbol`, `stable_id` filled in). Called once per writing process; the
    first plugin that answers (not None) wins. The built-in `correlate` plugin answers with
    debugtape's git correlator."""


HOOK_NAMES: tuple[str, ...] = (
    "debugtape_session_started",
    "debugtape_snapshot",
    "debugtape_redaction_rules",
    "debugtape_breakpoint",
    "debugtape_file_changed",
    "debugtape_commit_seen",
    "debugtape_session_ended",
    "debugtape_cli_commands",
    "debugtape_correlator",
)
