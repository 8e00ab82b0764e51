"""`debugtape doctor`: check the debuggers, lldb's Python module, debugpy and the store; say how to fix."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import click

__all__ = ["command", "Check", "run_checks"]


@dataclass
class Check:
    name: str
    status: str  # ok | warn | problem
    detail: str
    fix: str | None = None


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"(cannot run: {exc})"
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[0] if lines else "(no version)"


def check_gdb() -> Check:
    gdb = shutil.which("gdb")
    if not gdb:
        return Check("gdb", "problem", "gdb is not installed", "apt-get install gdb")
    return Check("gdb", "ok", f"{gdb}: {_version([gdb, '--version'])}")


def check_lldb() -> list[Check]:
    from debugtape.adapters.lldb.locate import (
        LldbSetupError,
        debugserver_path,
        explain_unloadable,
        lldb_binary,
        lldb_python,
    )

    binary = lldb_binary()
    if not binary:
        return [Check("lldb", "problem", "lldb-19 is not installed",
                      "apt-get install lldb-19 python3-lldb-19 liblldb-19-dev")]
    checks = [Check("lldb", "ok", f"{binary}: {_version([binary, '--version'])}")]
    try:
        info = lldb_python(binary)
    except LldbSetupError as exc:
        checks.append(Check("lldb python module", "problem", str(exc), exc.fix))
        return checks
    problem = explain_unloadable(info)
    if problem is not None:
        checks.append(Check("lldb python module", "problem", str(problem), problem.fix))
    else:
        checks.append(_import_lldb(info.path))
    server = debugserver_path()
    env = os.environ.get("LLDB_DEBUGSERVER_PATH")
    if env and not os.access(env, os.X_OK):
        checks.append(Check("lldb-server", "problem", f"LLDB_DEBUGSERVER_PATH={env} is not an executable",
                            f"export LLDB_DEBUGSERVER_PATH={server or '/usr/lib/llvm-19/bin/lldb-server'}"))
    elif server:
        note = "set" if env else "not set; debugtape sets it when it launches a program from Python"
        checks.append(Check("lldb-server", "ok", f"{server} (LLDB_DEBUGSERVER_PATH {note})",
                            None if env else f"for your own SB API scripts: export LLDB_DEBUGSERVER_PATH={server}"))
    else:
        checks.append(Check("lldb-server", "problem", "lldb-server not found: lldb cannot launch programs",
                            "apt-get install lldb-19"))
    dap = shutil.which("lldb-dap-19") or shutil.which("lldb-dap")
    checks.append(Check("lldb-dap", "ok", dap) if dap else Check(
        "lldb-dap", "warn", "lldb-dap-19 not found (only needed for VS Code with lldb-dap)", "apt-get install lldb-19"))
    return checks


def _import_lldb(path: Path) -> Check:
    # In a child: a broken native module must not take the doctor down with it.
    code = f"import sys; sys.path.append({str(path)!r}); import lldb; print(lldb.SBDebugger.GetVersionString())"
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("lldb python module", "problem", f"import lldb could not run: {exc}")
    if out.returncode == 0:
        return Check("lldb python module", "ok", f"import lldb works from {sys.executable} ({path})")
    err = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
    fix = "apt-get install liblldb-19-dev" if "liblldb" in err or "_lldb" in err else "reinstall python3-lldb-19"
    return Check("lldb python module", "problem", f"import lldb fails: {err}", fix)


def check_debugpy() -> Check:
    if importlib.util.find_spec("debugpy") is None:
        return Check("debugpy", "problem", f"debugpy is not installed for {sys.executable}",
                     f"{sys.executable} -m pip install debugpy")
    import debugpy

    return Check("debugpy", "ok", f"debugpy {getattr(debugpy, '__version__', '?')}")


def check_store(db: Path) -> Check:
    folder = db.parent
    if not folder.exists():
        parent = next((p for p in folder.parents if p.exists()), None)
        if parent is None or not os.access(parent, os.W_OK):
            return Check("store", "problem", f"{folder} does not exist and cannot be created",
                         "pass --db PATH or set DEBUGTAPE_DB to a writable place")
        return Check("store", "ok", f"{db} (created on first use)")
    if not os.access(folder, os.W_OK):
        return Check("store", "problem", f"{folder} is not writable", f"chmod u+w {folder} or use --db")
    problems = []
    if folder.stat().st_mode & 0o077:
        problems.append(f"folder {folder} is readable by others ({stat.filemode(folder.stat().st_mode)})")
    if db.exists():
        if db.stat().st_mode & 0o077:
            problems.append(f"{db.name} is readable by others ({stat.filemode(db.stat().st_mode)})")
        with db.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00" and db.stat().st_size:
                return Check("store", "problem", f"{db} is not an SQLite file", "move it away or use --db")
    if problems:
        return Check("store", "warn", "; ".join(problems), f"chmod 700 {folder}; chmod 600 {db}*")
    return Check("store", "ok", f"{db}" + ("" if db.exists() else " (created on first use)"))


def check_ingest() -> Check:
    from debugtape.adapters.common.handoff import debugtape_command

    cmd = debugtape_command(["--help"])
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("debugtape for debuggers", "problem", f"{cmd[0]} cannot run: {exc}",
                     "set DEBUGTAPE_PYTHON to a Python that has debugtape installed")
    if out.returncode != 0:
        return Check("debugtape for debuggers", "problem", f"`{' '.join(cmd)}` failed",
                     "set DEBUGTAPE_PYTHON to a Python that has debugtape installed")
    return Check("debugtape for debuggers", "ok", f"gdb and lldb hand records to `{' '.join(cmd[:-1])} ingest`")


def run_checks(db: Path) -> list[Check]:
    return [check_gdb(), *check_lldb(), check_debugpy(), check_ingest(), check_store(db)]


_MARK = {"ok": "ok     ", "warn": "warn   ", "problem": "PROBLEM"}


@click.command("doctor")
@click.option("--db", type=click.Path(path_type=Path), default=None, help="The store to check.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def command(db: Path | None, as_json: bool) -> None:
    """Check gdb, lldb (and its Python module), lldb-server, lldb-dap, debugpy and the store.

    Each problem comes with its fix. Exits with code 1 when something needs fixing.
    """
    from debugtape.paths import resolve_db

    path = resolve_db(db)
    checks = run_checks(path)
    ok = all(c.status != "problem" for c in checks)
    if as_json:
        click.echo(json.dumps({"ok": ok, "db": str(path), "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        for c in checks:
            click.echo(f"{_MARK[c.status]} {c.name}: {c.detail}")
            if c.fix and c.status != "ok":
                click.echo(f"        fix: {c.fix}")
        click.echo("everything debugtape needs is here" if ok else "some checks failed; see the fixes above")
    if not ok:
        sys.exit(1)
