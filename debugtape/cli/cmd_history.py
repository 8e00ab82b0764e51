"""`debugtape history LOCATION`: every snapshot taken at a breakpoint, across sessions and commits."""

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


@click.command("history")
@click.argument("location")
@click.option("--var", "vars_", multiple=True, metavar="NAME",
              help="A local or argument to show (repeatable; dotted paths like node.count work). "
                   "Default: all of them.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the N most recent snapshots.")
@db_option
@json_option
@as_of_option
@handle_errors
def command(location: str, vars_: tuple[str, ...], limit: int | None, db: Path | None, as_json: bool,
            as_of: str | None) -> None:
    """List every snapshot whose innermost frame was at LOCATION, oldest first, with its session,
    commit and the values of the named locals.

    LOCATION is FILE:LINE (followed to its function in today's code, so snapshots taken before
    the code above it moved still match), a stable id FILE#SYMBOL+OFFSET, or a function name.
    """
    from debugtape.correlate.queries import history
    from debugtape.correlate.render import render_history

    with open_store(db) as store:
        result = history(store, location, list(vars_), limit=limit, as_of=store.as_of_id(as_of))
    if as_json:
        emit_json(result)
    else:
        click.echo(render_history(result))
