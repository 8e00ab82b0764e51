"""The file watcher: watchdog observations -> debounced, coalesced batches -> raw `event` records."""

from __future__ import annotations

import errno
import fnmatch
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from debugtape.errors import DebugtapeError
from debugtape.watch.coalesce import Change, Coalescer
from debugtape.watch.commits import ref_moves, reflog_moves
from debugtape.watch.gitview import MAX_RANGES, GitView, RefState

__all__ = ["Watcher", "WatchError", "EDITOR_LITTER", "MAX_BATCH_PATHS"]

log = logging.getLogger(__name__)

Emit = Callable[[Mapping[str, Any]], None]

# Editor swap, backup and probe files: never a change anyone wants in a timeline.
EDITOR_LITTER = ("*.swp", "*.swx", "*.swo", "*~", "4913", ".#*", "#*#", "*___jb_tmp___",
                 "*___jb_old___", "*.tmp.*", ".goutputstream-*")
MAX_BATCH_PATHS = 50  # paths listed in a batch_processed event

_KINDS = {"created": "created", "modified": "modified", "closed": "modified",
          "deleted": "deleted", "moved": "moved"}


class WatchError(DebugtapeError):
    """The operating system refused to watch the tree; `fix` says what to do."""

    def __init__(self, root: str, exc: OSError) -> None:
        if exc.errno == errno.ENOSPC:
            fix = ("the inotify watch limit is reached: raise it, e.g. "
                   "`sudo sysctl fs.inotify.max_user_watches=524288`, or watch a smaller folder")
        elif exc.errno == errno.EMFILE:
            fix = ("too many inotify instances: raise fs.inotify.max_user_instances "
                   "or stop other watchers")
        else:
            fix = "check that the folder exists and is readable"
        super().__init__(f"cannot watch {root}: {exc.strerror or exc}; {fix}")
        self.root = root
        self.fix = fix


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.w = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = _KINDS.get(event.event_type)
        if kind is None:
            return
        src = os.fsdecode(event.src_path)
        dest = os.fsdecode(event.dest_path) if kind == "moved" and event.dest_path else None
        self.w._observe(kind, src, dest, event.is_directory)


