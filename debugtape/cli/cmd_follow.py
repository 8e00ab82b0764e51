"""`debugtape follow [SESSION]`: print events as they are committed, until interrupted."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import click

from debugtape.cli.common import db_option, handle_errors, json_option, open_store

POLL_S = 0.005  # PRAGMA data_version is cheap: a 5 ms poll shows events within a few ms


def follow(store: object, session: str | None, on_event: Callable[[object], None], *,
           backlog: int = 10, until_end: bool = False, stop: Callable[[], bool] = lambda: False,
           samples: bool = True) -> None:
    """Call on_event for the last `backlog` events, then for each new one as it is committed
    (stack samples too unless `samples` is False)."""
    last_id = store.last_event_id()  # type: ignore[attr-defined]
    if backlog:
        for se in store.events(session=session, limit=backlog, newest=True, as_of=last_id,  # type: ignore[attr-defined]
                               samples=samples):
            on_event(se)
    version = store.data_version()  # type: ignore[attr-defined]
    while not stop():
        v = store.data_version()  # type: ignore[attr-defined]
        if v != version:
            version = v
            # Up to the last committed event, shown or not: samples left out are passed for good.
            top = store.last_event_id()  # type: ignore[attr-defined]
            for se in store.events(session=session, after_id=last_id, as_of=top,  # type: ignore[attr-defined]
                                   samples=samples):
                on_event(se)
                if until_end and session and se.event.type == "session_ended":
                    return
            last_id = max(last_id, top)
        else:
            time.sleep(POLL_S)


@click.command("follow")
@click.argument("session", required=False)
@click.option("-n", "--backlog", type=int, default=10, help="Print the last N events first (default 10).")
@click.option("--until-end", is_flag=True, help="With SESSION: exit when that session ends.")
@click.option("--samples", is_flag=True, help="Include stack samples (left out unless this, as in `timeline`).")
@db_option
@json_option
@handle_errors
def command(session: str | None, backlog: int, until_end: bool, samples: bool, db: Path | None,
            as_json: bool) -> None:
    """Print events as they are committed (one session, or all), until interrupted (Ctrl-C)."""
    from debugtape.cli.render import event_line

    def show(se: object) -> None:
        if as_json:
            click.echo(json.dumps(se.to_dict(), ensure_ascii=False))  # type: ignore[attr-defined]
        else:
            click.echo(event_line(se.id, se.event))  # type: ignore[attr-defined]

    with open_store(db) as store:
        sid = store.resolve_session(session) if session else None
        try:
            follow(store, sid, show, backlog=backlog, until_end=until_end, samples=samples)
        except KeyboardInterrupt:
            pass
