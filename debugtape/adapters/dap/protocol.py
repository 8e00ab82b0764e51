"""DAP protocol: message shapes and a small client that matches responses to requests by seq."""

from __future__ import annotations

import itertools
import logging
import queue
import socket
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import IO, Any, BinaryIO

from debugtape.adapters.dap.transport import ByteSink, Frame, FrameError, MessageWriter, read_frames
from debugtape.errors import AdapterError

__all__ = [
    "RESUME_COMMANDS",
    "DapClient",
    "DapError",
    "DapTimeout",
    "Observer",
    "is_event",
    "is_request",
    "is_response",
    "log_bad_frame",
    "wait",
    "when_all",
]

log = logging.getLogger(__name__)

# Requests after which the stopped thread runs again: a stop's snapshot is complete then.
RESUME_COMMANDS = frozenset(
    {"continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue", "goto", "restartFrame"}
)


class DapError(AdapterError):
    """A DAP request failed or the adapter went away; `command` names the request."""

    def __init__(self, message: str, command: str | None = None, body: Mapping[str, Any] | None = None) -> None:
        super().__init__("dap", message)
        self.command = command
        self.body = dict(body or {})


class DapTimeout(DapError):
    """No response within the named timeout."""


def is_request(msg: Mapping[str, Any], command: str | None = None) -> bool:
    return msg.get("type") == "request" and (command is None or msg.get("command") == command)


def is_response(msg: Mapping[str, Any], command: str | None = None) -> bool:
    return msg.get("type") == "response" and (command is None or msg.get("command") == command)


def is_event(msg: Mapping[str, Any], event: str | None = None) -> bool:
    return msg.get("type") == "event" and (event is None or msg.get("event") == event)


def log_bad_frame(logger: logging.Logger, where: str, err: FrameError,
                  redact_text: Callable[[str], str] | None = None) -> None:
    """Say what was wrong at WARNING; the raw bytes only at DEBUG and only after redaction."""
    logger.warning("%s: invalid DAP message, %s", where, err)
    if logger.isEnabledFor(logging.DEBUG):
        text = err.raw[:4096].decode("utf-8", "replace")
        # No redactor: show only the length, never possibly secret bytes.
        shown = redact_text(text) if redact_text is not None else f"<{len(err.raw)} bytes withheld>"
        logger.debug("%s: raw bytes of the invalid message: %r", where, shown)


Observer = Callable[[str, Mapping[str, Any]], None]


