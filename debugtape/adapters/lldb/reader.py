"""Read threads, frames and values through lldb's SB API into raw-record JSON (runs inside lldb).

The `lldb` module is passed in by the caller (inside lldb it is already imported; headless it comes
from `locate.import_lldb`), so this file imports only the standard library and debugtape's light
modules. `SBValueAccess` describes SBValues to the debugger-neutral walker in
`debugtape.adapters.common.values`, which applies every bound and records every cut.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

from debugtape.adapters.common.snapshot import build_snapshot, stack_of
from debugtape.adapters.common.values import Bounds, Shape

__all__ = [
    "SBValueAccess", "SBFrameView", "describe_frame", "frames_of", "read_thread", "snapshot_record",
    "sample_record",
]

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

    def __init__(self, lldb: Any) -> None:
        self.lldb = lldb
        L = lldb  # noqa: N806 - short alias for the constant tables below
        self._ints = frozenset(getattr(L, "eBasicType" + n) for n in (
            "Short", "UnsignedShort", "Int", "UnsignedInt", "Long", "UnsignedLong", "LongLong",
            "UnsignedLongLong", "Int128", "UnsignedInt128", "WChar", "SignedWChar",
            "UnsignedWChar", "Char16", "Char32"))
        self._char_types = frozenset((L.eBasicTypeChar, L.eBasicTypeSignedChar, L.eBasicTypeUnsignedChar))
        self._floats = frozenset((L.eBasicTypeFloat, L.eBasicTypeDouble, L.eBasicTypeLongDouble))
        self._records = frozenset((L.eTypeClassStruct, L.eTypeClassClass, L.eTypeClassUnion))

        self._kinds: dict[str, tuple[str, Any]] = {}  # type name -> (kind, canonical SBType)
        self._pointees: dict[int, str] = {}  # id of a cached pointer SBType -> what it points to

    def _is_char(self, sbtype: Any) -> bool:
        return sbtype.GetCanonicalType().GetUnqualifiedType().GetBasicType() in self._char_types

    def _kind(self, value: Any) -> tuple[str, Any]:
        """What to do with values of this type, worked out once per type name: a snapshot reads
        the same few types again and again, and each SB API call costs microseconds."""
        name = value.GetTypeName() or ""
        known = self._kinds.get(name)
        if known is not None:
            return known
        L = self.lldb  # noqa: N806
        sbtype = value.GetType().GetCanonicalType()
        tclass = sbtype.GetTypeClass()
        kind = "other"
        if tclass == L.eTypeClassBuiltin:
            basic = sbtype.GetBasicType()
            signed = bool(sbtype.GetTypeFlags() & L.eTypeIsSigned)
            if basic == L.eBasicTypeBool:
                kind = "bool"
            elif basic in self._ints:
                kind = "int" if signed else "uint"
            elif basic in self._char_types:
                kind = "char" if signed and basic != L.eBasicTypeUnsignedChar else "uchar"
            elif basic in self._floats:
                kind = "float"
            else:
                kind = "text"
        elif tclass in (L.eTypeClassPointer, L.eTypeClassReference):
            kind = "pointer"
        elif tclass == L.eTypeClassArray:
            kind = "chars" if self._is_char(sbtype.GetArrayElementType()) else "array"
        elif tclass in self._records:
            kind = "record"
        if name:
            self._kinds[name] = (kind, sbtype)
        return kind, sbtype

    def inspect(self, value: Any) -> Shape:
        L = self.lldb  # noqa: N806
        err = value.GetError()
        if err.Fail():
            message = err.GetCString() or "unreadable"
            if any(word in message for word in _OPTIMIZED_OUT):
                return ("optimized_out",)
            return ("error", message)
        kind, sbtype = self._kind(value)
        if kind == "int":
            return ("scalar", value.GetValueAsSigned(0))
        if kind == "uint":
            return ("scalar", value.GetValueAsUnsigned(0))
        if kind == "pointer":
            return self._pointer(value, sbtype)
        if kind == "record":
            if value.GetNumChildren() == 0 and value.GetSummary() is not None:
                return ("scalar", value.GetSummary())  # e.g. a formatter's summary
            return ("struct", _address(L, value), value.GetTypeName(), _Fields(value))
        if kind == "array":
            return ("array", _address(L, value), value.GetTypeName(), value.GetNumChildren(),
                    value.GetChildAtIndex)
        if kind == "chars":
            return self._chars(value)
        if kind == "bool":
            return ("scalar", value.GetValueAsUnsigned(0) != 0)
        if kind in ("char", "uchar"):
            # gdb's form, `113 'q'`, so the same program reads the same in both debuggers
            number = value.GetValueAsSigned(0) if kind == "char" else value.GetValueAsUnsigned(0)
            return ("scalar", f"{number} {value.GetValue()}")
        text = value.GetValue()  # floats, enums (their name), vectors
        if kind == "float" and text is not None:
            try:
                number = float(text)
            except ValueError:
                return ("scalar", text)
            if number == number and abs(number) != float("inf"):
                return ("scalar", number)
        if text is None:
            text = value.GetSummary() or ""
        return ("scalar", text)

    def _pointer(self, value: Any, sbtype: Any) -> Shape:
        address = value.GetValueAsUnsigned(0)
        target = self._pointees.get(id(sbtype))
        if target is None:
            target = self._pointees[id(sbtype)] = self._pointee_kind(sbtype)
        if address and target == "char":
            process = value.GetProcess()
            return ("cstring", address, lambda n: self._read_cstring(process, address, n))
        text = f"{address:#x}"
        if address and target == "record":
            return ("pointer", address, text, value.Dereference)
        if address and target == "function":
            symbol = value.GetTarget().ResolveLoadAddress(address).GetSymbol().GetName()
            if symbol:
                text = f"{text} <{symbol}>"
        return ("pointer", address, text, None)

    def _pointee_kind(self, sbtype: Any) -> str:
        L = self.lldb  # noqa: N806
        pointee = sbtype.GetPointeeType() if sbtype.IsPointerType() else sbtype.GetDereferencedType()
        if self._is_char(pointee):
            return "char"
        pclass = pointee.GetCanonicalType().GetTypeClass()
        if pclass in self._records:
            return "record"
        return "function" if pclass == L.eTypeClassFunction else "other"

    def _read_cstring(self, process: Any, address: int, limit: int) -> bytes:
        # Read page by page: a string that ends just before an unmapped page must still read.
        error = self.lldb.SBError()
        out = b""
        while len(out) < limit:
            at = address + len(out)
            chunk = min(limit - len(out), PAGE - at % PAGE)
            data = process.ReadMemory(at, chunk, error)
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


def describe_frame(frame: Any) -> dict[str, Any]:
    """symbol, file, line, module and address of one SBFrame (no values)."""
    entry = frame.GetLineEntry()
    spec = entry.GetFileSpec()
    line = entry.GetLine()
    module = frame.GetModule().GetFileSpec()
    out = {
        "symbol": frame.GetFunctionName() or frame.GetSymbol().GetName(),
        "file": spec.fullpath if spec.IsValid() else None,
        "line": line if line and line != INVALID_LINE else None,
        "module": module.fullpath if module.IsValid() else None,
        "address": f"{frame.GetPC():#x}",
    }
    if frame.IsInlined():
        out["inlined"] = True
    return out


class SBFrameView:
    """One SBFrame as `common.snapshot.FrameView`: its place, then its arguments and locals."""

    __slots__ = ("frame", "is_argument")

    def __init__(self, frame: Any, is_argument: int) -> None:
        self.frame = frame
        self.is_argument = is_argument

    def describe(self) -> dict[str, Any]:
        return describe_frame(self.frame)

    def variables(self) -> tuple[list[tuple[str, Any, str]], list[tuple[str, Any, str]]]:
        args: list[tuple[str, Any, str]] = []
        local: list[tuple[str, Any, str]] = []
        variables = self.frame.GetVariables(True, True, False, True)  # innermost block first
        for i in range(variables.GetSize()):
            var = variables.GetValueAtIndex(i)
            item = (var.GetName() or f"${i}", var, var.GetDisplayTypeName() or var.GetTypeName() or "?")
            (args if var.GetValueType() == self.is_argument else local).append(item)
        return args, local


def frames_of(lldb: Any, thread: Any, start: int = 0) -> Iterator[SBFrameView]:
    """A thread's frames from `start` outwards, unwound only as far as they are read."""
    i = start
    while True:
        frame = thread.GetFrameAtIndex(i)
        if not frame.IsValid():
            return
        yield SBFrameView(frame, lldb.eValueTypeVariableArgument)
        i += 1


def read_thread(thread: Any) -> dict[str, Any]:
    """The id and name of a thread as records carry them."""
    out: dict[str, Any] = {"id": thread.GetIndexID(), "tid": thread.GetThreadID()}
    name = thread.GetName()
    if name:
        out["name"] = name
    return out


def snapshot_record(
    lldb: Any, thread: Any, reason: str, bounds: Bounds | None = None, **extra: Any
) -> dict[str, Any]:
    """A `snapshot` raw record of one thread (extra: bp_id, note, signal...)."""
    access = SBValueAccess(lldb)
    return build_snapshot(frames_of(lldb, thread), access, reason, read_thread(thread), bounds, **extra)


def sample_record(lldb: Any, process: Any, max_frames: int = 20) -> dict[str, Any]:
    """A `sample` raw record: every thread's stack, places only (no values)."""
    threads = []
    for thread in process:
        threads.append({**read_thread(thread), "frames": stack_of(frames_of(lldb, thread), max_frames)})
    return {"kind": "sample", "ts": time.time(), "threads": threads}
