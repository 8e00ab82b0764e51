"""`debugtape prune`: delete completed sessions by age and by count."""

from __future__ import annotations

from pathlib import Path

import click

from debugtape.cli.common import db_option, emit_json, handle_errors, json_option, open_store


@click.command("prune")
@click.option("--older-than", default=None, metavar="AGE", help="Completed sessions that ended longer ago than AGE (e.g. 7d).")
@click.option("--keep", type=int, default=None, help="Keep only the newest N completed sessions.")
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@db_option
@json_option
@handle_errors
def command(older_than: str | None, keep: int | None, dry_run: bool, db: Path | None, as_json: bool) -> None:
    """Delete completed sessions older than AGE and beyond the newest N. Active and interrupted
    sessions are never pruned."""
    from debugtape.cli.progress import progress_bar
    from debugtape.store import parse_duration

    if older_than is None and keep is None:
        raise click.UsageError("say what to prune: --older-than AGE and/or --keep N")
    # One transaction whose progress SQLite does not report: the bar pulses and shows the time taken.
    with open_store(db, readonly=False) as store, progress_bar(None, "prune"):
        ids = store.prune(parse_duration(older_than) if older_than else None, keep, dry_run=dry_run)
    if as_json:
        emit_json({"pruned": ids, "dry_run": dry_run})
        return
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {len(ids)} session(s)" + (": " + ", ".join(i[:8] for i in ids) if ids else ""))
