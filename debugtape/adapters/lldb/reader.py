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
    "SBValueAccess", "SBFrameView", "FrameCache", "describe_frame", "frames_of", "read_thread",
    "snapshot_record", "sample_record",
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

    def __init__(self, lldb: Any, files: FrameCache | None = None) -> None:
        self.lldb = lldb
        self.files = files  # reads read-only sections from the modules' files, as lldb does
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
        self._pointee_names: dict[str, str | None] = {}  # pointer type name -> the struct's type name
        self._read_error = lldb.SBError()  # reused: GetValueAsSigned(error, ...) clears it first

    def _is_char(self, sbtype: Any) -> bool:
        return sbtype.GetCanonicalType().GetUnqualifiedType().GetBasicType() in self._char_types

    def _kind(self, value: Any, name: str) -> tuple[str, Any]:
        """What to do with values of type `name`, worked out once per type name: a snapshot reads
        the same few types again and again, and each SB API call costs microseconds."""
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
        type_name = value.GetTypeName() or ""
        kind, sbtype = self._kind(value, type_name)
        if kind == "int" or kind == "uint":  # most values: read with one call, errors included
            read = self._read_error
            number = value.GetValueAsSigned(read, 0) if kind == "int" else value.GetValueAsUnsigned(read, 0)
            if read.Success():
                return ("scalar", number)
        err = value.GetError()
        if err.Fail():
            message = err.GetCString() or "unreadable"
            if any(word in message for word in _OPTIMIZED_OUT):
                return ("optimized_out",)
            return ("error", message)
        if kind == "int":
            return ("scalar", value.GetValueAsSigned(0))
        if kind == "uint":
            return ("scalar", value.GetValueAsUnsigned(0))
        if kind == "pointer":
            return self._pointer(value, sbtype, type_name)
        if kind == "record":
            if value.GetNumChildren() == 0 and value.GetSummary() is not None:
                return ("scalar", value.GetSummary())  # e.g. a formatter's summary
            return ("struct", _address(L, value), type_name, _Fields(value))
        if kind == "array":
            return ("array", _address(L, value), type_name, value.GetNumChildren(),
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

    def _pointer(self, value: Any, sbtype: Any, type_name: str) -> Shape:
        address = value.GetValueAsUnsigned(0)
        target = self._pointees.get(id(sbtype))
        if target is None:
            target = self._pointees[id(sbtype)] = self._pointee_kind(sbtype)
        if address and target == "char":
            process = value.GetProcess()
            return ("cstring", address, lambda n: self._read_cstring(process, address, n))
        text = f"{address:#x}"
        if address and target == "record":
            return ("pointer", address, text, value.Dereference, self._pointee_name(value, type_name, sbtype))
        if address and target == "function":
            symbol = value.GetTarget().ResolveLoadAddress(address).GetSymbol().GetName()
            if symbol:
                text = f"{text} <{symbol}>"
        return ("pointer", address, text, None)

    def _pointee_name(self, value: Any, type_name: str, sbtype: Any) -> str | None:
        """The type name `value.Dereference()` has, worked out once per pointer type, so the
        walker can reuse a struct it read before without following the pointer; None for a
        pointer to a C++ class with virtual functions (lldb reads its dynamic type)."""
        if type_name in self._pointee_names:
            return self._pointee_names[type_name]
        pointee = sbtype.GetPointeeType() if sbtype.IsPointerType() else sbtype.GetDereferencedType()
        name = None
        if not pointee.GetCanonicalType().IsPolymorphicClass():
            name = value.Dereference().GetTypeName() or None
        if type_name:
            self._pointee_names[type_name] = name
        return name

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
            data = self.files.file_bytes(process, at, chunk) if self.files is not None else None
            if data is None:
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


# Frames that interrupt the frame above them (signal trampolines: lldb's trap handler names on
# Linux, the BSDs and macOS): the frame above one is looked up at its pc, like frame 0, where
# any other caller is looked up at its return address minus one.
_TRAP_HANDLER_WORDS = ("sigtramp", "sigreturn", "restore_rt")

# Where a frame is, as far as its description goes (see FrameCache).
FrameKey = tuple[Any, ...]
# One variable in scope at a frame: name, is an argument, type name (None: read it each time).
Slot = tuple[str, bool, "str | None"]


def _static_type(value: Any) -> bool:
    """Whether the value's type name is the same at every stop: not a C++ polymorphic class nor a
    pointer or reference to one (lldb shows the dynamic type of those)."""
    sbtype = value.GetType().GetCanonicalType()
    if sbtype.IsPointerType() or sbtype.IsReferenceType():
        sbtype = sbtype.GetPointeeType() if sbtype.IsPointerType() else sbtype.GetDereferencedType()
        sbtype = sbtype.GetCanonicalType()
    return not sbtype.IsPolymorphicClass()


class FrameCache:
    """Frame descriptions kept for the session, keyed by where the frame is.

    What lldb says about a frame (symbol, file, line, module) follows from the modules and symbols
    loaded and from the address lldb looks it up at: a frame that starts an unwound frame is
    looked up at its pc if it is frame 0 or a signal interrupted it, else at its return address
    minus one: key (pc, looked up at pc). A frame that calls an inlined function (the frame below
    it is inlined) is that function's caller in the same unwound frame: lldb describes it from
    the inlined block below it, so its key is ("in", key of the frame below); its pc alone would
    not do (it is the start of the inlined block, which other frames share). A frame above one
    that is not cached, or has no symbol, is not cached either.

    The cache is emptied when a module or its symbols load or unload (lldb's target events), when
    the program is started again, and at each stop that gives the user the prompt (`clear`:
    settings such as target.source-map may change there). Known limit: a setting changed while
    the program runs (lldb's prompt is free then) shows at the next stop.
    """

    def __init__(self, lldb: Any) -> None:
        self.lldb = lldb
        self._entries: dict[FrameKey, dict[str, Any]] = {}
        self._layouts: dict[FrameKey, list[Slot]] = {}
        self._readonly: list[tuple[int, int, Any, dict[int, bytes]]] = []  # start, end, SBSection, pages
        self._live_pages: set[int] = set()  # pages that are in no read-only section
        self._target: Any = None
        self._process_id: int | None = None
        self._listener: Any = None
        self._event: Any = None
        self.hits = 0
        self.misses = 0
        self.clears = 0

    def clear(self) -> None:
        if self._entries or self._layouts:
            self.clears += 1
        self._entries.clear()
        self._layouts.clear()
        self._readonly.clear()
        self._live_pages.clear()

    def file_bytes(self, process: Any, address: int, size: int) -> bytes | None:
        """Up to `size` bytes at `address` from the module file, if they are in a read-only section
        of a loaded module (what lldb's own formatters do: such memory is read from the file,
        without a round trip to lldb-server); None for any other memory."""
        found = next((r for r in self._readonly if r[0] <= address < r[1]), None)
        if found is None:
            page = address - address % PAGE
            if page in self._live_pages:
                return None
            found = self._find_readonly(process.GetTarget(), address)
            if found is None:
                self._live_pages.add(page)
                return None
        start, end, section, pages = found
        index = (address - start) // PAGE
        data = pages.get(index)
        if data is None:
            error = self.lldb.SBError()
            offset = index * PAGE
            data = section.GetSectionData(offset, min(PAGE, end - start - offset)).ReadRawData(
                error, 0, min(PAGE, end - start - offset))
            if error.Fail() or not data:
                return None
            pages[index] = data
        at = address - start - index * PAGE
        return data[at:at + size]

    def _find_readonly(self, target: Any, address: int) -> tuple[int, int, Any, dict[int, bytes]] | None:
        L = self.lldb  # noqa: N806
        section = target.ResolveLoadAddress(address).GetSection()
        if not section.IsValid():
            return None
        permissions = section.GetPermissions()
        if not permissions & L.ePermissionsReadable or permissions & L.ePermissionsWritable:
            return None
        size = section.GetByteSize()
        start = section.GetLoadAddress(target)
        if not size or section.GetFileByteSize() != size or start == L.LLDB_INVALID_ADDRESS:
            return None  # not all of it is in the file (.bss-like)
        found: tuple[int, int, Any, dict[int, bytes]] = (start, start + size, section, {})
        self._readonly.append(found)
        return found

    def check(self, thread: Any) -> None:
        """Empty the cache if what it was filled from may have changed; once per stack walk."""
        process = thread.GetProcess()
        process_id = process.GetUniqueID()
        if process_id != self._process_id or self._listener is None:
            self._follow(process.GetTarget())
            self._process_id = process_id
            self.clear()
            return
        # Peeking costs a fifth of GetNextEvent, and modules rarely change.
        if self._listener.PeekAtNextEvent(self._event):
            while self._listener.GetNextEvent(self._event):
                pass
            self.clear()

    def _follow(self, target: Any) -> None:
        L = self.lldb  # noqa: N806
        if self._target is not None and self._target.IsValid() and self._target == target:
            return
        if self._listener is None:
            self._listener = L.SBListener("debugtape-frame-cache")
            self._event = L.SBEvent()
        elif self._target is not None and self._target.IsValid():
            self._listener.StopListeningForEvents(self._target.GetBroadcaster(), self._bits())
        self._target = target
        self._listener.StartListeningForEvents(target.GetBroadcaster(), self._bits())

    def _bits(self) -> int:
        T = self.lldb.SBTarget  # noqa: N806
        bits = T.eBroadcastBitModulesLoaded | T.eBroadcastBitModulesUnloaded | T.eBroadcastBitSymbolsLoaded
        return int(bits | getattr(T, "eBroadcastBitSymbolsChanged", 0))

    def describe(self, frame: Any, key: FrameKey, pc: int) -> dict[str, Any]:
        known = self._entries.get(key)
        if known is None:
            self.misses += 1
            known = self._entries[key] = describe_frame(frame)
        else:
            self.hits += 1
        out = dict(known)
        out["address"] = f"{pc:#x}"
        return out

    def seen(self, key: FrameKey) -> dict[str, Any] | None:
        """The description of a frame described before, if it was."""
        return self._entries.get(key)

    def layout(self, key: FrameKey) -> list[Slot] | None:
        """The variables in scope at this frame (see Slot), if known."""
        return self._layouts.get(key)

    def keep_layout(self, key: FrameKey, layout: list[Slot]) -> None:
        self._layouts[key] = layout


class SBFrameView:
    """One SBFrame as `common.snapshot.FrameView`: its place, then its arguments and locals."""

    __slots__ = ("frame", "is_argument", "cache", "key", "pc")

    def __init__(self, frame: Any, is_argument: int, cache: FrameCache | None = None,
                 key: FrameKey | None = None, pc: int = 0) -> None:
        self.frame = frame
        self.is_argument = is_argument
        self.cache = cache
        self.key = key
        self.pc = pc

    def describe(self) -> dict[str, Any]:
        if self.cache is None or self.key is None:
            return describe_frame(self.frame)
        return self.cache.describe(self.frame, self.key, self.pc)

    def variables(self) -> tuple[list[tuple[str, Any, str]], list[tuple[str, Any, str]]]:
        args: list[tuple[str, Any, str]] = []
        local: list[tuple[str, Any, str]] = []
        variables = self.frame.GetVariables(True, True, False, True)  # innermost block first
        count = variables.GetSize()
        # Which variables are in scope, their names, which are arguments and their types follow
        # from where the frame is: remembered with its description. Only a type whose dynamic
        # type can change (a C++ polymorphic class, or a pointer or reference to one) is read each
        # time. The first SB call on a value reads it: a type name read first costs twice what it
        # costs after the value (measured), so a remembered one saves a fifth of each variable.
        cache, key = self.cache, self.key
        layout = cache.layout(key) if cache is not None and key is not None else None
        if layout is None or len(layout) != count:
            layout = []
            for i in range(count):
                var = variables.GetValueAtIndex(i)
                type_name = var.GetDisplayTypeName() or var.GetTypeName() or "?"
                layout.append((var.GetName() or f"${i}", var.GetValueType() == self.is_argument,
                               type_name if cache is not None and _static_type(var) else None))
            if cache is not None and key is not None:
                cache.keep_layout(key, layout)
        for i, (name, is_argument, known) in enumerate(layout):
            var = variables.GetValueAtIndex(i)
            item = (name, var, known or var.GetDisplayTypeName() or var.GetTypeName() or "?")
            (args if is_argument else local).append(item)
        return args, local


def frames_of(lldb: Any, thread: Any, start: int = 0, cache: FrameCache | None = None) -> Iterator[SBFrameView]:
    """A thread's frames from `start` outwards, unwound only as far as they are read; with a
    cache, frame descriptions come from it (see FrameCache for the key)."""
    argument = lldb.eValueTypeVariableArgument
    if cache is None:
        i = start
        while True:
            frame = thread.GetFrameAtIndex(i)
            if not frame.IsValid():
                return
            yield SBFrameView(frame, argument)
            i += 1
    cache.check(thread)
    invalid = lldb.LLDB_INVALID_ADDRESS
    i = start
    below: FrameKey | None = None
    while True:
        frame = thread.GetFrameAtIndex(i)
        pc = frame.GetPC()
        if pc == invalid and not frame.IsValid():  # past the last frame (GetPC instead of IsValid: one call less)
            return
        key = _key(cache, i, pc, below)
        yield SBFrameView(frame, argument, cache, key, pc)
        below = key
        i += 1


def _key(cache: FrameCache, index: int, pc: int, below: FrameKey | None) -> FrameKey | None:
    """Frame `index`'s key from the frame below it (described by now: frames are read in order);
    None when it cannot be known (then it is not cached)."""
    if index == 0:
        return (pc, True)
    seen = cache.seen(below) if below is not None else None
    if seen is None:
        return None
    if seen.get("inlined"):
        return ("in", below)
    symbol = seen.get("symbol")
    if symbol is None:
        return None
    interrupts = _INTERRUPTS.get(symbol)
    if interrupts is None:
        interrupts = _INTERRUPTS[symbol] = any(word in symbol for word in _TRAP_HANDLER_WORDS)
    return (pc, interrupts)


_INTERRUPTS: dict[str, bool] = {}  # symbol -> is a signal trampoline (see _TRAP_HANDLER_WORDS)


def read_thread(thread: Any) -> dict[str, Any]:
    """The id and name of a thread as records carry them."""
    out: dict[str, Any] = {"id": thread.GetIndexID(), "tid": thread.GetThreadID()}
    name = thread.GetName()
    if name:
        out["name"] = name
    return out


def snapshot_record(
    lldb: Any, thread: Any, reason: str, bounds: Bounds | None = None, access: SBValueAccess | None = None,
    cache: FrameCache | None = None, **extra: Any,
) -> dict[str, Any]:
    """A `snapshot` raw record of one thread (extra: bp_id, note, signal...). Pass the session's
    `access` and `cache` when taking many: both remember what they worked out."""
    access = access or SBValueAccess(lldb)
    return build_snapshot(frames_of(lldb, thread, cache=cache), access, reason, read_thread(thread), bounds, **extra)


def sample_record(lldb: Any, process: Any, max_frames: int = 20, cache: FrameCache | None = None) -> dict[str, Any]:
    """A `sample` raw record: every thread's stack, places only (no values)."""
    threads = []
    for thread in process:
        threads.append({**read_thread(thread), "frames": stack_of(frames_of(lldb, thread, cache=cache), max_frames)})
    return {"kind": "sample", "ts": time.time(), "threads": threads}
