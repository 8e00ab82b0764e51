"""The recording proxy: a debug adapter that sits between any DAP client and the real adapter.

Every message passes through unchanged except for sequence numbers: the proxy numbers the
messages it sends each side itself, because it may insert requests of its own. When the client
resumes a stopped thread without having asked for the stack or the locals, the proxy asks the
adapter first (what `DapConverter.plan` lists), hides those requests and their replies from the
client, and only then forwards the client's request.
"""

from __future__ import annotations

import itertools
import logging
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import IO, Any

from debugtape.adapters.dap.convert import DapConverter
from debugtape.adapters.dap.launch import fast_debugpy_command
from debugtape.adapters.dap.protocol import RESUME_COMMANDS, DapError, log_bad_frame
from debugtape.adapters.dap.transport import (
    Frame,
    FrameError,
    MessageWriter,
    encode_body,
    read_frames,
)

__all__ = ["DapProxy", "INJECT_TIMEOUT"]

log = logging.getLogger(__name__)

INJECT_TIMEOUT = 5.0
ADAPTER_EXIT_TIMEOUT = 3.0  # after the client has gone  # the longest the proxy holds a client's resume while it fetches a stop
_COMPLETES_STOP = RESUME_COMMANDS | {"disconnect", "terminate"}

Sink = Callable[[list[dict[str, Any]]], None]


