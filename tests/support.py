"""Helpers for tests that need real tools: skip locally when missing, fail under CI (conftest)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def need_binary(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed (scripts/install.sh installs it)")
    return path


def need_module(name: str) -> None:
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"Python module {name} is not installed")


def compile_c(source: Path, out: Path, *flags: str) -> Path:
    """Compile a C fixture with debug info; returns the binary."""
    need_binary("gcc")
    subprocess.run(["gcc", "-g", "-O0", "-pthread", *flags, "-o", str(out), str(source)], check=True)
    return out


def processes_with(*needles: bytes) -> list[int]:
    """Pids of the running processes whose command line holds every one of `needles` (from /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if argv and all(n in argv for n in needles):
            found.append(int(proc.name))
    return found
