"""lldb-init, doctor, tape restore, and the same program recorded by gdb and lldb compared by diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from debugtape.cli.cmd_lldb_init import init_lines, install
from tests.adapters.gdb.gdbrun import build, of_type, stored
from tests.adapters.lldb.lldbrun import need_lldb, run_lldb
from tests.support import need_binary

pytestmark = pytest.mark.timeout(120)


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "debugtape", *args], capture_output=True, text=True,
                          timeout=120, env=full, stdin=subprocess.DEVNULL)


def test_lldb_init_installs_once_and_lldb_loads_it(tmp_path: Path) -> None:
    lldbinit = tmp_path / "lldbinit"
    lldbinit.write_text("settings set target.x86-disassembly-flavor intel")  # no final newline
    assert install(lldbinit, init_lines()) is True
    assert install(lldbinit, init_lines()) is False
    text = lldbinit.read_text()
    assert text.count("command script import debugtape.adapters.lldb.commands") == 1
    assert text.startswith("settings set target.x86-disassembly-flavor intel\n")
    out = cli("lldb-init")
    assert out.returncode == 0 and out.stdout.strip().splitlines() == init_lines()
    lldb = need_lldb()
    res = subprocess.run([lldb, "--no-lldbinit", "-b", "-s", str(lldbinit), "-o", "help tape snappoint"],
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "without stopping" in res.stdout, res.stdout + res.stderr


def test_doctor_reports_the_real_setup(tmp_path: Path) -> None:
    need_lldb()
    out = cli("doctor", "--json", "--db", str(tmp_path / "s" / "tape.db"))
    report = json.loads(out.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["lldb python module"]["status"] == "ok", checks["lldb python module"]
    assert checks["lldb"]["status"] == "ok" and "19" in checks["lldb"]["detail"]
    assert checks["store"]["status"] == "ok"
    assert out.returncode == (0 if report["ok"] else 1)


def test_doctor_explains_the_missing_liblldb_link(tmp_path: Path) -> None:
    # A stand-in lldb whose Python package has the Debian layout without liblldb-19-dev:
    # _lldb*.so links to ../../../liblldb.so, which does not exist.
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    pkg = site / "lldb"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "_lldb.cpython-311-x86_64-linux-gnu.so").symlink_to("../../../liblldb.so")
    fake = tmp_path / "lldb-19"
    fake.write_text(f"#!/bin/sh\n[ \"$1\" = -P ] && echo {site} && exit 0\necho 'lldb version 19.1.7'\n")
    fake.chmod(0o755)
    out = cli("doctor", "--json", "--db", str(tmp_path / "tape.db"), env={"DEBUGTAPE_LLDB": str(fake)})
    assert out.returncode == 1
    checks = {c["name"]: c for c in json.loads(out.stdout)["checks"]}
    module = checks["lldb python module"]
    assert module["status"] == "problem"
    assert "liblldb.so" in module["detail"] and module["fix"] == "install the missing link: apt-get install liblldb-19-dev"
    human = cli("doctor", "--db", str(tmp_path / "tape.db"), env={"DEBUGTAPE_LLDB": str(fake)})
    assert "PROBLEM lldb python module" in human.stdout and "liblldb-19-dev" in human.stdout


def test_tape_restore_recreates_a_sessions_breakpoints(tmp_path: Path, store_path: Path) -> None:
    prog = build("recursion", tmp_path)
    run_lldb(prog, [f"tape start --db {store_path} first", "breakpoint set -n fact -c 'n == 4'", "run", "continue"])
    session = of_type(stored(store_path), "session_started")
    assert session
    out = run_lldb(prog, [f"tape start --db {store_path} second", "tape restore first", "breakpoint list"])
    assert "breakpoint set" in out.stdout, out.stdout + out.stderr
    assert "fact" in out.stdout.split("breakpoint list")[-1] and "n == 4" in out.stdout.split("breakpoint list")[-1]


def test_same_program_in_gdb_and_lldb_compares_frame_by_frame(tmp_path: Path, store_path: Path) -> None:
    need_binary("gdb")
    need_lldb()
    prog = build("hits", tmp_path)
    for tool in ("--gdb", "--lldb"):
        out = cli("record", tool, "--db", str(store_path), "-q", "--break", "hit", "--", str(prog), "3")
        assert out.returncode == 0, out.stderr
    events = stored(store_path)
    tools = {e["session"]: e["data"]["tool"] for e in events if e["type"] == "session_started"}
    last = {}
    for e in events:
        if e["type"] == "debug_snapshot":
            last[tools[e["session"]]] = e["data"]["snap_id"]
    diff = cli("diff", "--db", str(store_path), "--json", last["gdb"], last["lldb"])
    assert diff.returncode == 0, diff.stderr
    frames = json.loads(diff.stdout)["frames"]
    user = [f for f in frames if f.get("a") and f["a"].get("symbol") in ("hit", "level3", "level2", "level1", "run", "main")]
    assert [f["a"]["symbol"] for f in user] == ["hit", "level3", "level2", "level1", "run", "main"]
    assert all(f["same_location"] and f["same_line"] for f in user)
    # the same values read by two debuggers: no differences in the frames with locals
    assert all(f["changes"] == [] for f in user[:5]), [f["changes"] for f in user[:5]]