class DapProxy:
    """Relays DAP between `client_in/client_out` and an adapter process, recording through `sink`."""

    def __init__(self, command: Sequence[str], client_in: IO[bytes], client_out: IO[bytes], sink: Sink,
                 converter: DapConverter | None = None, redact_text: Callable[[str], str] | None = None,
                 inject: bool = True, tcp_fix: bool = True) -> None:
        # debugpy's adapter is started through the fast-socket boot (no message changes).
        self.command = (fast_debugpy_command(command) if tcp_fix else None) or list(command)
        self.converter = converter or DapConverter(tool="dap")
        self.sink = sink
        self.inject = inject
        self.redact_text = redact_text
        self.bad_frames = 0
        self.injected = 0
        self._client_in = client_in
        self._to_client = MessageWriter(client_out)
        self._lock = threading.Lock()
        self._adapter_seq = itertools.count(1)  # seq of everything we send the adapter
        self._client_seq = itertools.count(1)  # seq of everything we send the client
        self._req_to_client: dict[int, int] = {}  # adapter seq of a client request -> client's seq
        self._rev_to_adapter: dict[int, int] = {}  # client-visible seq of a reverse request -> adapter's
        self._mine: dict[int, Future[dict[str, Any]]] = {}  # our own requests, hidden from the client
        self._proc: subprocess.Popen[bytes] | None = None
        self._to_adapter: MessageWriter | None = None

    # -- running ---------------------------------------------------------------------------

    def run(self) -> int:
        """Relay until both sides are done; returns the adapter's exit code."""
        try:
            self._proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        except OSError as exc:
            raise DapError(f"cannot start the debug adapter {self.command[0]!r}: {exc}") from exc
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._to_adapter = MessageWriter(self._proc.stdin)
        reader = threading.Thread(target=self._adapter_loop, args=(self._proc.stdout,),
                                  name="dap-proxy-adapter", daemon=True)
        reader.start()
        try:
            self._client_loop()
            if self.inject:  # the client left while stopped: the adapter can still tell us
                self._complete_stops()
        finally:
            # The client is gone: let the adapter see end of input and finish on its own.
            log.debug("client gone; closing the adapter's input")
            self._to_adapter.close()
            try:
                code = self._proc.wait(ADAPTER_EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.info("the adapter did not exit within %s s of end of input; terminating it", ADAPTER_EXIT_TIMEOUT)
                self._proc.terminate()
                code = self._proc.wait(5)
            reader.join(5)
            log.debug("adapter exited with %s", code)
            self.sink(self.converter.finish())
        return code

    def _client_loop(self) -> None:
        for item in read_frames(self._client_in):
            if isinstance(item, FrameError):
                # Dropped, not forwarded: debugpy ends the whole session on a body it cannot
                # parse, and the recording would end with it.
                self._bad("from the client", item)
                continue
            self._from_client(item)

    def _adapter_loop(self, stream: IO[bytes]) -> None:
        for item in read_frames(stream):
            if isinstance(item, FrameError):
                self._bad("from the adapter", item)
                continue
            try:
                self._from_adapter(item)
            except Exception:  # a recorder bug must not cut the user's debug session
                log.exception("proxy failed on a message from the adapter; passed it on unrecorded")
                self._to_client.write(item.raw)
        # The adapter is gone: fail our pending requests, end the client's stream.
        with self._lock:
            mine, self._mine = self._mine, {}
        for fut in mine.values():
            if not fut.done():
                fut.set_exception(DapError("the adapter exited"))
        self._to_client.close()

    def _bad(self, where: str, err: FrameError) -> None:
        self.bad_frames += 1
        log_bad_frame(log, where, err, self.redact_text)

    # -- client -> adapter -----------------------------------------------------------------

    def _from_client(self, frame: Frame) -> None:
        msg = frame.message
        kind = msg.get("type")
        command = msg.get("command")
        log.debug("client -> adapter: %s %s (%d bytes)", kind, command or msg.get("event"), len(frame.raw))
        if kind == "request" and command in _COMPLETES_STOP and self.inject:
            self._complete_stops()
        with self._lock:
            seq = next(self._adapter_seq)
            out = dict(msg, seq=seq)
            if kind == "request":
                self._req_to_client[seq] = int(msg.get("seq") or 0)
            elif kind == "response":
                out["request_seq"] = self._rev_to_adapter.pop(int(msg.get("request_seq") or 0),
                                                              msg.get("request_seq"))
            self._record("to_adapter", out)
        # Writes happen outside the lock: each direction has one writer thread, so order holds,
        # and a full pipe on one side can never block the other side's reader.
        self._write_adapter(frame.raw if out == msg else encode_body(out))

    def _write_adapter(self, body: bytes) -> None:
        assert self._to_adapter is not None
        if not self._to_adapter.write(body):
            log.warning("the adapter no longer reads its input")

    # -- adapter -> client -----------------------------------------------------------------

    def _from_adapter(self, frame: Frame) -> None:
        msg = frame.message
        kind = msg.get("type")
        log.debug("adapter -> client: %s %s (%d bytes)", kind, msg.get("command") or msg.get("event"), len(frame.raw))
        with self._lock:
            self._record("from_adapter", msg)
            if kind == "response":
                rseq = int(msg.get("request_seq") or 0)
                fut = self._mine.pop(rseq, None)
                if fut is not None:  # our own request: the client never sees it
                    if msg.get("success"):
                        fut.set_result(dict(msg.get("body") or {}))
                    else:
                        fut.set_exception(DapError(str(msg.get("message") or "failed"), str(msg.get("command"))))
                    return
                client_rseq = self._req_to_client.pop(rseq, rseq)
                out = dict(msg, seq=next(self._client_seq), request_seq=client_rseq)
            else:
                out = dict(msg, seq=next(self._client_seq))
                if kind == "request":  # a reverse request, e.g. runInTerminal
                    self._rev_to_adapter[out["seq"]] = int(msg.get("seq") or 0)
        self._to_client.write(frame.raw if out == msg else encode_body(out))

    def _record(self, direction: str, msg: Mapping[str, Any]) -> None:
        try:
            records = self.converter.observe(direction, msg)
        except Exception:
            log.exception("recording a %s failed", msg.get("type"))
            return
        if records:
            self.sink(records)

    # -- the proxy's own requests ----------------------------------------------------------

    def _complete_stops(self) -> None:
        """Fetch what the client did not ask for, for every stopped thread, before it resumes.
        The client's request waits at most INJECT_TIMEOUT in all."""
        deadline = time.monotonic() + INJECT_TIMEOUT
        for tid in self.converter.stopped_threads():
            while batch := self.converter.plan(tid):
                futs = [self._ask(cmd, args) for cmd, args in batch]
                for fut in futs:
                    try:
                        fut.result(max(0.0, deadline - time.monotonic()))
                    except DapError as exc:
                        log.debug("own request failed: %s", exc)
                    except FutureTimeout:
                        log.warning("the adapter did not answer the proxy's own requests within %s s; "
                                    "the snapshot keeps what came", INJECT_TIMEOUT)
                        return

    def _ask(self, command: str, arguments: Mapping[str, Any]) -> Future[dict[str, Any]]:
        fut: Future[dict[str, Any]] = Future()
        with self._lock:
            seq = next(self._adapter_seq)
            msg = {"seq": seq, "type": "request", "command": command, "arguments": dict(arguments)}
            self._mine[seq] = fut
            self.injected += 1
            self._record("to_adapter", msg)
        self._write_adapter(encode_body(msg))
        return fut
