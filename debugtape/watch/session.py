"""`debugtape watch` as a library call: one watch session fed through the shared pipeline."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from debugtape.paths import store_dir

__all__ = ["run_watch", "default_root"]

log = logging.getLogger(__name__)


def default_root(db: Path, path: str | os.PathLike[str] | None) -> Path:
    """PATH if given; else the repository holding the store; else the current repository; else cwd."""
    from debugtape.correlate.git import toplevel

    if path is not None:
        return Path(path).resolve()
    for candidate in (store_dir(db).parent, Path.cwd()):
        if candidate.is_dir():
            top = toplevel(candidate)
            if top is not None:
                return top
    return Path.cwd()


def run_watch(
    root: Path,
    db: Path,
    stop: threading.Event,
    *,
    name: str | None = None,
    debounce: float = 0.05,
    inbox: Any = None,
    on_ready: Callable[[str], None] | None = None,
) -> str:
    """Watch `root` until `stop` is set, recording into the store at `db`; returns the session id.

    `inbox` is an optional `debugtape.watch.inbox.Inbox` polled alongside. The session ends with
    reason "stopped"; pending changes are flushed first, so stopping loses nothing observed.
    """
    from debugtape.correlate.git import git_dir, toplevel
    from debugtape.pipeline import open_pipeline
    from debugtape.watch.gitview import GitView
    from debugtape.watch.watcher import Watcher

    root = root.resolve()
    if not root.is_dir():
        from debugtape.errors import ConfigError

        raise ConfigError("debugtape watch", f"{root} is not a folder")
    top = toplevel(root)
    git_dirs: list[Path] = []
    if top is not None:
        gd = git_dir(top)
        if gd is not None:
            git_dirs.append(gd)
            common = _common_dir(top)
            if common is not None and common != gd:
                git_dirs.append(common)
    lock = threading.Lock()
    with open_pipeline(db, cwd=str(root)) as pipe:

        def emit(record: Mapping[str, Any]) -> None:
            with lock:  # the flusher and the inbox both feed; the pipeline has one feeder
                pipe.feed(record)

        pipe.feed({"kind": "start", "tool": "watch", "name": name or f"watch {root.name}",
                   "cwd": str(root), "pid": os.getpid(),
                   "meta": {"root": str(root), "repository": str(top) if top else None}})
        files = GitView(top).count_files() if top is not None else None
        emit({"kind": "event", "type": "watch_started", "data": {
            "root": str(root), "files": files, "repository": str(top) if top else None,
            "debounce_ms": round(debounce * 1000),
        }})
        watcher = Watcher(root, emit, top=top, git_dirs=git_dirs,
                          skip_dirs=[store_dir(db)], debounce=debounce)
        watcher.start()
        if inbox is not None:
            inbox.start(emit)
        session = str(pipe.session_id)
        try:
            if on_ready is not None:
                on_ready(session)
            while not stop.wait(0.5):
                pass
        finally:
            if inbox is not None:
                inbox.stop()
            watcher.stop()
        pipe.feed({"kind": "end", "reason": "stopped"})
    return session


def _common_dir(top: Path) -> Path | None:
    from debugtape.correlate.git import GitError, run_git

    try:
        out = run_git(["rev-parse", "--path-format=absolute", "--git-common-dir"], top, timeout=10)
    except GitError:
        return None
    return Path(out.strip()) if out.strip() else None
