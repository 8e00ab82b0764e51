"""Where the store lives (standard library only)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["resolve_db", "git_toplevel", "store_dir"]


def git_toplevel(cwd: str | os.PathLike[str] | None = None) -> Path | None:
    import subprocess  # here: with --db or DEBUGTAPE_DB a command never runs git

    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=cwd, capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip())


def resolve_db(explicit: str | os.PathLike[str] | None = None, cwd: str | os.PathLike[str] | None = None) -> Path:
    """--db, then DEBUGTAPE_DB, then <git top>/.debugtape/tape.db, then $XDG_DATA_HOME/debugtape/tape.db."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("DEBUGTAPE_DB")
    if env:
        return Path(env).expanduser()
    top = git_toplevel(cwd)
    if top is not None:
        return top / ".debugtape" / "tape.db"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "debugtape" / "tape.db"


def store_dir(db: Path) -> Path:
    """The folder beside the database that holds its key, config and inbox."""
    return db.parent
