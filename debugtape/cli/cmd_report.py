"""`debugtape report`: one self-contained HTML page for one or more sessions."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

__all__ = ["command", "write_private"]


def write_private(path: Path, text: str) -> None:
    """Write atomically (temp file + rename) with mode 0600: a report holds the recorded values."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("report")
@click.argument("sessions", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("report.html"), show_default=True, help="The HTML file to write.")
@click.option("--last", "last", type=click.IntRange(min=1), default=None,
              help="Report the N most recent sessions (instead of naming them).")
@click.option("--title", default=None, help="The page's title.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The store (default: DEBUGTAPE_DB, then <git top>/.debugtape/tape.db).")
def command(sessions: tuple[str, ...], output: Path, last: int | None, title: str | None,
            as_json: bool, db: Path | None) -> None:
    """Write an HTML report of SESSIONs (ids, id prefixes or names; default: the most recent).

    The page needs no network: a timeline of the snapshots (click one for its frames, locals and
    source lines), breakpoint hits side by side across sessions, a flame graph and hot spots of
    the sampled stacks, file changes and commits between the runs, and notes.
    """
    from debugtape.cli.progress import progress
    from debugtape.errors import DebugtapeError
    from debugtape.paths import git_toplevel, resolve_db, store_dir
    from debugtape.redact import load_redactor
    from debugtape.report import build_report_data, render_html
    from debugtape.store import Store

    path = resolve_db(db)
    if not path.exists():
        raise click.ClickException(f"no store at {path} (record a session first, or pass --db)")
    try:
        with Store(path, readonly=True) as store:
            if sessions and last:
                raise click.UsageError("name sessions or use --last, not both")
            if sessions:
                ids = list(dict.fromkeys(store.resolve_session(s) for s in sessions))
            else:
                rows = store.sessions(limit=last or 1)
                if not rows:
                    raise click.ClickException(f"the store {path} holds no session yet")
                ids = [r["id"] for r in reversed(rows)]  # oldest first, left to right
            redactor = load_redactor(store_dir(path), git_toplevel(path.parent))
            data = build_report_data(store, ids, redactor=redactor, progress=progress, title=title)
    except DebugtapeError as exc:
        raise click.ClickException(str(exc)) from exc
    page = render_html(data)
    try:
        write_private(output, page)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    summary = data["summary"]
    info = {
        "path": str(output.resolve()),
        "bytes": len(page.encode("utf-8")),
        "sessions": ids,
        "snapshots": summary["snapshots"],
        "samples": sum(s["samples"] for s in summary["sessions"]),
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        click.echo(f"wrote {output} ({info['bytes'] // 1024} KiB): {len(ids)} session(s), "
                   f"{info['snapshots']} snapshot(s), {info['samples']} sampled stack(s)")
