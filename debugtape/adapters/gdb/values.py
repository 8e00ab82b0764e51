"""gdb.Value described as the shapes of `adapters.common.values` (runs inside gdb's Python)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import gdb  # type: ignore[import-not-found]

from debugtape.adapters.common.values import Shape

__all__ = ["GdbValueAccess", "read_c_string"]

_CHUNK = 64


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


class GdbValueAccess:
    """`ValueAccess` over gdb.Value; each call reads only what the walker asks for."""

    def inspect(self, value: Any) -> Shape:
        if value.is_optimized_out:
            return ("optimized_out",)
        t = value.type.strip_typedefs()
        code = t.code
        if code == gdb.TYPE_CODE_INT:
            return ("scalar", int(value))
        if code == gdb.TYPE_CODE_PTR:
            return self._pointer(value, t)
        if code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
            addr = value.address

            def fields() -> list[tuple[str, Any]]:
                # static members have no bitpos: they are not part of the value
                return [(f.name or f"<anon{i}>", value[f]) for i, f in enumerate(t.fields())
                        if hasattr(f, "bitpos")]

            return ("struct", int(addr) if addr is not None else None, str(t), fields)
        if code == gdb.TYPE_CODE_ARRAY:
            return self._array(value, t)
        if code == gdb.TYPE_CODE_FLT:
            return ("scalar", _float(value))
        if code == gdb.TYPE_CODE_BOOL:
            return ("scalar", bool(value))
        if code in (gdb.TYPE_CODE_REF, gdb.TYPE_CODE_RVALUE_REF):
            return self.inspect(value.referenced_value())
        # enums, chars of other widths, function values, bitsets: gdb's own text form
        return ("scalar", str(value))

    def _pointer(self, value: Any, t: Any) -> Shape:
        address = int(value)
        target = t.target().strip_typedefs()
        if _is_char(target):
            if address == 0:
                return ("pointer", 0, "0x0", None)
            return ("cstring", address, lambda n: read_c_string(address, n))
        if target.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) and address:
            follow: Callable[[], Any] = value.dereference
            return ("pointer", address, f"{address:#x}", follow)
        if target.code == gdb.TYPE_CODE_FUNC:
            return ("scalar", str(value))  # {int (int)} 0x401136 <main>
        return ("pointer", address, f"{address:#x}", None)

    def _array(self, value: Any, t: Any) -> Shape:
        lo, hi = t.range()
        length = max(0, hi - lo + 1)
        elem = t.target().strip_typedefs()
        if _is_char(elem):
            addr = value.address
            raw = bytes(gdb.selected_inferior().read_memory(int(addr), min(length, 4096))) \
                if addr is not None else bytes(int(value[i]) & 0xFF for i in range(min(length, 4096)))
            nul = raw.find(b"\0")
            data = raw if nul < 0 else raw[:nul]
            return ("chars", data, len(data))
        addr = value.address
        return ("array", int(addr) if addr is not None else None, str(t), length,
                lambda i: value[lo + i])
