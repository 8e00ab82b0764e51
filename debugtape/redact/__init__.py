"""Redaction: nothing reaches the disk before it went through here."""

from __future__ import annotations

from debugtape.redact.config import RedactConfig, Rule, load_config
from debugtape.redact.engine import KEY_FILE, RedactionStats, Redactor, load_redactor
from debugtape.redact.gate import RedactedEvent, redact_event
from debugtape.redact.markers import MARKER_RE, is_marker

__all__ = [
    "KEY_FILE", "MARKER_RE", "RedactConfig", "RedactedEvent", "RedactionStats", "Redactor", "Rule",
    "is_marker", "load_config", "load_redactor", "redact_event",
]
