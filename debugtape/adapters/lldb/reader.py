"""Read threads, frames and values through lldb's SB API into raw-record JSON (runs inside lldb).

The `lldb` module is passed in by the caller (inside lldb it is already imported; headless it comes
from `locate.import_lldb`), so this file imports only the standard library and debugtape's light
modules. `SBValueAccess` describes SBValues to the debugger-neutral walker in
`debugtape.adapters.common.values`, which applies every bound and records every cut.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from debugtape.adapters.common.values import Bounds, Capture, Shape, capture_value

__all__ = ["SBValueAccess", "read_snapshot_frames", "read_sample_threads", "read_thread", "snapshot_capture"]

log = logging.getLogger(__name__)

INVALID_LINE = 0xFFFFFFFF
PAGE = 4096

# lldb reports values the compiler dropped as read errors with these words; gdb says <optimized out>.
_OPTIMIZED_OUT = ("optimized out", "not available", "DW_OP_entry_value", "no location")


class _Fields(Sequence[tuple[str, Any]]):
    """A struct's members, fetched from lldb only when the walker asks for them."""

    def __init__(self, value: Any) -> None:
        self._value = value
        self._n = value.GetNumChildren()

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> tuple[str, Any]:  # type: ignore[override]
        if not 0 <= i < self._n:
            raise IndexError(i)
        child = self._value.GetChildAtIndex(i)
        return child.GetName() or f"[{i}]", child

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for i in range(self._n):
            yield self[i]


class SBValueAccess:
    """Describes an lldb.SBValue as one of the walker's shapes (see common/values.py)."""

    def __init__(self, lldb: Any, process: Any) -> None:
        self.lldb = lldb
        self.process = process
        L = lldb  # noqa: N806 - short alias for the constant tables below
        self._ints = frozenset(getattr(L, "eBasicType" + n) for n in (
            "Short", "UnsignedShort", "Int", "UnsignedInt", "Long", "UnsignedLong", "LongLong",
            "UnsignedLongLong", "Int128", "UnsignedInt128", "WChar", "SignedWChar",
            "UnsignedWChar", "Char16", "Char32"))
        self._char_types = frozenset((L.eBasicTypeChar, L.eBasicTypeSignedChar, L.eBasicTypeUnsignedChar))
        self._floats = frozenset((L.eBasicTypeFloat, L.eBasicTypeDouble, L.eBasicTypeLongDouble))
        self._records = frozenset((L.eTypeClassStruct, L.eTypeClassClass, L.eTypeClassUnion))

    def _is_char(self, sbtype: Any) -> bool:
        return sbtype.GetCanonicalType().GetUnqualifiedType().GetBasicType() in self._char_types

    def inspect(self, value: Any) -> Shape:
        L = self.lldb  # noqa: N806
        err = value.GetError()
        if err.Fail():
            message = err.GetCString() or "unreadable"
            if any(word in message for word in _OPTIMIZED_OUT):
                return ("optimized_out",)
            return ("error", message)
        sbtype = value.GetType().GetCanonicalType()
        tclass = sbtype.GetTypeClass()
        if tclass == L.eTypeClassBuiltin:
            return self._scalar(value, sbtype)
        if tclass in (L.eTypeClassPointer, L.eTypeClassReference):
            return self._pointer(value, sbtype)
        if tclass == L.eTypeClassArray:
            element = sbtype.GetArrayElementType()
            if self._is_char(element):
                return self._chars(value)
            return ("array", _address(L, value), value.GetTypeName(), value.GetNumChildren(),
                    value.GetChildAtIndex)
        if tclass in self._records:
            if value.GetNumChildren() == 0 and value.GetSummary() is not None:
                return ("scalar", value.GetSummary())  # e.g. a formatter's summary
            return ("struct", _address(L, value), value.GetTypeName(), _Fields(value))
        text = value.GetValue()  # enums print their name
        return ("scalar", text if text is not None else (value.GetSummary() or ""))

    def _scalar(self, value: Any, sbtype: Any) -> Shape:
        L = self.lldb  # noqa: N806
        basic = sbtype.GetBasicType()
        if basic == L.eBasicTypeBool:
            return ("scalar", value.GetValueAsUnsigned(0) != 0)
        if basic in self._ints:
            signed = sbtype.GetTypeFlags() & L.eTypeIsSigned
            return ("scalar", value.GetValueAsSigned(0) if signed else value.GetValueAsUnsigned(0))
        if basic in self._char_types:
            # gdb's form, `113 'q'`, so the same program reads the same in both debuggers
            signed = basic != L.eBasicTypeUnsignedChar and sbtype.GetTypeFlags() & L.eTypeIsSigned
            number = value.GetValueAsSigned(0) if signed else value.GetValueAsUnsigned(0)
            return ("scalar", f"{number} {value.GetValue()}")
        text = value.GetValue()
        if basic in self._floats and text is not None:
            try:
                number = float(text)
            except ValueError:
                return ("scalar", text)
            if number == number and abs(number) != float("inf"):
                return ("scalar", number)
        return ("scalar", text if text is not None else "")

    def _pointer(self, value: Any, sbtype: Any) -> Shape:
        L = self.lldb  # noqa: N806
        address = value.GetValueAsUnsigned(0)
        pointee = sbtype.GetPointeeType() if sbtype.IsPointerType() else sbtype.GetDereferencedType()
        if address and self._is_char(pointee):
            return ("cstring", address, lambda n: self._read_cstring(address, n))
        pclass = pointee.GetCanonicalType().GetTypeClass()
        text = f"{address:#x}"
        if address and pclass in self._records:
            return ("pointer", address, text, value.Dereference)
        if address and pclass == L.eTypeClassFunction:
            symbol = value.GetTarget().ResolveLoadAddress(address).GetSymbol().GetName()
            if symbol:
                text = f"{text} <{symbol}>"
        return ("pointer", address, text, None)

    def _read_cstring(self, address: int, limit: int) -> bytes:
        # Read page by page: a string that ends just before an unmapped page must still read.
        error = self.lldb.SBError()
        out = b""
        while len(out) < limit:
            at = address + len(out)
            chunk = min(limit - len(out), PAGE - at % PAGE)
            data = self.process.ReadMemory(at, chunk, error)
            if error.Fail() or not data:
                if not out:
                    raise RuntimeError(f"cannot read memory at {at:#x}")
                break
            nul = data.find(b"\0")
            if nul >= 0:
                return out + data[:nul]
            out += data
        return out

    def _chars(self, value: Any) -> Shape:
        error = self.lldb.SBError()
        size = value.GetByteSize()
        data = value.GetData().ReadRawData(error, 0, size) if size else b""
        if error.Fail() or data is None:
            return ("error", error.GetCString() or "cannot read the array")
        nul = data.find(b"\0")
        return ("chars", data if nul < 0 else data[:nul], len(data))


