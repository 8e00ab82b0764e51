"""Enforcing DESIGN.md's capture bounds on raw records; every cut is recorded, never silent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from debugtape.jsoncodec import dumps

__all__ = ["Bounds", "Cut", "bound_value", "bound_snapshot", "bound_sample", "cap_event", "json_size",
           "text_size"]

Cut = dict[str, Any]  # {"path": "frames[0].locals.buf", "why": "length", "kept": 256, "total": 4096}

_SPECIAL = ("$cycle", "$optimized_out", "$error", "$bytes", "$cut", "$unavailable")


@dataclass(frozen=True)
class Bounds:
    """Capture bounds (defaults from DESIGN.md)."""

    frames: int = 20
    locals_frames: int = 5
    value_chars: int = 256
    depth: int = 3
    items: int = 25
    snapshot_bytes: int = 32 * 1024
    event_bytes: int = 1024 * 1024
    sample_frames: int = 64
    sample_threads: int = 64
    meta_items: int = 200
    meta_chars: int = 1024


def json_size(value: Any) -> int:
    """Bytes of the compact UTF-8 JSON text of `value` (as the store writes it)."""
    return text_size(dumps(value))


def text_size(text: str) -> int:
    """Bytes of `text` in UTF-8."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "replace"))


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


# A cut's path is kept as (parent, key) pairs while bounding and spelled out only when a cut is
# recorded: most values are never cut, and formatting every path cost more than the bounding.
_Path = str | tuple[Any, str | int]


def _path_text(path: _Path) -> str:
    if not isinstance(path, tuple):
        return path
    parts: list[str] = []
    while isinstance(path, tuple):
        path, key = path
        parts.append(f"[{key}]" if isinstance(key, int) else "." + key)
    parts.append(f"{path}")
    return "".join(reversed(parts))


def bound_value(
    value: Any, path: str, cuts: list[Cut], *, chars: int, depth: int, items: int, level: int = 0
) -> Any:
    """A copy of a JSON value within the bounds; each cut appended to `cuts`."""
    return _bound(value, path, cuts, chars, depth, items, level)


def _bound(value: Any, path: _Path, cuts: list[Cut], chars: int, depth: int, items: int, level: int) -> Any:
    t = type(value)
    if t is int or t is float or t is bool or value is None:
        return value
    if isinstance(value, str):
        if len(value) > chars:
            cuts.append({"path": _path_text(path), "why": "length", "kept": chars, "total": len(value)})
            return value[:chars] + "…"
        return value
    if t is dict or (t is not list and t is not tuple and isinstance(value, Mapping)):
        if len(value) == 1 and next(iter(value)) in _SPECIAL:
            k, v = next(iter(value.items()))
            return {str(k): _scalar(v) if not isinstance(v, str) else v[:chars]}
        if level >= depth:
            cuts.append({"path": _path_text(path), "why": "depth", "kept": 0, "total": len(value)})
            return {"$cut": "depth"}
        return _entries(value, path, cuts, chars, depth, items, items, level + 1)
    if isinstance(value, (list, tuple)):
        if level >= depth:
            cuts.append({"path": _path_text(path), "why": "depth", "kept": 0, "total": len(value)})
            return [{"$cut": "depth"}]
        kept: list[Any] = []
        for i, v in enumerate(value[:items]):
            tv = type(v)
            if tv is int or tv is float or tv is bool or v is None or (tv is str and len(v) <= chars):
                kept.append(v)
            else:
                kept.append(_bound(v, (path, i), cuts, chars, depth, items, level + 1))
        if len(value) > items:
            cuts.append({"path": _path_text(path), "why": "items", "kept": items, "total": len(value)})
        return kept
    return _scalar(value)


def _entries(value: Mapping[Any, Any], path: _Path, cuts: list[Cut], chars: int, depth: int, items: int,
             limit: int, level: int) -> dict[str, Any]:
    """The first `limit` entries of a mapping, each value bounded at `level`."""
    out: dict[str, Any] = {}
    for k, v in islice(value.items(), limit):
        key = k if type(k) is str else str(k)
        tv = type(v)
        if tv is int or tv is float or tv is bool or v is None or (tv is str and len(v) <= chars):
            out[key] = v  # the common case, decided without a call
        else:
            out[key] = _bound(v, (path, key), cuts, chars, depth, items, level)
    if len(value) > limit:
        cuts.append({"path": _path_text(path), "why": "items", "kept": limit, "total": len(value)})
    return out


