"""DAP messages to raw records, table-driven from real transcripts of debugpy and lldb-dap."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from debugtape.adapters.dap.convert import DapConverter
from debugtape.adapters.dap.values import CaptureBounds
from debugtape.records import validate
from tests.adapters.dap.conftest import FIXTURES, mark_line, replay


def kinds(records: list[dict[str, Any]]) -> list[str]:
    return [r["kind"] for r in records]


def snapshots(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r["kind"] == "snapshot"]


def test_every_record_from_a_real_debugpy_session_is_valid() -> None:
    records = replay("debugpy_features.jsonl")
    for rec in records:
        validate(rec)
    assert records[0]["kind"] == "start" and records[-1] == {"kind": "end", "reason": "exited", "exit_code": 1}
    start = records[0]
    # The transcript was captured in another checkout: compare the path inside the repository.
    assert start["program"].endswith("/tests/fixtures/python/features.py") and start["meta"]["adapter"] == "debugpy"


def test_breakpoints_set_changed_removed_and_hits() -> None:
    bps = [r for r in replay("debugpy_features.jsonl") if r["kind"] == "breakpoint"]
    shapes, thread = mark_line(FIXTURES / "features.py", "shapes"), mark_line(FIXTURES / "features.py", "thread")
    got = [(b["action"], b.get("line"), b.get("condition"), b.get("bp_kind")) for b in bps]
    assert got == [
        ("set", shapes, None, "breakpoint"),
        ("set", thread, "idx == 1", "breakpoint"),
        ("set", None, None, "catchpoint"),
        ("changed", shapes, "True", "breakpoint"),
        ("removed", thread, "idx == 1", "breakpoint"),
        ("changed", shapes, "True", "breakpoint"),  # at the end: its hit count, counted from the stops
    ]
    assert bps[4]["hits"] == 1  # the conditional breakpoint stopped once before it was removed
    assert bps[5]["hits"] == 1


def test_snapshot_of_a_thread_with_a_condition() -> None:
    snap = snapshots(replay("debugpy_features.jsonl"))[0]
    assert snap["reason"] == "breakpoint" and snap["bp_id"] == "1"
    assert snap["thread"]["name"] == "worker-1"
    top = snap["frames"][0]
    assert top["symbol"] == "worker" and top["line"] == mark_line(FIXTURES / "features.py", "thread")
    assert top["locals"]["idx"] == 1 and top["types"]["idx"] == "int"


def test_shapes_huge_cyclic_bytes_long_text_and_depth() -> None:
    snap = snapshots(replay("debugpy_features.jsonl"))[1]
    local = snap["frames"][0]["locals"]
    cuts = {t["path"]: t for t in snap["truncation"]}
    assert local["huge"] == list(range(25))
    assert cuts["frames[0].locals.huge"] == {"path": "frames[0].locals.huge", "why": "items", "kept": 25,
                                             "total": 100000}
    assert local["cyclic"]["name"] == "'loop'"
    assert local["cyclic"]["self"] == {"$cycle": "frames[0].locals.cyclic"}
    assert local["raw"].startswith("b'\\xff\\xfe")  # non-UTF-8 bytes kept as their repr text
    assert len(local["text"]) == 256 and cuts["frames[0].locals.text"]["total"] == 5002
    assert cuts["frames[0].locals.nested.a.b"]["why"] == "depth"
    # The converter does not redact (the pipeline does); it keeps the value for the redactor.
    assert "SECRET" in local["api_token"]


def test_uncaught_exception_snapshot() -> None:
    snap = snapshots(replay("debugpy_features.jsonl"))[2]
    assert snap["reason"] == "exception"
    assert snap["exception"] == {"type": "KeyError", "message": "'uncaught at the end'", "break_mode": "unhandled"}
    assert snap["frames"][0]["symbol"] == "main"


def test_lldb_dap_frame_relative_scopes_give_each_frame_its_own_locals() -> None:
    records = replay("lldb_dap_prog.jsonl")
    for rec in records:
        validate(rec)
    (snap,) = snapshots(records)
    area, main = snap["frames"][0], snap["frames"][1]
    assert area["symbol"] == "area" and main["symbol"] == "main"
    assert area["locals"]["p"] == {"x": 1, "y": 2, "label": '0x000055555555601a "pt"'}
    assert area["locals"]["password"].endswith('"hunter2-NATIVE-secret"')  # a C string stays text
    assert main["locals"]["values"] == [i * i for i in range(25)]
    assert {"path": "frames[1].locals.values", "why": "items", "kept": 25, "total": 40} in snap["truncation"]
    assert area["address"].startswith("0x")
    assert [r["action"] for r in records if r["kind"] == "breakpoint"] == ["set", "removed"]


def _stop(conv: DapConverter) -> list[dict[str, Any]]:
    return conv.observe("from_adapter", {"seq": 1, "type": "event", "event": "stopped",
                                         "body": {"reason": "breakpoint", "threadId": 7}})


def test_plan_asks_only_what_is_missing_and_respects_bounds() -> None:
    conv = DapConverter(bounds=CaptureBounds(frames=2, locals_frames=1, items=3, depth=1))
    assert kinds(_stop(conv)) == ["start"]  # a stop starts the session if nothing else did
    batch = conv.plan(7)
    assert [c for c, _ in batch] == ["threads", "stackTrace"]
    assert batch[1][1] == {"threadId": 7, "startFrame": 0, "levels": 2}
    # The client asked for the stack itself: its reply counts, plan moves on to scopes.
    conv.observe("to_adapter", {"seq": 10, "type": "request", "command": "stackTrace",
                                "arguments": {"threadId": 7, "startFrame": 0, "levels": 2}})
    conv.observe("from_adapter", {"seq": 2, "type": "response", "request_seq": 10, "command": "stackTrace",
                                  "success": True, "body": {"totalFrames": 9, "stackFrames": [
                                      {"id": 100, "name": "f", "line": 3, "source": {"path": "/a.py"}},
                                      {"id": 101, "name": "g", "line": 9, "source": {"path": "/a.py"}}]}})
    assert conv.plan(7) == [("scopes", {"frameId": 100})]  # only the top frame gets locals
    conv.observe("to_adapter", {"seq": 11, "type": "request", "command": "scopes", "arguments": {"frameId": 100}})
    conv.observe("from_adapter", {"seq": 3, "type": "response", "request_seq": 11, "command": "scopes",
                                  "success": True, "body": {"scopes": [
                                      {"name": "Locals", "variablesReference": 5},
                                      {"name": "Globals", "variablesReference": 6}]}})
    assert conv.plan(7) == [("variables", {"variablesReference": 5, "count": 4})]
    conv.observe("to_adapter", {"seq": 12, "type": "request", "command": "variables",
                                "arguments": {"variablesReference": 5}})
    conv.observe("from_adapter", {"seq": 4, "type": "response", "request_seq": 12, "command": "variables",
                                  "success": True, "body": {"variables": [
                                      {"name": n, "value": str(i), "type": "int", "variablesReference": 0}
                                      for i, n in enumerate("abcde")]}})
    assert conv.plan(7) == []
    out = conv.observe("to_adapter", {"seq": 13, "type": "request", "command": "continue",
                                      "arguments": {"threadId": 7}})
    snap = out[-1]
    assert snap["kind"] == "snapshot" and [f["symbol"] for f in snap["frames"]] == ["f", "g"]
    assert snap["frames"][0]["locals"] == {"a": 0, "b": 1, "c": 2}
    assert {"path": "frames", "why": "frames", "kept": 2, "total": 9} in snap["truncation"]
    assert {"path": "frames[0].locals", "why": "items", "kept": 3, "total": 5} in snap["truncation"]
    assert kinds(out) == ["snapshot"]


def test_pause_samples_cover_every_thread() -> None:
    conv = DapConverter(pause_is_sample=True)
    conv.observe("from_adapter", {"seq": 1, "type": "event", "event": "stopped", "body": {"reason": "pause", "threadId": 1}})
    assert conv.plan(1) == [("threads", {})]
    conv.observe("to_adapter", {"seq": 1, "type": "request", "command": "threads"})
    conv.observe("from_adapter", {"seq": 2, "type": "response", "request_seq": 1, "command": "threads", "success": True,
                                  "body": {"threads": [{"id": 1, "name": "main"}, {"id": 2, "name": "w"}]}})
    batch = conv.plan(1)
    assert [a["threadId"] for _, a in batch] == [1, 2]
    for seq, (cmd, args) in enumerate(batch, 10):
        conv.observe("to_adapter", {"seq": seq, "type": "request", "command": cmd, "arguments": args})
        conv.observe("from_adapter", {"seq": seq + 100, "type": "response", "request_seq": seq, "command": cmd,
                                      "success": True, "body": {"stackFrames": [
                                          {"id": seq, "name": f"fn{args['threadId']}", "line": 1, "source": {"path": "/x.py"}}]}})
    out = conv.observe("to_adapter", {"seq": 50, "type": "request", "command": "continue", "arguments": {"threadId": 1}})
    sample = out[-1]
    assert sample["kind"] == "sample"
    assert [(t["id"], t["name"], t["frames"][0]["symbol"]) for t in sample["threads"]] == [(1, "main", "fn1"), (2, "w", "fn2")]
    validate(sample)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["to_adapter", "from_adapter"]),
                          st.sampled_from(["request", "response", "event"]),
                          st.sampled_from(["stopped", "stackTrace", "scopes", "variables", "setBreakpoints",
                                           "continue", "terminated", "threads", "launch", "exited"]),
                          json_values), max_size=25))
def test_odd_message_shapes_never_raise(messages: list[tuple[str, str, str, Any]]) -> None:
    conv = DapConverter(frame_locals=(False, None, True)[len(messages) % 3])
    for seq, (direction, kind, name, body) in enumerate(messages, 1):
        msg = {"seq": seq, "type": kind, "command": name, "event": name, "request_seq": seq - 1,
               "success": True, "body": body, "arguments": body}
        for rec in conv.observe(direction, msg):
            validate(rec)
        conv.plan(1)
    for rec in conv.finish("exited", 0):
        validate(rec)


# -- frame references: a frame's id read as its locals (debugpy), checked before use -------------

_FRAMES = [{"id": 100, "name": "f", "line": 3, "source": {"path": "/a.py"}},
           {"id": 101, "name": "g", "line": 9, "source": {"path": "/a.py"}}]
_LOCALS = {100: [{"name": "x", "value": "1", "type": "int", "variablesReference": 0}],
           101: [{"name": "y", "value": "'two'", "type": "str", "variablesReference": 0}]}


class _Talk:
    """Drives a converter as a recorder would: each planned batch sent, then answered by `answer`."""

    def __init__(self, conv: DapConverter) -> None:
        self.conv = conv
        self.seq = 0
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def stop(self) -> None:
        self.seq += 1
        self.conv.observe("from_adapter", {"seq": self.seq, "type": "event", "event": "stopped",
                                           "body": {"reason": "breakpoint", "threadId": 7}})

    def run(self, answer: Any, reverse: bool = False) -> dict[str, Any]:
        """Plan, send and answer batches until the stop is read; then continue: the snapshot."""
        while batch := self.conv.plan(7):
            pending = []
            for cmd, args in batch:
                self.seq += 1
                self.sent.append((cmd, args))
                self.conv.observe("to_adapter", {"seq": self.seq, "type": "request", "command": cmd, "arguments": args})
                pending.append((self.seq, cmd, args))
            for seq, cmd, args in reversed(pending) if reverse else pending:
                ok, body = answer(cmd, args)
                self.conv.observe("from_adapter", {"seq": seq + 1000, "type": "response", "request_seq": seq,
                                                   "command": cmd, "success": ok, "body": body})
        self.seq += 1
        out = self.conv.observe("to_adapter", {"seq": self.seq, "type": "request", "command": "continue",
                                               "arguments": {"threadId": 7}})
        return snapshots(out)[0]


def _debugpy_like(frame_vars: dict[int, list[dict[str, Any]]] | None = None, refuse_frame_ids: bool = False) -> Any:
    """Answers as debugpy does: scope references 5xx, a frame id read as that frame's locals."""
    frame_vars = _LOCALS if frame_vars is None else frame_vars

    def answer(cmd: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        if cmd == "threads":
            return True, {"threads": [{"id": 7, "name": "main"}]}
        if cmd == "stackTrace":
            return True, {"totalFrames": 2, "stackFrames": _FRAMES}
        if cmd == "scopes":
            fid = args["frameId"]
            return True, {"scopes": [{"name": "Locals", "variablesReference": fid * 5, "presentationHint": "locals"},
                                     {"name": "Globals", "variablesReference": fid * 5 + 1}]}
        ref = args["variablesReference"]
        if ref in _LOCALS:
            return (False, {}) if refuse_frame_ids else (True, {"variables": frame_vars[ref]})
        if ref % 5 == 0 and ref // 5 in _LOCALS:
            return True, {"variables": _LOCALS[ref // 5]}
        return True, {"variables": [{"name": "G", "value": "0", "type": "int", "variablesReference": 0}]}

    return answer


def _expected_frames(snap: dict[str, Any]) -> list[Any]:
    return [(f["symbol"], f.get("locals")) for f in snap["frames"]]


def test_frame_references_are_checked_at_the_first_stop_then_save_the_scopes() -> None:
    conv = DapConverter(frame_locals=None)
    talk = _Talk(conv)
    talk.stop()
    first = talk.run(_debugpy_like())
    assert [c for c, _ in talk.sent].count("scopes") == 2  # the first stop reads scopes as ever ...
    assert ("variables", {"variablesReference": 100, "count": 26}) in talk.sent  # ... and frame 0 by its id
    assert conv.frame_locals is True
    talk.sent.clear()
    talk.stop()
    second = talk.run(_debugpy_like(), reverse=True)  # replies in any order
    assert [c for c, _ in talk.sent] == ["stackTrace", "variables", "variables"]
    assert _expected_frames(first) == _expected_frames(second) == [("f", {"x": 1}), ("g", {"y": "'two'"})]
    assert second["frames"][1]["types"] == {"y": "str"}


def test_frame_references_that_read_otherwise_are_not_used() -> None:
    other = {100: [{"name": "G", "value": "0", "type": "int", "variablesReference": 0}], 101: []}
    conv = DapConverter(frame_locals=None)
    talk = _Talk(conv)
    talk.stop()
    first = talk.run(_debugpy_like(other), reverse=True)  # the probe's reply comes first
    assert conv.frame_locals is False
    talk.sent.clear()
    talk.stop()
    second = talk.run(_debugpy_like(other))
    assert [c for c, _ in talk.sent] == ["stackTrace", "scopes", "scopes", "variables", "variables"]
    assert _expected_frames(first) == _expected_frames(second) == [("f", {"x": 1}), ("g", {"y": "'two'"})]


def test_a_refused_frame_reference_falls_back_to_scopes_without_losing_the_locals() -> None:
    conv = DapConverter(frame_locals=True)
    talk = _Talk(conv)
    talk.stop()
    snap = talk.run(_debugpy_like(refuse_frame_ids=True))
    assert conv.frame_locals is False
    assert [c for c, _ in talk.sent] == ["threads", "stackTrace", "variables", "variables", "scopes", "scopes",
                                         "variables", "variables"]
    assert _expected_frames(snap) == [("f", {"x": 1}), ("g", {"y": "'two'"})]


def test_a_probe_that_cannot_be_compared_gives_up_after_three_stops() -> None:
    conv = DapConverter(frame_locals=None)
    talk = _Talk(conv)

    def no_locals_scope(cmd: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        if cmd == "scopes":
            return True, {"scopes": [{"name": "Registers", "variablesReference": 9}]}
        return _debugpy_like()(cmd, args)

    for _ in range(3):
        talk.stop()
        talk.run(no_locals_scope)
    assert conv.frame_locals is False
    talk.sent.clear()
    talk.stop()
    talk.run(no_locals_scope)
    assert ("variables", {"variablesReference": 100, "count": 26}) not in talk.sent
