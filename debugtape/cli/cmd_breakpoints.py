"""`debugtape breakpoints SESSION --format gdb|lldb|vscode|json`: a past session's breakpoints,
re-placed in today's code."""

from __future__ import annotations

from pathlib import Path

import click

from debugtape.cli.common import as_of_option, db_option, handle_errors, open_store

__all__ = ["command"]


@click.command("breakpoints")
@click.argument("session", default="latest")
@click.option("--format", "fmt", type=click.Choice(["gdb", "lldb", "vscode", "json"]), default="json",
              show_default=True, help="Debugger commands, VS Code source breakpoints, or the whole plan.")
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Today's work tree (default: the repository of the current folder, else the "
                   "session's own).")
@db_option
@as_of_option
@handle_errors
def command(session: str, fmt: str, root: Path | None, db: Path | None, as_of: str | None) -> None:
    """Print the commands that re-create SESSION's breakpoints (with their conditions) at their
    stable locations in today's code: each breakpoint follows its function by the line's offset
    within it. Breakpoints that cannot be placed are listed on stderr as `#` comments with the
    reason. `tape restore` in gdb and lldb runs the stdout lines one by one.
    """
    from debugtape.correlate.restore import breakpoints_for

    with open_store(db) as store:
        plan = breakpoints_for(store, session, root=root, as_of=store.as_of_id(as_of))
    out, notes = plan.render(fmt)
    for line in out:
        click.echo(line)
    for note in notes:
        click.echo(note, err=True)
