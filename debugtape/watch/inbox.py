"""The inbox: files dropped into .debugtape/inbox/ are imported and moved to done/ or failed/."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from debugtape.errors import DebugtapeError

__all__ = ["Inbox", "InboxError", "Importer", "detect_kind", "SKIP_SUFFIXES"]

log = logging.getLogger(__name__)

Importer = Callable[[Path], Mapping[str, Any]]
Emit = Callable[[Mapping[str, Any]], None]

# Files still being written by a careful writer; they are picked up once renamed.
SKIP_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload")
_DAP_TYPES = ("request", "response", "event")
_SNIFF_LINES = 20
_WORK_PREFIX = ".work-"


class InboxError(DebugtapeError):
    """A dropped file that cannot be imported; `reason` goes to its .reason file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: {reason}")
        self.path = path
        self.reason = reason


def detect_kind(path: Path) -> str:
    """"tape" (exported events: `session`, `seq`, `type`) or "dap" (DAP messages), from the first
    JSON object in the file; raises InboxError for anything else."""
    try:
        with path.open("rb") as fh:
            for _, raw in zip(range(_SNIFF_LINES), fh):
                line = raw.strip()
                if not line:
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    raise InboxError(path, "the first line is not JSON (expected JSON lines)") from None
                if not isinstance(obj, dict):
                    raise InboxError(path, "the first line is not a JSON object")
                inner = obj.get("msg")  # the envelope `debugtape ingest --dap` accepts
                message: dict[str, Any] = inner if isinstance(inner, dict) else obj
                if {"session", "seq", "type"} <= obj.keys() and message is obj:
                    return "tape"
                if message.get("type") in _DAP_TYPES and "seq" in message:
                    return "dap"
                raise InboxError(path, "neither an exported tape (session/seq/type) nor a DAP message log")
    except OSError as exc:
        raise InboxError(path, f"cannot read it: {exc.strerror}") from exc
    raise InboxError(path, "the file is empty")


class Inbox:
    """Polls one folder (cheap: one directory listing per `poll` seconds) and imports each file
    once its size and modification time held still for one poll."""

    def __init__(self, folder: Path, importers: Mapping[str, Importer], poll: float = 0.5) -> None:
        self.folder = folder
        self.importers = dict(importers)
        self.poll = poll
        self.done = folder / "done"
        self.failed = folder / "failed"
        # A file is claimed by renaming it in here first: of two watchers on one store (a
        # terminal's and a debugger's), only one imports it.
        self.work = folder / f"{_WORK_PREFIX}{os.getpid()}"
        self._seen: dict[str, tuple[int, int]] = {}
        self._emit: Emit | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, emit: Emit) -> None:
        for d in (self.folder, self.done, self.failed):
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
        _recover(self.folder)
        self._emit = emit
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="debugtape-watch-inbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        try:
            self.work.rmdir()
        except OSError:  # never made, or (after a failed move) still holding a file
            pass

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self.scan()
            except Exception:  # keep polling: the next drop may be fine
                log.exception("inbox scan failed")

    def scan(self) -> list[dict[str, Any]]:
        """Import every file that held still since the last scan; returns what happened to each."""
        results = []
        current: dict[str, tuple[int, int]] = {}
        try:
            entries = list(os.scandir(self.folder))
        except OSError as exc:
            log.warning("inbox %s: %s", self.folder, exc)
            return []
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith(".") or entry.name.endswith(SKIP_SUFFIXES) or entry.name.endswith(".reason"):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            key = (st.st_size, st.st_mtime_ns)
            if self._seen.get(entry.name) != key:
                current[entry.name] = key  # still changing (or new): look again next time
                continue
            claimed = _claim(Path(entry.path), self.work)
            if claimed is not None:
                results.append(self.process(claimed))
        self._seen = current
        return results

    def process(self, path: Path) -> dict[str, Any]:
        """Import one file now and move it to done/ or failed/ (with a .reason file)."""
        started = time.monotonic()
        result: dict[str, Any] = {"count": 1, "paths": [path.name], "source": "inbox"}
        try:
            kind = detect_kind(path)
            result["format"] = kind
            importer = self.importers.get(kind)
            if importer is None:
                raise InboxError(path, f"no importer for {kind} files in this process")
            summary = dict(importer(path))
            result.update(status="done", result=summary)
            moved = _move(path, self.done)
        except Exception as exc:  # any importer failure: keep the file, say why
            reason = exc.reason if isinstance(exc, InboxError) else f"{type(exc).__name__}: {exc}"
            result.update(status="failed", reason=reason)
            moved = _move(path, self.failed)
            if moved is not None:
                _write_reason(moved, reason)
            log.warning("inbox: %s failed: %s", path.name, reason)
        result["moved_to"] = str(moved) if moved is not None else None
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        if self._emit is not None:
            self._emit({"kind": "event", "type": "batch_processed", "data": result})
        return result


def _claim(path: Path, work: Path) -> Path | None:
    """`path` moved into this process's work folder, or None if another process took it first."""
    try:
        work.mkdir(mode=0o700, exist_ok=True)
        os.rename(path, work / path.name)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("inbox: cannot claim %s: %s", path.name, exc)
        return None
    return work / path.name


def _recover(folder: Path) -> None:
    """Put back the files a watcher that died had claimed but not finished."""
    for work in folder.glob(f"{_WORK_PREFIX}*"):
        try:
            pid = int(work.name[len(_WORK_PREFIX):])
            os.kill(pid, 0)
            continue  # its owner is alive and working
        except ValueError:
            continue
        except ProcessLookupError:
            pass
        except PermissionError:  # alive, another user's
            continue
        for left in work.iterdir():
            os.replace(left, folder / left.name)
        work.rmdir()


def _move(path: Path, folder: Path) -> Path | None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}{path.suffix}"
    try:
        os.replace(path, target)
    except OSError as exc:
        log.error("inbox: cannot move %s to %s: %s", path, folder, exc)
        return None
    return target


def _write_reason(moved: Path, reason: str) -> None:
    try:
        moved.with_name(moved.name + ".reason").write_text(reason + "\n", encoding="utf-8")
    except OSError as exc:
        log.error("inbox: cannot write the reason for %s: %s", moved.name, exc)
