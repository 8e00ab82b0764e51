"""The `tape` commands inside the real gdb (gdb -batch), recorded through the real `debugtape ingest`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adapters.gdb.gdbrun import INIT, build, of_type, run_gdb, sessions, store_bytes, stored
from tests.support import need_binary

pytestmark = pytest.mark.timeout(120)


def start(db: Path, name: str = "t") -> str:
    return f"tape start --db {db} {name}"


def test_breakpoint_snapshots_deep_recursion_and_clean_end(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    out = run_gdb(prog, [start(store_path, "rec"), "break fact if n == 0", "run", "tape snap look here",
                         "tape note checked the base case", "tape status", "continue"])
    assert "recording session" in out.stdout, out.stderr
    assert "debugtape: error" not in out.stderr, out.stderr
    events = stored(store_path)
    types = [e["type"] for e in events]
    assert types[0] == "session_started" and types[-1] == "session_ended"
    assert of_type(events, "session_started")[0]["tool"] == "gdb"
    bp = of_type(events, "breakpoint_set")[0]
    assert bp["condition"] == "n == 0" and bp["symbol"] == "fact" and bp["line"] == 5
    snaps = of_type(events, "debug_snapshot")
    assert [s["reason"] for s in snaps] == ["breakpoint", "manual"]
    first = snaps[0]
    assert first["bp_id"] == "1"
    assert len(first["frames"]) == 20  # 32 frames deep, bounded to 20
    assert {"path": "frames", "why": "frames", "kept": 20} in first["truncation"]
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
    run_gdb(cyc, [start(store_path), "break walk", "run", "continue"])
    bad = build("bad_utf8", tmp_path)
    run_gdb(bad, [start(store_path), "break show", "run", "up", "tape snap", "continue"])
    big = build("large_array", tmp_path)
    run_gdb(big, [start(store_path), "break inspect", "run", "up", "tape snap", "continue"])
    snaps = of_type(stored(store_path), "debug_snapshot")
    assert len(snaps) == 5
    head = snaps[0]["frames"][0]["args"]["head"]
    # a -> b -> c -> back to a: marked, not followed (depth 3 would stop it later anyway)
    assert head["value"] == 1 and head["next"]["value"] == 2 and head["next"]["next"]["value"] == 3
    assert set(head["next"]["next"]["next"]) == {"$cycle"}
    assert snaps[1]["frames"][0]["args"]["raw"] == {"$bytes": b"ok\xff\xfe\xc3(end".hex()}
    assert snaps[1]["frames"][0]["args"]["label"].endswith('"label"')
    assert snaps[2]["frames"][1]["locals"]["latin1"] == {"$bytes": b"caf\xe9".hex()}
    main_locals = snaps[4]["frames"][1]["locals"]
    assert main_locals["big"] == [i * 3 for i in range(25)]
    assert len(main_locals["text"]) <= 258
    cuts = snaps[4]["truncation"]
    assert {"path": "frames[1].locals.big", "why": "items", "kept": 25, "total": 1000} in cuts
    assert any(c["path"] == "frames[1].locals.text" and c["why"] == "length" for c in cuts)
    assert len(json.dumps(snaps[4])) < 40_000


def test_crash_signal_and_optimized_out(tmp_path: Path, store_path: Path) -> None:
    seg = build("segfault", tmp_path)
    run_gdb(seg, [start(store_path, "crash"), "run", "kill"])
    sig = build("signal", tmp_path)
    run_gdb(sig, [start(store_path, "sig"), "run", "continue"])
    opt = build("optimized", tmp_path, "-O2")
    run_gdb(opt, [start(store_path, "opt"), "break mix", "run", "finish", "continue"])
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
    ends = {e["session"]: e["data"]["reason"] for e in events if e["type"] == "session_ended"}
    assert sorted(ends.values()) == ["exited", "exited", "killed"]


def test_secrets_never_reach_the_store(tmp_path: Path, store_path: Path) -> None:
    prog = build("secrets", tmp_path)
    env_secret = "envsecret-PLANTED-7b3a"
    out = run_gdb(prog, [start(store_path), "break check_login", "run", "next", "next", "next",
                         "tape snap", "continue"], env={"APP_SECRET_KEY": env_secret})
    assert "debugtape: error" not in out.stderr, out.stderr
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
    out = run_gdb(prog, [start(store_path), "tape snappoint hit if i % 10 == 3", "run"], args=["50"])
    assert "snappoint 1 at hit" in out.stdout, out.stdout + out.stderr
    events = stored(store_path)
    snaps = of_type(events, "debug_snapshot")
    assert len(snaps) == 5
    assert all(s["reason"] == "snappoint" for s in snaps)
    assert [s["frames"][0]["args"]["i"] for s in snaps] == [3, 13, 23, 33, 43]
    assert snaps[0]["frames"][0]["args"]["p"] == {"x": 3, "y": 2, "label": snaps[0]["frames"][0]["args"]["p"]["label"]}
    assert of_type(events, "breakpoint_set")[0]["kind"] in ("snappoint", "breakpoint")
    assert of_type(events, "session_ended")[0]["reason"] == "exited"


def test_sampling_all_threads(tmp_path: Path, store_path: Path) -> None:
    prog = build("threads", tmp_path)
    out = run_gdb(prog, [start(store_path, "sampled"), "break spin", "run", "delete",
                         "tape sample 100hz", "tape sample off"], args=["1.0"])
    assert "samples recorded at 100 Hz" in out.stdout, out.stdout + out.stderr
    assert "SIG36" not in out.stdout
    events = stored(store_path)
    samples = of_type(events, "stack_sample")
    assert len(samples) >= 40, len(samples)
    symbols = {f.get("symbol") for s in samples for f in s["frames"]}  # stacks are interned per event
    assert "worker" in symbols or "spin" in symbols
    assert max(len(s["threads"]) for s in samples) >= 4
    assert of_type(events, "session_ended")[0]["reason"] == "exited"


def test_failures_are_reported_and_gdb_carries_on(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    out = run_gdb(prog, ["tape snap", "tape note x", "tape frobnicate", "tape sample fast",
                         "tape timeline", start(store_path), start(store_path), "tape snappoint",
                         "echo still-alive\\n"])
    err = out.stderr
    assert "not recording; start with `tape start [NAME]`" in err
    assert "unknown tape command 'frobnicate'" in err
    assert "sampling rate must look like 100hz" in err
    assert "already recording session" in err
    assert "usage: tape snappoint LOCATION [if COND]" in err
    assert "still-alive" in out.stdout
    assert "Traceback" not in err


def test_gdb_that_dies_leaves_an_interrupted_session(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    # gdb kills itself with SIGKILL after recording: no end record, no clean exit.
    out = run_gdb(prog, [start(store_path), "break fact if n == 2", "run",
                         "python import os, signal, time; time.sleep(0.5); os.kill(os.getpid(), signal.SIGKILL)"])
    assert out.returncode != 0
    import time

    for _ in range(50):  # the ingest child finishes on its own after its input closes
        rows = sessions(store_path)
        if rows and rows[0]["status"] != "active":
            break
        time.sleep(0.2)
    assert rows[0]["status"] == "interrupted"
    snaps = of_type(stored(store_path), "debug_snapshot")
    assert snaps and snaps[0]["frames"][0]["args"] == {"n": 2}


def test_in_gdb_modules_import_with_heavy_dependencies_blocked(tmp_path: Path) -> None:
    need_binary("gdb")
    script = tmp_path / "block.py"
    script.write_text(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('sqlite_utils', 'pluggy', 'click', 'rich', 'watchdog'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    out = run_gdb(None, [f"source {script}", INIT,
                         "python import debugtape.adapters.gdb.backend, debugtape.adapters.common.recorder",
                         "python import sys; print('heavy:', sorted(m for m in sys.modules if m.split('.')[0] in ('sqlite_utils','pluggy','click','rich','watchdog')))",
                         "python import sqlite_utils"])
    assert "heavy: []" in out.stdout, out.stdout + out.stderr
    assert "blocked sqlite_utils" in out.stderr  # the blocker really was active
    assert "tape start" not in out.stderr


def test_breakpoint_changes_removal_watchpoint_and_timeline(tmp_path: Path, store_path: Path) -> None:
    prog = build("hits", tmp_path)
    out = run_gdb(prog, [start(store_path, "bps"), "break hit", "condition 1 i == 2", "break level2",
                         "disable 2", "run", "watch p->y", "delete 1", "continue", "tape timeline 4",
                         "kill"], args=["5"])
    assert "debugtape: error" not in out.stderr, out.stderr
    events = stored(store_path)
    changed = of_type(events, "breakpoint_changed")
    assert {"bp_id": "1", "condition": "i == 2"}.items() <= changed[0].items()
    assert any(c["bp_id"] == "2" and c["enabled"] is False for c in changed)
    assert of_type(events, "breakpoint_removed")[0]["bp_id"] == "1"
    watch = [b for b in of_type(events, "breakpoint_set") if b["bp_id"] == "3"][0]
    assert watch["location"] == "p->y"
    reasons = [s["reason"] for s in of_type(events, "debug_snapshot")]
    assert reasons[0] == "breakpoint" and "watchpoint" in reasons
    # `tape timeline 4` printed the last events of this session through `debugtape timeline`
    assert "breakpoint_removed" in out.stdout and "debug_snapshot" in out.stdout
    assert of_type(events, "session_ended")[0]["reason"] == "killed"


def test_restore_and_watch(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    run_gdb(prog, [start(store_path, "first"), "break fact if n == 3", "tape stop"])
    out = run_gdb(prog, [start(store_path, "second") + " --watch", "tape restore", "info breakpoints",
                         "tape status", "run", "tape stop"])
    assert "1 breakpoint commands replayed" in out.stdout, out.stdout + out.stderr
    assert "stop only if n == 3" in out.stdout
    assert "watching files" in out.stdout
    second = [e for e in stored(store_path) if e["session"] != stored(store_path)[0]["session"]]
    snaps = of_type(second, "debug_snapshot")
    assert snaps and snaps[0]["frames"][0]["args"] == {"n": 3}


def test_session_ends_cleanly_when_gdb_quits_with_the_program_alive(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    out = run_gdb(prog, [start(store_path), "break fact if n == 4", "run"])  # batch gdb then quits
    assert out.returncode == 0, out.stderr
    rows = sessions(store_path)
    assert rows[0]["status"] == "completed"
    assert of_type(stored(store_path), "session_ended")[0]["reason"] in ("killed", "stopped")


def test_a_failing_stop_handler_is_reported_and_gdb_carries_on(tmp_path: Path, store_path: Path) -> None:
    prog = build("hits", tmp_path)
    # Make the capture itself fail inside the real gdb: the handler's guard must catch it.
    breaker = tmp_path / "breaker.py"
    breaker.write_text(
        "import debugtape.adapters.gdb.commands as c\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('capture exploded')\n"
        "c.TAPE.backend.frames = boom\n"
    )
    out = run_gdb(prog, [start(store_path), f"source {breaker}", "break hit", "run", "continue",
                         "echo still-alive\\n", "tape stop"], args=["2"])
    assert "debugtape: error: while recording: capture exploded" in out.stderr
    assert "still-alive" in out.stdout
    assert "Traceback" not in out.stderr
    assert sessions(store_path)[0]["status"] == "completed"


def test_a_watcher_started_in_gdb_ends_when_gdb_is_killed(tmp_path: Path, store_path: Path) -> None:
    """`tape start --watch` starts `debugtape watch`; gdb dying (SIGKILL) must not leave it behind."""
    import signal
    import subprocess
    import time

    from tests.adapters.gdb.gdbrun import gdb_command
    from tests.support import processes_with

    prog = build("hits", tmp_path)
    gdb = subprocess.Popen(gdb_command(prog, [start(store_path) + " --watch", "shell sleep 120"]),
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    needles = (b"\0watch\0--db\0" + str(store_path).encode(),)
    try:
        # Wait until the watcher has recorded its own session: it is up and has said so.
        deadline = time.monotonic() + 60
        while not (processes_with(*needles) and _tools(store_path) == {"gdb", "watch"}):
            assert time.monotonic() < deadline, f"no watcher session: {_tools(store_path)}"
            time.sleep(0.2)
    finally:
        gdb.send_signal(signal.SIGKILL)
        gdb.wait(10)
    ingest = (b"\0ingest\0", str(store_path).encode())
    deadline = time.monotonic() + 20
    while (processes_with(*needles) or processes_with(*ingest)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not processes_with(*needles), "the watcher outlived gdb"
    status = {row["tool"]: row["status"] for row in sessions(store_path)}
    # gdb's session reads interrupted; the watcher noticed its parent was gone and ended its own.
    assert status == {"gdb": "interrupted", "watch": "completed"}


def _tools(db: Path) -> set[str]:
    return {row["tool"] for row in sessions(db)} if db.exists() else set()


CPP = """namespace store {
struct Tree {
  int split(int n) const { return n / 2; }
};
}
int main() { store::Tree t; return t.split(10) - 5; }
"""


def test_a_cpp_breakpoint_names_its_function_as_the_frame_does(tmp_path: Path, store_path: Path) -> None:
    import subprocess

    src = tmp_path / "tree.cc"
    src.write_text(CPP)
    prog = tmp_path / "tree"
    subprocess.run([need_binary("g++"), "-g", "-O0", "-o", str(prog), str(src)], check=True)
    # Correlation off: the name must come from gdb itself (correlation would resolve the source's).
    out = run_gdb(prog, [start(store_path), "break store::Tree::split", "run", "continue"],
                  env={"DEBUGTAPE_CORRELATE": "off"})
    assert "debugtape: error" not in out.stderr, out.stderr
    events = stored(store_path)
    assert of_type(events, "breakpoint_set")[0]["symbol"] == "store::Tree::split"  # not _ZNK5store4Tree5splitEi
    assert of_type(events, "debug_snapshot")[0]["frames"][0]["symbol"] == "store::Tree::split"
