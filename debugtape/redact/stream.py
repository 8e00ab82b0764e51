"""Line-by-line redaction of text and JSON lines, for `debugtape redact` and log sharing."""

from __future__ import annotations

import json
import re

from debugtape.redact.engine import Redactor
from debugtape.redact.markers import MARKER_RE
from debugtape.redact.stats import RedactionStats

__all__ = ["LineRedactor"]

_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")


class LineRedactor:
    """Redacts one line at a time, one output line per input line.

    A private key spans lines: after a BEGIN line without its END, every line is redacted
    whole until the END line, which the per-line engine alone could not know.
    """

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.stats = RedactionStats()
        self._in_key = False
        self.not_json = 0  # --jsonl lines that were not JSON (redacted as text instead)

    def text(self, line: str) -> str:
        if self._in_key:
            end = _END.search(line)
            if end is None:
                if not line.strip() or MARKER_RE.fullmatch(line.strip()):
                    return line
                self.stats.add("private_key")
                return self.redactor.marker("private_key", line.strip())
            self._in_key = False
            head = self.redactor.marker("private_key", line[: end.start()].strip()) if line[: end.start()].strip() else ""
            if head:
                self.stats.add("private_key")
            rest, stats = self.redactor.redact_text(line[end.end():])
            self.stats = self.stats.merged(stats)
            return head + line[end.start():end.end()] + rest
        out, stats = self.redactor.redact_text(line)
        self.stats = self.stats.merged(stats)
        begins = list(_BEGIN.finditer(line))
        if begins and _END.search(line, begins[-1].end()) is None:
            self._in_key = True
        return out

    def json_line(self, line: str) -> str:
        """A JSON value per line, structure kept; a line that is not JSON is redacted as text."""
        if not line.strip():
            return line
        try:
            value = json.loads(line)
        except ValueError:
            self.not_json += 1
            return self.text(line)
        out, stats = self.redactor.redact(value)
        self.stats = self.stats.merged(stats)
        return json.dumps(out, ensure_ascii=False, separators=(",", ":"))
