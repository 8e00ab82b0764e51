"""`debugtape snapshot ID`: one snapshot with its frames and locals."""

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


@click.command("snapshot")
@click.argument("snapshot")
@db_option
@json_option
@as_of_option
@handle_errors
def command(snapshot: str, db: Path | None, as_json: bool, as_of: str | None) -> None:
    """Show a snapshot (unique id prefix, or SESSION:SEQ) with its frames, locals and cuts."""
    with open_store(db) as store:
        se = store.snapshot(snapshot, store.as_of_id(as_of))
    if as_json:
        emit_json(se.to_dict())
        return
    from debugtape.cli.render import snapshot_panel

    click.echo(snapshot_panel(se.event, se.id))
