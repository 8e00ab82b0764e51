"""Redaction markers: `[REDACTED:<kind>:<fingerprint>]`, the fingerprint a keyed hash of the secret."""

from __future__ import annotations

import hashlib
import hmac
import re

__all__ = ["MARKER_RE", "Fingerprinter", "is_marker", "split_markers", "fixed_marker"]

# Any marker, including the fixed ones that carry no fingerprint (error, unknown_type, depth).
MARKER_RE = re.compile(r"\[REDACTED:[A-Za-z0-9_.\-]{1,64}:[A-Za-z0-9_.\-]{1,64}\]")
_FP_LEN = 8


def is_marker(text: str) -> bool:
    return MARKER_RE.fullmatch(text) is not None


def split_markers(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of `text` that are NOT markers, so scanners never touch a marker."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in MARKER_RE.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def fixed_marker(kind: str, detail: str) -> str:
    """A marker with no fingerprint, for values that were dropped rather than hashed."""
    clean = re.sub(r"[^A-Za-z0-9_.\-]", "_", detail)[:64] or "x"
    return f"[REDACTED:{kind}:{clean}]"


class Fingerprinter:
    """Makes markers whose fingerprint is an HMAC-SHA256 of the secret under a per-store key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def marker(self, kind: str, secret: str) -> str:
        digest = hmac.new(self._key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return f"[REDACTED:{kind}:{digest.hexdigest()[:_FP_LEN]}]"
