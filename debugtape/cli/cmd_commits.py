"""`debugtape commits SESSION_A SESSION_B`: the history between two sessions as vcs_commit events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from debugtape.cli.common import db_option, emit_json, handle_errors, json_option, open_store

__all__ = ["command"]


@click.command("commits")
@click.argument("session_a")
@click.argument("session_b")
@click.option("--dry-run", is_flag=True, help="Only print the commits; record nothing.")
@db_option
@json_option
@handle_errors
def command(session_a: str, session_b: str, dry_run: bool, db: Path | None, as_json: bool) -> None:
    """List the commits made between the HEADs SESSION_A and SESSION_B ran on, and record them
    as `vcs_commit` events (one small session named `commits A..B`, each event at its commit's
    author time) so the timeline shows what changed between the two runs. Recording the same
    pair again adds nothing.
    """
    from debugtape.correlate.queries import session_commits
    from debugtape.correlate.render import render_commits

    with open_store(db) as store:
        result = session_commits(store, session_a, session_b)
        name = f"commits {str(result['from']['head'])[:10]}..{str(result['to']['head'])[:10]}"
        known = any(s.get("name") == name for s in store.sessions())
        path = store.path
    result["recorded"] = None
    if not dry_run and result["commits"] and not known:
        result["recorded"] = _record(path, name, result)
    elif known:
        result["recorded"] = "already"
    if as_json:
        emit_json(result)
        return
    click.echo(render_commits(result))
    if result["recorded"] == "already":
        click.echo(f"(already recorded as session {name!r})")
    elif result["recorded"]:
        click.echo(f"recorded as session {result['recorded']} ({name!r})")


def _record(db: Path, name: str, result: dict[str, Any]) -> str | None:
    from debugtape.pipeline import open_pipeline

    commits = result["commits"]
    with open_pipeline(db, cwd=result["root"]) as p:
        p.feed({"kind": "start", "name": name, "tool": "git", "cwd": result["root"],
                "ts": commits[0].get("author_time"),
                "meta": {"from_session": result["from"]["session"], "to_session": result["to"]["session"]}})
        for c in commits:
            p.feed({"kind": "event", "type": "vcs_commit", "data": c, "ts": c.get("author_time")})
        p.feed({"kind": "end", "reason": "stopped", "ts": commits[-1].get("author_time")})
        return p.session_id
