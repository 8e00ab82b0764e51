"""GitCorrelator: the pipeline's correlation stage (commit context, blame, symbols, stable ids)."""

from __future__ import annotations

import logging
import os
import queue
import threading
from pathlib import Path
from typing import Any

from debugtape.correlate.blame import BlameCache
from debugtape.correlate.context import Repo, repo_for
from debugtape.correlate.stable import StableId, display_path
from debugtape.correlate.symbols import SymbolIndex, default_index

__all__ = ["GitCorrelator", "make_correlator"]

log = logging.getLogger(__name__)

# Debuggers say this when they do not know the function.
_NO_SYMBOL = {"", "??", "<unknown>", "<module>", None}


class GitCorrelator:
    """Fills `commit`, per-frame `blame`, `symbol` and `stable_id`; never raises into the pipeline."""

    def __init__(self, cwd: str | None = None, index: SymbolIndex = default_index) -> None:
        self.cwd = cwd
        self.index = index
        self.blame_cache = BlameCache(widen=self._function_span)
        self._repo: Repo | None = None
        self._repo_known = False
        self._prefetch: queue.SimpleQueue[tuple[str, int]] | None = None

    # -- the protocol --------------------------------------------------------------------

    def session_context(self, cwd: str | None) -> dict[str, Any] | None:
        if cwd:
            self.cwd = cwd
            self._repo_known = False
        try:
            repo = self._session_repo()
            return None if repo is None else repo.context(max_age=0.0)
        except Exception:  # correlation is best effort: the session must still be recorded
            log.exception("commit context failed for %s", self.cwd)
            return None

    def snapshot(self, data: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._snapshot(data)
        except Exception:
            log.exception("correlating a snapshot failed; stored without correlation")
            return data

    def breakpoint(self, data: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._breakpoint(data)
        except Exception:
            log.exception("correlating a breakpoint failed; stored without correlation")
            return data

    # -- the work ------------------------------------------------------------------------

    def _session_repo(self) -> Repo | None:
        if not self._repo_known:
            self._repo = repo_for(self.cwd or os.getcwd())
            self._repo_known = True
        return self._repo

    def _abs(self, file: Any) -> str | None:
        if not isinstance(file, str) or not file or file.startswith("<"):
            return None  # <string>, <frozen importlib._bootstrap>: no file on disk
        p = Path(file)
        if not p.is_absolute():
            p = Path(self.cwd or os.getcwd()) / p
        return os.path.normpath(p)

    def _function_span(self, path: str, line: int) -> tuple[int, int] | None:
        sym = self.index.resolve(path, line)
        return None if sym is None else (sym.start_line, sym.end_line)

    def _stable(self, path: str, line: int) -> tuple[str | None, str | None]:
        """(resolved symbol name, stable id) of a file and line as the file is now."""
        sym = self.index.resolve(path, line)
        shown = display_path(path)
        if sym is None:
            return None, str(StableId(shown, None, line))
        return sym.name, str(StableId(shown, sym.name, line - sym.start_line))

    def _snapshot(self, data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        frames = [dict(f) if isinstance(f, dict) else f for f in data.get("frames") or []]
        locs: list[tuple[str | None, int | None]] = []
        for frame in frames:
            if not isinstance(frame, dict):
                locs.append((None, None))
                continue
            path, line = self._abs(frame.get("file")), frame.get("line")
            locs.append((path, line if isinstance(line, int) else None))
        blames = self.blame_cache.blame(locs)
        watch: list[Path] = []
        repo = self._session_repo()
        for frame, (path, line), blame in zip(frames, locs, blames, strict=True):
            if not isinstance(frame, dict):
                continue
            if path is None or line is None:
                continue
            frame["blame"] = blame
            name, sid = self._stable(path, line)
            if frame.get("symbol") in _NO_SYMBOL and name is not None:
                frame["symbol"] = name
            frame["stable_id"] = sid
            if repo is not None and repo.relpath(Path(path)) is not None:
                watch.append(Path(path))
        out["frames"] = frames
        if repo is not None:
            out["commit"] = repo.context(watch_files=watch)
        return out

    def _breakpoint(self, data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        file, line = data.get("file"), data.get("line")
        if not file and isinstance(data.get("location"), str):
            head, _, tail = data["location"].rpartition(":")
            if head and tail.strip().isdigit():
                file, line = head, int(tail)
        path = self._abs(file)
        if path is None or not isinstance(line, int):
            return out
        name, sid = self._stable(path, line)
        if out.get("symbol") in _NO_SYMBOL and name is not None:
            out["symbol"] = name
        out["stable_id"] = sid
        if data.get("kind", "breakpoint") in ("breakpoint", "snappoint"):
            self.prefetch_blame(path, line)
        return out

    def prefetch_blame(self, path: str, line: int) -> None:
        """Blame a breakpoint's function in the background, so its first hit finds the cache warm."""
        if self._prefetch is None:
            self._prefetch = queue.SimpleQueue()
            # A daemon thread: a blame still running must not hold up the process's exit.
            threading.Thread(target=self._prefetch_loop, name="debugtape-blame-prefetch", daemon=True).start()
        self._prefetch.put((path, line))

    def _prefetch_loop(self) -> None:
        assert self._prefetch is not None
        while True:
            path, line = self._prefetch.get()
            try:
                self.blame_cache.blame([(path, line)])
            except Exception:  # best effort: the hit will blame it again
                log.debug("blame prefetch of %s:%s failed", path, line, exc_info=True)


def make_correlator(cwd: str | None = None) -> GitCorrelator:
    """The correlator the CLI wires into every session's pipeline."""
    return GitCorrelator(cwd)