def _bound_vars(variables: Any, path: _Path, cuts: list[Cut], b: Bounds) -> dict[str, Any] | None:
    if type(variables) is not dict and not isinstance(variables, Mapping):
        return None
    # A frame's own variables get more room than a container's items.
    return _entries(variables, path, cuts, b.value_chars, b.depth, b.items, max(b.items * 4, 100), 0)


_FRAME_SCALARS = frozenset(("index", "symbol", "file", "line", "module", "address", "column", "language"))
_VARS = ("args", "locals")
_FRAME_VARS = frozenset((*_VARS, "types"))


def _small_json(value: Any) -> bool:
    """Whether `value` takes at most 256 bytes of JSON (a short string needs no encoding to tell)."""
    if value is None or type(value) is bool or (type(value) is str and len(value) <= 42):
        return True  # 42 characters escape to at most 6 bytes each, plus the quotes
    return json_size(value) <= 256


def _types(types: Mapping[Any, Any]) -> dict[str, str]:
    """A frame's variable types: names and type names as short strings, at most 200."""
    if type(types) is dict and len(types) <= 200:
        for k, v in types.items():  # the common case, kept as it is: short names as str
            if type(k) is not str or type(v) is not str or len(v) > 128:
                break
        else:
            return dict(types)
    return {str(k): str(v)[:128] for k, v in islice(types.items(), 200)}


def _frame(f: Mapping[str, Any], i: int, cuts: list[Cut], b: Bounds) -> dict[str, Any]:
    """One frame within the bounds: its scalars, its variables if it is a top frame, small extras."""
    frame: dict[str, Any] = {}
    extras: list[tuple[str, Any]] = []
    meta_chars = b.meta_chars
    for k, v in f.items():  # one pass: scalars now, variables below, small extras last
        if k in _FRAME_SCALARS:
            if v is None:
                continue
            tv = type(v)
            if tv is not str and tv is not int:
                v = _scalar(v)
            if type(v) is str and len(v) > meta_chars:
                v = v[:meta_chars]
            frame[k] = v
        elif k not in _FRAME_VARS:
            extras.append((k, v))
    if "index" not in frame:
        frame["index"] = i
    top = i < b.locals_frames
    for kind in _VARS:
        if kind not in f:
            continue
        if top:
            vars_ = _bound_vars(f[kind], (f"frames[{i}]", kind), cuts, b)
            if vars_ is not None:
                frame[kind] = vars_
        elif f[kind]:
            cuts.append({"path": f"frames[{i}].{kind}", "why": "locals_frames", "kept": 0,
                         "total": len(f[kind]) if isinstance(f[kind], Mapping) else 1})
    types = f.get("types")
    if top and types is not None and (type(types) is dict or isinstance(types, Mapping)):
        frame["types"] = _types(types)
    for k, v in extras:  # adapter extras (e.g. "presentation") kept if small
        if _small_json(v):
            frame[str(k)] = v
    return frame


def bound_snapshot(record: Mapping[str, Any], b: Bounds) -> tuple[dict[str, Any], list[Cut]]:
    """Snapshot data within the bounds: frames, locals in the top frames, values, total size."""
    cuts: list[Cut] = [dict(c) for c in record.get("truncation") or [] if isinstance(c, Mapping)]
    raw_frames = [f for f in record.get("frames") or [] if type(f) is dict or isinstance(f, Mapping)]
    if len(raw_frames) > b.frames:
        cuts.append({"path": "frames", "why": "frames", "kept": b.frames, "total": len(raw_frames)})
    frames = [_frame(f, i, cuts, b) for i, f in enumerate(raw_frames[: b.frames])]
    _fit(frames, cuts, b.snapshot_bytes)
    data: dict[str, Any] = {}
    for k, v in record.items():
        if k in ("kind", "frames", "truncation", "ts"):
            continue
        data[k] = _bound(v, k, cuts, b.meta_chars, b.depth + 1, b.meta_items, 0)
    data["frames"] = frames
    data["truncation"] = cuts
    return data, cuts


