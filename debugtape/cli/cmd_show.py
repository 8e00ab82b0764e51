"""`debugtape show SESSION`: one session with its breakpoints and snapshots."""

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


@click.command("show")
@click.argument("session")
@db_option
@json_option
@as_of_option
@handle_errors
def command(session: str, db: Path | None, as_json: bool, as_of: str | None) -> None:
    """Show a session (id prefix, name, or 'last') with its breakpoints and snapshots."""
    with open_store(db) as store:
        cap = store.as_of_id(as_of)
        sid = store.resolve_session(session, cap)
        result = {
            "session": store.session(sid, cap),
            "breakpoints": store.breakpoints(sid, cap),
            "snapshots": store.snapshots(sid, cap),
        }
    if as_json:
        emit_json(result)
        return
    s = result["session"]
    click.echo(f"session {s['id']}  {s.get('name') or ''}  tool={s.get('tool')}  status={s['status']}")
    click.echo(f"started {s.get('started')}  ended {s.get('ended') or '-'}  commit {s.get('commit') or '-'}"
               + (" (dirty)" if s.get("dirty") else ""))
    counts = s.get("counts") or {}
    click.echo("counts: " + ", ".join(f"{k}={v}" for k, v in counts.items() if not isinstance(v, dict)))
    click.echo(f"breakpoints ({len(result['breakpoints'])}):")
    for bp in result["breakpoints"]:
        cond = f" if {bp['condition']}" if bp.get("condition") else ""
        gone = " (removed)" if bp.get("removed") else ""
        click.echo(f"  #{bp['id']} {bp.get('location') or ''} {bp.get('symbol') or ''}{cond} hits={bp.get('hits')}{gone}")
    click.echo(f"snapshots ({len(result['snapshots'])}):")
    for sn in result["snapshots"]:
        where = f"{(sn.get('file') or '?').rsplit('/', 1)[-1]}:{sn.get('line')}"
        click.echo(f"  {sn['id'][:8]} #{sn['seq']:<4} {sn.get('reason') or '':<10} {sn.get('symbol') or '?'} ({where})")
    if result["snapshots"]:
        click.echo(f"see one: debugtape snapshot {result['snapshots'][0]['id'][:8]}")
