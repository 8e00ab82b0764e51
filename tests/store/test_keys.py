"""The keys that find an event in the timeline's key index (pure)."""

from __future__ import annotations

from types import MappingProxyType

from debugtape.events import Event
from debugtape.store.rows import event_rows, frame_keys, symbol_keys


def test_symbol_keys_add_the_last_component() -> None:
    assert symbol_keys("ns::Tree::insert") == ["s:ns::Tree::insert", "s:insert"]
    assert symbol_keys("pkg.mod.Class.method") == ["s:pkg.mod.Class.method", "s:method"]
    assert symbol_keys("std::vector<a.b>::push") == ["s:std::vector<a.b>::push", "s:push"]  # :: first
    assert symbol_keys("main") == ["s:main"]


def test_frame_keys_use_basenames_lines_and_blame() -> None:
    frame = {"symbol": "parse", "file": "/src/app/parser.c", "line": 12, "blame": {"commit": "ab12"}}
    assert frame_keys(frame) == ["s:parse", "b:parser.c", "l:parser.c:12", "c:ab12"]
    assert frame_keys(frame, blame=False) == ["s:parse", "b:parser.c", "l:parser.c:12"]
    assert frame_keys({"file": "C:\\src\\win.c", "line": "7"}) == ["b:win.c"]  # a line must be a number
    assert frame_keys({"symbol": "", "file": None, "blame": "ab12"}) == []


def test_a_snapshot_gives_frames_and_keys_for_any_mapping() -> None:
    frames = [MappingProxyType({"symbol": "a::f", "file": "/x/f.c", "line": 3}), "not a frame",
              {"symbol": "main", "file": "/x/m.c", "line": 9, "module": "app"}]
    ev = Event("debug_snapshot", "s1", {"frames": frames, "commit": {"head": "cafe"}}, seq=2)
    rows = event_rows(7, ev, 1000)
    assert rows.frames == [(7, 0, "a::f", "/x/f.c", 3, None), (7, 2, "main", "/x/m.c", 9, "app")]
    assert rows.keys == {"s:a::f", "s:f", "b:f.c", "l:f.c:3", "s:main", "b:m.c", "l:m.c:9", "c:cafe"}
    assert rows.snapshot is not None and rows.snapshot[7:10] == ("a::f", "/x/f.c", 3)
