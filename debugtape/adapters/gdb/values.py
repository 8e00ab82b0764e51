"""gdb.Value described as the shapes of `adapters.common.values` (runs inside gdb's Python).

A value travels as `(gdb.Value, TypeInfo)`: what capture needs to know about a type (its kind
after typedefs, its printed name, its members and element type) is worked out once per type and
kept with the symbol that holds it, because asking gdb about a type costs more than reading the
value (a breakpoint hit a thousand times reads the same few types a thousand times).
"""

from __future__ import annotations

import math
from typing import Any

import gdb  # type: ignore[import-not-found]

from debugtape.adapters.common.values import Shape

__all__ = ["GdbValueAccess", "TypeInfo", "read_c_string"]

_CHUNK = 64
_CHAR_ARRAY_READ = 4096  # bytes read of a char array, at most

# TypeInfo kinds
_INT, _FLT, _BOOL, _STRUCT, _ARRAY, _CHARS, _REF, _OTHER, _DYNAMIC = range(9)
_PTR, _PTR_CHAR, _PTR_STRUCT, _PTR_FUNC = range(9, 13)

_STRUCT_CODES = (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION)

TypedValue = tuple[Any, "TypeInfo"]


def read_c_string(address: int, limit: int) -> bytes:
    """Up to `limit` bytes at `address`, stopping at the first NUL; a read that would cross into
    unmapped memory falls back to small chunks so a string near a page end still reads."""
    inferior = gdb.selected_inferior()
    try:
        data = bytes(inferior.read_memory(address, limit))
    except gdb.MemoryError:
        data = b""
        while len(data) < limit:
            try:
                chunk = bytes(inferior.read_memory(address + len(data), min(_CHUNK, limit - len(data))))
            except gdb.MemoryError:
                if not data:
                    raise
                break
            data += chunk
            if b"\0" in chunk:
                break
    nul = data.find(b"\0")
    return data if nul < 0 else data[:nul]


def _is_char(t: Any) -> bool:
    return t.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_CHAR) and t.sizeof == 1 and \
        (t.name or "").endswith("char")


def _float(v: Any) -> float | str:
    f = float(v)
    return f if math.isfinite(f) else str(f)  # NaN and inf are not JSON


def _kind(t: Any, dynamic_ok: bool) -> int:
    """The kind of a type with its typedefs stripped."""
    code = t.code
    if dynamic_ok and getattr(t, "dynamic", False):
        return _DYNAMIC  # a variable-length array: its bounds are the value's, not the type's
    if code == gdb.TYPE_CODE_INT:
        return _INT
    if code == gdb.TYPE_CODE_PTR:
        target = t.target().strip_typedefs()
        if _is_char(target):
            return _PTR_CHAR
        if target.code in _STRUCT_CODES:
            return _PTR_STRUCT
        return _PTR_FUNC if target.code == gdb.TYPE_CODE_FUNC else _PTR
    if code in _STRUCT_CODES:
        return _STRUCT
    if code == gdb.TYPE_CODE_ARRAY:
        return _CHARS if _is_char(t.target().strip_typedefs()) else _ARRAY
    if code == gdb.TYPE_CODE_FLT:
        return _FLT
    if code == gdb.TYPE_CODE_BOOL:
        return _BOOL
    if code in (gdb.TYPE_CODE_REF, gdb.TYPE_CODE_RVALUE_REF):
        return _REF
    return _OTHER  # enums, chars of other widths, function values, bitsets: gdb's own text form


