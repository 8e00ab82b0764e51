"""lldb's side of the `tape` recorder: the common `Backend` over the SB API (runs inside lldb).

Shared by the in-lldb commands and the headless driver; the `lldb` module is passed in so this
file imports only the standard library and debugtape's light modules.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from debugtape.adapters.common.snapshot import FrameView
from debugtape.adapters.common.values import ValueAccess
from debugtape.adapters.lldb.reader import FrameCache, SBValueAccess, frames_of, read_thread

__all__ = ["LldbBackend", "stop_reason", "SNAPPOINT_CALLBACK", "parse_location"]

# The function lldb calls when a snappoint is hit (commands.py defines it; it returns False).
SNAPPOINT_CALLBACK = "debugtape.adapters.lldb.commands.snappoint_callback"


def parse_location(location: str) -> tuple[str, Any]:
    """'main.c:12' -> ('line', ('main.c', 12)); '0x401136' -> ('address', n); else ('name', s)."""
    text = location.strip()
    if text.lower().startswith("0x"):
        try:
            return "address", int(text, 16)
        except ValueError:
            pass
    head, sep, tail = text.rpartition(":")
    if sep and tail.strip().isdigit() and head:
        return "line", (head, int(tail))
    return "name", text


class LldbBackend:
    """`debugtape.adapters.common.recorder.Backend` for one lldb debugger."""

    tool = "lldb"

    def __init__(self, lldb: Any, debugger: Any) -> None:
        self.lldb = lldb
        self.debugger = debugger
        self.frame_cache = FrameCache(lldb)  # frame descriptions by pc, for the session
        # kept for the session: it caches types; read-only memory comes from the modules' files
        self.access: ValueAccess[Any] = SBValueAccess(lldb, files=self.frame_cache)
        self._thread: Any = None  # the thread a stop hook or snappoint is about, when not selected
        self.snappoint_ids: set[str] = set()

    # -- where we are ----------------------------------------------------------------------------

    def target(self) -> Any:
        return self.debugger.GetSelectedTarget()

    def process(self) -> Any:
        target = self.target()
        return target.GetProcess() if target.IsValid() else None

    @contextmanager
    def focus(self, thread: Any) -> Iterator[None]:
        """Read `thread` rather than the selected one (a snappoint hit on another thread)."""
        previous, self._thread = self._thread, thread
        try:
            yield
        finally:
            self._thread = previous

    def _current(self) -> Any:
        if self._thread is not None and self._thread.IsValid():
            return self._thread
        process = self.process()
        if process is None or not process.IsValid():
            return None
        return process.GetSelectedThread()

    # -- Backend ---------------------------------------------------------------------------------

    def process_info(self) -> dict[str, Any]:
        target = self.target()
        if not target.IsValid():
            return {"program": None, "argv": None, "cwd": os.getcwd(), "pid": None}
        exe = target.GetExecutable()
        program = exe.fullpath if exe.IsValid() else None
        info = target.GetLaunchInfo()
        argv = [program or ""] + [info.GetArgumentAtIndex(i) for i in range(info.GetNumArguments())]
        process = target.GetProcess()
        pid = process.GetProcessID() if process.IsValid() and process.GetProcessID() else None
        return {"program": program, "argv": argv, "cwd": info.GetWorkingDirectory() or os.getcwd(), "pid": pid}

    def current_thread(self) -> dict[str, Any] | None:
        thread = self._current()
        return read_thread(thread) if thread is not None and thread.IsValid() else None

    def frames(self) -> Iterable[FrameView[Any]]:
        thread = self._current()
        if thread is None or not thread.IsValid():
            return []
        # `up` / `frame select` move where a manual snapshot starts, as in gdb.
        start = 0 if self._thread is not None else thread.GetSelectedFrame().GetFrameID()
        return frames_of(self.lldb, thread, start, self.frame_cache)

    def threads(self) -> Iterable[tuple[dict[str, Any], Iterable[FrameView[Any]]]]:
        process = self.process()
        if process is None or not process.IsValid():
            return []
        return [(read_thread(t), frames_of(self.lldb, t, cache=self.frame_cache)) for t in process]

    def breakpoints(self) -> list[dict[str, Any]]:
        target = self.target()
        if not target.IsValid():
            return []
        out = [self.breakpoint_fields(bp) for bp in target.breakpoint_iter()]
        out += [self._watchpoint_fields(wp) for wp in target.watchpoint_iter()]
        return out

    def breakpoint_fields(self, bp: Any) -> dict[str, Any]:
        bp_id = str(bp.GetID())
        fields: dict[str, Any] = {
            "bp_id": bp_id, "location": None, "file": None, "line": None,
            "condition": bp.GetCondition() or None, "hits": bp.GetHitCount(), "symbol": None,
            "enabled": bool(bp.IsEnabled()),
            "bp_kind": "snappoint" if bp_id in self.snappoint_ids else "breakpoint",
        }
        if bp.GetNumLocations():
            address = bp.GetLocationAtIndex(0).GetAddress()
            entry = address.GetLineEntry()
            spec = entry.GetFileSpec()
            function = address.GetFunction()
            fields["symbol"] = function.GetName() if function.IsValid() else address.GetSymbol().GetName()
            if spec.IsValid() and entry.GetLine():
                fields["file"] = spec.fullpath
                fields["line"] = entry.GetLine()
                fields["location"] = f"{spec.basename}:{entry.GetLine()}"
            else:
                fields["location"] = fields["symbol"] or f"{address.GetLoadAddress(self.target()):#x}"
        else:
            names = self.lldb.SBStringList()
            bp.GetNames(names)
            fields["location"] = "pending"
            fields["pending"] = True
        return fields

    def _watchpoint_fields(self, wp: Any) -> dict[str, Any]:
        spec = wp.GetWatchSpec() if hasattr(wp, "GetWatchSpec") else None
        return {
            "bp_id": f"w{wp.GetID()}", "location": spec or f"{wp.GetWatchAddress():#x}", "file": None,
            "line": None, "condition": wp.GetCondition() or None, "hits": wp.GetHitCount(),
            "symbol": None, "enabled": bool(wp.IsEnabled()), "bp_kind": "watchpoint",
        }

    def create_breakpoint(self, location: str, condition: str | None = None) -> Any:
        """An SBBreakpoint at FILE:LINE, a function name or an address (raises ValueError)."""
        target = self.target()
        if not target.IsValid():
            raise ValueError("no target: load a program first (`file PROGRAM`)")
        how, where = parse_location(location)
        if how == "line":
            bp = target.BreakpointCreateByLocation(where[0], where[1])
        elif how == "address":
            bp = target.BreakpointCreateByAddress(where)
        else:
            bp = target.BreakpointCreateByName(where)
        if not bp.IsValid():
            raise ValueError(f"lldb cannot set a breakpoint at {location!r}")
        if condition:
            bp.SetCondition(condition)
        return bp

    def add_snappoint(self, location: str, condition: str | None) -> dict[str, Any]:
        bp = self.create_breakpoint(location, condition)
        error = bp.SetScriptCallbackFunction(SNAPPOINT_CALLBACK)
        if error is not None and hasattr(error, "Fail") and error.Fail():
            self.target().BreakpointDelete(bp.GetID())
            raise ValueError(f"lldb refused the snappoint callback: {error.GetCString()}")
        self.snappoint_ids.add(str(bp.GetID()))
        return self.breakpoint_fields(bp)

    def execute(self, command: str) -> str:
        result = self.lldb.SBCommandReturnObject()
        self.debugger.GetCommandInterpreter().HandleCommand(command, result)
        text = (result.GetOutput() or "") + (result.GetError() or "")
        if not result.Succeeded():
            raise ValueError(text.strip() or f"lldb could not run {command!r}")
        return text


def stop_reason(lldb: Any, thread: Any) -> tuple[str | None, dict[str, Any]]:
    """(snapshot reason, extra record fields) for why `thread` stopped; (None, {}) for no reason."""
    reason = thread.GetStopReason()
    if reason == lldb.eStopReasonBreakpoint:
        return "breakpoint", {"bp_id": str(thread.GetStopReasonDataAtIndex(0))}
    if reason == lldb.eStopReasonWatchpoint:
        return "watchpoint", {"bp_id": f"w{thread.GetStopReasonDataAtIndex(0)}"}
    if reason in (lldb.eStopReasonPlanComplete, lldb.eStopReasonTrace):
        return "step", {}
    if reason == lldb.eStopReasonSignal:
        signo = thread.GetStopReasonDataAtIndex(0)
        name = thread.GetProcess().GetUnixSignals().GetSignalAsCString(signo) or f"SIG{signo}"
        return "signal", {"signal_name": name, "signo": signo}
    if reason == lldb.eStopReasonException:
        return "crash", {"exception": {"type": "exception", "message": thread.GetStopDescription(256)}}
    if reason == lldb.eStopReasonExec:
        return "entry", {}
    if reason == lldb.eStopReasonNone or reason == lldb.eStopReasonInvalid:
        return None, {}
    return "pause", {}
