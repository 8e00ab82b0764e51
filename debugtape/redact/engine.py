"""A minimal key-based redactor (the spine's placeholder; the full engine replaces its insides).

Public surface that the rest of debugtape relies on: Redactor.redact, Redactor.redact_text,
RedactionStats, load_redactor. Both redact methods never raise: what they cannot process is
replaced by a marker (fail closed).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Redactor", "RedactionStats", "load_redactor", "KEY_FILE"]

KEY_FILE = "redact.key"

_SECRET_KEY = re.compile(
    r"pass(wd|word)?|secret|token|api_?key|auth|credential|private_?key|session|cookie|csrf",
    re.IGNORECASE,
)


@dataclass
class RedactionStats:
    """How many values were redacted, by kind."""

    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.kinds.values())

    def add(self, kind: str, n: int = 1) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + n

    def merged(self, other: RedactionStats) -> RedactionStats:
        out = RedactionStats(dict(self.kinds))
        for k, n in other.kinds.items():
            out.add(k, n)
        return out


class Redactor:
    """Replaces secret values by `[REDACTED:<kind>:<fingerprint>]` markers."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def marker(self, kind: str, value: str) -> str:
        fp = hmac.new(self._key, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:8]
        return f"[REDACTED:{kind}:{fp}]"

    def redact(self, value: Any) -> tuple[Any, RedactionStats]:
        stats = RedactionStats()
        try:
            return self._walk(value, None, stats, 0), stats
        except Exception:  # fail closed
            stats.add("error")
            return "[REDACTED:error:unprocessable]", stats

    def redact_text(self, text: str) -> tuple[str, RedactionStats]:
        return text, RedactionStats()

    def _walk(self, value: Any, key: str | None, stats: RedactionStats, depth: int) -> Any:
        if key is not None and _SECRET_KEY.search(key) and value not in (None, "", 0):
            if not isinstance(value, (Mapping, list, tuple)):
                stats.add("key")
                return self.marker("key", str(value))
        if depth > 64:
            stats.add("depth")
            return "[REDACTED:depth:too-deep]"
        if isinstance(value, Mapping):
            return {str(k): self._walk(v, str(k), stats, depth + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._walk(v, key, stats, depth + 1) for v in value]
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        stats.add("unknown_type")
        return "[REDACTED:unknown_type:" + type(value).__name__ + "]"


def load_redactor(store_dir: Path | None = None, project_root: Path | None = None) -> Redactor:
    """The redactor for a store: its key lives in <store_dir>/redact.key (0600), made on first use."""
    if store_dir is None:
        return Redactor()
    path = Path(store_dir) / KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key)
        finally:
            os.close(fd)
    except OSError:
        key = secrets.token_bytes(32)
    return Redactor(key)
