"""gdb/MI over pipes: a pure line parser (pygdbmi's) and a client that matches replies by token.

pygdbmi's own `write()` waits about 0.2 s for trailing output after every command; here commands
are written without waiting and each `^done`/`^error` is matched to its command by token, so a
breakpoint hit costs one round trip.
"""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

from pygdbmi import gdbmiparser

from debugtape.errors import AdapterError

__all__ = ["MiClient", "MiError", "GdbDied", "MiTimeout", "parse_line", "mi_quote"]

log = logging.getLogger(__name__)

COMMAND_TIMEOUT = 30.0  # seconds for a command's ^done; running the program has no limit


class MiError(AdapterError):
    """gdb answered a command with ^error."""

    def __init__(self, command: str, message: str) -> None:
        super().__init__("gdb", f"{command.split()[0]}: {message}")
        self.command = command
        self.message = message


class GdbDied(AdapterError):
    def __init__(self, code: int | None) -> None:
        super().__init__("gdb", f"gdb exited unexpectedly (exit code {code})")
        self.code = code


class MiTimeout(AdapterError):
    def __init__(self, command: str, seconds: float) -> None:
        super().__init__("gdb", f"no answer to {command.split()[0]} within {seconds:g} s")


def parse_line(line: str) -> dict[str, Any]:
    """One MI output line as pygdbmi's record dict. A line that does not parse becomes
    {"type": "malformed", "kind": first character, "error": ...}: the caller reports it and goes
    on (the line itself is not kept: a stop record carries argument values)."""
    if gdbmiparser.response_is_finished(line):
        return {"type": "prompt"}
    body = line.lstrip("0123456789")
    # pygdbmi loops forever on some unbalanced records; check the shape before handing it over.
    problem = _unbalanced(body) if body[:1] in _RECORD_MARKS else None
    if problem is None:
        try:
            return dict(gdbmiparser.parse_response(line))
        except Exception as exc:
            problem = type(exc).__name__  # not str(exc): it quotes the record, values and all
    return {"type": "malformed", "kind": body[:1], "stopped": body.startswith("*stopped"),
            "size": len(line), "error": problem}


_RECORD_MARKS = frozenset("^*+=~@&")
_CLOSERS = {"{": "}", "[": "]"}


def _unbalanced(body: str) -> str | None:
    """Why a record's quotes or brackets do not balance, or None."""
    stack: list[str] = []
    in_string = escaped = False
    for ch in body:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in _CLOSERS:
            stack.append(_CLOSERS[ch])
        elif ch in "}]":
            if not stack or stack.pop() != ch:
                return f"unexpected {ch!r}"
    if in_string:
        return "unterminated string"
    if stack:
        return f"missing {stack[-1]!r}"
    return None


def mi_quote(text: str) -> str:
    """A C string literal for MI command arguments."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class MiClient:
    """A gdb process in MI mode: `call` waits for one command's result by token, `next_event`
    returns asynchronous records (stops, notifications, console output) in order."""

    def __init__(self, argv: Sequence[str], pass_fds: Sequence[int] = (), env: dict[str, str] | None = None,
                 echo_stderr: bool = False) -> None:
        try:
            self.proc = subprocess.Popen(
                list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=tuple(pass_fds), start_new_session=True, env=env,
            )
        except OSError as exc:
            raise AdapterError("gdb", f"cannot start {argv[0]}: {exc}") from exc
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._fds = {self.proc.stdout.fileno(): b"", self.proc.stderr.fileno(): b""}
        for fd in self._fds:
            os.set_blocking(fd, False)
        self._token = 0
        self._results: dict[int, dict[str, Any]] = {}
        self._posted: set[int] = set()
        self._stdout_closed = False
        self.events: deque[dict[str, Any]] = deque()
        self.malformed = 0
        self.stderr_tail = ""
        self.echo_stderr = echo_stderr  # gdb's stderr carries the program's output too

    def send(self, command: str) -> int:
        """Write one command with a fresh token; never waits for output."""
        self._token += 1
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(f"{self._token}{command}\n".encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise GdbDied(self.proc.poll()) from exc
        return self._token

    def post(self, command: str) -> None:
        """Send a command whose answer nobody waits for (an ^error is logged)."""
        self._posted.add(self.send(command))

    def call(self, command: str, timeout: float = COMMAND_TIMEOUT) -> dict[str, Any]:
        """Send and wait for this command's ^done/^running/^error; the payload, or MiError."""
        token = self.send(command)
        deadline = time.monotonic() + timeout
        while token not in self._results:
            left = deadline - time.monotonic()
            if left <= 0:
                raise MiTimeout(command, timeout)
            self._pump(left)
        result = self._results.pop(token)
        if result.get("message") == "error":
            payload = result.get("payload") or {}
            raise MiError(command, str(payload.get("msg", payload)))
        return dict(result.get("payload") or {})

    def console(self, line: str, timeout: float = COMMAND_TIMEOUT) -> dict[str, Any]:
        """Run a CLI command (for example a `tape` command) through -interpreter-exec."""
        return self.call(f"-interpreter-exec console {mi_quote(line)}", timeout)

    def next_event(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next asynchronous record, or None after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.events:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            self._pump(left if left is not None else 1.0)
        return self.events.popleft()

    def _pump(self, timeout: float) -> None:
        if self._stdout_closed:
            raise GdbDied(self.proc.wait(5))
        ready, _, _ = select.select(list(self._fds), [], [], max(0.0, timeout))
        for fd in ready:
            self._read(fd)

    def _read(self, fd: int) -> None:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        assert self.proc.stdout is not None and self.proc.stderr is not None
        is_stderr = fd == self.proc.stderr.fileno()
        if not chunk:
            # End of output: what was read is still delivered; the next wait reports the death.
            rest = self._fds.pop(fd)
            chunk = rest + b"\n" if rest else b""
            if not is_stderr:
                self._stdout_closed = True
            if not chunk:
                return
            data = chunk
            lines = data.split(b"\n")
        else:
            data = self._fds[fd] + chunk
            *lines, self._fds[fd] = data.split(b"\n")
        if is_stderr:
            text = "".join(raw.decode("utf-8", "replace") + "\n" for raw in lines if raw)
            self.stderr_tail = (self.stderr_tail + text)[-4000:]
            if self.echo_stderr and text:
                sys.stderr.write(text)
                sys.stderr.flush()
            return
        for raw in lines:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            if line:
                self._dispatch(parse_line(line))

    def _dispatch(self, rec: dict[str, Any]) -> None:
        kind = rec.get("type")
        if kind == "prompt":
            return
        if kind == "result" and rec.get("token") is not None:
            token = int(rec["token"])
            if token in self._posted:
                self._posted.discard(token)
                if rec.get("message") == "error":
                    log.warning("gdb: %s", (rec.get("payload") or {}).get("msg"))
                return
            self._results[token] = rec
            return
        if kind == "malformed":
            self.malformed += 1
            log.error("gdb sent a malformed MI record (%s..., %d bytes): %s; skipped",
                      rec["kind"], rec["size"], rec["error"])
            if rec.get("stopped"):  # still a stop: the driver must not wait for it forever
                self.events.append({"type": "notify", "message": "stopped", "payload": {"reason": "unknown"}})
            return
        self.events.append(rec)

    def close(self, timeout: float = 5.0) -> int | None:
        if self.proc.poll() is None:
            try:
                self.send("-gdb-exit")
                assert self.proc.stdin is not None
                self.proc.stdin.close()  # gdb also quits at the end of its input
                self.proc.wait(timeout)
            except (AdapterError, OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        return self.proc.returncode
