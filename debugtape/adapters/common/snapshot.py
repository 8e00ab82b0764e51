"""Snapshot and sample records built from a backend's frames, with the bounds applied (standard library only)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar

from debugtape.adapters.common.values import Bounds, Capture, ValueAccess, Walker

__all__ = ["FrameView", "Variable", "build_frames", "build_snapshot", "stack_of"]

V = TypeVar("V")
V_co = TypeVar("V_co", covariant=True)

# (name, value, type name) of one argument or local.
Variable = tuple[str, Any, str]


class FrameView(Protocol[V_co]):
    """One frame as a backend exposes it. Frames come innermost first and lazily: a deep recursion
    is never walked further than `Bounds.frames + 1`."""

    def describe(self) -> dict[str, Any]:
        """symbol, file, line, module, address (any may be None); cheap: no values."""
        ...

    def variables(self) -> tuple[Sequence[tuple[str, V_co, str]], Sequence[tuple[str, V_co, str]]]:
        """(arguments, locals), each a sequence of (name, value, type name), innermost scope first."""
        ...


def _values(
    items: Sequence[tuple[str, V, str]], walker: Walker[V], path: str,
    out: dict[str, Any], types: dict[str, str],
) -> None:
    cap = walker.cap
    for name, value, type_name in items:
        if name in out:  # a shadowed local in an outer block: the innermost one is what the code sees
            continue
        if cap.full:
            cap.cut(f"{path}.{name}", "size", kept=cap.bounds.snapshot_bytes)
            return
        out[name] = walker.walk(value, f"{path}.{name}", 0)
        types[name] = type_name


def build_frames(frames: Iterable[FrameView[V]], access: ValueAccess[V], cap: Capture) -> list[dict[str, Any]]:
    """The `frames` of a snapshot record: at most `bounds.frames`, values in the top `locals_frames`."""
    bounds = cap.bounds
    walker = Walker(access, cap)
    out: list[dict[str, Any]] = []
    for i, frame in enumerate(frames):
        if i >= bounds.frames:
            cap.cut("frames", "frames", kept=bounds.frames)
            break
        try:
            info = frame.describe()
        except Exception as exc:  # an unwinder failure ends the stack here, visibly
            cap.cut(f"frames[{i}]", "error")
            out.append({"index": i, "symbol": None, "error": str(exc)})
            break
        info["index"] = i
        if i < bounds.locals_frames:
            args: dict[str, Any] = {}
            local: dict[str, Any] = {}
            types: dict[str, str] = {}
            try:
                arg_items, local_items = frame.variables()
                _values(arg_items, walker, f"frames[{i}].args", args, types)
                _values(local_items, walker, f"frames[{i}].locals", local, types)
            except Exception as exc:  # no symbols for this frame, or the block cannot be read
                info["error"] = str(exc)
            info["args"] = args
            info["locals"] = local
            info["types"] = types
        out.append(info)
    return out


def build_snapshot(
    frames: Iterable[FrameView[V]], access: ValueAccess[V], reason: str,
    thread: dict[str, Any] | None = None, bounds: Bounds | None = None, **extra: Any,
) -> dict[str, Any]:
    """A complete `snapshot` raw record (extra keys: bp_id, note, signal, exception...)."""
    cap = Capture(bounds)
    record: dict[str, Any] = {"kind": "snapshot", "ts": time.time(), "reason": reason}
    if thread is not None:
        record["thread"] = thread
    record["frames"] = build_frames(frames, access, cap)
    record["truncation"] = cap.truncation
    for key, value in extra.items():
        if value is not None:
            record[key] = value
    return record


def stack_of(frames: Iterable[FrameView[Any]], limit: int) -> list[dict[str, Any]]:
    """A sampled stack: frame descriptions only, at most `limit` (no values, so it stays cheap)."""
    out: list[dict[str, Any]] = []
    for i, frame in enumerate(frames):
        if i >= limit:
            break
        try:
            out.append(frame.describe())
        except Exception:
            break
    return out