class TypeInfo:
    """What capture needs of one gdb.Type, read from gdb once; members and targets on demand.

    Valid while the symbol files that define the type are loaded: whoever keeps one drops it when
    gdb loads or frees symbol files (see backend.FrameCache).
    """

    __slots__ = ("type", "kind", "name", "lo", "length", "_target", "_members")

    def __init__(self, gdb_type: Any, dynamic_ok: bool = True) -> None:
        t = gdb_type.strip_typedefs()
        self.type = t
        self.kind = _kind(t, dynamic_ok)
        self.name = ""  # the type name a struct or array is recorded with; a struct pointer's pointee
        self.lo = self.length = 0
        self._target: TypeInfo | None = None
        self._members: list[tuple[str, Any, TypeInfo]] | None = None
        if self.kind in (_STRUCT, _ARRAY):
            self.name = str(t)
        elif self.kind == _PTR_STRUCT:
            self.name = str(t.target().strip_typedefs())
        if self.kind in (_ARRAY, _CHARS):
            lo, hi = t.range()
            self.lo, self.length = lo, max(0, hi - lo + 1)

    @property
    def target(self) -> TypeInfo:
        """Of the pointee, the element or the referenced value."""
        if self._target is None:
            self._target = TypeInfo(self.type.target())
        return self._target

    def members(self) -> list[tuple[str, Any, TypeInfo]]:
        """(recorded name, what indexes the value, TypeInfo) of a struct's or union's members.
        Static members have no bitpos: they are not part of the value."""
        if self._members is None:
            fields = self.type.fields()
            names = [f.name for f in fields]
            self._members = [
                (f.name or f"<anon{i}>",
                 # by name where the name is unambiguous: gdb finds it faster than by gdb.Field
                 f.name if f.name and not f.is_base_class and names.count(f.name) == 1 else f,
                 TypeInfo(f.type))
                for i, f in enumerate(fields) if hasattr(f, "bitpos")
            ]
        return self._members


class GdbValueAccess:
    """`ValueAccess` over (gdb.Value, TypeInfo); each call reads only what the walker asks for."""

    def inspect(self, item: TypedValue) -> Shape:
        value, info = item
        if value.is_optimized_out:
            return ("optimized_out",)
        kind = info.kind
        if kind == _INT:
            return ("scalar", int(value))
        if kind >= _PTR:
            return self._pointer(value, info)
        if kind == _STRUCT:
            addr = value.address

            def members() -> list[tuple[str, TypedValue]]:
                return [(name, (value[key], sub)) for name, key, sub in info.members()]

            return ("struct", int(addr) if addr is not None else None, info.name, members)
        if kind == _ARRAY:
            addr = value.address
            lo, target = info.lo, info.target
            return ("array", int(addr) if addr is not None else None, info.name, info.length,
                    lambda i: (value[lo + i], target))
        if kind == _CHARS:
            return self._chars(value, info)
        if kind == _FLT:
            return ("scalar", _float(value))
        if kind == _BOOL:
            return ("scalar", bool(value))
        if kind == _REF:
            return self.inspect((value.referenced_value(), info.target))
        if kind == _DYNAMIC:  # the value's own type has the bounds
            return self.inspect((value, TypeInfo(value.type, dynamic_ok=False)))
        return ("scalar", str(value))

    def _pointer(self, value: Any, info: TypeInfo) -> Shape:
        kind = info.kind
        if kind == _PTR_FUNC:
            return ("scalar", str(value))  # {int (int)} 0x401136 <main>
        address = int(value)
        if not address:
            return ("pointer", 0, "0x0", None)
        if kind == _PTR_CHAR:
            return ("cstring", address, lambda n: read_c_string(address, n))
        if kind == _PTR_STRUCT:
            target = info.target

            def follow() -> TypedValue:
                return value.dereference(), target

            return ("pointer", address, f"{address:#x}", follow, info.name)
        return ("pointer", address, f"{address:#x}", None)

    def _chars(self, value: Any, info: TypeInfo) -> Shape:
        addr = value.address
        n = min(info.length, _CHAR_ARRAY_READ)
        raw = bytes(gdb.selected_inferior().read_memory(int(addr), n)) if addr is not None \
            else bytes(int(value[info.lo + i]) & 0xFF for i in range(n))
        nul = raw.find(b"\0")
        data = raw if nul < 0 else raw[:nul]
        return ("chars", data, len(data))
