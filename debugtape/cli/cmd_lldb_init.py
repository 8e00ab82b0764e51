"""`debugtape lldb-init [--install]`: the lines that load the `tape` commands into lldb."""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["command", "init_lines", "install"]

MARKER = "# debugtape: tape commands (debugtape lldb-init)"


def init_lines(python: str | None = None, root: Path | None = None) -> list[str]:
    """lldb's embedded Python is not the user's: point it at this package and this interpreter."""
    import debugtape

    root = root or Path(debugtape.__file__).resolve().parent.parent
    python = python or sys.executable
    return [
        f"script import os, sys; p = {str(root)!r}; sys.path.insert(0, p) if p not in sys.path else None; "
        f"os.environ.setdefault('DEBUGTAPE_PYTHON', {python!r})",
        "command script import debugtape.adapters.lldb.commands",
    ]


def install(lldbinit: Path, lines: list[str]) -> bool:
    """Append the lines to ~/.lldbinit once; False if they are there already."""
    text = lldbinit.read_text(encoding="utf-8", errors="replace") if lldbinit.exists() else ""
    if lines[-1] in text:
        return False
    block = "\n".join([MARKER, *lines]) + "\n"
    with lldbinit.open("a", encoding="utf-8") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        fh.write(block)
    return True


@click.command("lldb-init")
@click.option("--install", "do_install", is_flag=True, help="Append the lines to ~/.lldbinit (once).")
@click.option("--lldbinit", type=click.Path(path_type=Path), default=None,
              help="The init file to append to (default ~/.lldbinit).")
def command(do_install: bool, lldbinit: Path | None) -> None:
    """Print the lines that load debugtape's `tape` commands into lldb.

    Paste them into lldb, or keep them in ~/.lldbinit with --install; then `help tape`.
    """
    lines = init_lines()
    if not do_install:
        click.echo("\n".join(lines))
        return
    path = lldbinit or Path.home() / ".lldbinit"
    try:
        added = install(path, lines)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc}") from exc
    click.echo(f"debugtape: {'added to' if added else 'already in'} {path}; start lldb and type `help tape`")
