"""The program under debugpy's server, with debugtape as its DAP client and no adapter in between.

debugpy's adapter is a process of its own between the client and the program: every request and
reply crosses it twice more (its stdio, its socket to the program) through its Python threads,
which costs about as much CPU per breakpoint hit as the program's side does. pydevd, debugpy's
server inside the program, speaks DAP itself (the adapter forwards most requests to it as they
are). `start` runs the program as debugpy's launcher would, with pydevd connecting back to a port
debugtape listens on, and returns a `DapClient` on that connection. pydevd proves it is the program
started here by answering `pydevdAuthorize` with a token only that program was given.

What the adapter did besides forwarding is done by the recorder: the exit code is the process's
own, and `pause` names every thread ("*"), as the adapter rewrites it.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from debugtape.adapters.dap.launch import TOKEN_ENV, debuggee_command, describe
from debugtape.adapters.dap.protocol import DapClient, DapError, Observer, wait

__all__ = ["CONNECT_TIMEOUT", "start", "exit_status"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 30.0  # the program's start-up (imports debugpy) until pydevd connects
_ACCEPT_POLL = 0.2  # how often the wait for the connection looks at whether the program died
PEER = "debugpy in the program"


class _SocketWriter:
    """The stream `MessageWriter` writes to: each write sent whole; close ends the reader too."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def write(self, data: bytes) -> int:
        self._sock.sendall(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the reader thread blocked in recv
        except OSError:
            pass
        self._sock.close()


def start(program: Sequence[str], cwd: str, env: Mapping[str, str] | None, python: str, quiet: bool,
          observer: Observer | None = None, switch_interval: float | None = None,
          timeout: float = CONNECT_TIMEOUT) -> tuple[DapClient, subprocess.Popen[bytes]]:
    """Start `program` (script and args, or -m module and args) under debugpy's server and
    return a client connected to it, authorised; the program waits for `configurationDone`.
    Its stdout and stderr are debugtape's (none with `quiet`); its stdin is empty."""
    token = secrets.token_hex(16)
    with socket.create_server(("127.0.0.1", 0)) as server:
        host, port = server.getsockname()[:2]
        command = debuggee_command(program, (host, port), cwd=cwd, python=python,
                                   switch_interval=switch_interval, parent=os.getpid())
        child_env = {**(os.environ if env is None else env), TOKEN_ENV: token}
        log.info("starting the program under debugpy: %s", describe(command))
        out = subprocess.DEVNULL if quiet else None
        # A process group of its own from the start, as debugpy's launcher gives it: Ctrl-C at a
        # terminal reaches debugtape alone, which ends the program through pydevd. (Python 3.10
        # has no `process_group`; the boot calls setpgrp there, a moment later.)
        group: dict[str, Any] = {"process_group": 0} if sys.version_info >= (3, 11) else {}
        try:
            proc = subprocess.Popen(command, cwd=cwd, env=child_env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=out, **group)
        except OSError as exc:
            raise DapError(f"cannot start {python!r}: {exc}") from exc
        try:
            return _accept(server, proc, token, observer, timeout), proc
        except BaseException:
            proc.kill()
            proc.wait()
            raise


def _accept(server: socket.socket, proc: subprocess.Popen[bytes], token: str, observer: Observer | None,
            timeout: float) -> DapClient:
    server.settimeout(_ACCEPT_POLL)
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            code = proc.poll()
            if code is not None:
                raise DapError(f"the program exited (code {exit_status(code)}) before debugpy inside it "
                               f"connected to debugtape") from None
            if time.monotonic() > deadline:
                raise DapError(f"debugpy inside the program did not connect within {timeout:g} s") from None
            continue
        conn.settimeout(None)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client = DapClient(conn, _SocketWriter(conn), observer=observer, name=PEER)
        try:
            body = wait(client.send("pydevdAuthorize", {"debugServerAccessToken": None}),
                        max(1.0, deadline - time.monotonic()), "pydevdAuthorize")
        except DapError as exc:
            body = {"error": str(exc)}
        if body.get("clientAccessToken") == token:
            return client
        # Someone else's connection to a port on this machine: not the program started here.
        log.warning("refused a connection that is not debugpy in the program (%s)", body.get("error", "wrong token"))
        client.close()


def exit_status(code: int) -> int:
    """A process's exit code as debugpy's launcher reports it (a signal N gives 256 - N)."""
    return code & 0xFF if code < 0 else code
