"""Sampled stacks in the formats people already use: speedscope JSON and collapsed stacks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from debugtape.report.samples import FrameKey, Progress, count_stacks, no_progress, session_stacks

if TYPE_CHECKING:
    from debugtape.store import Store

__all__ = ["SPEEDSCOPE_SCHEMA", "speedscope_json", "collapsed_lines", "collapsed_name"]

SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json"


def _session_label(store: Store, sid: str) -> str:
    try:
        row = store.session(sid)
    except Exception:  # a label is cosmetic; the export must not fail on it
        return sid[:12]
    name = row.get("name") if row else None
    return f"{name} [{sid[:8]}]" if name else sid[:12]


def speedscope_json(store: Store, session_ids: Sequence[str], progress: Progress = no_progress) -> dict[str, Any]:
    """A speedscope file (https://www.speedscope.app/file-format-schema.json) for the sessions.

    One sampled profile per (session, thread), in time order; each sample weighs 1 and its stack
    runs from the outermost frame inwards, as speedscope expects. Frames are functions (symbol
    and file), shared by all profiles.
    """
    frame_index: dict[FrameKey, int] = {}
    frames: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    for sid in session_ids:
        label = _session_label(store, sid)
        by_thread: dict[str, dict[str, Any]] = {}
        for _ts, thread, stack in session_stacks(store, sid, progress, f"speedscope {label}"):
            indices = []
            for key in stack:
                idx = frame_index.get(key)
                if idx is None:
                    idx = frame_index[key] = len(frames)
                    frame: dict[str, Any] = {"name": key[0]}
                    if key[1]:
                        frame["file"] = key[1]
                    frames.append(frame)
                indices.append(idx)
            prof = by_thread.get(thread)
            if prof is None:
                prof = by_thread[thread] = {"type": "sampled", "name": f"{label} {thread}", "unit": "none",
                                            "startValue": 0, "endValue": 0, "samples": [], "weights": []}
                profiles.append(prof)
            prof["samples"].append(indices)
            prof["weights"].append(1)
    for prof in profiles:
        prof["endValue"] = len(prof["samples"])
    names = ", ".join(_session_label(store, s) for s in session_ids)
    return {
        "$schema": SPEEDSCOPE_SCHEMA,
        "name": f"debugtape: {names}" if names else "debugtape",
        "exporter": "debugtape",
        "activeProfileIndex": 0,
        "shared": {"frames": frames},
        "profiles": profiles,
    }


def collapsed_name(key: FrameKey) -> str:
    """A frame's name as collapsed-stack tools read it: no ';' (the separator) and no newline."""
    return key[0].replace(";", ":").replace("\n", " ").replace("\r", " ") or "??"


def collapsed_lines(store: Store, session_ids: Sequence[str], progress: Progress = no_progress) -> Iterator[str]:
    """Collapsed stacks for flamegraph.pl and inferno: `outer;...;inner COUNT`, one per distinct stack.

    Threads and sessions are merged. Lines carry no trailing newline and come sorted, so the
    output is stable between runs.
    """
    counts: Counter[tuple[str, ...]] = Counter()
    for sid in session_ids:
        per_stack, _first, _last = count_stacks(store, sid, progress, f"collapsed {_session_label(store, sid)}")
        for (_thread, stack), n in per_stack.items():
            counts[tuple([collapsed_name(k) for k in stack])] += n
    for names in sorted(counts):
        yield f"{';'.join(names)} {counts[names]}"
