"""`debugtape diff A B`: what differs in frames and locals between two snapshots."""

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


@click.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--at", "at", default=None, metavar="LOCATION",
              help="A and B are sessions: compare their snapshots at this stable breakpoint location.")
@click.option("--hit", type=int, default=1, show_default=True,
              help="With --at: compare the Nth hit of the breakpoint in each session.")
@db_option
@json_option
@as_of_option
@handle_errors
def command(a: str, b: str, at: str | None, hit: int, db: Path | None, as_json: bool, as_of: str | None) -> None:
    """Compare two snapshots frame by frame (or, with --at, two sessions at one breakpoint)."""
    with open_store(db) as store:
        cap = store.as_of_id(as_of)
        if at:
            from debugtape.correlate.queries import diff_at

            result = diff_at(store, at, a, b, hit=hit, as_of=cap)
            if as_json:
                emit_json(result)
                return
            from debugtape.correlate.queries import render_diff_at

            click.echo(render_diff_at(result))
            return
        from debugtape.store.compare import diff_snapshots

        result = diff_snapshots(store.snapshot(a, cap).event, store.snapshot(b, cap).event)
    if as_json:
        emit_json(result)
        return
    from debugtape.cli.render import diff_table

    click.echo(diff_table(result))
