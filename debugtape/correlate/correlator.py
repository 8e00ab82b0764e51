"""GitCorrelator: the pipeline's correlation stage (commit context, blame, symbols, stable ids)."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from debugtape.correlate.blame import BlameCache
from debugtape.correlate.commits import commits_between
from debugtape.correlate.context import Repo, repo_for, stat_key
from debugtape.correlate.stable import StableId, display_path
from debugtape.correlate.symbols import SymbolIndex, default_index

__all__ = ["GitCorrelator", "make_correlator"]

log = logging.getLogger(__name__)

# Entries kept in the per-frame answer caches before they are dropped and rebuilt.
_MEMO_SIZE = 8192
# Seconds during which file stats, HEAD and the commit context are reused without a check.
STAT_TTL = 0.25
# Lines blamed on each side of a line that no known function encloses.
_WINDOW = 20
# Commits listed for one move of HEAD while recording (a checkout may bring many).
_NEW_COMMITS = 50
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
        self._abs_cache: dict[str, str] = {}
        self._checked_at = -STAT_TTL
        self._stats: dict[str, Any] = {}
        self._head_cache: tuple[str | None] | None = None
        self._other_heads: dict[Path, tuple[str | None]] = {}  # other repositories' HEADs (STAT_TTL)
        self._ctx_cache: tuple[set[str], dict[str, Any]] | None = None
        self._shown: dict[str, str] = {}
        self._memo: dict[tuple[str | None, int | None], tuple[tuple[Any, ...], tuple[Any, ...]]] = {}
        self._stacks: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[Any], dict[str, Any]]] = {}

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

    def new_commits(self, since: str | None) -> list[dict[str, Any]]:
        """The commits HEAD moved to after `since`, read when HEAD differs (a stat of .git/HEAD
        and its ref otherwise). A reset to an older commit lists nothing: no commit is new."""
        try:
            repo = self._session_repo()
            if repo is None:
                return []
            head, branch = repo.head()
            if head is None or head == since:
                return []
            return commits_between(repo.root, since, head, branch, limit=_NEW_COMMITS)
        except Exception:
            log.exception("listing the commits made while recording failed")
            return []

    # -- the work ------------------------------------------------------------------------

    def _session_repo(self) -> Repo | None:
        if not self._repo_known:
            self._repo = repo_for(self.cwd or os.getcwd())
            self._repo_known = True
        return self._repo

    def _abs(self, file: Any) -> str | None:
        if not isinstance(file, str) or not file or file.startswith("<"):
            return None  # <string>, <frozen importlib._bootstrap>: no file on disk
        found = self._abs_cache.get(file)
        if found is None:
            base = self.cwd or os.getcwd()
            found = os.path.normpath(file if os.path.isabs(file) else os.path.join(base, file))
            if len(self._abs_cache) > _MEMO_SIZE:
                self._abs_cache.clear()
            self._abs_cache[file] = found
        return found

    def _function_span(self, path: str, line: int) -> tuple[int, int] | None:
        # Blame the whole function (or a window when no function encloses the line) with the
        # line, so stepping on to the next lines finds them cached.
        sym = self.index.resolve(path, line)
        if sym is None:
            return (line - _WINDOW, line + _WINDOW)
        return (sym.start_line, sym.end_line)

    def _stable(self, path: str, line: int) -> tuple[str | None, str | None]:
        """(resolved symbol name, stable id) of a file and line as the file is now."""
        sym = self.index.resolve(path, line)
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = display_path(path)
        if sym is None:
            return None, str(StableId(shown, None, line))
        return sym.name, str(StableId(shown, sym.name, line - sym.start_line))

    def _snapshot(self, data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        frames = [dict(f) if isinstance(f, dict) else f for f in data.get("frames") or []]
        locs: list[tuple[str | None, int | None]] = []
        # Within STAT_TTL of the last check, file stats, HEAD and the commit context are taken
        # as they were: a loop hitting a breakpoint 1,000 times a second stats each file a few
        # times a second, not 20,000 times.
        now = time.monotonic()
        if now - self._checked_at >= STAT_TTL:
            self._stats, self._ctx_cache, self._checked_at = {}, None, now
            self._head_cache, self._other_heads = None, {}
        stats = self._stats
        for frame in frames:
            path = line = None
            if isinstance(frame, dict):
                path, line = self._abs(frame.get("file")), frame.get("line")
                if not isinstance(line, int) or isinstance(line, bool):
                    line = None
            if path is not None and path not in stats:
                stats[path] = stat_key(path)
            locs.append((path, line))
        repo = self._session_repo()
        if self._head_cache is None:
            self._head_cache = (repo.head()[0] if repo is not None else None,)
        head = self._head_cache[0]
        heads = [self._head_of(p, repo, head) for p, _ in locs]
        # The same stack again, its files and their repositories' HEADs unchanged: the last
        # answers and watched files.
        stack = tuple(locs)
        valid = (tuple(heads), tuple([stats[p] if p is not None else None for p, _ in locs]))
        again = self._stacks.get(stack)
        if again is not None and again[0] == valid:
            known, watch = again[1], again[2]
        else:
            known, watch = self._answers(locs, stats, heads, repo)
            if len(self._stacks) > _MEMO_SIZE:
                self._stacks.clear()
            self._stacks[stack] = (valid, known, watch)
        for n, (frame, got) in enumerate(zip(frames, known, strict=True)):
            if got is None or not isinstance(frame, dict):
                continue
            blame, name, sid = got
            frame["blame"] = dict(blame)
            if name is not None:
                frame["symbol"] = _qualified(frame.get("symbol"), name)
            if n == 0:  # where the stop happened: what history and diff --at match on
                frame["stable_id"] = sid
        out["frames"] = frames
        if repo is not None:
            ctx = self._ctx_cache
            if ctx is None or not watch.keys() <= ctx[0]:
                ctx = (set(watch), repo.context(watch=watch))
                self._ctx_cache = ctx
            out["commit"] = dict(ctx[1])
        return out

    def _answers(self, locs: list[tuple[str | None, int | None]], stats: dict[str, Any],
                 heads: list[str | None], repo: Repo | None) -> tuple[list[tuple[Any, ...] | None], dict[str, Any]]:
        """(blame, symbol, stable id) per frame (None without a file and line), and the stack's
        files of the session repository with their stats (what the commit context watches)."""
        # A repeated stop at the same lines of unchanged files reuses the last answers whole.
        known: list[tuple[Any, ...] | None] = []
        missing: list[int] = []
        for i, (path, line) in enumerate(locs):
            hit = self._memo.get((path, line)) if path is not None and line is not None else None
            if hit is not None and hit[0] == (stats[path], heads[i]):  # type: ignore[index]
                known.append(hit[1])
            else:
                known.append(None)
                if path is not None and line is not None:
                    missing.append(i)
        if missing:
            blames = self.blame_cache.blame([locs[i] for i in missing], widen=[i == 0 for i in missing])
            if len(self._memo) > _MEMO_SIZE:
                self._memo.clear()
            for i, blame in zip(missing, blames, strict=True):
                path, line = locs[i]
                assert path is not None and line is not None
                name, sid = self._stable(path, line)
                answer = (blame, name, sid)
                known[i] = answer
                self._memo[(path, line)] = ((stats[path], heads[i]), answer)
        watch = {path: stats[path] for (path, _), got in zip(locs, known, strict=True)
                 if got is not None and path is not None and repo is not None and path.startswith(repo.root_prefix)}
        return known, watch

    def _head_of(self, path: str | None, repo: Repo | None, head: str | None) -> str | None:
        """The HEAD that a file's blame and symbols were answered at: the session repository's,
        or for a file of another repository (a submodule, a library's checkout, the sources of
        a program recorded from outside its repository) that one's, read once per STAT_TTL."""
        if path is None:
            return head
        other = repo_for(path)  # a dict lookup once known
        if other is None or other is repo:
            return head
        known = self._other_heads.get(other.root)
        if known is None:
            known = self._other_heads[other.root] = (other.head()[0],)
        return known[0]

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
        if name is not None:
            out["symbol"] = _qualified(out.get("symbol"), name)
        out["stable_id"] = sid
        if data.get("kind", "breakpoint") in ("breakpoint", "snappoint"):
            self.prefetch_blame(path, line)
        return out

    def prefetch_blame(self, path: str, line: int) -> None:
        """Blame a breakpoint's function in the background, so its first hit finds the cache warm."""
        self.blame_cache.prefetch(path, line)


def _qualified(have: Any, resolved: str) -> Any:
    """The debugger's symbol, unless the source names the same function more fully: debugpy
    says `add` where the source says `Tally.add` (a Python frame gives no class), gdb may give
    a breakpoint's C++ linkage name (`_ZN5store4Tree5splitEi`), and a debugger that knows no
    name says `??`."""
    if not isinstance(have, str) or have in _NO_SYMBOL or have.startswith("_Z"):
        return resolved
    return resolved if resolved.endswith(("." + have, "::" + have)) else have


def make_correlator(cwd: str | None = None) -> GitCorrelator | None:
    """The correlator the CLI wires into every session's pipeline; None when
    DEBUGTAPE_CORRELATE=off (the pipeline then passes records through unchanged)."""
    if os.environ.get("DEBUGTAPE_CORRELATE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    return GitCorrelator(cwd)
