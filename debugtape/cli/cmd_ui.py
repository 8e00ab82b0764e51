"""`debugtape ui`: browse sessions, snapshots, frames and locals in the terminal; replay a session."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("ui")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The store (default: DEBUGTAPE_DB, then <git top>/.debugtape/tape.db).")
@click.option("--poll", type=click.FloatRange(min=0.05, max=60), default=0.5, show_default=True,
              help="Seconds between checks for newly committed events.")
def command(db: Path | None, poll: float) -> None:
    """A terminal UI over the store, keyboard only, starting on the most recent session.

    Enter opens (session → snapshots → frames and locals), r replays, / filters by
    sym:NAME file:PATH commit:PREFIX, Esc goes back, q quits. Active sessions update live.
    """
    from debugtape.errors import DebugtapeError
    from debugtape.paths import resolve_db
    from debugtape.ui import run_ui

    path = resolve_db(db)
    if not path.exists():
        raise click.ClickException(f"no store at {path} (record a session first, or pass --db)")
    try:
        run_ui(path, poll)
    except DebugtapeError as exc:
        raise click.ClickException(str(exc)) from exc
