"""Payment card numbers: issuer prefixes and the Luhn check digit."""

from __future__ import annotations

import re

__all__ = ["luhn_ok", "card_like", "CARD_RE"]

# Issuer prefixes (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay) with optional
# space or dash groups; digits are counted and checked by `card_like`.
CARD_RE = re.compile(
    r"(?<![\w.\-])(?:4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|3[47]\d{2}|6(?:011|5\d\d|4[4-9]\d|2\d\d)"
    r"|3(?:0[0-5]|[689]\d)\d|35\d\d)(?:[ \-]?\d){9,15}(?![\w\-]|\.\d)"
)
_PREFIX_LEN = {"4": (13, 16, 19), "3": (14, 15, 16), "5": (16,), "2": (16,), "6": (16, 17, 18, 19)}


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_like(text: str) -> bool:
    """True if `text` (digits with optional consistent separators) is a plausible card number."""
    seps = {c for c in text if c in " -"}
    if len(seps) > 1:
        return False
    digits = text.replace(" ", "").replace("-", "")
    if not digits.isdigit() or len(set(digits)) < 2:
        return False
    if len(digits) not in _PREFIX_LEN.get(digits[0], ()):
        return False
    return luhn_ok(digits)
