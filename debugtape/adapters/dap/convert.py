"""DAP messages (either direction) to raw records: one converter for the recorder, proxy and ingest.

It watches requests and their responses, builds a snapshot for each stop from the stackTrace,
scopes and variables replies it sees, and emits the snapshot when the thread runs again. `plan()`
says which requests a stop still lacks, so a driver can fetch exactly the missing part.
Thread-safe: the client's reader thread and the driver's thread both feed it.

Frame references (`frame_locals`): debugpy answers `variables` on a frame's id with that frame's
locals, exactly as it answers the frame's Locals scope, which saves the `scopes` round trip per
frame. A driver that knows its adapter is debugpy passes `frame_locals=None`: the first stop then
reads frame 0 both ways and uses frame references from then on only if the two replies agree;
a frame reference the adapter refuses brings the scopes back for that frame and the session.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from debugtape.adapters.dap.protocol import RESUME_COMMANDS
from debugtape.adapters.dap.values import (
    CaptureBounds,
    cut_text,
    expandable,
    is_index_list,
    scalar,
    visible,
)

__all__ = ["DapConverter", "Request"]

log = logging.getLogger(__name__)

Request = tuple[str, dict[str, Any]]

_REASONS = {
    "breakpoint": "breakpoint", "function breakpoint": "breakpoint", "instruction breakpoint": "breakpoint",
    "data breakpoint": "watchpoint", "exception": "exception", "step": "step", "goto": "step",
    "pause": "pause", "entry": "entry", "signal": "signal",
}


@dataclass
class _VarNode:
    """Where a variablesReference hangs in a snapshot: frame, field (locals/args) and path."""

    frame: int
    field: str
    path: tuple[str, ...]
    depth: int
    announced: int = 0  # items the parent said this holds (indexed + named)
    asked: bool = False
    vars: list[dict[str, Any]] | None = None
    frame_ref: bool = False  # the frame's own id read as its locals (see `frame_locals`)


@dataclass
class _Stop:
    thread: int
    reason: str
    ts: float
    bp_ids: list[str] = field(default_factory=list)
    text: str | None = None
    description: str | None = None
    sample: bool = False
    frames: dict[int, dict[str, Any]] = field(default_factory=dict)
    total: int | None = None
    frame_index: dict[int, int] = field(default_factory=dict)  # frame id -> index
    scopes_done: set[int] = field(default_factory=set)  # frame ids
    library: set[int] = field(default_factory=set)  # frame indices the adapter marks subtle
    refs: dict[int, _VarNode] = field(default_factory=dict)  # the reference's current meaning
    roots: list[_VarNode] = field(default_factory=list)  # locals/args of each frame, in order
    asked: set[tuple[str, int]] = field(default_factory=set)
    exception: dict[str, Any] | None = None
    thread_frames: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)  # samples
    requests: int = 0
    probe: int | None = None  # frame 0's id, read both ways to check frame references
    probe_vars: list[dict[str, Any]] | None = None


class DapConverter:
    """Turns a DAP conversation into raw records (see docs/internals.md, "Raw records")."""

    def __init__(self, bounds: CaptureBounds | None = None, tool: str = "dap", name: str | None = None,
                 snappoints: Iterable[tuple[str, int]] = (), pause_is_sample: bool = False,
                 start_extra: Mapping[str, Any] | None = None, end_on_terminated: bool = True,
                 frame_locals: bool | None = False) -> None:
        self.bounds = bounds or CaptureBounds()
        # True: read locals through frame ids; False: through scopes; None: find out at a stop.
        self.frame_locals = frame_locals
        self._probes = 0
        self.tool = tool
        self.name = name
        self.snappoints = {(p, int(line)) for p, line in snappoints}
        self.pause_is_sample = pause_is_sample
        self.start_extra = dict(start_extra or {})
        self.end_on_terminated = end_on_terminated
        self.session_id: str | None = None
        self.capabilities: dict[str, Any] = {}
        self.counts = {"snapshots": 0, "samples": 0, "breakpoints": 0}
        self._lock = threading.RLock()
        self._requests: dict[int, dict[str, Any]] = {}
        self._init_args: dict[str, Any] = {}
        self._launch: tuple[str, dict[str, Any]] | None = None
        self._pid: int | None = None
        self._started = False
        self._ended = False
        self._held: list[dict[str, Any]] = []
        self._bps: dict[str, dict[int, dict[str, Any]]] = {}
        self._fbps: dict[str, dict[str, Any]] = {}
        self._exc_filters: set[str] = set()
        self._threads: dict[int, str] = {}
        self._threads_stale = False
        self._frame_relative_scopes = False
        self._stops: dict[int, _Stop] = {}
        self._exit_code: int | None = None
        self._now: float | None = None

    # -- input -------------------------------------------------------------------------------

    def observe(self, direction: str, msg: Mapping[str, Any], ts: float | None = None) -> list[dict[str, Any]]:
        """One message; `direction` is to_adapter or from_adapter; `ts` when it was seen (default
        now). Returns the records it completes."""
        out: list[dict[str, Any]] = []
        with self._lock:
            self._now = ts
            if self._ended:
                return out
            kind = msg.get("type")
            try:
                if kind == "request" and direction == "to_adapter":
                    self._on_request(msg, out)
                elif kind == "response" and direction == "from_adapter":
                    req = self._requests.pop(_int(msg.get("request_seq")), None)
                    if req is not None and msg.get("success"):
                        self._on_response(req, msg.get("body") or {}, out)
                    elif req is not None and req["command"] == "variables":
                        self._on_variables_failed(req["arguments"])
                elif kind == "event" and direction == "from_adapter":
                    self._on_event(str(msg.get("event")), msg.get("body") or {}, out)
            except Exception as exc:  # a message we cannot use is skipped, never fatal
                log.warning("skipped a %s %s that could not be recorded: %s: %s", kind,
                            msg.get("command") or msg.get("event"), type(exc).__name__, exc)
        return out

    def finish(self, reason: str | None = None, exit_code: int | None = None) -> list[dict[str, Any]]:
        """Flush what is pending and end the session (unless it already ended)."""
        out: list[dict[str, Any]] = []
        with self._lock:
            if self._ended:
                return out
            self._flush_all(out)
            if reason is None and exit_code is None and self._exit_code is None:
                self._ensure_start(out)
                self._ended = True
                return out  # no end record: the pipeline reads that as stopped/interrupted
            self._end(reason or "exited", exit_code if exit_code is not None else self._exit_code, out)
        return out

    @property
    def started(self) -> bool:
        return self._started

    def manual_snapshot(self, thread: int) -> list[dict[str, Any]]:
        """A snapshot of what is known of `thread`'s current stop now, without ending the stop."""
        out: list[dict[str, Any]] = []
        with self._lock:
            self._ensure_start(out)
            stop = self._stops.get(thread)
            if stop is None or stop.sample:
                out.append({"kind": "snapshot", "reason": "manual", "frames": [],
                            "thread": {"id": thread, "name": self._threads.get(thread, "")},
                            "note": "asked for while the thread was running: no stack"})
            else:
                rec = self._snapshot_record(stop)
                rec["reason"] = "manual"
                rec["ts"] = time.time()
                out.append(rec)
            self.counts["snapshots"] += 1
        return out

    def note(self, text: str) -> list[dict[str, Any]]:
        """A note record (held until the start record if the session has not started)."""
        out: list[dict[str, Any]] = []
        with self._lock:
            self._emit(out, {"kind": "note", "text": text})
        return out

    @property
    def ended(self) -> bool:
        return self._ended

    def stopped_threads(self) -> list[int]:
        with self._lock:
            return list(self._stops)

    def has_stop(self, thread: int) -> bool:
        with self._lock:
            return thread in self._stops

    # -- what a stop still lacks -------------------------------------------------------------

    def plan(self, thread: int) -> list[Request]:
        """The next batch of requests that would complete this stop's snapshot ([] when done)."""
        with self._lock:
            stop = self._stops.get(thread)
            if stop is None:
                return []
            b = self.bounds
            batch: list[Request] = []
            budget = b.requests - stop.requests

            def ask(key: tuple[str, int], command: str, args: dict[str, Any]) -> None:
                nonlocal budget
                if key in stop.asked or budget <= 0:
                    return
                stop.asked.add(key)
                budget -= 1
                stop.requests += 1
                batch.append((command, args))

            if stop.sample:
                if (self._threads_stale or not self._threads) and ("threads", 0) not in stop.asked:
                    ask(("threads", 0), "threads", {})
                    return batch
                for tid in self._threads or {thread: ""}:
                    ask(("stack", tid), "stackTrace", {"threadId": tid, "startFrame": 0, "levels": b.frames})
                return batch
            if thread not in self._threads or self._threads_stale:
                ask(("threads", 0), "threads", {})
            have = _contiguous(stop.frames)
            want = b.frames if stop.total is None else min(b.frames, stop.total)
            if have < want:
                ask(("stack", have), "stackTrace", {"threadId": thread, "startFrame": have, "levels": want - have})
            if (stop.reason == "exception" and stop.exception is None
                    and self.capabilities.get("supportsExceptionInfoRequest")):
                ask(("exc", 0), "exceptionInfo", {"threadId": thread})
            for ref, node in sorted(stop.refs.items(), key=lambda kv: (kv[1].depth, kv[1].frame)):
                if not node.asked and node.vars is None and node.depth < b.depth and budget > 0:
                    node.asked = True
                    budget -= 1
                    stop.requests += 1
                    # One more than the bound shows that the bound cut something.
                    batch.append(("variables", {"variablesReference": ref, "count": b.items + 1}))
            # lldb-dap's scope references mean "the frame selected by the last scopes request",
            # so with such an adapter frames are read one at a time, each to the end.
            serial = self._frame_relative_scopes
            if serial and batch:
                return batch
            for fid, idx in sorted(stop.frame_index.items(), key=lambda kv: kv[1]):
                # Library frames (debugpy: "subtle") are listed without locals unless on top:
                # the program's own state is what a recording is for, and each costs requests.
                if idx < b.locals_frames and fid not in stop.scopes_done and (idx == 0 or idx not in stop.library):
                    if self.frame_locals and not serial and ("scopes", fid) not in stop.asked:
                        if budget > 0:
                            node = _VarNode(idx, "locals", (), 0, asked=True, frame_ref=True)
                            stop.refs[fid] = node
                            stop.roots.append(node)
                            stop.scopes_done.add(fid)
                            ask(("scopes", fid), "variables", {"variablesReference": fid, "count": b.items + 1})
                        continue
                    ask(("scopes", fid), "scopes", {"frameId": fid})
                    if self.frame_locals is None and idx == 0 and stop.probe is None and fid not in stop.refs:
                        stop.probe = fid
                        ask(("probe", fid), "variables", {"variablesReference": fid, "count": b.items + 1})
                    if serial:
                        break
            return batch

    # -- requests ---------------------------------------------------------------------------

    def _on_request(self, msg: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        command = str(msg.get("command"))
        args = msg.get("arguments") or {}
        self._requests[_int(msg.get("seq"))] = {"command": command, "arguments": args}
        if command == "initialize":
            self._init_args = dict(args)
        elif command in ("launch", "attach"):
            self._launch = (command, dict(args))
        elif command in RESUME_COMMANDS:
            tid = args.get("threadId")
            if command == "continue" and not args.get("singleThread"):
                self._flush_all(out)
            elif isinstance(tid, int) and tid in self._stops:
                self._flush(tid, out)
        elif command == "disconnect" or command == "terminate":
            self._flush_all(out)
        # Note which stop asked what, so plan() does not ask it again.
        for stop in self._stops.values():
            if command == "stackTrace" and args.get("threadId") == stop.thread and not stop.sample:
                stop.asked.add(("stack", _int(args.get("startFrame"))))
            elif command == "scopes" and args.get("frameId") in stop.frame_index:
                stop.asked.add(("scopes", _int(args.get("frameId"))))
            elif command == "variables" and args.get("variablesReference") in stop.refs:
                stop.refs[_int(args.get("variablesReference"))].asked = True

    # -- responses --------------------------------------------------------------------------

    def _on_response(self, req: Mapping[str, Any], body: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        command = req["command"]
        args = req["arguments"]
        if command == "initialize":
            self.capabilities = dict(body)
        elif command in ("launch", "attach"):
            self._ensure_start(out)
        elif command == "setBreakpoints":
            self._on_set_breakpoints(args, body, out)
        elif command == "setFunctionBreakpoints":
            self._on_set_function_breakpoints(args, body, out)
        elif command == "setExceptionBreakpoints":
            self._on_set_exception_breakpoints(args, out)
        elif command == "threads":
            self._threads_stale = False
            for th in body.get("threads") or []:
                self._threads[_int(th.get("id"))] = str(th.get("name", ""))
        elif command == "stackTrace":
            self._on_stack(args, body)
        elif command == "scopes":
            self._on_scopes(args, body)
        elif command == "variables":
            self._on_variables(args, body)
        elif command == "exceptionInfo":
            stop = self._stops.get(_int(args.get("threadId")))
            if stop is not None:
                details = body.get("details") or {}
                stop.exception = {
                    "type": _exception_type(details.get("fullTypeName") or details.get("typeName")
                                            or body.get("exceptionId")),
                    "message": body.get("description") or details.get("message"),
                    "break_mode": body.get("breakMode"),
                }

    def _on_set_breakpoints(self, args: Mapping[str, Any], body: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        source = args.get("source") or {}
        path = str(source.get("path") or source.get("name") or "?")
        asked = list(args.get("breakpoints") or [{"line": ln} for ln in args.get("lines") or []])
        got = list(body.get("breakpoints") or [])
        old = self._bps.get(path, {})
        new: dict[int, dict[str, Any]] = {}
        for i, want in enumerate(asked):
            line = _int(want.get("line"))
            reply = got[i] if i < len(got) and isinstance(got[i], Mapping) else {}
            bp = {
                "bp_id": str(reply["id"]) if reply.get("id") is not None else f"{path}:{line}",
                "location": f"{path}:{line}", "file": path, "line": _int(reply.get("line") or line),
                "condition": want.get("condition"), "enabled": True,
                "verified": bool(reply.get("verified", True)),
                "kind_": "snappoint" if (path, line) in self.snappoints else "breakpoint",
                "hits": old.get(line, {}).get("hits", 0),
            }
            if want.get("logMessage"):
                bp["note"] = "logpoint"
            new[line] = bp
            prev = old.get(line)
            if prev is None:
                self._emit(out, _bp_record("set", bp))
            elif (prev["condition"], prev["verified"], prev["line"]) != (bp["condition"], bp["verified"], bp["line"]):
                self._emit(out, _bp_record("changed", bp))
        for line, prev in old.items():
            if line not in new:
                self._emit(out, _bp_record("removed", prev))
        self._bps[path] = new
        self.counts["breakpoints"] = sum(len(v) for v in self._bps.values())

    def _on_set_exception_breakpoints(self, args: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        names = {str(n) for n in args.get("filters") or []}
        names |= {str(o.get("filterId")) for o in args.get("filterOptions") or [] if isinstance(o, Mapping)}
        for name in sorted(names - self._exc_filters):
            self._emit(out, _bp_record("set", {"bp_id": f"exception:{name}", "location": f"exception:{name}",
                                               "enabled": True, "kind_": "catchpoint"}))
        for name in sorted(self._exc_filters - names):
            self._emit(out, _bp_record("removed", {"bp_id": f"exception:{name}", "location": f"exception:{name}"}))
        self._exc_filters = names

    def _on_set_function_breakpoints(self, args: Mapping[str, Any], body: Mapping[str, Any],
                                     out: list[dict[str, Any]]) -> None:
        got = list(body.get("breakpoints") or [])
        new: dict[str, dict[str, Any]] = {}
        for i, want in enumerate(args.get("breakpoints") or []):
            name = str(want.get("name"))
            reply = got[i] if i < len(got) and isinstance(got[i], Mapping) else {}
            bp = {"bp_id": str(reply["id"]) if reply.get("id") is not None else f"function:{name}",
                  "location": name, "symbol": name, "condition": want.get("condition"), "enabled": True,
                  "verified": bool(reply.get("verified", True)), "kind_": "breakpoint",
                  "hits": self._fbps.get(name, {}).get("hits", 0),
                  "file": (reply.get("source") or {}).get("path"), "line": reply.get("line")}
            new[name] = bp
            if name not in self._fbps:
                self._emit(out, _bp_record("set", bp))
        for name, prev in self._fbps.items():
            if name not in new:
                self._emit(out, _bp_record("removed", prev))
        self._fbps = new

    def _on_stack(self, args: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        tid = _int(args.get("threadId"))
        start = _int(args.get("startFrame"))
        frames = [f for f in body.get("stackFrames") or [] if isinstance(f, Mapping)]
        sample = next((s for s in self._stops.values() if s.sample), None)
        if sample is not None:
            per = sample.thread_frames.setdefault(tid, {})
            for i, f in enumerate(frames):
                per[start + i] = _frame(f)
            return
        stop = self._stops.get(tid)
        if stop is None:
            return
        if body.get("totalFrames") is not None:
            stop.total = _int(body.get("totalFrames"))
        elif len(frames) < _int(args.get("levels")) or not args.get("levels"):
            stop.total = start + len(frames)
        for i, f in enumerate(frames):
            stop.frames[start + i] = _frame(f)
            hint = (f.get("source") or {}).get("presentationHint") if isinstance(f.get("source"), Mapping) else None
            if f.get("presentationHint") in ("subtle", "label") or hint == "deemphasize":
                stop.library.add(start + i)
            if f.get("id") is not None:
                stop.frame_index[_int(f.get("id"))] = start + i

    def _stop_for_frame(self, fid: int) -> _Stop | None:
        return next((s for s in self._stops.values() if fid in s.frame_index), None)

    def _stop_for_ref(self, ref: int) -> _Stop | None:
        return next((s for s in self._stops.values() if ref in s.refs), None)

    def _on_scopes(self, args: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        fid = _int(args.get("frameId"))
        stop = self._stop_for_frame(fid)
        if stop is None:
            return
        stop.scopes_done.add(fid)
        idx = stop.frame_index[fid]
        for scope in body.get("scopes") or []:
            name = str(scope.get("name", "")).lower()
            ref = _int(scope.get("variablesReference"))
            hint = str(scope.get("presentationHint", "")).lower()
            if not ref or scope.get("expensive"):
                continue
            if "arg" in name or hint == "arguments":
                fld = "args"
            elif "local" in name or hint == "locals":
                fld = "locals"
            else:
                continue  # globals, registers, return values: not the frame's own state
            old = stop.refs.get(ref)
            if old is not None and old.depth == 0 and old.frame != idx:
                # The same reference for another frame: references are relative to the frame
                # last asked about. An unread earlier meaning is lost: ask that frame again.
                self._frame_relative_scopes = True
                if old.vars is None:
                    stop.roots.remove(old)
                    for ofid, oidx in stop.frame_index.items():
                        if oidx == old.frame:
                            stop.scopes_done.discard(ofid)
                            stop.asked.discard(("scopes", ofid))
            node = _VarNode(idx, fld, (), 0, announced=_int(scope.get("namedVariables")) + _int(scope.get("indexedVariables")))
            stop.refs[ref] = node
            stop.roots.append(node)

    def _on_variables(self, args: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        ref = _int(args.get("variablesReference"))
        probed = next((s for s in self._stops.values() if s.probe == ref and s.probe_vars is None), None)
        if probed is not None:
            probed.probe_vars = [dict(v) for v in body.get("variables") or [] if isinstance(v, Mapping) and visible(v)]
            self._check_probe(probed)
            return
        stop = self._stop_for_ref(ref)
        if stop is None:
            return
        node = stop.refs[ref]
        if node.vars is not None:
            return  # already read (a client asking again, or a second page we do not merge)
        raw = [v for v in body.get("variables") or [] if isinstance(v, Mapping)]
        for v in raw:  # debugpy's `len()` pseudo-variable is the true size of a cut container
            if v.get("name") == "len()" and str(v.get("value", "")).isdigit():
                node.announced = max(node.announced, int(v["value"]))
        variables = [dict(v) for v in raw if visible(v)]
        node.vars = variables
        if stop.probe is not None and node.depth == 0 and node.frame == 0 and node.field == "locals":
            self._check_probe(stop)
        for v in variables[: self.bounds.items]:
            child = _int(v.get("variablesReference"))
            # debugpy gives one object one reference while stopped, so a cycle shows up as a
            # reference already known: keep its first place, _tree marks the loop.
            if child and child not in stop.refs and expandable(v):
                stop.refs[child] = _VarNode(
                    node.frame, node.field, (*node.path, str(v.get("name"))), node.depth + 1,
                    announced=_int(v.get("indexedVariables")) + _int(v.get("namedVariables")))

    def _on_variables_failed(self, args: Mapping[str, Any]) -> None:
        """A refused frame reference: read that frame through its scopes, and every frame after."""
        ref = _int(args.get("variablesReference"))
        stop = self._stop_for_ref(ref)
        node = stop.refs.get(ref) if stop is not None else None
        if stop is None or node is None or not node.frame_ref:
            if any(s.probe == ref for s in self._stops.values()) and self.frame_locals is None:
                self.frame_locals = False
            return
        log.info("the adapter refused a frame id as a variables reference; reading scopes instead")
        self.frame_locals = False
        del stop.refs[ref]
        stop.roots.remove(node)
        stop.scopes_done.discard(ref)
        stop.asked.discard(("scopes", ref))

    def _check_probe(self, stop: _Stop) -> None:
        """Frame references are used once frame 0's locals read the same both ways."""
        if self.frame_locals is not None or stop.probe_vars is None:
            return
        root = next((n for n in stop.roots if n.depth == 0 and n.frame == 0 and n.field == "locals"), None)
        if root is None or root.vars is None:
            return

        def shape(variables: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            return [(v.get("name"), v.get("value"), v.get("type"), bool(v.get("variablesReference")))
                    for v in variables]

        self.frame_locals = shape(stop.probe_vars) == shape(root.vars)
        log.debug("frame references %s as locals", "read" if self.frame_locals else "do not read")

    # -- events -----------------------------------------------------------------------------

    def _on_event(self, event: str, body: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        if event == "stopped":
            self._on_stopped(body, out)
        elif event == "continued":
            if body.get("allThreadsContinued", True):
                self._flush_all(out)
            else:
                self._flush(_int(body.get("threadId")), out)
        elif event == "thread":
            tid = _int(body.get("threadId"))
            if body.get("reason") == "exited":
                self._threads.pop(tid, None)
            elif tid not in self._threads:
                self._threads_stale = True
        elif event == "process":
            if body.get("systemProcessId") is not None:
                self._pid = _int(body.get("systemProcessId"))
            self.start_extra.setdefault("process_name", body.get("name"))
            self._ensure_start(out)
        elif event == "breakpoint":
            self._on_breakpoint_event(body, out)
        elif event == "exited":
            self._exit_code = _int(body.get("exitCode"))
        elif event == "terminated":
            self._flush_all(out)
            if self.end_on_terminated:
                self._end("exited" if self._exit_code is not None else "stopped", self._exit_code, out)

    def _on_stopped(self, body: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        self._ensure_start(out)
        tid = _int(body.get("threadId"))
        if tid in self._stops:
            self._flush(tid, out)
        raw_reason = str(body.get("reason", ""))
        if raw_reason == "pause" and self.pause_is_sample:
            for other in [s for s in self._stops.values() if s.sample]:
                self._flush(other.thread, out)
            self._stops[tid] = _Stop(tid, "sample", self._now or time.time(), sample=True)
            return
        reason = _REASONS.get(raw_reason, "manual")
        bp_ids = [str(b) for b in body.get("hitBreakpointIds") or []]
        if reason == "breakpoint" and bp_ids and all(self._bp_kind(b) == "snappoint" for b in bp_ids):
            reason = "snappoint"
        for b in bp_ids:
            self._count_hit(b)
        self._stops[tid] = _Stop(tid, reason, self._now or time.time(), bp_ids=bp_ids,
                                 text=body.get("text"), description=body.get("description"))

    def _on_breakpoint_event(self, body: Mapping[str, Any], out: list[dict[str, Any]]) -> None:
        reply = body.get("breakpoint") or {}
        bid = reply.get("id")
        if bid is None:
            return
        for per in self._bps.values():
            for line, bp in per.items():
                if bp["bp_id"] == str(bid):
                    changed = dict(bp, verified=bool(reply.get("verified", bp["verified"])),
                                   line=_int(reply.get("line") or bp["line"]))
                    if body.get("reason") == "removed":
                        self._emit(out, _bp_record("removed", bp))
                        del per[line]
                    elif (changed["verified"], changed["line"]) != (bp["verified"], bp["line"]):
                        per[line] = changed
                        self._emit(out, _bp_record("changed", changed))
                    return

    def _all_bps(self) -> Iterator[dict[str, Any]]:
        """Every source and function breakpoint set now."""
        for per in self._bps.values():
            yield from per.values()
        yield from self._fbps.values()

    def _bp_kind(self, bp_id: str) -> str | None:
        for bp in self._all_bps():
            if bp["bp_id"] == bp_id:
                return str(bp["kind_"])
        return None

    def _count_hit(self, bp_id: str) -> None:
        for bp in self._all_bps():
            if bp["bp_id"] == bp_id:
                bp["hits"] += 1

    # -- output -----------------------------------------------------------------------------

    def _emit(self, out: list[dict[str, Any]], record: dict[str, Any]) -> None:
        if self._started:
            out.append(record)
        else:
            self._held.append(record)

    def _ensure_start(self, out: list[dict[str, Any]]) -> None:
        if self._started:
            return
        self._started = True
        out.append(self._start_record())
        out.extend(self._held)
        self._held.clear()

    def _start_record(self) -> dict[str, Any]:
        command, args = self._launch or ("launch", {})
        program = args.get("program") or (f"-m {args['module']}" if args.get("module") else None)
        argv = args.get("args")
        if isinstance(argv, str):
            argv = [argv]
        env = args.get("env")
        if isinstance(env, list):  # lldb-dap takes ["K=V", ...]
            env = dict(str(e).partition("=")[::2] for e in env)
        meta = {
            "adapter": self._init_args.get("adapterID"),
            "client": self._init_args.get("clientName") or self._init_args.get("clientID"),
            "request": command,
            **self.start_extra,
        }
        rec: dict[str, Any] = {
            "kind": "start", "tool": self.tool, "program": program,
            "argv": [str(program)] + [str(a) for a in argv or []] if program else argv,
            "cwd": args.get("cwd"), "env": env, "pid": self._pid or args.get("processId"),
            "meta": {k: v for k, v in meta.items() if v is not None},
        }
        if self.name:
            rec["name"] = self.name
        if self.session_id:
            rec["session"] = self.session_id
        return {k: v for k, v in rec.items() if v is not None}

    def _end(self, reason: str, exit_code: int | None, out: list[dict[str, Any]]) -> None:
        self._ensure_start(out)
        # Adapters do not report hit counts; ours are counted from the stops. Like gdb and lldb,
        # the counts go out once, at the end, not as an event per hit.
        for bp in self._all_bps():
            if bp["hits"] != bp.get("hits_sent", 0):
                bp["hits_sent"] = bp["hits"]
                out.append(_bp_record("changed", bp))
        rec: dict[str, Any] = {"kind": "end", "reason": reason}
        if exit_code is not None:
            rec["exit_code"] = exit_code
        out.append(rec)
        self._ended = True

    def _flush_all(self, out: list[dict[str, Any]]) -> None:
        for tid in list(self._stops):
            self._flush(tid, out)

    def _flush(self, tid: int, out: list[dict[str, Any]]) -> None:
        stop = self._stops.pop(tid, None)
        if stop is None:
            return
        if stop.probe is not None and self.frame_locals is None:
            self._probes += 1  # nothing to compare (no locals scope, a reply missing)
            if self._probes >= 3:
                self.frame_locals = False
        self._ensure_start(out)
        if stop.sample:
            rec = self._sample_record(stop)
            if rec is not None:
                self.counts["samples"] += 1
                out.append(rec)
            return
        out.append(self._snapshot_record(stop))
        self.counts["snapshots"] += 1

    def _sample_record(self, stop: _Stop) -> dict[str, Any] | None:
        threads = []
        for tid, per in sorted(stop.thread_frames.items()):
            frames = [per[i] for i in range(_contiguous(per))]
            threads.append({"id": tid, "name": self._threads.get(tid, ""), "frames": frames})
        if not threads:
            return None
        return {"kind": "sample", "ts": stop.ts, "threads": threads}

    def _snapshot_record(self, stop: _Stop) -> dict[str, Any]:
        b = self.bounds
        truncation: list[dict[str, Any]] = []
        n = min(_contiguous(stop.frames), b.frames)
        frames = [dict(stop.frames[i]) for i in range(n)]
        total = stop.total if stop.total is not None else n
        if total > n:
            truncation.append({"path": "frames", "why": "frames", "kept": n, "total": total})
        for node in stop.roots:
            if node.frame >= n:
                continue
            types: dict[str, str] = {}
            value = self._tree(stop, node, f"frames[{node.frame}].{node.field}", truncation, types, ())
            if isinstance(value, dict):
                frames[node.frame].setdefault(node.field, {}).update(value)
                frames[node.frame].setdefault("types", {}).update(types)
        rec: dict[str, Any] = {
            "kind": "snapshot", "ts": stop.ts, "reason": stop.reason,
            "thread": {"id": stop.thread, "name": self._threads.get(stop.thread, "")},
            "frames": frames,
        }
        if stop.bp_ids:
            rec["bp_id"] = stop.bp_ids[0]
        if stop.reason == "exception":
            rec["exception"] = stop.exception or {"type": stop.text, "message": stop.description}
        elif stop.description and stop.description != stop.reason:
            rec["note"] = stop.description
        if truncation:
            rec["truncation"] = truncation
        return rec

    def _tree(self, stop: _Stop, node: _VarNode, path: str, truncation: list[dict[str, Any]],
              types: dict[str, str] | None, ancestors: tuple[int, ...]) -> Any:
        """The fetched variables under `node` as a dict (or a list when the names are indices)."""
        b = self.bounds
        variables = node.vars
        if not variables:  # not fetched, or nothing visible inside (bytes): the text says more
            return None
        kept = variables[: b.items]
        total = len(variables)
        values: dict[str, Any] = {}
        for v in kept:
            name = _key(str(v.get("name")))
            child = _int(v.get("variablesReference"))
            if child and child in ancestors:
                values[name] = {"$cycle": f"{path}"}
                continue
            sub_node = stop.refs.get(child) if child else None
            sub = (self._tree(stop, sub_node, f"{path}.{name}", truncation, None, (*ancestors, child))
                   if sub_node is not None and sub_node.depth > node.depth and len(ancestors) <= b.depth else None)
            if sub is not None:
                values[name] = sub
            else:
                text, orig = cut_text(str(v.get("value", "")), b.value_chars)
                if orig is not None:
                    truncation.append({"path": f"{path}.{name}", "why": "chars", "kept": b.value_chars, "total": orig})
                values[name] = scalar(text, v.get("type"))
                if child and child in stop.refs and stop.refs[child].depth >= b.depth:
                    truncation.append({"path": f"{path}.{name}", "why": "depth", "kept": b.depth})
            if types is not None and v.get("type"):
                types[name] = str(v["type"])
        total = max(total, node.announced)
        if total > len(kept):
            truncation.append({"path": path, "why": "items", "kept": len(kept), "total": total})
        if is_index_list(list(values)):
            return list(values.values())
        return values


def _exception_type(text: Any) -> str | None:
    """debugpy appends '   (note: full exception trace is shown but ...)' to the type name."""
    if text is None:
        return None
    return re.split(r"\s{2,}|\s+\(note:", str(text), maxsplit=1)[0].strip()


def _key(name: str) -> str:
    """debugpy names dict entries by the key's repr: 'name' reads better as name."""
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"" and name[0] not in name[1:-1]:
        return name[1:-1]
    return name


def _frame(f: Mapping[str, Any]) -> dict[str, Any]:
    source = f.get("source") or {}
    out: dict[str, Any] = {"symbol": f.get("name"), "file": source.get("path") or source.get("name"),
                           "line": f.get("line")}
    if f.get("moduleId") is not None:
        out["module"] = str(f.get("moduleId"))
    if f.get("instructionPointerReference"):
        out["address"] = f.get("instructionPointerReference")
    return {k: v for k, v in out.items() if v is not None}


def _contiguous(frames: Mapping[int, Any]) -> int:
    n = 0
    while n in frames:
        n += 1
    return n


def _bp_record(action: str, bp: Mapping[str, Any]) -> dict[str, Any]:
    rec = {"kind": "breakpoint", "action": action}
    for key in ("bp_id", "location", "file", "line", "condition", "hits", "symbol", "enabled"):
        if bp.get(key) is not None:
            rec[key] = bp[key]
    rec["kind"] = "breakpoint"  # the record kind; the breakpoint's own kind goes below
    rec["bp_kind"] = bp.get("kind_", "breakpoint")
    return rec


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