def _address(lldb: Any, value: Any) -> int | None:
    address = value.GetLoadAddress()
    return None if address == lldb.LLDB_INVALID_ADDRESS else address


def _frame_place(frame: Any) -> dict[str, Any]:
    entry = frame.GetLineEntry()
    spec = entry.GetFileSpec()
    line = entry.GetLine()
    module = frame.GetModule().GetFileSpec()
    return {
        "symbol": frame.GetFunctionName() or frame.GetSymbol().GetName(),
        "file": spec.fullpath if spec.IsValid() else None,
        "line": line if line and line != INVALID_LINE else None,
        "module": module.fullpath if module.IsValid() else None,
    }


def _frame_values(access: SBValueAccess, cap: Capture, frame: Any, index: int, out: dict[str, Any]) -> None:
    args: dict[str, Any] = {}
    local: dict[str, Any] = {}
    types: dict[str, str] = {}
    is_argument = access.lldb.eValueTypeVariableArgument
    variables = frame.GetVariables(True, True, False, True)
    for i in range(variables.GetSize()):
        var = variables.GetValueAtIndex(i)
        name = var.GetName() or f"${i}"
        is_arg = var.GetValueType() == is_argument
        where = args if is_arg else local
        if name in where:  # a shadowed local from an outer block: keep the innermost (listed first)
            continue
        section = "args" if is_arg else "locals"
        where[name] = capture_value(access, var, cap, f"frames[{index}].{section}.{name}")
        types[name] = var.GetDisplayTypeName() or var.GetTypeName() or "?"
    out["args"] = args
    out["locals"] = local
    out["types"] = types


def read_snapshot_frames(access: SBValueAccess, cap: Capture, thread: Any) -> list[dict[str, Any]]:
    """The thread's frames (bounded), with args, locals and types in the top `locals_frames`."""
    limit = cap.bounds.frames
    if thread.GetFrameAtIndex(limit).IsValid():  # count a deep stack only when it is cut
        cap.cut("frames", "frames", kept=limit, total=thread.GetNumFrames())
    frames: list[dict[str, Any]] = []
    for i in range(limit):
        frame = thread.GetFrameAtIndex(i)
        if not frame.IsValid():
            break
        out: dict[str, Any] = {"index": i, **_frame_place(frame), "address": f"{frame.GetPC():#x}"}
        if frame.IsInlined():
            out["inlined"] = True
        if i < cap.bounds.locals_frames:
            if cap.full:
                cap.cut(f"frames[{i}].locals", "size", kept=0)
            else:
                _frame_values(access, cap, frame, i, out)
        frames.append(out)
    return frames


def snapshot_capture(bounds: Bounds | None = None) -> Capture:
    """A fresh capture state for one snapshot."""
    return Capture(bounds)


def read_thread(thread: Any) -> dict[str, Any]:
    """The id and name of a thread as records carry them."""
    out: dict[str, Any] = {"id": thread.GetIndexID(), "tid": thread.GetThreadID()}
    name = thread.GetName()
    if name:
        out["name"] = name
    return out


def read_sample_threads(process: Any, max_frames: int = 20) -> list[dict[str, Any]]:
    """Every thread's stack, places only (no values): what a `sample` record carries."""
    threads = []
    for thread in process:
        frames = []
        for i in range(max_frames):
            frame = thread.GetFrameAtIndex(i)
            if not frame.IsValid():
                break
            frames.append(_frame_place(frame))
        threads.append({**read_thread(thread), "frames": frames})
    return threads
