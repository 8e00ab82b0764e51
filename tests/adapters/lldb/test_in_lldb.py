"""The `tape` commands inside the real lldb-19 (lldb -b), recorded through the real `debugtape ingest`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.adapters.gdb.gdbrun import build, of_type, sessions, store_bytes, stored
from tests.adapters.lldb.lldbrun import INIT, run_lldb

pytestmark = pytest.mark.timeout(120)


def start(db: Path, name: str = "t") -> str:
    return f"tape start --db {db} {name}"


def test_breakpoint_snapshots_deep_recursion_and_clean_end(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    out = run_lldb(prog, ["breakpoint set -n fact -c 'n == 0'", start(store_path, "rec"), "run",
                          "tape snap look here", "tape note checked the base case", "tape status", "continue"])
    assert "recording session" in out.stdout, out.stdout + out.stderr
    assert "debugtape:" not in out.stderr, out.stderr
    events = stored(store_path)
    types = [e["type"] for e in events]
    assert types[0] == "session_started" and types[-1] == "session_ended"
    assert of_type(events, "session_started")[0]["tool"] == "lldb"
    bp = of_type(events, "breakpoint_set")[0]
    assert bp["condition"] == "n == 0" and bp["symbol"] == "fact" and bp["line"] == 5
    snaps = of_type(events, "debug_snapshot")
    assert [s["reason"] for s in snaps] == ["breakpoint", "manual"]
    first = snaps[0]
    assert first["bp_id"] == "1"
    assert len(first["frames"]) == 20  # 32 frames deep, bounded to 20
    assert any(c["path"] == "frames" and c["why"] == "frames" and c["kept"] == 20 for c in first["truncation"])
    assert first["frames"][0]["args"] == {"n": 0} and first["frames"][3]["locals"] == {"here": 3}
    assert "locals" not in first["frames"][5]  # values in the top 5 frames only
    assert snaps[1]["note"] == "look here"
    assert of_type(events, "note")[0]["text"] == "checked the base case"
    changed = of_type(events, "breakpoint_changed")
    assert changed and changed[-1]["hits"] == 1
    ended = of_type(events, "session_ended")[0]
    assert ended["reason"] == "exited" and ended["exit_code"] == 0
    assert sessions(store_path)[0]["status"] == "completed"


def test_cyclic_list_bad_utf8_and_large_values(tmp_path: Path, store_path: Path) -> None:
    cyc = build("cyclic_list", tmp_path)
    run_lldb(cyc, [start(store_path), "b walk", "run", "continue"])
    bad = build("bad_utf8", tmp_path)
    run_lldb(bad, [start(store_path), "b show", "run", "up", "tape snap", "continue"])
    big = build("large_array", tmp_path)
    run_lldb(big, [start(store_path), "b inspect", "run", "up", "tape snap", "continue"])
    snaps = of_type(stored(store_path), "debug_snapshot")
    assert len(snaps) == 5
    head = snaps[0]["frames"][0]["args"]["head"]
    assert head["value"] == 1 and head["next"]["value"] == 2 and head["next"]["next"]["value"] == 3
    assert set(head["next"]["next"]["next"]) == {"$cycle"}
    assert snaps[1]["frames"][0]["args"]["raw"] == {"$bytes": b"ok\xff\xfe\xc3(end".hex()}
    assert snaps[1]["frames"][0]["args"]["label"].endswith('"label"')
    assert snaps[2]["frames"][0]["locals"]["latin1"] == {"$bytes": b"caf\xe9".hex()}
    main_locals = snaps[4]["frames"][0]["locals"]
    assert main_locals["big"] == [i * 3 for i in range(25)]
    assert len(main_locals["text"]) <= 258
    cuts = snaps[4]["truncation"]
    assert {"path": "frames[0].locals.big", "why": "items", "kept": 25, "total": 1000} in cuts
    assert any(c["path"] == "frames[0].locals.text" and c["why"] == "length" for c in cuts)
    assert len(json.dumps(snaps[4])) < 40_000


def test_crash_signal_and_optimized_out(tmp_path: Path, store_path: Path) -> None:
    seg = build("segfault", tmp_path)
    run_lldb(seg, [start(store_path, "crash"), "run"], after_crash=["kill"])
    sig = build("signal", tmp_path)
    run_lldb(sig, [start(store_path, "sig"), "process handle SIGUSR1 -s true -p true", "run"],
             after_crash=["continue"])
    opt = build("optimized", tmp_path, "-O2")
    run_lldb(opt, [start(store_path, "opt"), "b mix", "run", "finish", "continue"])
    events = stored(store_path)
    snaps = of_type(events, "debug_snapshot")
    crash = snaps[0]
    assert crash["reason"] == "crash" and crash["signal"] == "SIGSEGV"
    assert crash["frames"][0]["symbol"] == "store" and crash["frames"][0]["args"]["r"] == "0x0"
    assert crash["frames"][1]["locals"]["missing"] == "0x0"
    assert snaps[1]["reason"] == "signal" and snaps[1]["signal"] == "SIGUSR1"
    opt_snaps = snaps[2:]
    assert opt_snaps[0]["reason"] == "breakpoint" and opt_snaps[1]["reason"] == "step"
    values = [v for s in opt_snaps for f in s["frames"][:2]
              for v in [*f.get("args", {}).values(), *f.get("locals", {}).values()]]
    assert {"$optimized_out": True} in values
    ends = sorted(e["data"]["reason"] for e in events if e["type"] == "session_ended")
    assert ends == ["exited", "exited", "killed"]


def test_secrets_never_reach_the_store(tmp_path: Path, store_path: Path) -> None:
    prog = build("secrets", tmp_path)
    env_secret = "envsecret-PLANTED-7b3a"
    out = run_lldb(prog, [start(store_path), "b check_login", "run", "next", "next", "next",
                          "tape snap", "continue"], env={"APP_SECRET_KEY": env_secret})
    assert "debugtape:" not in out.stderr, out.stderr
    events = stored(store_path)
    snaps = of_type(events, "debug_snapshot")
    assert len(snaps) >= 4
    last = snaps[-1]["frames"][0]
    assert set(last["locals"]) >= {"db_password", "secret_key"} and "auth_token" in last["args"]
    raw = store_bytes(store_path)
    for planted in (b"hunter2-PLANTED-local-4f1c", b"tok-PLANTED-arg-9d2e", env_secret.encode()):
        assert planted not in raw
    assert b"REDACTED" in raw  # the values were there, and redacted


def test_snappoint_records_without_stopping(tmp_path: Path, store_path: Path) -> None:
    prog = build("hits", tmp_path)
    out = run_lldb(prog, [start(store_path), "tape snappoint hit if i % 10 == 3", "run"], args=["50"])
    assert "snappoint 1 at hits.c:" in out.stdout, out.stdout + out.stderr
    assert "stop reason = breakpoint" not in out.stdout  # never handed the terminal back
    events = stored(store_path)
    snaps = of_type(events, "debug_snapshot")
    assert all(s["reason"] == "snappoint" for s in snaps)
    assert [s["frames"][0]["args"]["i"] for s in snaps] == [3, 13, 23, 33, 43]
    assert snaps[0]["frames"][0]["args"]["p"]["x"] == 3 and snaps[0]["frames"][0]["args"]["p"]["y"] == 2
    assert of_type(events, "breakpoint_set")[0]["kind"] == "snappoint"
    assert of_type(events, "breakpoint_changed")[-1]["hits"] == 5
    assert of_type(events, "session_ended")[0]["reason"] == "exited"


def test_sampling_all_threads(tmp_path: Path, store_path: Path) -> None:
    prog = build("threads", tmp_path)
    out = run_lldb(prog, [start(store_path, "sampled"), "b spin", "run", "breakpoint delete -f",
                          "tape sample 100hz", "continue", "tape status"], args=["1.0"])
    assert "sampling every thread at 100 Hz" in out.stdout, out.stdout + out.stderr
    assert "SIGRTMIN" not in out.stdout and "signal 36" not in out.stdout
    events = stored(store_path)
    samples = of_type(events, "stack_sample")
    assert len(samples) >= 40, len(samples)
    # the pipeline interns stacks: a frame table per event, threads point into it
    symbols = {f.get("symbol") for s in samples for f in s.get("frames", [])}
    symbols |= {f.get("symbol") for s in samples for t in s.get("threads", []) for f in t.get("frames", [])
                if isinstance(f, dict)}
    assert "worker" in symbols or "spin" in symbols
    assert max(len(s["threads"]) for s in samples) >= 4
    assert of_type(events, "session_ended")[0]["reason"] == "exited"


def test_failures_are_reported_and_lldb_carries_on(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    # batch mode stops at the first failing -o command; a sourced file can carry on, as a user does
    script = tmp_path / "cmds.lldb"
    script.write_text("\n".join(["tape snap", "tape note x", "tape sample fast", "tape timeline",
                                  start(store_path), start(store_path), "tape snappoint",
                                  "tape snappoint nosuch.c:12", "script print('still-alive')"]) + "\n")
    out = run_lldb(prog, [f"command source -e false {script}"])
    err = out.stderr
    assert "not recording; start with `tape start [NAME]`" in err
    assert "sampling rate must look like 100hz" in err
    assert "already recording session" in err
    assert "usage: tape snappoint LOCATION" in err
    assert "still-alive" in out.stdout
    assert "Traceback" not in err + out.stdout


def test_lldb_that_dies_leaves_an_interrupted_session(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    out = run_lldb(prog, [start(store_path), "breakpoint set -n fact -c 'n == 2'", "run",
                          "script import os, signal, time; time.sleep(0.5); os.kill(os.getpid(), signal.SIGKILL)"])
    assert out.returncode != 0
    rows = []
    for _ in range(50):  # the ingest child finishes on its own after its input closes
        rows = sessions(store_path)
        if rows and rows[0]["status"] != "active":
            break
        time.sleep(0.2)
    assert rows[0]["status"] == "interrupted"
    snaps = of_type(stored(store_path), "debug_snapshot")
    assert snaps and snaps[0]["frames"][0]["args"] == {"n": 2}


def test_in_lldb_modules_import_with_heavy_dependencies_blocked(tmp_path: Path) -> None:
    script = tmp_path / "block.py"
    script.write_text(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('sqlite_utils', 'pluggy', 'click', 'rich', 'watchdog'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    heavy = "('sqlite_utils','pluggy','click','rich','watchdog')"
    out = run_lldb(None, [f"command script import {script}", *INIT,
                          "script import debugtape.adapters.lldb.backend, debugtape.adapters.lldb.reader",
                          f"script import sys; print('heavy:', sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))",
                          "help tape start",
                          "script import sqlite_utils"], init=[])
    assert "heavy: []" in out.stdout, out.stdout + out.stderr
    assert "blocked sqlite_utils" in out.stdout + out.stderr  # the blocker really was active
    assert "Start recording a debugtape session" in out.stdout
