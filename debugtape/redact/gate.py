"""The redaction gate: the only way to obtain an event the store will accept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from debugtape.events import Event
from debugtape.jsoncodec import dumps

if TYPE_CHECKING:
    from debugtape.redact.engine import Redactor

__all__ = ["RedactedEvent", "redact_event", "redaction_kinds"]

_GATE = object()


class RedactedEvent:
    """An event that went through the redactor. Only `redact_event` can make one."""

    __slots__ = ("event", "redactions", "data_json")

    def __init__(self, event: Event, redactions: Mapping[str, int], _gate: object = None) -> None:
        if _gate is not _GATE:
            raise TypeError("RedactedEvent is made only by debugtape.redact.redact_event")
        self.event = event
        self.redactions = dict(redactions)
        # The exact text the store writes: encoded here, from the redactor's output, once.
        self.data_json = dumps(event.data)

    def __repr__(self) -> str:
        return f"RedactedEvent({self.event.type}, session={self.event.session}, seq={self.event.seq})"


def redaction_kinds(kinds: Mapping[str, int]) -> list[dict[str, Any]]:
    """How an event's `redactions` field lists what was redacted in it."""
    # A list of {kind, count}: a {"password": 1} mapping would itself look like a secret to redact.
    return [{"kind": k, "count": n} for k, n in sorted(kinds.items())]


def redact_event(event: Event, redactor: Redactor, *, note: bool = False) -> RedactedEvent:
    """Redact an event's data (and actor) and return it in the form the store accepts.

    With `note`, data found holding secrets gets a `redactions` field listing their kinds (what
    the pipeline's own redaction pass adds, for events that skip that pass).
    """
    data, stats = redactor.redact(dict(event.data))
    if not isinstance(data, Mapping):  # fail closed: the engine replaced the whole payload
        data = {"redacted": data}
    data = dict(data)
    if note and stats.count:
        kinds = dict(stats.kinds)
        for item in data.get("redactions") or []:  # what an earlier pass over part of it found
            if isinstance(item, Mapping) and isinstance(item.get("kind"), str) and type(item.get("count")) is int:
                kinds[item["kind"]] = kinds.get(item["kind"], 0) + item["count"]
        data["redactions"] = redaction_kinds(kinds)
    actor, actor_stats = redactor.redact_text(event.actor)
    stats = stats.merged(actor_stats)
    return RedactedEvent(event.with_(data=data, actor=actor), stats.kinds, _GATE)
