"""`debugtape replay SESSION`: the session's final state, rebuilt from its events alone."""

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


@click.command("replay")
@click.argument("session")
@db_option
@json_option
@as_of_option
@click.option("--steps", is_flag=True, help="Also print each event as it is replayed.")
@handle_errors
def command(session: str, db: Path | None, as_json: bool, as_of: str | None, steps: bool) -> None:
    """Rebuild a session's final state (breakpoints, counts, last stop, notes) from its events."""
    from debugtape.store.compare import replay

    with open_store(db) as store:
        cap = store.as_of_id(as_of)
        sid = store.resolve_session(session, cap)
        events = [se.event for se in store.iter_session_events(sid, cap)]
        status = store.session(sid, cap)["status"]
    state = replay(events)
    if state["status"] != "completed":
        state["status"] = status  # active or interrupted: only the writer's liveness tells
    if as_json:
        emit_json(state)
        return
    from debugtape.cli.render import event_line

    if steps:
        for ev in events:
            click.echo(event_line(None, ev))
    click.echo(f"session {state['session']} {state.get('name') or ''} ({state['tool']}): {state['status']}"
               + (f", ended {state['end_reason']}" if state.get("end_reason") else ""))
    click.echo(f"events {state['events']}, snapshots {state['snapshots']}, samples {state['samples']}, "
               f"threads {len(state['threads'])}")
    for bp in state["breakpoints"]:
        click.echo(f"  breakpoint #{bp['id']} {bp.get('location') or bp.get('file')}:{bp.get('line') or ''} "
                   f"hits={bp.get('hits')}" + (" removed" if bp.get("removed") else ""))
    if state["last_snapshot"]:
        ls = state["last_snapshot"]
        click.echo(f"  last stop: {ls.get('reason')} in {ls.get('symbol')} at {ls.get('file')}:{ls.get('line')}")
    for note in state["notes"]:
        click.echo(f"  note: {note}")
