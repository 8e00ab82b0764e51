"""Rendering restore plans: quoting and one-line conditions, table-driven."""

from __future__ import annotations

from pathlib import Path

import pytest

from debugtape.correlate.locations import CorrelateError
from debugtape.correlate.restore import plan_restore


def _plan(tmp_path: Path, name: str, condition: str | None, kind: str = "breakpoint"):  # type: ignore[no-untyped-def]
    src = tmp_path / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text("int f(int n)\n{\n  return n;\n}\n")
    bp = {"bp_id": "1", "file": str(src), "line": 3, "stable_id": f"{name}#f+2", "condition": condition,
          "kind": kind}
    return plan_restore("s", [bp], tmp_path), str(src)


CASES = [
    ("a.c", "n > 3", "gdb", "break {p}:3 if n > 3"),
    ("a.c", "n >\n  3", "gdb", "break {p}:3 if n > 3"),
    ("sp ace/a.c", None, "gdb", "break '{p}':3"),
    ("a.c", "s == 'x'", "lldb", "breakpoint set -f '{p}' -l 3 -c \"s == 'x'\""),
    ("a.c", 's == "x"', "lldb", "breakpoint set -f '{p}' -l 3 -c 's == \"x\"'"),
    ("a.c", None, "lldb", "breakpoint set -f '{p}' -l 3"),
]


@pytest.mark.parametrize(("name", "cond", "fmt", "expected"), CASES)
def test_render(tmp_path: Path, name: str, cond: str | None, fmt: str, expected: str) -> None:
    plan, path = _plan(tmp_path, name, cond)
    lines, notes = plan.render(fmt)
    assert lines == [expected.format(p=path)] and notes == []


def test_snappoints_use_the_tape_command(tmp_path: Path) -> None:
    plan, path = _plan(tmp_path, "a.c", "n > 1", kind="snappoint")
    assert plan.render("gdb")[0] == [f"tape snappoint {path}:3 if n > 1"]
    assert plan.render("lldb")[0] == [f"tape snappoint {path}:3 if n > 1"]


def test_unknown_format(tmp_path: Path) -> None:
    plan, _ = _plan(tmp_path, "a.c", None)
    with pytest.raises(CorrelateError, match="unknown format"):
        plan.render("emacs")


def test_function_became_shorter_than_the_offset(tmp_path: Path) -> None:
    src = tmp_path / "a.c"
    src.write_text("int f(int n) { return n; }\n")
    plan = plan_restore("s", [{"bp_id": "1", "file": str(src), "line": 3, "stable_id": "a.c#f+2"}], tmp_path)
    assert plan.placed == [] and "no longer exists" in plan.skipped[0]["reason"]
