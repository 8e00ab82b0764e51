"""Source lines for the frames a report shows, read once per file and passed through the redactor."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from debugtape.redact.engine import Redactor

__all__ = ["SourceLines"]

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_LINE_CHARS = 400


class SourceLines:
    """`line(file, n)` -> the redacted text of that line, or None when the file cannot be read.

    A report may leave the machine, so a source line goes through the same redactor as the
    recorded values before it is written into the page.
    """

    def __init__(self, redactor: Redactor, max_files: int = 2000) -> None:
        self.redactor = redactor
        self.max_files = max_files
        self._files: dict[str, list[str] | None] = {}
        self._lines: dict[tuple[str, int], str | None] = {}

    def _read(self, file: str) -> list[str] | None:
        if file in self._files:
            return self._files[file]
        lines: list[str] | None = None
        if len(self._files) < self.max_files:
            path = Path(file)
            try:
                if path.is_file() and os.path.getsize(path) <= MAX_FILE_BYTES:
                    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                log.debug("source %s not readable: %s", file, exc)
        self._files[file] = lines
        return lines

    def line(self, file: object, line: object) -> str | None:
        if not isinstance(file, str) or not file or not isinstance(line, int) or line < 1:
            return None
        key = (file, line)
        if key in self._lines:
            return self._lines[key]
        lines = self._read(file)
        text: str | None = None
        if lines is not None and line <= len(lines):
            raw = lines[line - 1].rstrip()[:MAX_LINE_CHARS]
            text, _ = self.redactor.redact_text(raw)
        self._lines[key] = text
        return text
