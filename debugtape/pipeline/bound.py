"""Enforcing DESIGN.md's capture bounds on raw records; every cut is recorded, never silent."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Bounds", "Cut", "bound_value", "bound_snapshot", "bound_sample", "cap_event", "json_size"]

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
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8", "replace"))


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def bound_value(
    value: Any, path: str, cuts: list[Cut], *, chars: int, depth: int, items: int, level: int = 0
) -> Any:
    """A copy of a JSON value within the bounds; each cut appended to `cuts`."""
    if isinstance(value, str):
        if len(value) > chars:
            cuts.append({"path": path, "why": "length", "kept": chars, "total": len(value)})
            return value[:chars] + "…"
        return value
    if isinstance(value, Mapping):
        if len(value) == 1 and next(iter(value)) in _SPECIAL:
            k, v = next(iter(value.items()))
            return {str(k): _scalar(v) if not isinstance(v, str) else v[:chars]}
        if level >= depth:
            cuts.append({"path": path, "why": "depth", "kept": 0, "total": len(value)})
            return {"$cut": "depth"}
        out: dict[str, Any] = {}
        for i, (k, v) in enumerate(value.items()):
            if i >= items:
                cuts.append({"path": path, "why": "items", "kept": items, "total": len(value)})
                break
            key = str(k)
            out[key] = bound_value(
                v, f"{path}.{key}", cuts, chars=chars, depth=depth, items=items, level=level + 1
            )
        return out
    if isinstance(value, (list, tuple)):
        if level >= depth:
            cuts.append({"path": path, "why": "depth", "kept": 0, "total": len(value)})
            return [{"$cut": "depth"}]
        kept = [
            bound_value(v, f"{path}[{i}]", cuts, chars=chars, depth=depth, items=items, level=level + 1)
            for i, v in enumerate(value[:items])
        ]
        if len(value) > items:
            cuts.append({"path": path, "why": "items", "kept": items, "total": len(value)})
        return kept
    return _scalar(value)


def _bound_vars(
    variables: Any, path: str, cuts: list[Cut], b: Bounds
) -> dict[str, Any] | None:
    if not isinstance(variables, Mapping):
        return None
    out: dict[str, Any] = {}
    limit = max(b.items * 4, 100)  # a frame's own variables get more room than a container's items
    for i, (name, val) in enumerate(variables.items()):
        if i >= limit:
            cuts.append({"path": path, "why": "items", "kept": limit, "total": len(variables)})
            break
        out[str(name)] = bound_value(
            val, f"{path}.{name}", cuts, chars=b.value_chars, depth=b.depth, items=b.items
        )
    return out


_FRAME_SCALARS = ("index", "symbol", "file", "line", "module", "address", "column", "language")


def bound_snapshot(record: Mapping[str, Any], b: Bounds) -> tuple[dict[str, Any], list[Cut]]:
    """Snapshot data within the bounds: frames, locals in the top frames, values, total size."""
    cuts: list[Cut] = [dict(c) for c in record.get("truncation") or [] if isinstance(c, Mapping)]
    raw_frames = [f for f in record.get("frames") or [] if isinstance(f, Mapping)]
    if len(raw_frames) > b.frames:
        cuts.append({"path": "frames", "why": "frames", "kept": b.frames, "total": len(raw_frames)})
    frames: list[dict[str, Any]] = []
    for i, f in enumerate(raw_frames[: b.frames]):
        frame: dict[str, Any] = {}
        for k in _FRAME_SCALARS:
            if k in f and f[k] is not None:
                v = _scalar(f[k])
                frame[k] = v[: b.meta_chars] if isinstance(v, str) else v
        frame.setdefault("index", i)
        for kind in ("args", "locals"):
            if kind not in f:
                continue
            if i < b.locals_frames:
                vars_ = _bound_vars(f[kind], f"frames[{i}].{kind}", cuts, b)
                if vars_ is not None:
                    frame[kind] = vars_
            elif f[kind]:
                cuts.append({"path": f"frames[{i}].{kind}", "why": "locals_frames", "kept": 0,
                             "total": len(f[kind]) if isinstance(f[kind], Mapping) else 1})
        if isinstance(f.get("types"), Mapping) and i < b.locals_frames:
            frame["types"] = {str(k): str(v)[:128] for k, v in list(f["types"].items())[:200]}
        for k, v in f.items():  # adapter extras (e.g. "presentation") kept if small
            if k not in frame and k not in ("args", "locals", "types") and json_size(v) <= 256:
                frame[k] = v
        frames.append(frame)
    _fit(frames, cuts, b.snapshot_bytes)
    data: dict[str, Any] = {}
    for k, v in record.items():
        if k in ("kind", "frames", "truncation", "ts"):
            continue
        data[k] = bound_value(v, k, cuts, chars=b.meta_chars, depth=b.depth + 1, items=b.meta_items)
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
