"""`debugtape suspects SNAPSHOT`: the commits that last touched the lines of a snapshot's stack."""

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

__all__ = ["command"]


@click.command("suspects")
@click.argument("snapshot")
@db_option
@json_option
@as_of_option
@handle_errors
def command(snapshot: str, db: Path | None, as_json: bool, as_of: str | None) -> None:
    """List the commits that last touched the lines of SNAPSHOT's stack, ranked: innermost
    frames first, then the most recent commits. SNAPSHOT is a snapshot id prefix or SESSION:SEQ.

    Lines changed in the working tree rank as the newest change; frames outside the repository
    or in untracked files are listed with their status, never guessed.
    """
    from debugtape.correlate.queries import suspects
    from debugtape.correlate.render import render_suspects

    with open_store(db) as store:
        result = suspects(store, snapshot, as_of=store.as_of_id(as_of))
    if as_json:
        emit_json(result)
    else:
        click.echo(render_suspects(result))
