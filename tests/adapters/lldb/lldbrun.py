"""Running the real lldb-19 with debugtape loaded (batch mode), and reading what it stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from debugtape.adapters.lldb.locate import lldb_binary
from tests.support import REPO

# The lines `debugtape lldb-init` prints, pointed at this checkout and this interpreter.
INIT = [
    f'script import os, sys; sys.path.insert(0, "{REPO}"); os.environ.setdefault("DEBUGTAPE_PYTHON", "{sys.executable}")',
    "command script import debugtape.adapters.lldb.commands",
]


def need_lldb() -> str:
    binary = lldb_binary()
    if not binary:
        pytest.skip("lldb-19 is not installed (scripts/install.sh installs it)")
    return binary


def run_lldb(program: Path | None, commands: list[str], *, args: list[str] | None = None,
             env: dict[str, str] | None = None, timeout: float = 90,
             init: list[str] | None = None, after_crash: list[str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    """lldb -b with debugtape loaded, then each command as -o.

    Batch mode stops running -o commands at the first error or at a stop by a signal or crash;
    `after_crash` commands (-k) run in that case.
    """
    cmd = [need_lldb(), "--no-lldbinit", "-b"]
    for c in (INIT if init is None else init) + commands:
        cmd += ["-o", c]
    for c in after_crash or []:
        cmd += ["-k", c]
    if program is not None:
        cmd += ["--", str(program), *(args or [])]
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout,
                          env=full_env, stdin=subprocess.DEVNULL)
