"""Bounds: every cut is made and recorded, with what and why."""

from __future__ import annotations

from debugtape.pipeline.bound import Bounds, bound_sample, bound_snapshot, cap_event, json_size


def _snap(frames: list[dict]) -> dict:
    return {"kind": "snapshot", "reason": "breakpoint", "frames": frames}


def _whys(cuts: list[dict]) -> set[str]:
    return {c["why"] for c in cuts}


def test_frames_beyond_the_limit_are_cut_and_recorded() -> None:
    data, cuts = bound_snapshot(_snap([{"symbol": f"f{i}"} for i in range(50)]), Bounds())
    assert len(data["frames"]) == 20
    assert {"path": "frames", "why": "frames", "kept": 20, "total": 50} in cuts
    assert data["truncation"] == cuts


def test_locals_only_in_the_top_frames() -> None:
    frames = [{"symbol": f"f{i}", "locals": {"x": i}} for i in range(8)]
    data, cuts = bound_snapshot(_snap(frames), Bounds())
    assert all("locals" in f for f in data["frames"][:5])
    assert all("locals" not in f for f in data["frames"][5:])
    assert sum(c["why"] == "locals_frames" for c in cuts) == 3


def test_long_strings_deep_values_and_wide_containers() -> None:
    value = {"s": "x" * 1000, "deep": {"a": {"b": {"c": {"d": 1}}}}, "wide": list(range(100))}
    data, cuts = bound_snapshot(_snap([{"symbol": "f", "locals": {"v": value}}]), Bounds())
    v = data["frames"][0]["locals"]["v"]
    assert len(v["s"]) == 257 and v["s"].endswith("…")
    assert v["wide"] == list(range(25))
    assert v["deep"]["a"]["b"] == {"$cut": "depth"}
    assert {"length", "items", "depth"} <= _whys(cuts)
    assert {"path": "frames[0].locals.v.wide", "why": "items", "kept": 25, "total": 100} in cuts


def test_markers_pass_through() -> None:
    loc = {"next": {"$cycle": "0x1000"}, "gone": {"$optimized_out": True}}
    data, cuts = bound_snapshot(_snap([{"symbol": "f", "locals": loc}]), Bounds())
    assert data["frames"][0]["locals"] == loc and not cuts


def test_snapshot_size_cap_drops_deepest_locals_first() -> None:
    frames = [{"symbol": f"f{i}", "locals": {f"v{j}": "y" * 200 for j in range(40)}} for i in range(5)]
    data, cuts = bound_snapshot(_snap(frames), Bounds())
    assert json_size(data["frames"]) <= 32 * 1024
    assert data["frames"][4]["locals"] == {}
    assert data["frames"][0]["locals"]["v0"] == "y" * 200
    assert "snapshot_bytes" in _whys(cuts)


def test_samples_are_interned_within_the_event() -> None:
    stack = [{"symbol": "work", "line": 3}, {"symbol": "main", "line": 9}]
    data, cuts = bound_sample({"kind": "sample", "threads": [{"id": i, "frames": stack} for i in range(4)]}, Bounds())
    assert len(data["frames"]) == 2 and data["stacks"] == [[0, 1]]
    assert [t["stack"] for t in data["threads"]] == [0, 0, 0, 0] and not cuts


def test_event_hard_cap() -> None:
    data = {"frames": [{"symbol": "f", "locals": {"x": "z" * 5000}}], "blob": "q" * 2_000_000, "reason": "manual"}
    out = cap_event(data, 1024 * 1024)
    assert json_size(out) < 1024 * 1024
    assert out["reason"] == "manual" and "blob" not in out
    assert out["truncation"][-1]["why"] == "event_bytes"
