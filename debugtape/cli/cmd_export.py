"""`debugtape export`: sessions as JSON lines (or sampled stacks as speedscope / collapsed stacks)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from debugtape.cli.common import db_option, handle_errors, open_store

NO_SAMPLES = "no sampled stacks in these sessions (record with --sample to get some)"


@click.command("export")
@click.argument("sessions", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "speedscope", "collapsed"]), default="jsonl",
              show_default=True, help="jsonl: events; speedscope / collapsed: sampled stacks.")
@click.option("--include-private", is_flag=True, help="Also export events marked private (the default for debugger data).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of stdout (created 0600).")
@db_option
@handle_errors
def command(sessions: tuple[str, ...], fmt: str, include_private: bool, output: Path | None,
            db: Path | None) -> None:
    """Export sessions (default: all) to move tapes between machines or into other tools.

    Debugger data is private by default, so a plain export leaves it out: pass
    --include-private to share it (it is already redacted).
    """
    import os

    from debugtape.cli.progress import progress

    with open_store(db) as store:
        ids = [store.resolve_session(s) for s in sessions] or [r["id"] for r in store.sessions()]
        out = sys.stdout
        if output is not None:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            out = open(fd, "w", encoding="utf-8")
        try:
            if fmt == "jsonl":
                # Private events are skipped without being seen here: only a full export knows its size.
                total = sum(int(store.session(s).get("events") or 0) for s in ids) if include_private else None
                n = 0
                for line in progress(store.export_lines(ids, include_private=include_private), total, "export"):
                    out.write(line + "\n")
                    n += 1
                if n == 0 and not include_private:
                    click.echo("nothing exported: every event is private (use --include-private)", err=True)
            elif fmt == "speedscope":
                import json

                from debugtape.report.stacks import speedscope_json

                doc = speedscope_json(store, ids, progress)
                json.dump(doc, out)
                out.write("\n")
                if not doc["profiles"]:
                    click.echo(NO_SAMPLES, err=True)
            else:
                from debugtape.report.stacks import collapsed_lines

                lines = 0
                for line in collapsed_lines(store, ids, progress):
                    out.write(line + "\n")
                    lines += 1
                if not lines:
                    click.echo(NO_SAMPLES, err=True)
        finally:
            if output is not None:
                out.close()
