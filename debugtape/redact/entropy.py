"""Shannon entropy and the shape tests that tell a random token from a word or a digest."""

from __future__ import annotations

import math
from collections import Counter

__all__ = ["shannon", "tokenish", "is_hex"]

_HEX = frozenset("0123456789abcdefABCDEF")


def shannon(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def is_hex(text: str) -> bool:
    return all(c in _HEX for c in text)


def tokenish(text: str, min_len: int = 16, min_bits: float = 3.5) -> bool:
    """A generated secret rather than a word, path, number or digest (hex digests are clues)."""
    if len(text) < min_len or is_hex(text) or text.isdigit():
        return False
    classes = sum((any(c.islower() for c in text), any(c.isupper() for c in text),
                   any(c.isdigit() for c in text)))
    if classes < 2:
        return False
    return shannon(text) >= min(min_bits, math.log2(len(text)) - 0.5)