def _fit(frames: list[dict[str, Any]], cuts: list[Cut], limit: int) -> None:
    """Drop variables, deepest frame first, then the biggest ones, until the stack fits `limit`."""
    size = json_size(frames)
    if size <= limit:
        return
    for i in range(len(frames) - 1, -1, -1):
        for kind in ("locals", "args"):
            vars_ = frames[i].get(kind)
            if not vars_:
                continue
            if i > 0:
                cuts.append({"path": f"frames[{i}].{kind}", "why": "snapshot_bytes", "kept": 0,
                             "total": len(vars_)})
                frames[i][kind] = {}
                size = json_size(frames)
                if size <= limit:
                    return
    top = frames[0] if frames else {}
    for kind in ("locals", "args"):
        vars_ = top.get(kind) or {}
        for name in sorted(vars_, key=lambda n: json_size(vars_[n]), reverse=True):
            cuts.append({"path": f"frames[0].{kind}.{name}", "why": "snapshot_bytes", "kept": 0,
                         "total": json_size(vars_[name])})
            vars_[name] = {"$cut": "snapshot_bytes"}
            if json_size(frames) <= limit:
                return


def bound_sample(record: Mapping[str, Any], b: Bounds) -> tuple[dict[str, Any], list[Cut]]:
    """Sample data, with stacks interned within the event: frames, stacks of frame indices, threads."""
    cuts: list[Cut] = []
    threads = [t for t in record.get("threads") or [] if isinstance(t, Mapping)]
    if len(threads) > b.sample_threads:
        cuts.append({"path": "threads", "why": "items", "kept": b.sample_threads, "total": len(threads)})
    frame_ix: dict[tuple[Any, ...], int] = {}
    stack_ix: dict[tuple[int, ...], int] = {}
    frames: list[dict[str, Any]] = []
    stacks: list[list[int]] = []
    out_threads: list[dict[str, Any]] = []
    for t_i, t in enumerate(threads[: b.sample_threads]):
        raw = [f for f in t.get("frames") or [] if isinstance(f, Mapping)]
        if len(raw) > b.sample_frames:
            cuts.append({"path": f"threads[{t_i}].frames", "why": "frames", "kept": b.sample_frames,
                         "total": len(raw)})
        ids: list[int] = []
        for f in raw[: b.sample_frames]:
            key = (f.get("symbol"), f.get("file"), f.get("line"), f.get("module"))
            ix = frame_ix.get(key)
            if ix is None:
                ix = frame_ix[key] = len(frames)
                frames.append({k: _scalar(v) for k, v in zip(("symbol", "file", "line", "module"), key)
                               if v is not None})
            ids.append(ix)
        skey = tuple(ids)
        s = stack_ix.get(skey)
        if s is None:
            s = stack_ix[skey] = len(stacks)
            stacks.append(ids)
        thread: dict[str, Any] = {"id": _scalar(t.get("id")), "stack": s}
        if t.get("name") is not None:
            thread["name"] = _scalar(t.get("name"))
        if t.get("state") is not None:
            thread["state"] = _scalar(t.get("state"))
        out_threads.append(thread)
    data: dict[str, Any] = {"frames": frames, "stacks": stacks, "threads": out_threads}
    if record.get("rate_hz") is not None:
        data["rate_hz"] = _scalar(record.get("rate_hz"))
    if cuts:
        data["truncation"] = cuts
    return data, cuts


def cap_event(data: dict[str, Any], limit: int) -> dict[str, Any]:
    """The hard cap on one event: over `limit` bytes, keep the small fields and say what was cut."""
    size = json_size(data)
    if size <= limit:
        return data
    out: dict[str, Any] = {}
    cut_fields: list[str] = []
    for k, v in data.items():
        if json_size(v) <= 1024:
            out[k] = v
        elif k == "frames" and isinstance(v, list):
            out[k] = [{kk: vv for kk, vv in f.items() if kk not in ("locals", "args")}
                      for f in v if isinstance(f, Mapping)]
            cut_fields.append("frames.locals")
        else:
            cut_fields.append(k)
    if json_size(out) > limit:
        out = {k: v for k, v in out.items() if json_size(v) <= 256}
        cut_fields.append("most fields")
    trunc = list(out.get("truncation") or []) if isinstance(out.get("truncation"), list) else []
    trunc.append({"path": ",".join(cut_fields), "why": "event_bytes", "kept": limit, "total": size})
    out["truncation"] = trunc
    return out
