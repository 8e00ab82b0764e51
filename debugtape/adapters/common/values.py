"""Bounded capture of debugger values into the captured-value JSON of docs/internals.md.

Debugger-neutral: a backend (gdb, lldb) describes one value at a time through `ValueAccess.inspect`
and this module applies every bound (characters, depth, items, bytes per snapshot), marks cycles,
turns bytes that are not UTF-8 into `{"$bytes": hex}` and records each cut in `Capture.truncation`.
Standard library only: it runs inside the debugger's own Python.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

__all__ = [
    "Bounds",
    "Capture",
    "ValueAccess",
    "Shape",
    "capture_value",
    "Walker",
    "render_c_string",
    "decode_text",
    "OPTIMIZED_OUT",
    "DEPTH_CUT",
]

V = TypeVar("V")
V_contra = TypeVar("V_contra", contravariant=True)

OPTIMIZED_OUT: dict[str, bool] = {"$optimized_out": True}
DEPTH_CUT: dict[str, str] = {"$cut": "depth"}  # the same marker the pipeline's bound stage uses


@dataclass(frozen=True)
class Bounds:
    """Capture bounds (DESIGN.md defaults)."""

    frames: int = 20  # frames kept per stack
    locals_frames: int = 5  # frames whose args and locals are captured
    chars: int = 256  # characters per string value
    depth: int = 3  # nesting of structs, arrays and followed pointers
    items: int = 25  # members or elements per container
    snapshot_bytes: int = 32 * 1024  # estimated JSON size of one snapshot's values
    sample_frames: int = 64  # frames kept per thread in a sampled stack (the pipeline's bound too)


# What a backend says about one value. The first item is the kind:
#   ("scalar", int | float | bool | str)                a leaf, already in its JSON form
#   ("optimized_out",)
#   ("error", message)
#   ("struct", address | None, type_name, fields)       fields: Sequence[(name, V)], or a
#                                                       callable returning one (read on demand)
#   ("array", address | None, type_name, length, element)   element: Callable[[int], V]
#   ("pointer", address, text, target | None[, pointee])   target: Callable[[], V] to follow, or None;
#                                                       pointee: the type name of the struct that
#                                                       target() reads, when known without reading
#                                                       it (lets a struct seen before be reused
#                                                       without following the pointer)
#   ("cstring", address, read)                          read: Callable[[int], bytes] up to n bytes, stops at NUL
#   ("chars", data, total)                              a char array's bytes up to its first NUL
Shape = tuple[Any, ...]


class ValueAccess(Protocol[V_contra]):
    """How a backend exposes its values; `inspect` may raise, the walker turns that into $error."""

    def inspect(self, value: V_contra) -> Shape: ...


class Capture:
    """The state of one snapshot's capture: bounds, byte budget, seen addresses, cut records."""

    __slots__ = ("bounds", "truncation", "used", "full", "memo", "_seen")

    def __init__(self, bounds: Bounds | None = None) -> None:
        self.bounds = bounds or Bounds()
        self.truncation: list[dict[str, Any]] = []
        self.used = 0
        self.full = False
        self.memo: dict[tuple[int, str, int], tuple[Any, int]] = {}
        self._seen: set[tuple[int, str]] = set()

    def cut(self, path: str, why: str, kept: int | None = None, total: int | None = None) -> None:
        rec: dict[str, Any] = {"path": path, "why": why}
        if kept is not None:
            rec["kept"] = kept
        if total is not None:
            rec["total"] = total
        self.truncation.append(rec)

    def charge(self, nbytes: int, path: str) -> bool:
        """Spend part of the snapshot budget; False (and one `size` cut) once it is spent."""
        if self.full:
            return False
        self.used += nbytes
        if self.used > self.bounds.snapshot_bytes:
            self.full = True
            self.cut(path, "size", kept=self.bounds.snapshot_bytes)
            return False
        return True

    def text(self, text: str, path: str) -> str:
        limit = self.bounds.chars
        if len(text) > limit:
            self.cut(path, "length", kept=limit, total=len(text))
            return text[:limit]
        return text

    # Cycle detection follows the path from the variable down: a struct that is one of its own
    # ancestors is a cycle; the same struct reached twice side by side (or from another frame)
    # is shown both times.
    def seen(self, address: int, type_name: str) -> bool:
        return (address, type_name) in self._seen

    def first_visit(self, address: int | None, type_name: str) -> bool:
        if address is None:
            return True
        key = (address, type_name)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def leave(self, address: int | None, type_name: str) -> None:
        if address is not None:
            self._seen.discard((address, type_name))