class Watcher:
    """Watches `root` and hands `file_changed`, `batch_processed` and `vcs_commit` records to `emit`
    from one flusher thread. `top` is the git work tree (None outside git)."""

    def __init__(
        self,
        root: Path,
        emit: Emit,
        *,
        top: Path | None = None,
        git_dirs: Iterable[Path] = (),
        skip_dirs: Iterable[Path] = (),
        debounce: float = 0.05,
        max_delay: float = 1.0,
    ) -> None:
        self.root = root.resolve()
        self.top = top.resolve() if top else None
        self.emit = emit
        self.debounce = debounce
        self.max_delay = max_delay
        self.view = GitView(self.top) if self.top else None
        self.git_dirs = sorted({str(p.resolve()) for p in git_dirs})
        self.skip_dirs = sorted({str(p.resolve()) for p in skip_dirs})
        self.batches = 0
        self.errors = 0
        self._refs = RefState()
        # Paths this watcher reported deleted: a file showing up there again was created anew.
        self._gone: set[str] = set()
        self._reflog_top: tuple[str, str, str] | None = None
        self._cond = threading.Condition()
        self._pending = Coalescer()
        self._refs_dirty = False
        self._first = self._last = 0.0
        self._stopping = False
        self._observer: Any = None
        self._flusher: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.view is not None:
            self._refs = self.view.refs()
            log_entries = self.view.reflog(1)
            self._reflog_top = log_entries[0] if log_entries else None
        observer = Observer()
        handler = _Handler(self)
        observer.schedule(handler, str(self.root), recursive=True)
        for gd in self.git_dirs:
            if not _under(gd, str(self.root)):
                # Only HEAD, packed-refs and refs/ matter; refs/ is the only recursive part.
                observer.schedule(handler, gd, recursive=False)
                if os.path.isdir(os.path.join(gd, "refs")):
                    observer.schedule(handler, os.path.join(gd, "refs"), recursive=True)
        observer.daemon = True
        try:
            observer.start()
        except OSError as exc:
            raise WatchError(str(self.root), exc) from exc
        self._observer = observer
        self._flusher = threading.Thread(target=self._run, name="debugtape-watch-flush", daemon=True)
        self._flusher.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching; what was observed before this call is still processed and emitted."""
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
            self._observer = None
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._flusher is not None:
            self._flusher.join(timeout)
            self._flusher = None

    # -- observation (watchdog's thread) -----------------------------------------------------
    def _observe(self, kind: str, src: str, dest: str | None, is_dir: bool) -> None:
        if any(_under(src, gd) for gd in self.git_dirs):
            rel = os.path.relpath(dest or src, next(gd for gd in self.git_dirs if _under(src, gd)))
            if rel in ("HEAD", "packed-refs") or rel.startswith("refs" + os.sep):
                self._touch(refs=True)
            return
        if is_dir:
            return  # files inside report themselves (watchdog emits sub-events for moved folders)
        if any(_under(src, d) for d in self.skip_dirs):
            if dest is None or any(_under(dest, d) for d in self.skip_dirs):
                return
            kind, src, dest = "created", dest, None
        elif dest is not None and any(_under(dest, d) for d in self.skip_dirs):
            kind, dest = "deleted", None
        with self._cond:
            self._pending.add(kind, src, dest)
            self._touch_locked()

    def _touch(self, refs: bool = False) -> None:
        with self._cond:
            self._refs_dirty = self._refs_dirty or refs
            self._touch_locked()

    def _touch_locked(self) -> None:
        now = time.monotonic()
        if not self._first:
            self._first = now
        self._last = now
        self._cond.notify()

    # -- batching (flusher thread) -----------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._first and not self._stopping:
                    self._cond.wait()
                while self._first and not self._stopping:
                    now = time.monotonic()
                    left = min(self._last + self.debounce, self._first + self.max_delay) - now
                    if left <= 0:
                        break
                    self._cond.wait(left)
                observed = self._pending.observed
                changes = self._pending.drain()
                self._pending.observed = 0
                refs, self._refs_dirty = self._refs_dirty, False
                self._first = self._last = 0.0
                stopping = self._stopping
            if changes or refs:
                try:
                    self._process(changes, refs, observed)
                except Exception:  # one bad batch must not end the watch
                    self.errors += 1
                    log.exception("watch batch failed")
            if stopping:
                return

    def _process(self, changes: list[Change], refs: bool, observed: int) -> None:
        started = time.monotonic()
        records = self._file_records(changes)
        for rec in records:
            self.emit({"kind": "event", "type": "file_changed", "data": rec})
        if records:
            self.batches += 1
            self.emit({"kind": "event", "type": "batch_processed", "data": {
                "count": len(records),
                "paths": [r["path"] for r in records[:MAX_BATCH_PATHS]],
                "source": "watch",
                "observed": observed,
                "ms": round((time.monotonic() - started) * 1000, 1),
            }})
        if refs and self.view is not None and self.top is not None:
            new = self.view.refs()
            old, self._refs = self._refs, new
            moves: list[dict[str, Any]] | None = None
            entries = self.view.reflog()
            if entries:
                moves = reflog_moves(self.top, self._reflog_top, entries, new.branch)
                self._reflog_top = entries[0]
            head_done = moves is not None
            moves = moves or []
            seen = {d.get("hash") for d in moves}
            # Another branch that moved to a commit HEAD's moves already showed adds nothing.
            moves += [d for d in ref_moves(self.top, old, new, head_done=head_done)
                      if d.get("hash") not in seen]
            for data in moves:
                self.emit({"kind": "event", "type": "vcs_commit", "data": data})

    def _rel(self, path: str) -> str | None:
        base = str(self.top or self.root)
        if not _under(path, base):
            return None
        return Path(os.path.relpath(path, base)).as_posix()

    def _file_records(self, changes: list[Change]) -> list[dict[str, Any]]:
        rel: list[Change] = []
        for c in changes:
            src = self._rel(c.path)
            dest = self._rel(c.dest) if c.dest else None
            if src is None or (c.dest and dest is None):
                continue
            rel.append(Change(c.kind, src, dest))
        names = {p for c in rel for p in (c.path, c.dest) if p}
        ignored = {p for p in names if _litter(p)}
        if self.view is not None and names - ignored:
            ignored |= self.view.ignored(sorted(names - ignored))
        kept: list[Change] = []
        for c in rel:
            if c.kind == "moved" and c.dest:
                src_ign, dest_ign = c.path in ignored, c.dest in ignored
                if src_ign and dest_ign:
                    continue
                if src_ign:
                    c = Change("replaced", c.dest)
                elif dest_ign:
                    c = Change("deleted", c.path)
            elif c.path in ignored:
                continue
            kept.append(c)
        present = [c.current for c in kept if c.kind != "deleted"]
        tracked = self.view.tracked(present) if self.view is not None and present else set()
        diffs = (self.view.changed_lines(sorted(p for p in present if p in tracked))
                 if self.view is not None and tracked else {})
        base = self.top or self.root
        out: list[dict[str, Any]] = []
        for c in kept:
            kind = c.kind
            if kind in ("created", "replaced") and c.path in tracked and c.path not in self._gone:
                # New content at a path git tracks: an atomic save, or a file moved in from
                # outside the watched tree (inotify reports that as created).
                kind = "modified"
            elif kind == "replaced":
                kind = "created"
            if kind == "deleted":
                self._gone.add(c.path)
            else:
                self._gone.discard(c.current)
                if c.dest:
                    self._gone.add(c.path)
            data: dict[str, Any] = {"path": c.path, "kind": kind}
            if c.dest:
                data["dest"] = c.dest
            if kind != "deleted":
                try:
                    data["size"] = (base / c.current).stat().st_size
                except OSError:
                    data["size"] = None  # gone again already; its deletion comes in a later batch
                if c.current in tracked:
                    lines = diffs.get(c.current, [])
                    if lines == "binary":
                        data["binary"] = True
                    elif isinstance(lines, list):
                        data["lines"] = lines[:MAX_RANGES]
                        if len(lines) > MAX_RANGES:
                            data["lines_total"] = len(lines)
            out.append(data)
        return out


def _litter(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(name, pat) for pat in EDITOR_LITTER)
