"""detect-secrets as a redaction baseline: the same records, scanned the way it scans files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

__all__ = ["available", "ds_settings", "ds_findings", "ds_per_value", "ds_scan_record", "overlaps", "strings"]


def ds_settings() -> Any:
    """detect-secrets' default plugins and filters, as `detect-secrets scan` uses them."""
    from detect_secrets.settings import default_settings

    return default_settings()


def available() -> bool:
    try:
        import detect_secrets  # noqa: F401
    except ImportError:
        return False
    return True


def ds_findings(text: str) -> list[str]:
    """The secret values detect-secrets reports for each line of `text` (default plugins and filters)."""
    from detect_secrets.core.scan import scan_line

    found: list[str] = []
    for line in text.splitlines():
        for s in scan_line(line):
            if s.secret_value:
                found.append(s.secret_value)
    return found


def strings(value: Any) -> Iterator[str]:
    """Every key and string value of a JSON-like value, depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def ds_per_value(record: Any) -> int:
    """detect-secrets as a value redactor: one scan per key and string value; returns findings."""
    from detect_secrets.core.scan import scan_line

    return sum(1 for s in strings(record) for _ in scan_line(s))


def ds_scan_record(record: Any) -> Iterator[str]:
    """Scan a record as a pretty-printed JSON document (one key or value per line)."""
    yield from ds_findings(json.dumps(record, indent=2, ensure_ascii=False))


def overlaps(needle: str, found: list[str]) -> bool:
    """A finding covers `needle` if either contains the other (findings shorter than 6 do not count)."""
    enc = json.dumps(needle)[1:-1]
    return any(len(f) >= 6 and (f in needle or needle in f or f in enc or enc in f) for f in found)