def decode_text(data: bytes) -> str | None:
    """UTF-8 text, or None when the bytes are not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def _quote(text: str) -> str:
    out = []
    for ch in text:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render_c_string(address: int | None, data: bytes, complete: bool) -> str | dict[str, str]:
    """A C string the way debuggers print it: `0x4052a0 "abc"` (`...` when cut), or $bytes."""
    text = decode_text(data)
    if text is None:
        return {"$bytes": data.hex()}
    shown = _quote(text) + ("" if complete else "...")
    return shown if address is None else f"{address:#x} {shown}"


class Walker(Generic[V]):
    """Captures the values of one snapshot (one walker per snapshot: it runs for every value of
    a hot breakpoint, so it keeps what it needs at hand)."""

    __slots__ = ("access", "cap", "inspect")

    def __init__(self, access: ValueAccess[V], cap: Capture) -> None:
        self.access = access
        self.cap = cap
        self.inspect = access.inspect

    def capture(self, value: V, path: str) -> Any:
        """The bounded JSON form of one value (see `capture_value`)."""
        return self.walk(value, path, 0)

    def walk(self, value: V, path: str, depth: int) -> Any:
        cap = self.cap
        try:
            shape = self.inspect(value)
            kind = shape[0]
            if kind == "scalar":
                leaf = shape[1]
                if isinstance(leaf, str):
                    leaf = cap.text(leaf, path)
                    cap.charge(len(leaf) + 4, path)
                else:
                    cap.charge(8, path)
                return leaf
            if kind == "pointer":
                return self._pointer(shape, path, depth)
            if kind == "struct":
                return self._struct(shape, path, depth)
            if kind == "array":
                return self._array(shape, path, depth)
            if kind == "cstring":
                return self._cstring(shape, path)
            if kind == "chars":
                return self._chars(shape, path)
            if kind == "optimized_out":
                cap.charge(24, path)
                return dict(OPTIMIZED_OUT)
            if kind == "error":
                return self._error(str(shape[1]), path)
            return self._error(f"unknown value shape {kind!r}", path)
        except Exception as exc:  # a debugger read failed: say so in place of the value
            return self._error(str(exc) or type(exc).__name__, path)

    def _error(self, message: str, path: str) -> dict[str, str]:
        message = message[: self.cap.bounds.chars]
        self.cap.charge(len(message) + 12, path)
        return {"$error": message}

    def _pointer(self, shape: Shape, path: str, depth: int) -> Any:
        cap = self.cap
        address, target = shape[1], shape[3]
        if target is None or not address:
            text = cap.text(str(shape[2]), path)
            cap.charge(len(text) + 4, path)
            return text
        if depth >= cap.bounds.depth:
            text = cap.text(str(shape[2]), path)
            # Out of depth, but a pointer back to something already shown is still a cycle.
            pointee = self.inspect(target())
            if pointee[0] == "struct" and pointee[1] is not None and cap.seen(pointee[1], pointee[2]):
                cap.charge(24, path)
                return {"$cycle": f"{pointee[1]:#x}"}
            cap.cut(path, "depth", kept=cap.bounds.depth)
            cap.charge(len(text) + 4, path)
            return text
        # A struct already shown at this depth (not an ancestor: that is a cycle, found below).
        if len(shape) > 4 and shape[4] is not None and not cap.seen(address, shape[4]):
            known = cap.memo.get((address, shape[4], depth))
            if known is not None:
                cap.charge(known[1], path)
                return known[0]
        # The struct behind the pointer is where cycles are checked.
        return self.walk(target(), path, depth)

    def _struct(self, shape: Shape, path: str, depth: int) -> Any:
        _, address, type_name, fields = shape
        cap = self.cap
        if not cap.first_visit(address, type_name):
            cap.charge(24, path)
            return {"$cycle": f"{address:#x}"}
        if depth >= cap.bounds.depth:
            cap.leave(address, type_name)
            cap.cut(path, "depth", kept=cap.bounds.depth)
            cap.charge(16, path)
            return dict(DEPTH_CUT)
        # The same struct seen again in this snapshot (a pointer handed down the stack): the
        # program is stopped, so it reads the same; reuse it unless cuts were made inside it.
        key = (address, type_name, depth) if address is not None else None
        if key is not None and key in cap.memo:
            cap.leave(address, type_name)
            value, size = cap.memo[key]
            cap.charge(size, path)
            return value
        cuts, used = len(cap.truncation), cap.used
        try:
            out = self._members(fields, path, depth)
        finally:
            cap.leave(address, type_name)
        if key is not None and len(cap.truncation) == cuts:
            cap.memo[key] = (out, cap.used - used)
        return out

    def _members(self, fields: Any, path: str, depth: int) -> dict[str, Any]:
        cap = self.cap
        out: dict[str, Any] = {}
        limit = cap.bounds.items
        if callable(fields):  # a backend may defer reading the members until they are needed
            fields = fields()
        fields = fields if isinstance(fields, Sequence) else list(fields)
        for i, (name, member) in enumerate(fields):
            if i >= limit:
                cap.cut(path, "items", kept=limit, total=len(fields))
                break
            sub = f"{path}.{name}"
            if not cap.charge(len(name) + 4, sub):
                break
            out[name] = self.walk(member, sub, depth + 1)
        return out

    def _array(self, shape: Shape, path: str, depth: int) -> Any:
        _, _address, _type_name, length, element = shape
        cap = self.cap
        if depth >= cap.bounds.depth:
            cap.cut(path, "depth", kept=cap.bounds.depth)
            cap.charge(16, path)
            return dict(DEPTH_CUT)
        keep = min(length, cap.bounds.items)
        out: list[Any] = []
        get: Callable[[int], V] = element
        for i in range(keep):
            sub = f"{path}[{i}]"
            if not cap.charge(2, sub):
                break
            out.append(self.walk(get(i), sub, depth + 1))
        if length > keep:
            cap.cut(path, "items", kept=keep, total=length)
        return out

    def _cstring(self, shape: Shape, path: str) -> Any:
        _, address, read = shape
        limit = self.cap.bounds.chars
        data: bytes = read(limit + 1)
        complete = len(data) <= limit
        if not complete:
            data = data[:limit]
            self.cap.cut(path, "length", kept=limit)
        shown = render_c_string(address, data, complete)
        self.cap.charge(len(data) * 2 + 24, path)
        return shown

    def _chars(self, shape: Shape, path: str) -> Any:
        _, data, total = shape
        limit = self.cap.bounds.chars
        complete = len(data) <= limit
        if not complete:
            self.cap.cut(path, "length", kept=limit, total=total if total else len(data))
            data = data[:limit]
        self.cap.charge(len(data) * 2 + 8, path)
        return render_c_string(None, data, complete)


def capture_value(access: ValueAccess[V], value: V, cap: Capture, path: str) -> Any:
    """The bounded JSON form of one value; cuts go to `cap.truncation`, reads that fail to $error."""
    return Walker(access, cap).walk(value, path, 0)
