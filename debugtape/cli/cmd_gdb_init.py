"""`debugtape gdb-init [--install]`: the line that loads the `tape` commands into gdb."""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["command", "init_line", "install"]

MARKER = "# debugtape: tape commands (debugtape gdb-init)"


def init_line(python: str | None = None, root: Path | None = None) -> str:
    """gdb's embedded Python is not the user's: point it at this package and this interpreter,
    which runs `debugtape ingest` and the other helpers."""
    import debugtape

    root = root or Path(debugtape.__file__).resolve().parent.parent
    python = python or sys.executable
    return (
        f"python import os, sys; p = {str(root)!r}; sys.path.insert(0, p) if p not in sys.path else None; "
        f"os.environ.setdefault('DEBUGTAPE_PYTHON', {python!r}); import debugtape.adapters.gdb.commands"
    )


def install(gdbinit: Path, line: str) -> bool:
    """Append the line to the init file once; False if it is there already."""
    text = gdbinit.read_text(encoding="utf-8", errors="replace") if gdbinit.exists() else ""
    if line in text:
        return False
    with gdbinit.open("a", encoding="utf-8") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        fh.write(f"{MARKER}\n{line}\n")
    return True


@click.command("gdb-init")
@click.option("--install", "do_install", is_flag=True, help="Append the line to ~/.gdbinit (once).")
@click.option("--gdbinit", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The init file to append to (default ~/.gdbinit).")
def command(do_install: bool, gdbinit: Path | None) -> None:
    """Print the line that loads debugtape's `tape` commands into gdb.

    Paste it into gdb, or keep it in ~/.gdbinit with --install; then `help tape`.
    """
    line = init_line()
    if not do_install:
        click.echo(line)
        return
    path = gdbinit or Path.home() / ".gdbinit"
    try:
        added = install(path, line)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc}") from exc
    click.echo(f"debugtape: {'added to' if added else 'already in'} {path}; start gdb and type `help tape`")
