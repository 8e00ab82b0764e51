"""The per-pc frame cache and the per-type value readers give exactly the records of an uncached
capture, and the cache is emptied when what it describes may have changed (real gdb)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.gdb.gdbrun import INIT, run_gdb
from tests.support import compile_c, need_binary

pytestmark = pytest.mark.timeout(120)

HERE = Path(__file__).resolve().parent
SHAPES = HERE / "fixtures" / "shapes.c"


def _line_of(text: str) -> int:
    return next(i for i, line in enumerate(SHAPES.read_text().splitlines(), 1) if text in line)


def _probes(prog: Path, commands: list[str]) -> list[dict[str, Any]]:
    out = run_gdb(prog, [f"source {HERE / 'cache_probe.py'}", *commands])
    assert "Traceback" not in out.stderr, out.stderr
    probes = [json.loads(line[6:]) for line in out.stdout.splitlines() if line.startswith("PROBE ")]
    assert probes, out.stdout + out.stderr
    return probes


def test_cached_capture_records_what_uncached_capture_records(tmp_path: Path) -> None:
    prog = compile_c(SHAPES, tmp_path / "shapes")
    vla_line = _line_of("return vla[n - 1];")
    probes = _probes(prog, [
        "break leaf", f"break shapes.c:{vla_line}", "run",
        "python probe('leaf, round 0')", "continue",
        "python probe('leaf, round 1')", "continue",
        "python probe('grow(3)')", "continue",
        "python probe('grow(5)')", "continue",
    ])
    assert [p["label"] for p in probes] == ["leaf, round 0", "leaf, round 1", "grow(3)", "grow(5)"]
    for p in probes:
        assert p["cached"] == p["uncached"], p["label"]
        assert p["again"] == p["uncached"], p["label"]
    first, second = probes[0], probes[1]
    assert first["entries_before"] == 0 and first["entries"] >= 3
    assert second["entries"] == first["entries"]  # the same pcs: nothing new to learn
    assert second["hits"] > first["hits"]
    leaf = first["cached"]["frames"][0]
    # values of many shapes, read through the cached type readers
    r = leaf["args"]["r"]
    assert r["id"] == 42 and r["flags"] == 5 and r["mode"] == 17 and r["ok"] is True
    assert r["color"] == "BLUE" and r["grid"] == [[0, 1, 2], [3, 4, 5]]
    assert r["<anon3>"] == {"as_int": 0x3F800000, "as_float": 1.0}
    assert r["next"] == {"s": 7, "tag": '"second"'} and r["fn"].endswith("<twice>")
    assert leaf["args"]["d"] == "inf" and leaf["args"]["c"] == ord("q")
    assert "later" not in leaf["locals"]  # declared further down an inner scope: not alive yet
    # the values change between hits at the same pcs, the layout does not
    assert second["cached"]["frames"][0]["args"]["r"]["id"] == 43
    assert second["cached"]["frames"][0]["args"]["d"] == "nan"
    assert second["cached"]["frames"][0]["args"]["r"]["name"] == "0x0"
    # a variable-length array: its length is the value's, not the cached type's
    assert probes[2]["cached"]["frames"][0]["locals"]["vla"] == [0, 1, 4]
    assert probes[3]["cached"]["frames"][0]["locals"]["vla"] == [0, 1, 4, 9, 16]


def test_cache_is_emptied_when_the_program_reruns_or_symbols_change(tmp_path: Path) -> None:
    prog = compile_c(SHAPES, tmp_path / "shapes")
    probes = _probes(prog, [
        "break leaf", "run", "python probe('first run')",
        "run", "python probe('second run')",  # gdb -batch answers the restart question itself
        f"file {prog}", "python probe('symbols reloaded')",
    ])
    first, rerun, reloaded = probes
    assert first["entries_before"] == 0 and first["entries"] > 0
    assert rerun["entries_before"] == 0, "a new process must not reuse the old one's layouts"
    assert reloaded["entries_before"] == 0, "reloaded symbol files must not reuse old layouts"
    for p in probes:
        assert p["cached"] == p["uncached"], p["label"]


def test_cache_is_emptied_at_the_prompt(tmp_path: Path) -> None:
    """Settings may change at the prompt (substitute-path, demangling): each stop that shows it
    starts afresh. gdb reading commands from a pipe shows its prompt between them; -batch does not."""
    prog = compile_c(SHAPES, tmp_path / "shapes")
    commands = [f"source {HERE / 'cache_probe.py'}", "break leaf", "run",
                "python probe('first')", "python probe('after a prompt')", "kill", "quit"]
    out = subprocess.run([need_binary("gdb"), "-nx", "-q", "-iex", "set debuginfod enabled off", "-iex", INIT,
                          "--args", str(prog)], input="\n".join(commands) + "\n", capture_output=True,
                         text=True, errors="replace", timeout=60)
    probes = [json.loads(line[line.index("PROBE ") + 6:]) for line in out.stdout.splitlines() if "PROBE " in line]
    assert [p["label"] for p in probes] == ["first", "after a prompt"], out.stdout + out.stderr
    assert probes[0]["entries"] > 0 and probes[1]["entries_before"] == 0
    assert probes[1]["cached"] == probes[1]["uncached"]


def test_inlined_frames_show_their_own_variables(tmp_path: Path) -> None:
    """The blocks of inlined calls can all cover the same addresses: each frame still shows its
    own arguments and locals (as `bt full` does), cached or not."""
    prog = compile_c(HERE / "fixtures" / "inlined.c", tmp_path / "inlined", "-O2")
    probes = _probes(prog, ["break inner", "run", "python probe('first')", "continue", "python probe('second')"])
    for p, v in zip(probes, (1, 2)):
        assert p["cached"] == p["uncached"] == p["again"], p["label"]
        frames = {f["symbol"]: f for f in p["cached"]["frames"]}
        assert frames["inner"]["args"] == {"v": v + 1} and frames["inner"]["locals"] == {"w": 3 * (v + 1)}
        assert frames["outer"]["args"] == {"v": v} and frames["outer"]["locals"] == {"u": 3 * (v + 1) + 1}
        assert frames["top"]["args"] == {"a": v}
    # inlined frames are kept too: at the second stop only main may be new (an unrolled loop
    # calls `top` from two places)
    assert probes[1]["entries"] - probes[1]["entries_before"] <= 1


def test_inlined_frames_shown_or_hidden_at_one_pc(tmp_path: Path) -> None:
    """At a breakpoint on `top` gdb hides the calls inlined at that very address; `step` shows
    them one by one without the pc moving. Each view is its own cache entry."""
    prog = compile_c(HERE / "fixtures" / "inlined.c", tmp_path / "inlined", "-O2")
    probes = _probes(prog, ["break top", "run", "python probe('top')", "step", "python probe('outer')",
                            "step", "python probe('inner')", "continue", "python probe('top again')",
                            "step", "python probe('outer again')"])
    symbols = [[f["symbol"] for f in p["cached"]["frames"][:3]] for p in probes]
    assert symbols == [["top", "main"], ["outer", "top", "main"], ["inner", "outer", "top"],
                       ["top", "main"], ["outer", "top", "main"]]
    for p in probes:
        assert p["cached"] == p["uncached"] == p["again"], p["label"]
    assert probes[1]["cached"]["frames"][0]["locals"] == {"u": 7}
    assert probes[4]["cached"]["frames"][0]["locals"] == {"u": 10}
    assert probes[4]["hits"] > probes[3]["hits"]


def test_cache_holds_a_bounded_number_of_layouts(tmp_path: Path) -> None:
    prog = compile_c(SHAPES, tmp_path / "shapes")
    probes = _probes(prog, ["break leaf", "run", "python cache.max_entries = 2", "python probe('small')",
                            "continue", "python probe('small again')"])
    for p in probes:
        assert p["entries"] <= 2
        assert p["cached"] == p["uncached"] == p["again"], p["label"]
