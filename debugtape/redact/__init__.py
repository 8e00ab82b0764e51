"""Redaction: nothing reaches the disk before it went through here."""

from __future__ import annotations

from debugtape.redact.engine import KEY_FILE, RedactionStats, Redactor, load_redactor
from debugtape.redact.gate import RedactedEvent, redact_event

__all__ = ["KEY_FILE", "RedactedEvent", "RedactionStats", "Redactor", "load_redactor", "redact_event"]
