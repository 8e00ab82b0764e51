"""DapClient: pipelined requests, replies in any order, replies that never come, a dead adapter."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import IO, Any

import pytest

from debugtape.adapters.dap.protocol import DapClient, DapError, DapTimeout, when_all
from debugtape.adapters.dap.transport import Frame, encode, read_frames

Script = Callable[[list[dict[str, Any]], Callable[[dict[str, Any]], None]], None]


def reply(req: dict[str, Any], body: dict[str, Any] | None = None, success: bool = True) -> dict[str, Any]:
    return {"seq": 1000 + req["seq"], "type": "response", "request_seq": req["seq"], "command": req["command"],
            "success": success, "body": body or {"echo": req["seq"]}}


class FakeAdapter:
    """An adapter on two pipes: `script(requests_so_far, send)` runs at each request it reads."""

    def __init__(self, script: Script) -> None:
        to_adapter_r, to_adapter_w = os.pipe()
        from_adapter_r, from_adapter_w = os.pipe()
        self.inp: IO[bytes] = os.fdopen(to_adapter_r, "rb", buffering=0)
        self.out: IO[bytes] = os.fdopen(from_adapter_w, "wb", buffering=0)
        self.requests: list[dict[str, Any]] = []
        self.reads = 0  # how many reads the requests came in
        self.seen: list[tuple[str, str]] = []
        self.client = DapClient(os.fdopen(from_adapter_r, "rb", buffering=0),
                                os.fdopen(to_adapter_w, "wb", buffering=0),
                                observer=lambda d, m: self.seen.append((d, str(m.get("command")))))
        self._script = script
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def send(self, msg: dict[str, Any]) -> None:
        self.out.write(encode(msg))

    def die(self) -> None:
        self.out.close()
        self.inp.close()

    def _run(self) -> None:
        try:
            for item in read_frames(self.inp):
                assert isinstance(item, Frame)
                self.requests.append(item.message)
                self._script(self.requests, self.send)
        except (OSError, ValueError):
            pass


def test_a_batch_goes_out_in_one_write_and_replies_in_reverse_order_reach_their_requests() -> None:
    def reverse_after_three(reqs: list[dict[str, Any]], send: Callable[[dict[str, Any]], None]) -> None:
        if len(reqs) == 3:
            for req in reversed(reqs):
                send(reply(req))

    fake = FakeAdapter(reverse_after_three)
    out = fake.client.many([("scopes", {"frameId": 1}), ("scopes", {"frameId": 2}), ("variables", {"variablesReference": 3})],
                           timeout=10)
    assert [r and r["echo"] for r in out] == [r["seq"] for r in fake.requests]
    assert [r["command"] for r in fake.requests] == ["scopes", "scopes", "variables"]
    # The observer saw each request before any response.
    assert [d for d, _ in fake.seen] == ["to_adapter"] * 3 + ["from_adapter"] * 3
    fake.client.close()


def test_a_refused_request_gives_none_and_the_others_their_bodies() -> None:
    def refuse_second(reqs: list[dict[str, Any]], send: Callable[[dict[str, Any]], None]) -> None:
        req = reqs[-1]
        send(reply(req, success=len(reqs) != 2))

    fake = FakeAdapter(refuse_second)
    out = fake.client.many([("a", {}), ("b", {}), ("c", {})], timeout=10)
    assert out[0] is not None and out[1] is None and out[2] is not None
    fake.client.close()


def test_a_reply_that_never_comes_names_the_request() -> None:
    def never_variables(reqs: list[dict[str, Any]], send: Callable[[dict[str, Any]], None]) -> None:
        if reqs[-1]["command"] != "variables":
            send(reply(reqs[-1]))

    fake = FakeAdapter(never_variables)
    t0 = time.monotonic()
    with pytest.raises(DapTimeout, match=r"within 0.5 s \(to variables\)"):
        fake.client.many([("scopes", {"frameId": 1}), ("variables", {"variablesReference": 3})], timeout=0.5)
    assert time.monotonic() - t0 < 5
    fake.client.close()


def test_an_adapter_dying_mid_batch_fails_what_is_pending_and_ends_the_events() -> None:
    def die_at_second(reqs: list[dict[str, Any]], send: Callable[[dict[str, Any]], None]) -> None:
        if len(reqs) == 1:
            send(reply(reqs[0]))
        else:
            fake.die()

    fake = FakeAdapter(die_at_second)
    out = fake.client.many([("stackTrace", {"threadId": 1}), ("scopes", {"frameId": 1})], timeout=10)
    assert out[0] is not None and out[1] is None
    assert fake.client.events.get(timeout=10) is None
    assert fake.client.closed.is_set()
    # Sending to a closed client fails at once, without a write and without hanging.
    with pytest.raises(DapError, match="is gone"):
        fake.client.request("threads", timeout=10)


def test_a_write_to_an_adapter_that_is_gone_fails_cleanly() -> None:
    from_r, from_w = os.pipe()
    to_r, to_w = os.pipe()
    os.close(to_r)  # nobody reads what the client writes: a broken pipe
    client = DapClient(os.fdopen(from_r, "rb", buffering=0), os.fdopen(to_w, "wb", buffering=0))
    done: list[BaseException] = []

    def ask() -> None:
        try:
            client.request("threads", timeout=5)
        except DapError as exc:
            done.append(exc)

    t = threading.Thread(target=ask, daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), "a failed write must not deadlock the client"
    assert done and "cannot write" in str(done[0]) and not isinstance(done[0], DapTimeout)
    assert client.closed.is_set() and client.events.get(timeout=1) is None
    os.close(from_w)


def test_the_event_hook_runs_on_the_reader_thread_before_the_event_is_queued() -> None:
    fake = FakeAdapter(lambda reqs, send: None)
    seen: list[tuple[str, bool]] = []
    fake.client.on_event = lambda ev: bool(seen.append((ev["event"], fake.client.events.empty())))
    fake.send({"seq": 1, "type": "event", "event": "stopped", "body": {"threadId": 1}})
    ev = fake.client.events.get(timeout=10)
    assert ev is not None and ev["event"] == "stopped"
    assert seen == [("stopped", True)]
    # A hook that returns True consumes the event: nobody waiting on the queue is woken for it.
    fake.client.on_event = lambda ev: ev["event"] == "continued"
    fake.send({"seq": 2, "type": "event", "event": "continued", "body": {"threadId": 1}})
    fake.send({"seq": 3, "type": "event", "event": "output", "body": {"output": "x"}})
    ev = fake.client.events.get(timeout=10)
    assert ev is not None and ev["event"] == "output"
    fake.client.close()


def test_when_all_calls_back_once_after_the_last() -> None:
    from concurrent.futures import Future

    calls: list[int] = []
    futs: list[Future[Any]] = [Future() for _ in range(3)]
    when_all(futs, lambda: calls.append(1))
    futs[2].set_result(1)
    futs[0].set_exception(DapError("x"))
    assert calls == []
    futs[1].set_result(2)
    assert calls == [1]
    when_all([], lambda: calls.append(2))
    assert calls == [1, 2]