class DapClient:
    """Speaks DAP to an adapter over two byte streams; a reader thread routes what arrives.

    `request()` returns a Future for the response body; events go to `events` (a queue) and every
    message in either direction is shown to `observer(direction, message)` first, in order.
    `on_event(event)`, when set, runs on the reader thread as each event arrives, before it is
    queued: a driver can answer a stop without waiting for its own thread to be scheduled. When it
    returns True the event is consumed and not queued (no wake-up of a thread waiting on `events`).
    """

    def __init__(self, reader: IO[bytes] | socket.socket, writer: ByteSink, observer: Observer | None = None,
                 name: str = "adapter", redact_text: Callable[[str], str] | None = None) -> None:
        self.name = name
        self.events: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self.bad_frames: list[FrameError] = []
        self.closed = threading.Event()
        self._observer = observer
        self._redact_text = redact_text
        self._seq = itertools.count(1)
        self._pending: dict[int, tuple[str, Future[dict[str, Any]]]] = {}
        self._lock = threading.Lock()
        # No on_error: a failed write is handled after `_lock` is released (see `_write_failed`).
        self._writer = MessageWriter(writer)
        self._reader = reader
        self.on_event: Callable[[dict[str, Any]], bool] | None = None
        self._thread = threading.Thread(target=self._read_loop, name=f"dap-{name}-reader", daemon=True)
        self._thread.start()
        self.reverse_handler: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None

    @classmethod
    def spawn(cls, command: Sequence[str], observer: Observer | None = None,
              env: Mapping[str, str] | None = None, cwd: str | None = None,
              stderr: int | BinaryIO | None = None) -> tuple[DapClient, subprocess.Popen[bytes]]:
        try:
            proc = subprocess.Popen(
                list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=stderr if stderr is not None else subprocess.DEVNULL,
                env=dict(env) if env is not None else None, cwd=cwd, bufsize=0,
            )
        except OSError as exc:
            raise DapError(f"cannot start the debug adapter {command[0]!r}: {exc}") from exc
        assert proc.stdout is not None and proc.stdin is not None
        return cls(proc.stdout, proc.stdin, observer=observer, name=command[0]), proc

    def send(self, command: str, arguments: Mapping[str, Any] | None = None) -> Future[dict[str, Any]]:
        """Send a request; the Future resolves to the response body or raises DapError."""
        return self.send_all([(command, arguments)])[0]

    def send_all(self, requests: Iterable[tuple[str, Mapping[str, Any] | None]]) -> list[Future[dict[str, Any]]]:
        """Send requests in one write (pipelined: no request waits for another's response);
        one Future per request, in order, each resolving to its own response body."""
        futs: list[Future[dict[str, Any]]] = []
        msgs: list[dict[str, Any]] = []
        with self._lock:
            for command, arguments in requests:
                fut: Future[dict[str, Any]] = Future()
                futs.append(fut)
                if self.closed.is_set():
                    fut.set_exception(DapError(f"{self.name} is gone", command))
                    continue
                seq = next(self._seq)
                msg: dict[str, Any] = {"seq": seq, "type": "request", "command": command}
                if arguments is not None:
                    msg["arguments"] = dict(arguments)
                self._pending[seq] = (command, fut)
                # Observe before writing so the observer never sees a response before its request.
                if self._observer is not None:
                    self._observer("to_adapter", msg)
                msgs.append(msg)
            ok = not msgs or self._writer.write_many(msgs)
        if not ok:
            self._write_failed()
        return futs

    def request(self, command: str, arguments: Mapping[str, Any] | None = None,
                timeout: float = 10.0) -> dict[str, Any]:
        return wait(self.send(command, arguments), timeout, command)

    def many(self, requests: Iterable[tuple[str, Mapping[str, Any]]], timeout: float = 10.0) -> list[dict[str, Any] | None]:
        """Send all at once, then wait for all: one round trip for a batch, whatever order the
        responses come in. A failed request gives None; no response within `timeout` raises."""
        reqs = list(requests)
        futs = self.send_all(reqs)
        all_done = threading.Event()
        when_all(futs, all_done.set)  # one wake-up for the batch, not one per response
        if not all_done.wait(timeout):
            missing = sorted({cmd for (cmd, _), f in zip(reqs, futs) if not f.done()})
            raise DapTimeout(f"no response from {self.name} within {timeout} s (to {', '.join(missing)})",
                             missing[0] if missing else None)
        out: list[dict[str, Any] | None] = []
        for fut in futs:
            exc = fut.exception()
            out.append(None if exc is not None else fut.result())
        return out

    def respond(self, request: Mapping[str, Any], body: Mapping[str, Any] | None = None,
                success: bool = True, message: str | None = None) -> None:
        """Answer a reverse request (e.g. runInTerminal) from the adapter."""
        with self._lock:
            msg: dict[str, Any] = {"seq": next(self._seq), "type": "response", "request_seq": request.get("seq"),
                                   "command": request.get("command"), "success": success}
            if body is not None:
                msg["body"] = dict(body)
            if message:
                msg["message"] = message
            if self._observer is not None:
                self._observer("to_adapter", msg)
            ok = self._writer.write(msg)
        if not ok:
            self._write_failed()

    def close(self) -> None:
        self._writer.close()
        self._fail("closed")

    def _write_failed(self) -> None:
        why = f": {self._writer.error}" if self._writer.error is not None else ""
        self._fail(f"cannot write to {self.name}{why}")

    def _fail(self, why: str) -> None:
        with self._lock:  # closed first: a callback of a failed request cannot send into the void
            pending, self._pending = self._pending, {}
            first = not self.closed.is_set()
            self.closed.set()
        for command, fut in pending.values():
            if not fut.done():
                fut.set_exception(DapError(f"{self.name}: {why}", command))
        if first:
            self.events.put(None)

    def _read_loop(self) -> None:
        try:
            for item in read_frames(self._reader):
                if isinstance(item, FrameError):
                    self.bad_frames.append(item)
                    log_bad_frame(log, f"from {self.name}", item, self._redact_text)
                    continue
                self._dispatch(item)
        finally:
            self._fail("the adapter closed its output")

    def _dispatch(self, frame: Frame) -> None:
        msg = frame.message
        if self._observer is not None:
            try:
                self._observer("from_adapter", msg)
            except Exception:  # a recorder bug must not stop the session
                log.exception("observer failed on a %s", msg.get("type"))
        kind = msg.get("type")
        if kind == "response":
            with self._lock:
                entry = self._pending.pop(int(msg.get("request_seq") or 0), None)
            if entry is None:
                log.debug("response to unknown request_seq %s", msg.get("request_seq"))
                return
            command, fut = entry
            if msg.get("success"):
                fut.set_result(dict(msg.get("body") or {}))
            else:
                fut.set_exception(DapError(f"{command} failed: {msg.get('message') or 'no reason given'}",
                                           command, msg.get("body") or {}))
        elif kind == "event":
            hook = self.on_event
            if hook is not None:
                try:
                    if hook(msg):
                        return
                except Exception:  # a driver bug must not stop the session
                    log.exception("event hook failed on %s", msg.get("event"))
            self.events.put(msg)
        elif kind == "request":
            handler = self.reverse_handler
            reply = handler(msg) if handler is not None else None
            if reply is None:
                self.respond(msg, success=False, message=f"{msg.get('command')} is not supported by debugtape")
            else:
                self.respond(msg, reply)


def when_all(futs: Sequence[Future[Any]], callback: Callable[[], None]) -> None:
    """Call `callback()` once, on the thread that completes the last of `futs` (at once when
    they are all done already, or there are none)."""
    left = [len(futs)]
    lock = threading.Lock()

    def one_done(_: Future[Any]) -> None:
        with lock:
            left[0] -= 1
            last = left[0] == 0
        if last:
            callback()

    if not futs:
        callback()
    for fut in futs:
        fut.add_done_callback(one_done)


def wait(fut: Future[dict[str, Any]], timeout: float, command: str) -> dict[str, Any]:
    try:
        return fut.result(timeout)
    except FutureTimeout as exc:
        raise DapTimeout(f"no response to {command} within {timeout} s", command) from exc
