"""Running the real gdb with debugtape loaded, and reading what it stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support import REPO, compile_c, need_binary

FIXTURES = REPO / "tests" / "fixtures" / "c"

# The line `debugtape gdb-init` prints, pointed at this checkout and this interpreter.
INIT = (
    f'python import sys, os; sys.path.insert(0, "{REPO}"); '
    f'os.environ.setdefault("DEBUGTAPE_PYTHON", "{sys.executable}"); '
    "import debugtape.adapters.gdb.commands"
)


def build(name: str, out_dir: Path, *flags: str) -> Path:
    return compile_c(FIXTURES / f"{name}.c", out_dir / name, *flags)


def gdb_command(program: Path | None, commands: list[str], *, args: list[str] | None = None) -> list[str]:
    """The command line of gdb -batch with debugtape loaded, then each command as -ex."""
    cmd = [need_binary("gdb"), "-nx", "-batch", "-iex", "set debuginfod enabled off", "-iex", INIT]
    for c in commands:
        cmd += ["-ex", c]
    if program is not None:
        cmd += ["--args", str(program), *(args or [])]
    return cmd


def run_gdb(program: Path | None, commands: list[str], *, args: list[str] | None = None,
            env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """gdb -batch with debugtape loaded, then each command as -ex."""
    cmd = gdb_command(program, commands, args=args)
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout, env=full_env,
                          stdin=subprocess.DEVNULL)


def stored(db: Path) -> list[dict[str, Any]]:
    """Every event in the store, oldest first, as envelopes (dicts)."""
    from debugtape.store import Store

    store = Store(db)
    try:
        return [e.event.to_dict() for e in store.events()]
    finally:
        store.close()


def of_type(events: list[dict[str, Any]], etype: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["type"] == etype]


def sessions(db: Path) -> list[dict[str, Any]]:
    from debugtape.store import Store

    store = Store(db)
    try:
        return store.sessions()
    finally:
        store.close()


def store_bytes(db: Path) -> bytes:
    """The store's bytes on disk, with its WAL and shared-memory files."""
    out = b""
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(db) + suffix)
        if p.exists():
            out += p.read_bytes()
    return out
