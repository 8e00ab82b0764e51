"""`debugtape record --lldb`: the headless SB API driver against the real lldb, through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.adapters.gdb.gdbrun import build, of_type, sessions, store_bytes, stored
from tests.adapters.lldb.lldbrun import need_lldb
from tests.support import compile_c

pytestmark = pytest.mark.timeout(120)


def record(db: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    need_lldb()
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "debugtape", "record", "--lldb", "--db", str(db), *args],
                          capture_output=True, text=True, errors="replace", timeout=timeout, env=full_env,
                          stdin=subprocess.DEVNULL)


def test_breakpoints_with_condition_and_program_output(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    out = record(store_path, "--break", "fact:n == 0", "--break", "recursion.c:12", "--name", "rec", "--", str(prog))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    session = lines[-1]
    assert lines[0].isdigit()  # the program's own output came through
    events = stored(store_path)
    assert {e["session"] for e in events} == {session} or session in {e["session"][:len(session)] for e in events}
    bps = of_type(events, "breakpoint_set")
    assert [(b["symbol"], b.get("condition")) for b in bps] == [("fact", "n == 0"), ("main", None)]
    snaps = of_type(events, "debug_snapshot")
    assert [s["frames"][0]["symbol"] for s in snaps] == ["main", "fact"]
    assert snaps[1]["frames"][0]["args"] == {"n": 0} and len(snaps[1]["frames"]) == 20
    ended = of_type(events, "session_ended")[0]
    assert ended["reason"] == "exited" and ended["exit_code"] == 0
    assert sessions(store_path)[0]["name"] == "rec"


def test_snappoints_and_crash(tmp_path: Path, store_path: Path) -> None:
    hits = build("hits", tmp_path)
    out = record(store_path, "--snappoint", "hit:i % 10 == 3", "--", str(hits), "50")
    assert out.returncode == 0, out.stderr
    seg = build("segfault", tmp_path)
    out = record(store_path, "--", str(seg))
    assert out.returncode == 0, out.stderr
    events = stored(store_path)
    snaps = of_type(events, "debug_snapshot")
    points = [s for s in snaps if s["reason"] == "snappoint"]
    assert [s["frames"][0]["args"]["i"] for s in points] == [3, 13, 23, 33, 43]
    crash = [s for s in snaps if s["reason"] == "crash"]
    assert crash and crash[0]["signal"] == "SIGSEGV" and crash[0]["frames"][0]["symbol"] == "store"
    ends = sorted(e["data"]["reason"] for e in events if e["type"] == "session_ended")
    assert ends == ["crashed", "exited"]


def test_secrets_never_reach_the_store(tmp_path: Path, store_path: Path) -> None:
    prog = build("secrets", tmp_path)
    env_secret = "envsecret-PLANTED-7b3a"
    out = record(store_path, "--break", "secrets.c:11", "--", str(prog), env={"APP_SECRET_KEY": env_secret})
    assert out.returncode == 0, out.stderr
    snaps = of_type(stored(store_path), "debug_snapshot")
    frame = snaps[0]["frames"][0]
    assert set(frame["locals"]) >= {"db_password", "secret_key"} and "auth_token" in frame["args"]
    raw = store_bytes(store_path)
    for planted in (b"hunter2-PLANTED-local-4f1c", b"tok-PLANTED-arg-9d2e", env_secret.encode()):
        assert planted not in raw
    assert b"REDACTED" in raw


def test_sampling_a_busy_multithreaded_program(tmp_path: Path, store_path: Path) -> None:
    prog = build("threads", tmp_path)
    out = record(store_path, "--sample", "100hz", "--", str(prog), "1.0")
    assert out.returncode == 0, out.stderr
    assert "progress" in out.stdout  # the program ran to its end
    samples = of_type(stored(store_path), "stack_sample")
    assert len(samples) >= 40, len(samples)
    assert max(len(s["threads"]) for s in samples) >= 4
    symbols = {f.get("symbol") for s in samples for f in s.get("frames", [])}
    assert "spin" in symbols or "worker" in symbols


TICKER_C = r"""
#include <stdio.h>
#include <time.h>
#include <unistd.h>
__attribute__((noinline)) long tick(long i) { return i * 3 + 1; }
int main(int argc, char **argv) {
    long total = 0;
    for (long i = 0; i < 40; i++) { total += tick(i); usleep(50000); }
    printf("%ld\n", total);
    return 0;
}
"""


def test_attach_to_a_running_program(tmp_path: Path, store_path: Path) -> None:
    # Single-threaded on purpose: Debian's lldb-server 19 crashes attaching to a multi-threaded
    # process on this kernel (SIGSEGV in lldb-server, see docs/lldb.md, "Known limits").
    source = tmp_path / "ticker.c"
    source.write_text(TICKER_C)
    prog = compile_c(source, tmp_path / "ticker")
    proc = subprocess.Popen([str(prog)], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)
        out = record(store_path, "--attach", str(proc.pid), "--break", "tick", "--sample", "20hz")
        assert out.returncode == 0, out.stderr
    finally:
        proc.wait(30)
    events = stored(store_path)
    snaps = of_type(events, "debug_snapshot")
    assert len(snaps) >= 3 and all(s["frames"][0]["symbol"] == "tick" for s in snaps)
    assert snaps[-1]["frames"][1]["symbol"] == "main"
    assert of_type(events, "stack_sample")
    assert of_type(events, "session_started")[0]["pid"] == proc.pid
    assert of_type(events, "session_ended")[0]["reason"] == "exited"


def test_bad_input_gets_a_clear_error(tmp_path: Path, store_path: Path) -> None:
    out = record(store_path, "--", str(tmp_path / "no-such-program"))
    assert out.returncode != 0
    assert "cannot load" in out.stderr and "Traceback" not in out.stderr
