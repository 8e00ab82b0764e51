"""`debugtape timeline`: events in time order, filtered by session, symbol, file, line, commit, type, time."""

from __future__ import annotations

from pathlib import Path

import click

from debugtape.cli.common import (
    as_of_option,
    db_option,
    emit_json_lines,
    handle_errors,
    json_option,
    open_store,
)


@click.command("timeline")
@click.option("--session", "-s", default=None, help="Only this session (id prefix, name, or 'last').")
@click.option("--symbol", default=None, help="Events whose stack or breakpoint is in this function.")
@click.option("--file", "file", default=None, help="Events at this file (basename or path suffix).")
@click.option("--line", type=int, default=None, help="Events at this line (with --file: that file's line).")
@click.option("--commit", default=None, help="Events tied to this commit (hash prefix).")
@click.option("--type", "types", multiple=True, help="Only these event types (repeatable).")
@click.option("--since", default=None, help="From this time (ISO 8601 or a duration ago, e.g. 2h).")
@click.option("--until", default=None, help="Up to this time.")
@click.option("--limit", "-n", type=int, default=None, help="The last N matching events.")
@click.option("--samples", is_flag=True,
              help="Include stack samples (left out unless this or --type stack_sample: see `debugtape report`).")
@db_option
@json_option
@as_of_option
@handle_errors
def command(session: str | None, symbol: str | None, file: str | None, line: int | None,
            commit: str | None, types: tuple[str, ...], since: str | None, until: str | None,
            limit: int | None, samples: bool, db: Path | None, as_json: bool, as_of: str | None) -> None:
    """Show events in time order (all sessions unless --session). Stack samples, hundreds a
    second while sampling, are left out unless --samples or --type stack_sample."""
    from debugtape.store import parse_time

    with open_store(db) as store:
        cap = store.as_of_id(as_of)
        sid = store.resolve_session(session, cap) if session else None
        filters = dict(
            session=sid, types=list(types) or None, symbol=symbol, file=file, line=line, commit=commit,
            since=parse_time(since) if since else None, until=parse_time(until) if until else None,
            limit=limit, as_of=cap, newest=limit is not None, samples=samples or bool(types),
        )
        if as_json:  # one event per line, its stored data as it is (see Queries.event_texts)
            emit_json_lines(store.event_texts(**filters))
            return
        rows = store.events(**filters)
        hidden = store.sample_count(sid, cap) if sid and not filters["samples"] else 0
    from debugtape.cli.render import event_line

    for r in rows:
        click.echo(event_line(r.id, r.event))
    if not rows:
        click.echo("no matching events", err=True)
    if hidden:
        click.echo(f"({hidden} stack samples not shown: --samples lists them, `debugtape report` draws them)",
                   err=True)
