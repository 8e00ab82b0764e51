"""`debugtape dap -- ADAPTER [ARGS]`: a recording DAP proxy any debug client can launch."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import IO, Any, cast

import click

from debugtape.cli.common import db_option, db_path, handle_errors

__all__ = ["command"]

log = logging.getLogger("debugtape.adapters.dap")


@click.command(
    "dap",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@db_option
@click.option("--name", default=None, help="A name for the recorded session.")
@click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the proxy's log here (message types and sizes, never bodies).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning",
              show_default=True, help="How much the proxy logs.")
@click.option("--no-fetch", is_flag=True,
              help="Record only what the client asks for; never send the adapter requests of our own.")
@click.option("--no-tcp-fix", is_flag=True,
              help="Start debugpy's adapter exactly as given, without the TCP_NODELAY/QUICKACK boot.")
@click.option("--listen", default=None, metavar="[HOST:]PORT",
              help="Serve DAP on a TCP port instead of stdio (VS Code's \"debugServer\"); one "
                   "recorded session per connection, until interrupted.")
@click.argument("adapter", nargs=-1, required=True, type=click.UNPROCESSED)
@handle_errors
def command(db: Path | None, name: str | None, log_file: Path | None, log_level: str, no_fetch: bool,
            no_tcp_fix: bool, listen: str | None, adapter: tuple[str, ...]) -> None:
    """A debug adapter that records: start it where your editor starts the real one.

    Everything after `--` is the real adapter's command line, e.g.
    `debugtape dap -- python -m debugpy.adapter` or `debugtape dap -- lldb-dap-19`.
    Stdin and stdout carry DAP only; the log goes to --log or stderr.
    """
    _setup_log(log_file, log_level)
    path = db_path(db)
    options = {"name": name, "inject": not no_fetch, "tcp_fix": not no_tcp_fix}
    if listen is not None:
        _serve(listen, path, list(adapter), options)
        return
    # DAP owns stdout: anything else printed there would corrupt the client's stream.
    client_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    client_in = os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    # Editors often stop the adapter with SIGTERM right after `disconnect`: finish the
    # recording instead of dying with records still queued.
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        code = _session(path, list(adapter), client_in, client_out, options)
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.exit(code)


def _session(db: Path, adapter: list[str], client_in: IO[bytes], client_out: IO[bytes],
             options: dict[str, Any]) -> int:
    """Relay one DAP session and record it; returns the adapter's exit code."""
    from debugtape.adapters.dap.convert import DapConverter
    from debugtape.adapters.dap.proxy import DapProxy
    from debugtape.adapters.dap.sink import RecordSink
    from debugtape.pipeline import open_pipeline

    with open_pipeline(db, cwd=os.getcwd()) as pipeline:
        sink = RecordSink(pipeline.feed)
        redactor = getattr(pipeline, "redactor", None)

        def redact_text(text: str) -> str:
            return str(redactor.redact_text(text)[0]) if redactor is not None else f"<{len(text)} chars>"

        proxy = DapProxy(adapter, client_in, client_out, sink.put,
                         converter=DapConverter(tool="dap", name=options["name"]), redact_text=redact_text,
                         inject=options["inject"], tcp_fix=options["tcp_fix"])
        try:
            code = proxy.run()
        except _Terminated:
            code = 143
        finally:
            sink.close()
    log.info("session %s recorded; adapter exit code %s", pipeline.session_id, code)
    return code


def _serve(listen: str, db: Path, adapter: list[str], options: dict[str, Any]) -> None:
    """Accept DAP clients on a TCP port, one recorded session each, in parallel."""
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise click.BadParameter(f"expected [HOST:]PORT, not {listen!r}", param_hint="--listen")
    server = socket.create_server((host or "127.0.0.1", int(port)))
    click.echo(f"debugtape dap: listening on {server.getsockname()[0]}:{server.getsockname()[1]}", err=True)

    def handle(conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn, conn.makefile("rb", buffering=0) as rfile, conn.makefile("wb", buffering=0) as wfile:
            try:
                _session(db, adapter, cast(IO[bytes], rfile), cast(IO[bytes], wfile), options)
            except Exception as exc:  # one broken session must not stop the server
                log.error("session failed: %s", exc)

    try:
        while True:
            conn, _addr = server.accept()
            threading.Thread(target=handle, args=(conn,), name="debugtape-dap-session", daemon=True).start()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


class _Terminated(Exception):
    """SIGTERM arrived: stop relaying and finish the recording."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated()


def _setup_log(log_file: Path | None, level: str) -> None:
    root = logging.getLogger("debugtape")
    root.setLevel(getattr(logging, level.upper()))
    if log_file is None:
        if not logging.getLogger().handlers:  # run outside `debugtape`'s main: log to stderr
            logging.basicConfig(stream=sys.stderr, format="debugtape dap: %(levelname)s: %(message)s")
        return
    handler = logging.FileHandler(log_file)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.propagate = False  # the file only; stderr stays quiet for the editor's console
