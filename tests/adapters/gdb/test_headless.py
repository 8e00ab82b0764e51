"""`debugtape record --gdb`: the real gdb over MI, the real pipeline and store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from debugtape.adapters.common.options import RecordOptions
from debugtape.errors import AdapterError
from tests.adapters.gdb.gdbrun import build, of_type, sessions, store_bytes, stored
from tests.support import need_binary

pytestmark = pytest.mark.timeout(120)


def opts(db: Path, program: list[str], **kw: object) -> RecordOptions:
    return RecordOptions(program=program, db=db, cwd=str(db.parent), **kw)  # type: ignore[arg-type]


def record(o: RecordOptions) -> str:
    need_binary("gdb")
    from debugtape.adapters.gdb.record import record as run

    return run(o)


def test_breakpoints_and_snappoints_headless(tmp_path: Path, store_path: Path) -> None:
    prog = build("hits", tmp_path)
    sid = record(opts(store_path, [str(prog), "30"], breaks=["hit:i % 10 == 1"],
                      snappoints=["level1:i == 7"], name="headless"))
    events = stored(store_path)
    assert {e["session"] for e in events} == {sid}
    started = of_type(events, "session_started")[0]
    assert started["name"] == "headless" and started["tool"] == "gdb"
    bps = of_type(events, "breakpoint_set")
    assert {b["condition"] for b in bps} == {"i % 10 == 1", "i == 7"}
    snaps = of_type(events, "debug_snapshot")
    assert [(s["reason"], s["frames"][0]["args"]["i"]) for s in snaps] == [
        ("breakpoint", 1), ("snappoint", 7), ("breakpoint", 11), ("breakpoint", 21)]
    top = snaps[0]["frames"]
    assert [f["symbol"] for f in top[:6]] == ["hit", "level3", "level2", "level1", "run", "main"]
    assert top[4]["locals"]["p"]["label"].endswith('"origin"')
    ended = of_type(events, "session_ended")[0]
    assert ended["reason"] == "exited" and ended["exit_code"] == 0
    assert sessions(store_path)[0]["status"] == "completed"


def test_cli_prints_only_the_session_id(tmp_path: Path, store_path: Path) -> None:
    need_binary("gdb")
    prog = build("recursion", tmp_path)
    out = subprocess.run([sys.executable, "-m", "debugtape", "record", "--gdb", "--db", str(store_path),
                          "--break", "fact:n == 1", "--", str(prog)],
                         capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr
    sid = out.stdout.strip()
    assert sessions(store_path)[0]["id"] == sid
    assert "90317" in out.stderr  # the program's own output goes to stderr


def test_secrets_headless_never_reach_the_store(tmp_path: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prog = build("secrets", tmp_path)
    monkeypatch.setenv("APP_SECRET_KEY", "envsecret-PLANTED-7b3a")
    record(opts(store_path, [str(prog)], breaks=["secrets.c:11"]))
    snap = of_type(stored(store_path), "debug_snapshot")[0]["frames"][0]
    assert {"db_password", "secret_key"} <= set(snap["locals"]) and "auth_token" in snap["args"]
    raw = store_bytes(store_path)
    for planted in (b"hunter2-PLANTED-local-4f1c", b"tok-PLANTED-arg-9d2e", b"envsecret-PLANTED-7b3a"):
        assert planted not in raw


def test_sampling_headless(tmp_path: Path, store_path: Path) -> None:
    prog = build("threads", tmp_path)
    t0 = time.monotonic()
    record(opts(store_path, [str(prog), "1.0"], sample_hz=100.0))
    took = time.monotonic() - t0
    events = stored(store_path)
    samples = of_type(events, "stack_sample")
    assert len(samples) >= 50, len(samples)
    assert took < 20
    assert any(f.get("symbol") in ("spin", "worker") for s in samples for f in s["frames"])
    assert of_type(events, "session_ended")[0]["reason"] == "exited"


def test_attach_to_a_running_process(tmp_path: Path, store_path: Path) -> None:
    prog = build("threads", tmp_path)
    proc = subprocess.Popen([str(prog), "2.5"], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        assert proc.poll() is None, "the program to attach to ended early"
        sid = record(RecordOptions(program=[], db=store_path, attach=proc.pid, breaks=["spin:x == 12345"],
                                   sample_hz=50.0, cwd=str(tmp_path)))
    finally:
        proc.wait(30)
    events = stored(store_path)
    assert sessions(store_path)[0]["id"] == sid
    assert len(of_type(events, "stack_sample")) >= 10
    assert of_type(events, "session_started")[0]["pid"] == proc.pid


def test_gdb_dying_leaves_an_interrupted_session(tmp_path: Path, store_path: Path) -> None:
    prog = build("threads", tmp_path)
    result: dict[str, object] = {}

    def go() -> None:
        try:
            result["sid"] = record(opts(store_path, [str(prog), "5"], sample_hz=50.0))
        except AdapterError as exc:
            result["error"] = exc

    t = threading.Thread(target=go)
    t.start()
    gdb_pid = None
    for _ in range(100):
        time.sleep(0.1)
        gdb_pid = _child_gdb()
        if gdb_pid and of_type(stored(store_path), "stack_sample") if store_path.exists() else False:
            break
    assert gdb_pid, "gdb did not start"
    os.kill(gdb_pid, signal.SIGKILL)
    t.join(60)
    rows = sessions(store_path)
    assert rows and rows[0]["status"] == "interrupted"
    assert of_type(stored(store_path), "stack_sample")
    assert "sid" in result  # the session id is still returned, with a warning
    for pid in _pids_running(prog):  # the debuggee this test started, orphaned by gdb's death
        os.kill(pid, signal.SIGKILL)


def _pids_running(prog: Path) -> list[int]:
    pids = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.readlink(f"/proc/{pid}/exe") == str(prog):
                pids.append(int(pid))
        except OSError:
            continue
    return pids


def _child_gdb() -> int | None:
    me = os.getpid()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and b"--interpreter=mi3" in cmd:
            return int(pid)
    return None


def test_missing_program_is_a_clear_error(tmp_path: Path, store_path: Path) -> None:
    with pytest.raises(AdapterError, match="No such file|no session"):
        record(opts(store_path, [str(tmp_path / "nope")]))


def test_bad_breakpoint_location_is_a_clear_error(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    with pytest.raises(AdapterError, match="no_such_function"):
        record(opts(store_path, [str(prog)], breaks=["no_such_function"]))
