"""`debugtape import FILE`: add exported sessions (JSON lines) to this store, redacted again."""

from __future__ import annotations

from pathlib import Path

import click

from debugtape.cli.common import db_option, db_path, handle_errors


def import_file(path: Path, db: Path) -> dict[str, int]:
    """Import one JSONL export into the store at `db`; bad lines are reported and skipped."""
    from debugtape.cli.progress import progress, progress_bar
    from debugtape.events import Event
    from debugtape.paths import store_dir
    from debugtape.redact import RedactedEvent, load_redactor, redact_event
    from debugtape.store import Store

    events: list[Event] = []
    bad = 0
    with open(path, "rb") as f:
        lines = progress(f, total=path.stat().st_size, label=f"import {path.name}: read", weight=len)
        for lineno, raw in enumerate(lines, 1):
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            try:
                events.append(Event.from_json(line))
            except (ValueError, KeyError, TypeError) as exc:
                bad += 1
                click.echo(f"debugtape import: {path}:{lineno}: not an event ({type(exc).__name__}); skipped", err=True)
    with Store(db) as store:
        redactor = load_redactor(store_dir(db), None)
        with progress_bar(len(events), f"import {path.name}: redact and store") as advance:
            def redact(e: Event) -> RedactedEvent:
                advance(1)
                return redact_event(e, redactor)

            counts = store.import_events(events, redact)
    counts["bad_lines"] = bad
    return counts


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@handle_errors
def command(files: tuple[Path, ...], db: Path | None) -> None:
    """Import exported tapes (from `debugtape export`). Importing the same file twice adds nothing."""
    target = db_path(db)
    for path in files:
        c = import_file(path, target)
        click.echo(f"{path}: {c['imported']} events imported, {c['skipped']} already present, "
                   f"{c['sessions']} session(s), {c['bad_lines']} bad line(s)")
