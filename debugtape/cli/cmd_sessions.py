"""`debugtape sessions`: the recorded sessions, newest first."""

from __future__ import annotations

from pathlib import Path

import click

from debugtape.cli.common import (
    as_of_option,
    db_option,
    emit_json,
    handle_errors,
    json_option,
    open_store,
)


@click.command("sessions")
@db_option
@json_option
@as_of_option
@click.option("-n", "--limit", type=int, default=None, help="Show at most N sessions.")
@handle_errors
def command(db: Path | None, as_json: bool, as_of: str | None, limit: int | None) -> None:
    """List sessions: id, name, tool, status (active, completed, interrupted), times, commit, counts."""
    with open_store(db) as store:
        rows = store.sessions(as_of=store.as_of_id(as_of), limit=limit)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("no sessions recorded yet")
        return
    import sys

    from debugtape.cli.render import sessions_table

    click.echo(sessions_table(rows, use_color=sys.stdout.isatty()))
