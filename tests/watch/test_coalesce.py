"""The coalescer, table-driven with the event sequences real editors produce (seen with inotify)."""

from __future__ import annotations

import pytest

from debugtape.watch.coalesce import Change, Coalescer

CASES = [
    ("in-place save (VS Code, nano)", [("modified", "a.c", None), ("modified", "a.c", None)],
     [Change("modified", "a.c")]),
    ("new file written", [("created", "n.c", None), ("modified", "n.c", None)],
     [Change("created", "n.c")]),
    ("temporary file", [("created", "t.c", None), ("modified", "t.c", None), ("deleted", "t.c", None)],
     []),
    ("atomic save: temp renamed over the file",
     [("created", ".a.c.tmp", None), ("modified", ".a.c.tmp", None), ("moved", ".a.c.tmp", "a.c")],
     [Change("replaced", "a.c")]),
    ("vim with backup: file moved aside, rewritten, backup deleted",
     [("moved", "a.c", "a.c~"), ("created", "a.c", None), ("modified", "a.c", None),
      ("deleted", "a.c~", None)],
     [Change("modified", "a.c")]),
    ("JetBrains safe write",
     [("created", "a.c___jb_tmp___", None), ("modified", "a.c___jb_tmp___", None),
      ("moved", "a.c", "a.c___jb_old___"), ("moved", "a.c___jb_tmp___", "a.c"),
      ("deleted", "a.c___jb_old___", None)],
     [Change("modified", "a.c")]),
    ("delete then recreate", [("deleted", "a.c", None), ("created", "a.c", None)],
     [Change("modified", "a.c")]),
    ("plain rename", [("moved", "a.c", "b.c")], [Change("moved", "a.c", "b.c")]),
    ("rename twice", [("moved", "a.c", "b.c"), ("moved", "b.c", "c.c")], [Change("moved", "a.c", "c.c")]),
    ("rename and back", [("moved", "a.c", "b.c"), ("moved", "b.c", "a.c")], [Change("modified", "a.c")]),
    ("modified then deleted", [("modified", "a.c", None), ("deleted", "a.c", None)],
     [Change("deleted", "a.c")]),
    ("moved then deleted", [("moved", "a.c", "b.c"), ("deleted", "b.c", None)],
     [Change("deleted", "a.c")]),
    ("rename over a deleted file",
     [("deleted", "a.c", None), ("moved", "b.c", "a.c")],
     [Change("modified", "a.c"), Change("deleted", "b.c")]),
    ("independent files keep their order",
     [("modified", "z.c", None), ("created", "a.c", None), ("deleted", "m.c", None)],
     [Change("modified", "z.c"), Change("created", "a.c"), Change("deleted", "m.c")]),
]


@pytest.mark.parametrize("name, events, expected", CASES, ids=[c[0] for c in CASES])
def test_coalesce(name: str, events: list[tuple[str, str, str | None]], expected: list[Change]) -> None:
    c = Coalescer()
    for kind, path, dest in events:
        c.add(kind, path, dest)
    assert c.observed == len(events)
    assert sorted(c.drain(), key=lambda x: x.current) == sorted(expected, key=lambda x: x.current)
    assert len(c) == 0
