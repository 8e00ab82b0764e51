"""gdb's side of the recorder: frames, threads, breakpoints and snappoints (runs inside gdb's Python)."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import gdb  # type: ignore[import-not-found]

from debugtape.adapters.gdb.values import GdbValueAccess, TypedValue, TypeInfo

__all__ = ["GdbBackend", "GdbFrame", "FrameCache", "FrameLayout", "Snappoint", "breakpoint_fields", "WATCHPOINT_TYPES"]

_BP_KINDS = {
    gdb.BP_BREAKPOINT: "breakpoint",
    gdb.BP_HARDWARE_BREAKPOINT: "breakpoint",
    gdb.BP_WATCHPOINT: "watchpoint",
    gdb.BP_HARDWARE_WATCHPOINT: "watchpoint",
    gdb.BP_READ_WATCHPOINT: "watchpoint",
    gdb.BP_ACCESS_WATCHPOINT: "watchpoint",
}
WATCHPOINT_TYPES = frozenset(t for t, k in _BP_KINDS.items() if k == "watchpoint")
_SAMPLE_FRAMES = 64  # the pipeline keeps 64 frames of a sampled stack
_BP_CATCHPOINT = getattr(gdb, "BP_CATCHPOINT", None)

# symtab.fullname() stats the file system; a stack repeats the same few files.
_fullnames: dict[tuple[str, str], str] = {}


def _fullname(symtab: Any) -> str:
    key = (symtab.filename, symtab.objfile.filename if symtab.objfile else "")
    name = _fullnames.get(key)
    if name is None:
        name = _fullnames[key] = symtab.fullname()
    return name


def forget_symbols(_event: Any = None) -> None:
    _fullnames.clear()


# (name, symbol, type name, TypeInfo) of an argument or local
_Slot = tuple[str, Any, str, TypeInfo]


class FrameLayout:
    """What gdb says about a frame apart from its values: the description (symbol, file, line,
    module, address) and which symbols are its arguments and locals alive at its line."""

    __slots__ = ("info", "line", "_slots", "_error")

    def __init__(self, frame: Any) -> None:
        pc = frame.pc()
        sal = frame.find_sal()
        symtab = sal.symtab
        if symtab is not None:
            file: str | None = _fullname(symtab)
            module = symtab.objfile.filename if symtab.objfile else None
        else:
            file = None
            module = gdb.solib_name(pc) or _main_module()
        self.line = sal.line
        self.info: dict[str, Any] = {"symbol": frame.name(), "file": file, "line": sal.line or None,
                                     "module": module, "address": f"{pc:#x}"}
        self._slots: tuple[list[_Slot], list[_Slot]] | None = None
        self._error: str | None = None

    def slots(self, frame: Any) -> tuple[list[_Slot], list[_Slot]]:
        """(arguments, locals) innermost scope first; raises if the frame's block cannot be read
        (no debug info), every time, with the same message."""
        if self._error is not None:
            raise RuntimeError(self._error)
        if self._slots is None:
            try:
                self._slots = self._read_slots(frame)
            except Exception as exc:
                self._error = str(exc)
                raise
        return self._slots

    def _read_slots(self, frame: Any) -> tuple[list[_Slot], list[_Slot]]:
        args: list[_Slot] = []
        local: list[_Slot] = []
        block = frame.block()
        line = self.line
        # Blocks are walked, not looked up by their address range: the blocks of inlined calls
        # and their lexical scopes may all cover the same range.
        while block is not None:
            nested = block.function is None
            for sym in block:
                if sym.is_argument:
                    args.append((sym.name, sym, str(sym.type), TypeInfo(sym.type)))
                elif sym.is_variable and not (nested and sym.line > line > 0):
                    # a local declared further down an inner scope is not alive yet: skipped
                    local.append((sym.name, sym, str(sym.type), TypeInfo(sym.type)))
            if not nested:
                break
            block = block.superblock
        return args, local


_NORMAL = gdb.NORMAL_FRAME
_INLINE = gdb.INLINE_FRAME

# Where a frame is, as far as gdb's description of it goes (see FrameCache).
FrameKey = tuple[int, ...]


class FrameCache:
    """Frame layouts kept for the session, keyed by where the frame is (see `frame_keys`).

    Emptied when gdb loads or frees symbol files (`forget`, connected to gdb's objfile events),
    when the program exits, when another process (a re-run, an attach) or another inferior is the
    one being read (`check_inferior`), and whenever gdb shows its prompt: settings changed there
    (`set substitute-path`, `set print demangle`...) show at the next stop. A hot breakpoint that
    continues by itself (`commands` ... `continue`, a snappoint) shows no prompt between hits.
    It holds at most `max_entries` layouts (sampling meets a new innermost pc at almost every
    sample): past that it starts afresh.
    """

    max_entries = 4096

    def __init__(self) -> None:
        self.enabled = True
        self.hits = 0
        self.misses = 0
        self._entries: dict[FrameKey, FrameLayout] = {}
        self._inferior: tuple[int, int] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def forget(self, _event: Any = None) -> None:
        self._entries.clear()

    def check_inferior(self) -> None:
        inferior = gdb.selected_inferior()
        current = (inferior.num, inferior.pid)
        if current != self._inferior:
            self._entries.clear()
            self._inferior = current

    def layout(self, frame: Any, key: FrameKey | None) -> FrameLayout:
        """The layout of `frame`; kept under `key`, unless None (a frame not worth keeping)."""
        if key is None or not self.enabled:
            return FrameLayout(frame)
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            found = self._entries[key] = FrameLayout(frame)
        else:
            self.hits += 1
        return found


class GdbFrame:
    """A gdb.Frame as `common.snapshot.FrameView`."""

    __slots__ = ("frame", "key", "cache", "_layout")

    def __init__(self, frame: Any, key: FrameKey | None, cache: FrameCache) -> None:
        self.frame = frame
        self.key = key
        self.cache = cache
        self._layout: FrameLayout | None = None

    def layout(self) -> FrameLayout:
        if self._layout is None:
            self._layout = self.cache.layout(self.frame, self.key)
        return self._layout

    def describe(self) -> dict[str, Any]:
        return dict(self.layout().info)

    def variables(self) -> tuple[list[tuple[str, TypedValue, str]], list[tuple[str, TypedValue, str]]]:
        f = self.frame
        arg_slots, local_slots = self.layout().slots(f)
        return ([(name, (sym.value(f), info), type_name) for name, sym, type_name, info in arg_slots],
                [(name, (sym.value(f), info), type_name) for name, sym, type_name, info in local_slots])


def _main_module() -> str | None:
    prog = gdb.current_progspace()
    return prog.filename if prog is not None else None


def frame_keys(frames: Iterator[Any]) -> Iterator[tuple[Any, FrameKey | None]]:
    """Each gdb.Frame with the key of its layout: what gdb says about a frame follows from its pc
    and from the type of the real frame below it (-1 for the innermost), which decides whether
    gdb looks it up at the pc or at the return address minus one.

    Inlined calls share the pc of the real frame they are inlined in, and how many of them gdb
    shows there varies (at a breakpoint on a call site it hides the innermost ones). So an inlined
    call and the frames it is inlined in, down to the real frame, are keyed together: their pc, the
    type below them, how many they are and which one this is. A frame of any other type (signal
    trampoline, tail call, dummy) is not kept."""
    newer: int | None = None
    for f in frames:
        kind = f.type()
        if kind == _NORMAL:
            yield f, (f.pc(), -1 if newer is None else newer)
        elif kind != _INLINE:
            yield f, None
        else:
            unit = [f]
            while kind == _INLINE:
                f = next(frames, None)
                if f is None:
                    break
                kind = f.type()
                unit.append(f)
            real = kind == _NORMAL and f is not None
            below = -1 if newer is None else newer
            for i, g in enumerate(unit):
                yield g, ((g.pc(), below, len(unit), i) if real else None)
        newer = kind


def _older(f: Any) -> Iterator[Any]:
    while f is not None:
        yield f
        f = f.older()


def _frames_of_selected(cache: FrameCache) -> Iterator[GdbFrame]:
    for f, key in frame_keys(_older(gdb.newest_frame())):
        yield GdbFrame(f, key, cache)


def breakpoint_fields(bp: Any) -> dict[str, Any]:
    """A gdb.Breakpoint as breakpoint record fields."""
    kind = _BP_KINDS.get(bp.type)
    if kind is None:
        kind = "catchpoint" if bp.type == _BP_CATCHPOINT else "breakpoint"
    fields: dict[str, Any] = {
        "bp_id": str(bp.number),
        "location": bp.location if bp.location is not None else bp.expression,
        "condition": bp.cond_expr if isinstance(bp, Snappoint) else bp.condition,
        "hits": bp.hits if isinstance(bp, Snappoint) else bp.hit_count,
        "enabled": bp.enabled,
        "bp_kind": ("snappoint" if bp.reason == "snappoint" else kind) if isinstance(bp, Snappoint) else kind,
        "file": None, "line": None, "symbol": None,
    }
    if kind == "watchpoint":
        fields["expression"] = bp.expression
    try:
        locs = bp.locations
    except (AttributeError, RuntimeError):
        locs = []
    if locs:
        loc = locs[0]
        if loc.source is not None:
            fields["file"] = loc.fullname or loc.source[0]
            fields["line"] = loc.source[1]
        fields["symbol"] = _location_function(loc)
    return fields


# A C++ function's parameter list and the qualifiers after it: "split(int) const".
_PARAMS_END = re.compile(r"\)(?:\s*(?:const|volatile|&&|&|noexcept))*\s*$")


def without_params(name: str) -> str:
    """`store::Tree::split(int) const` -> `store::Tree::split`, as gdb names a frame."""
    end = _PARAMS_END.search(name)
    if end is None:
        return name
    depth = 0
    for i in range(end.start(), -1, -1):
        depth += name[i] == ")"
        depth -= name[i] == "("
        if depth == 0:
            return name[:i] if i > 0 else name
    return name


def _location_function(loc: Any) -> str | None:
    """The function of a breakpoint location as frames name it: gdb gives a location's function
    by its linkage name (`_ZN5store4Tree5splitEi` in C++); the enclosing function's symbol has
    the source name."""
    try:
        block = gdb.block_for_pc(loc.address)
        while block is not None and block.function is None:
            block = block.superblock
        if block is not None:
            return without_params(block.function.print_name)
    except RuntimeError:
        pass
    return loc.function  # type: ignore[no-any-return]


class Snappoint(gdb.Breakpoint):  # type: ignore[misc]
    """A breakpoint that records a snapshot and lets the program carry on (never stops).

    `reason` is the snapshot's reason: "snappoint", or "breakpoint" for the breakpoints of
    `debugtape record --gdb`, which record and continue without a stop (and so without a
    round trip over MI per hit). gdb counts no hit when `stop` says no, so the hits are ours.
    """

    def __init__(self, spec: str, condition: str | None, on_hit: Callable[[str, str], None],
                 reason: str = "snappoint") -> None:
        # Set before gdb creates it: the breakpoint_created event already reads them.
        self.cond_expr = condition
        self.on_hit = on_hit
        self.reason = reason
        self.hits = 0
        self.failures = 0
        super().__init__(spec, internal=False)

    def stop(self) -> bool:
        try:
            # gdb refuses a `condition` beside a Python `stop`, so the condition is evaluated here.
            if self.cond_expr and not bool(gdb.parse_and_eval(self.cond_expr)):
                return False
            self.hits += 1
            self.on_hit(str(self.number), self.reason)
        except Exception as exc:  # a snappoint must never stop or break the program under it
            self.failures += 1
            if self.failures <= 3:
                gdb.write(f"debugtape: snappoint {self.number}: {exc}\n", gdb.STDERR)
        return False


class GdbBackend:
    """`common.recorder.Backend` for gdb."""

    tool = "gdb"

    def __init__(self) -> None:
        self.access = GdbValueAccess()
        self.frame_cache = FrameCache()
        for event in ("new_objfile", "clear_objfiles", "free_objfile"):  # free_objfile: gdb 13+
            registry = getattr(gdb.events, event, None)
            if registry is not None:
                registry.connect(forget_symbols)
                registry.connect(self.frame_cache.forget)
        gdb.events.exited.connect(self.frame_cache.forget)
        gdb.events.before_prompt.connect(self._forget_all)
        # Set by the commands module to Recorder.on_snappoint.
        self.snappoint_hit: Callable[[str, str], None] | None = None
        # Set by the commands module: debugtape's own breakpoints (the sampling catchpoint).
        self.is_internal: Callable[[Any], bool] | None = None

    def _forget_all(self) -> None:
        forget_symbols()
        self.frame_cache.forget()

    def process_info(self) -> dict[str, Any]:
        inferior = gdb.selected_inferior()
        pid = inferior.pid or None
        program = _main_module()
        args = gdb.parameter("args") or ""
        cwd = gdb.parameter("cwd") or os.getcwd()
        argv = [program] + args.split() if program else None
        return {"program": program, "argv": argv, "cwd": cwd, "pid": pid}

    def current_thread(self) -> dict[str, Any] | None:
        t = gdb.selected_thread()
        if t is None:
            return None
        return {"id": t.num, "name": t.name, "tid": t.ptid[1]}

    def frames(self) -> Iterator[GdbFrame]:
        if gdb.selected_thread() is None:
            return iter(())
        self.frame_cache.check_inferior()
        return _frames_of_selected(self.frame_cache)

    def threads(self) -> Iterator[tuple[dict[str, Any], Iterator[GdbFrame]]]:
        inferior = gdb.selected_inferior()
        selected = gdb.selected_thread()
        self.frame_cache.check_inferior()
        try:
            for t in sorted(inferior.threads(), key=lambda t: t.num):
                if not t.is_valid() or t.is_exited():
                    continue
                t.switch()
                # Materialize before switching to the next thread: frames belong to the selected one.
                frames = list(itertools.islice(_frames_of_selected(self.frame_cache), _SAMPLE_FRAMES))
                yield {"id": t.num, "name": t.name, "tid": t.ptid[1]}, iter(frames)
        finally:
            if selected is not None and selected.is_valid():
                selected.switch()

    def breakpoints(self) -> list[dict[str, Any]]:
        return [breakpoint_fields(bp) for bp in gdb.breakpoints()
                if bp.is_valid() and bp.visible and not (self.is_internal and self.is_internal(bp))]

    def add_snappoint(self, location: str, condition: str | None, reason: str = "snappoint") -> dict[str, Any]:
        if self.snappoint_hit is None:
            raise RuntimeError("a gdb snappoint needs its recorder callback")
        fields = breakpoint_fields(Snappoint(location, condition, self.snappoint_hit, reason))
        return fields

    def execute(self, command: str) -> str:
        return str(gdb.execute(command, to_string=True) or "")
