"""Real git repositories and a recording emit for the watcher tests."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def make_repo(path: Path, files: Mapping[str, str] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.com")
    git(path, "config", "user.name", "Dev")
    git(path, "config", "commit.gpgsign", "false")
    for name, text in (files or {"parser.c": "".join(f"line {i}\n" for i in range(1, 21)),
                                 ".gitignore": "build/\n*.o\n.debugtape/\n"}).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


class Recorder:
    """Collects the records a Watcher emits; waits for a condition on them."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def __call__(self, record: Mapping[str, Any]) -> None:
        with self._cond:
            self.records.append(dict(record))
            self._cond.notify_all()

    def of(self, etype: str) -> list[dict[str, Any]]:
        with self._cond:
            return [r["data"] for r in self.records if r.get("type") == etype]

    def wait(self, pred: Callable[[Recorder], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not pred(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def changes(self) -> dict[str, dict[str, Any]]:
        """The latest file_changed data per path."""
        return {d["path"]: d for d in self.of("file_changed")}
