"""Options of `debugtape record`, shared by the headless drivers (standard library only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["RecordOptions", "split_condition"]


@dataclass
class RecordOptions:
    """What `debugtape record --gdb|--lldb|--python ... -- PROGRAM [ARGS]` asked for."""

    program: list[str]  # PROGRAM ARGS...; for --python also ["-m", "module", ...]
    db: Path
    breaks: list[str] = field(default_factory=list)  # LOCATION[:COND]
    snappoints: list[str] = field(default_factory=list)  # LOCATION[:COND]
    sample_hz: float | None = None
    name: str | None = None
    attach: int | None = None
    watch: bool = False
    exceptions: str | None = None  # --python: "raised" | "uncaught"
    cwd: str | None = None
    quiet: bool = False


def split_condition(spec: str) -> tuple[str, str | None]:
    """'parser.c:120:len > 3' -> ('parser.c:120', 'len > 3'); 'main' -> ('main', None).

    The location is FILE:LINE or a function name; anything after the line number's colon is the
    condition.
    """
    parts = spec.split(":", 2)
    if len(parts) >= 2 and parts[1].strip().isdigit():
        loc = f"{parts[0]}:{parts[1].strip()}"
        cond = parts[2].strip() if len(parts) == 3 and parts[2].strip() else None
        return loc, cond
    if len(parts) >= 2 and not parts[1].strip().isdigit():
        return parts[0], ":".join(parts[1:]).strip() or None
    return spec, None
