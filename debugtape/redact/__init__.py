"""Redaction: nothing reaches the disk before it went through here."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from debugtape.redact.config import RedactConfig, Rule, load_config
    from debugtape.redact.engine import KEY_FILE, RedactionStats, Redactor, load_redactor
    from debugtape.redact.gate import RedactedEvent, redact_event
    from debugtape.redact.markers import MARKER_RE, is_marker

__all__ = [
    "KEY_FILE", "MARKER_RE", "RedactConfig", "RedactedEvent", "RedactionStats", "Redactor", "Rule",
    "is_marker", "load_config", "load_redactor", "redact_event",
]

# Names are loaded on first use: the engine compiles its patterns at import, which read-only
# commands (`debugtape sessions`) never need.
_WHERE = {
    "RedactConfig": "config", "Rule": "config", "load_config": "config",
    "KEY_FILE": "engine", "RedactionStats": "engine", "Redactor": "engine", "load_redactor": "engine",
    "RedactedEvent": "gate", "redact_event": "gate", "MARKER_RE": "markers", "is_marker": "markers",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f"debugtape.redact.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'debugtape.redact' has no attribute {name!r}")
