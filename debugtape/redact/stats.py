"""Per-value and per-event redaction counts, by kind."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RedactionStats"]


@dataclass
class RedactionStats:
    """How many values were redacted, by kind (the kind is the marker's middle part)."""

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

    def __bool__(self) -> bool:
        return bool(self.kinds)
