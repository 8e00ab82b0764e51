"""Shared set-up of the benchmarks that start debugtape processes or load it into a debugger."""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_package() -> None:
    """Byte-compile debugtape as `pip install` does. An editable install does not, and with
    PYTHONDONTWRITEBYTECODE set (as on the project's machines) every process start would compile
    it from source again: ~0.25 s per ingest process, a fixed cost that is not debugtape's work."""
    compileall.compile_dir(str(ROOT / "debugtape"), quiet=1)
