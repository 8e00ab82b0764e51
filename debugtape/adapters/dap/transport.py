"""DAP transport: Content-Length framing over byte streams, with a parser that never crashes.

The parser takes bytes as they arrive and yields either a decoded message or a `FrameError`
that says what was wrong (bad header, bad JSON, truncated body) and keeps the raw bytes so the
caller can log them (redacted) at DEBUG. After an error it resynchronises on the next header.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, Protocol

__all__ = [
    "ByteSink",
    "Frame",
    "FrameError",
    "FrameParser",
    "MessageWriter",
    "decode_body",
    "encode",
    "encode_body",
    "read_frames",
    "set_nodelay",
]

log = logging.getLogger(__name__)

_HEADER_END = b"\r\n\r\n"
_MAX_HEADER = 4096
# A body larger than this is refused rather than buffered: no real adapter sends 256 MiB.
MAX_BODY = 256 * 1024 * 1024


@dataclass(frozen=True)
class Frame:
    """One well-framed message: the raw body bytes (forwarded as is) and its decoded object."""

    raw: bytes
    message: dict[str, Any]


@dataclass(frozen=True)
class FrameError:
    """A message that is not valid DAP: `kind` is framing, json or truncated."""

    kind: str
    reason: str
    raw: bytes

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason} ({len(self.raw)} bytes)"


def encode_body(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode(message: Mapping[str, Any] | bytes) -> bytes:
    """Header and body as one buffer, so one write sends one segment (see `set_nodelay`)."""
    body = message if isinstance(message, bytes) else encode_body(message)
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def decode_body(body: bytes) -> dict[str, Any] | FrameError:
    """Decode one body; invalid UTF-8 is replaced rather than refused (debuggers show raw memory)."""
    try:
        obj = json.loads(body.decode("utf-8", "replace"))
    except ValueError as exc:
        return FrameError("json", f"body is not JSON: {exc}", body)
    if not isinstance(obj, dict):
        return FrameError("json", f"a DAP message is a JSON object, not {type(obj).__name__}", body)
    if obj.get("type") not in ("request", "response", "event"):
        return FrameError("json", f"message type must be request, response or event, not {obj.get('type')!r}", body)
    return obj


class FrameParser:
    """Incremental Content-Length parser: `feed(bytes)` returns the frames and errors completed."""

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        self._buf += data
        out: list[Frame | FrameError] = []
        while True:
            item = self._next()
            if item is None:
                return out
            out.append(item)

    def close(self) -> list[FrameError]:
        """End of stream: whatever is left is a truncated message."""
        if not self._buf.strip():
            self._buf.clear()
            return []
        raw = bytes(self._buf)
        self._buf.clear()
        return [FrameError("truncated", "stream ended inside a message", raw)]

    def _next(self) -> Frame | FrameError | None:
        buf = self._buf
        # Blank lines between messages are tolerated (some clients send a trailing CRLF).
        while buf[:2] == b"\r\n" or buf[:1] == b"\n":
            del buf[: 2 if buf[:2] == b"\r\n" else 1]
        if not buf:
            return None
        end = buf.find(_HEADER_END)
        if end < 0:
            if len(buf) > _MAX_HEADER:
                return self._resync("framing", f"no end of header within {_MAX_HEADER} bytes")
            return None
        header = bytes(buf[:end])
        past = end + len(_HEADER_END)
        length: int | None = None
        for line in header.split(b"\r\n"):
            name, sep, value = line.partition(b":")
            if not sep:
                return self._resync("framing", f"header line without a colon ({len(line)} bytes)", past)
            if name.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    return self._resync("framing", "Content-Length is not a number", past)
        if length is None:
            return self._resync("framing", "header has no Content-Length", past)
        if length < 0 or length > MAX_BODY:
            return self._resync("framing", f"Content-Length {length} is out of range", past)
        start = end + len(_HEADER_END)
        if len(buf) < start + length:
            return None
        body = bytes(buf[start : start + length])
        del buf[: start + length]
        decoded = decode_body(body)
        if isinstance(decoded, FrameError):
            return decoded
        return Frame(body, decoded)

    def _resync(self, kind: str, reason: str, upto: int | None = None) -> FrameError:
        """Drop the bad bytes so one bad message does not end the session: up to the next
        Content-Length header, or to the end of the bad header (`upto`), whichever is first.
        Without either, keep a short tail that may be the start of the next header."""
        buf = self._buf
        nxt = buf.lower().find(b"content-length", 1)
        if nxt > 0 and (upto is None or nxt < upto):
            cut = nxt
        elif upto is not None:
            cut = upto
        else:
            cut = max(1, len(buf) - len(b"content-length"))
        raw = bytes(buf[:cut])
        del buf[:cut]
        return FrameError(kind, reason, raw)


def read_frames(stream: IO[bytes] | socket.socket, chunk: int = 65536) -> Iterator[Frame | FrameError]:
    """Frames from a blocking stream until end of input; a truncated tail yields a FrameError."""
    parser = FrameParser()
    while True:
        try:
            if isinstance(stream, socket.socket):
                data = stream.recv(chunk)
            else:
                read1 = getattr(stream, "read1", None)
                data = read1(chunk) if read1 is not None else stream.read(chunk)
        except (OSError, ValueError):
            data = b""
        if not data:
            yield from parser.close()
            return
        yield from parser.feed(data)


def _write_all(stream: ByteSink, data: bytes) -> None:
    """Write every byte: an unbuffered file or socket writer may take only part of a large
    message (a socket's send after a signal, say), and the rest must follow, in order."""
    while data:
        n = stream.write(data)
        if n is None:  # only a non-blocking raw stream answers None: it would block
            raise BlockingIOError("the peer's stream would block")
        data = data[n:]  # a copy, but only on the rare short write


class ByteSink(Protocol):
    """What `MessageWriter` writes to: a binary stream, or a socket's writer."""

    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class MessageWriter:
    """Thread-safe framed writer; each message is one write and one flush."""

    def __init__(self, stream: ByteSink, on_error: Callable[[Exception], None] | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._on_error = on_error
        self.closed = False
        self.error: Exception | None = None  # why the stream could not be written, once it failed

    def write(self, message: Mapping[str, Any] | bytes) -> bool:
        return self.write_many([message])

    def write_many(self, messages: Iterable[Mapping[str, Any] | bytes]) -> bool:
        """Several messages in one write: a batch reaches the peer in one read."""
        data = b"".join(encode(m) for m in messages)
        with self._lock:
            if self.closed:
                return False
            try:
                _write_all(self._stream, data)
                self._stream.flush()
            except (OSError, ValueError) as exc:
                self.closed = True
                self.error = exc
                if self._on_error is not None:
                    self._on_error(exc)
                return False
        return True

    def close(self) -> None:
        with self._lock:
            self.closed = True
            try:
                self._stream.close()
            except (OSError, ValueError):
                pass


def set_nodelay(sock: socket.socket) -> None:
    """Disable Nagle: debugpy writes header and body separately, which otherwise costs ~40 ms."""
    try:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass
