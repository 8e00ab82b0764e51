"""Content-Length framing: table-driven cases from real shapes, and a fuzz that it never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from debugtape.adapters.dap.transport import Frame, FrameError, FrameParser, encode

MSG = {"seq": 1, "type": "event", "event": "stopped", "body": {"reason": "breakpoint", "threadId": 1}}
REQ = {"seq": 2, "type": "request", "command": "continue", "arguments": {"threadId": 1}}


def frame(obj: object) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def kinds(items: list[Frame | FrameError]) -> list[str]:
    return [i.kind if isinstance(i, FrameError) else i.message.get("type", "?") for i in items]


CASES = [
    ("one message", frame(MSG), ["event"]),
    ("two in one chunk", frame(MSG) + frame(REQ), ["event", "request"]),
    ("extra header line", b"Content-Type: x\r\n" + frame(MSG), ["event"]),
    ("lowercase header", frame(MSG).replace(b"Content-Length", b"content-length"), ["event"]),
    ("blank line between", frame(MSG) + b"\r\n" + frame(REQ), ["event", "request"]),
    ("header without colon", b"hello\r\n\r\n" + frame(MSG), ["framing", "event"]),
    ("length not a number", b"Content-Length: ten\r\n\r\n" + frame(MSG), ["framing", "event"]),
    # The body of a message without a length cannot be told apart: it is a second error.
    ("no Content-Length", b"X-Other: 3\r\n\r\nabc" + frame(MSG), ["framing", "framing", "event"]),
    ("negative length", b"Content-Length: -4\r\n\r\n" + frame(MSG), ["framing", "event"]),
    ("body not JSON", b"Content-Length: 5\r\n\r\n{oops" + frame(MSG), ["json", "event"]),
    ("JSON but not an object", b"Content-Length: 2\r\n\r\n[]" + frame(MSG), ["json", "event"]),
    ("object without a DAP type", frame({"seq": 1}) + frame(MSG), ["json", "event"]),
]


@pytest.mark.parametrize("name,data,expected", CASES, ids=[c[0] for c in CASES])
def test_parser_table(name: str, data: bytes, expected: list[str]) -> None:
    parser = FrameParser()
    got = parser.feed(data) + parser.close()
    assert kinds(got) == expected
    for item in got:
        if isinstance(item, FrameError):
            assert item.raw, "the raw bytes of a bad message are kept for the debug log"
            assert item.reason


def test_split_anywhere_gives_the_same_messages() -> None:
    data = frame(MSG) + frame(REQ)
    for cut in range(1, len(data)):
        parser = FrameParser()
        got = parser.feed(data[:cut]) + parser.feed(data[cut:]) + parser.close()
        assert [g.message for g in got if isinstance(g, Frame)] == [MSG, REQ]


def test_truncated_body_at_end_of_stream_is_reported() -> None:
    parser = FrameParser()
    data = frame(MSG)
    assert parser.feed(data[:-3]) == []
    tail = parser.close()
    assert kinds(tail) == ["truncated"]  # type: ignore[arg-type]
    assert tail[0].raw == data[:-3]


def test_invalid_utf8_in_a_body_is_decoded_with_replacement() -> None:
    body = b'{"seq":1,"type":"event","event":"output","body":{"output":"\xff\xfe bad"}}'
    parser = FrameParser()
    (item,) = parser.feed(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert isinstance(item, Frame)
    assert item.raw == body  # forwarded untouched
    assert "bad" in item.message["body"]["output"]


def test_encode_round_trips_and_sends_one_buffer() -> None:
    data = encode(MSG)
    (item,) = FrameParser().feed(data)
    assert isinstance(item, Frame) and item.message == MSG


def test_oversized_header_is_dropped_not_buffered_forever() -> None:
    parser = FrameParser()
    got = parser.feed(b"x" * 5000)
    assert kinds(got) == ["framing"]
    assert parser.pending <= len("content-length")  # only a tail that could start a header


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=50))
def test_garbage_never_raises_and_a_following_message_survives(junk: bytes, chunk: int) -> None:
    parser = FrameParser()
    data = junk + b"\r\n\r\n" + frame(MSG)
    got: list[Frame | FrameError] = []
    for i in range(0, len(data), chunk):
        got += parser.feed(data[i : i + chunk])
    got += parser.close()
    frames = [g for g in got if isinstance(g, Frame)]
    # The junk may swallow a prefix, but a message after a clean separator is found again
    # unless the junk itself announced a body that covers it.
    if b"content-length" not in junk.lower():
        assert frames and frames[-1].message == MSG


def test_a_writer_that_takes_a_few_bytes_at_a_time_still_gets_every_message_whole() -> None:
    from debugtape.adapters.dap.transport import MessageWriter

    class Trickle:  # an unbuffered socket writer that a signal interrupts: short writes
        def __init__(self) -> None:
            self.got = b""

        def write(self, data: bytes, /) -> int:
            self.got += bytes(data[:7])
            return min(7, len(data))

        def flush(self) -> None:
            pass

        def close(self) -> None:
            pass

    sink = Trickle()
    messages = [{"seq": i, "type": "event", "event": "output", "body": {"output": "x" * (50 * i)}} for i in range(1, 4)]
    assert MessageWriter(sink).write_many(messages)
    parser = FrameParser()
    frames = [f for f in parser.feed(sink.got) if isinstance(f, Frame)]
    assert [f.message for f in frames] == messages
