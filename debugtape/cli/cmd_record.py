"""`debugtape record --gdb|--lldb|--python ... -- PROGRAM [ARGS]`: record a program headless."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path

import click

from debugtape.cli.common import db_option, db_path, handle_errors, quiet_collector

_DRIVERS = {"gdb": "debugtape.adapters.gdb.record", "lldb": "debugtape.adapters.lldb.record",
            "python": "debugtape.adapters.dap.record"}


@click.command("record", context_settings={"ignore_unknown_options": False})
@click.option("--gdb", "tool", flag_value="gdb", help="Drive gdb over MI (pygdbmi).")
@click.option("--lldb", "tool", flag_value="lldb", help="Drive lldb through its SB API.")
@click.option("--python", "tool", flag_value="python", help="Run a Python program under debugpy (DAP).")
@click.option("--break", "-b", "breaks", multiple=True, metavar="LOC[:COND]",
              help="A breakpoint that records a snapshot (FILE:LINE or FUNCTION, optional condition). Repeatable.")
@click.option("--snappoint", "snappoints", multiple=True, metavar="LOC[:COND]",
              help="Like --break (the program always carries on after the snapshot). Repeatable.")
@click.option("--sample", "sample", default=None, metavar="RATE", help="Sample all threads' stacks, e.g. 100hz.")
@click.option("--exceptions", type=click.Choice(["raised", "uncaught"]), default=None,
              help="--python: snapshot at raised or uncaught exceptions.")
@click.option("--name", default=None, help="A name for the session.")
@click.option("--attach", type=int, default=None, metavar="PID", help="Attach to a running process instead.")
@click.option("--watch", is_flag=True, help="Also run the file watcher while recording.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the session id.")
@click.argument("program", nargs=-1, type=click.UNPROCESSED)
@db_option
@handle_errors
def command(tool: str | None, breaks: tuple[str, ...], snappoints: tuple[str, ...], sample: str | None,
            exceptions: str | None, name: str | None, attach: int | None, watch: bool, quiet: bool,
            program: tuple[str, ...], db: Path | None) -> None:
    """Record a program (or --attach PID) without anyone at the keyboard; prints the session id.

    Example: debugtape record --gdb --break parser.c:120 --sample 100hz -- ./prog input.txt
    """
    from debugtape.adapters.common.options import RecordOptions
    from debugtape.records import parse_rate

    if tool is None:
        raise click.UsageError("choose a debugger: --gdb, --lldb or --python")
    if not program and attach is None:
        raise click.UsageError("name the program after --, or --attach PID")
    try:
        rate = parse_rate(sample) if sample else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--sample") from exc
    path = db_path(db)
    opts = RecordOptions(
        program=list(program), db=path, breaks=list(breaks), snappoints=list(snappoints),
        sample_hz=rate, name=name, attach=attach, watch=watch, exceptions=exceptions,
        cwd=os.getcwd(), quiet=quiet,
    )
    quiet_collector()
    watcher = None
    if watch:
        from debugtape.watch.background import start_background, stop_background

        def say(line: str) -> None:
            if not quiet:
                click.echo(line, nl=False, err=True)

        # Watching before the program runs, so its first edits are on the timeline too.
        watcher = start_background(path, on_line=say)
    try:
        driver = import_module(_DRIVERS[tool])
        session_id = driver.record(opts)
    finally:
        if watcher is not None:
            stop_background(watcher)
    click.echo(session_id)
