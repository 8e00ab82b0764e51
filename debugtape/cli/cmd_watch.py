"""`debugtape watch`: record file changes, commits and inbox imports as a `watch` session."""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

__all__ = ["command"]


def _stdin_is_a_lifeline() -> bool:
    """A pipe or socket on stdin belongs to a parent (gdb, lldb, `debugtape record`): its end
    means the parent is gone. A terminal or /dev/null says nothing, so it is not watched."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _watch_stdin(stop: threading.Event) -> None:
    try:
        fd = sys.stdin.fileno()
        while os.read(fd, 4096):
            pass
    except (OSError, ValueError):
        pass
    stop.set()


def _importers(db: Path, root: Path) -> dict[str, Callable[[Path], Mapping[str, Any]]]:
    """The inbox's importers: the same code as `debugtape import` and `debugtape ingest --dap`."""

    def tape(path: Path) -> Mapping[str, Any]:
        from debugtape.cli.cmd_import import import_file
        from debugtape.watch.inbox import InboxError

        counts = import_file(path, db)
        if not counts["imported"] and not counts["skipped"]:
            raise InboxError(path, f"no event could be read ({counts['bad_lines']} bad lines)")
        return counts

    def dap(path: Path) -> Mapping[str, Any]:
        from debugtape.cli.cmd_ingest import ingest_stream
        from debugtape.watch.inbox import InboxError

        with path.open("rb") as fh:
            sessions = ingest_stream(fh, db, dap=True, cwd=str(root))
        if not sessions:
            raise InboxError(path, "no debug session in this DAP log")
        return {"sessions": sessions}

    return {"tape": tape, "dap": dap}


def _watch_parent(parent: int, stop: threading.Event) -> None:
    # An orphan is re-parented (to init or a subreaper): the parent id changes.
    while not stop.wait(0.5):
        if os.getppid() != parent:
            stop.set()


@click.command("watch")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The store to record into (default: the usual lookup from PATH).")
@click.option("--name", default=None, help="The watch session's name (default: 'watch <folder>').")
@click.option("--debounce", type=click.IntRange(0, 10_000), default=50, show_default=True,
              help="Milliseconds of quiet that end a burst of changes.")
@click.option("--no-inbox", is_flag=True, help="Do not import files dropped into .debugtape/inbox/.")
@click.option("--exit-with-parent", is_flag=True,
              help="Also stop when the process that started this one exits (for background use).")
def command(path: Path | None, db: Path | None, name: str | None, debounce: int, no_inbox: bool,
            exit_with_parent: bool) -> None:
    """Watch a source tree and record file changes, commits and inbox imports until interrupted.

    Stops on Ctrl-C, SIGTERM or SIGHUP, and when its standard input is a pipe that closes (so a
    debugger that starts it in the background never leaves it behind).
    """
    from debugtape.errors import DebugtapeError
    from debugtape.paths import resolve_db, store_dir
    from debugtape.watch.inbox import Inbox
    from debugtape.watch.session import default_root, run_watch

    db_path = resolve_db(db, cwd=path)
    root = default_root(db_path, path)
    stop = threading.Event()
    signals: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        signals.append(signum)
        if len(signals) > 1:  # a second Ctrl-C while stopping: quit now (the session reads interrupted)
            os._exit(128 + signum)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    if _stdin_is_a_lifeline():
        threading.Thread(target=_watch_stdin, args=(stop,), name="debugtape-watch-stdin",
                         daemon=True).start()
    if exit_with_parent:
        threading.Thread(target=_watch_parent, args=(os.getppid(), stop),
                         name="debugtape-watch-parent", daemon=True).start()
    inbox = None if no_inbox else Inbox(store_dir(db_path) / "inbox", _importers(db_path, root))

    def ready(session: str) -> None:
        try:
            click.echo(f"watching {root} into {db_path} (session {session}); Ctrl-C stops", err=True)
        except OSError:  # whoever read our stderr is gone: keep watching until told to stop
            pass

    try:
        session = run_watch(root, db_path, stop, name=name, debounce=debounce / 1000,
                            inbox=inbox, on_ready=ready)
    except DebugtapeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(session)
