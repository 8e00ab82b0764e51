"""The pluggable stages of the pipeline: correlation and plugin hooks, with pass-through defaults."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["Correlator", "Hooks", "NullCorrelator", "NullHooks", "EventSink"]


class EventSink(Protocol):
    """Where the pipeline hands sequenced, redacted events (the store's writer)."""

    def emit(self, event: Any) -> None: ...

    def flush(self, timeout: float | None = None) -> None: ...


class Correlator(Protocol):
    """Ties records to commits and symbols (filled by debugtape.correlate)."""

    def session_context(self, cwd: str | None) -> dict[str, Any] | None: ...

    def snapshot(self, data: dict[str, Any]) -> dict[str, Any]: ...

    def breakpoint(self, data: dict[str, Any]) -> dict[str, Any]: ...

    def new_commits(self, since: str | None) -> list[dict[str, Any]]:
        """`vcs_commit` data of the commits HEAD moved to after `since` (oldest first); [] when
        HEAD has not moved. Optional: correlators without it record no commits."""
        ...


class Hooks(Protocol):
    """Plugin hooks (filled by debugtape.plugins). `snapshot` returning None drops the snapshot.
    `wants(name)` says whether any plugin implements a hook (hooks without it are assumed to)."""

    @property
    def failures(self) -> int: ...

    def session_started(self, data: dict[str, Any]) -> None: ...

    def snapshot(self, data: dict[str, Any]) -> dict[str, Any] | None: ...

    def breakpoint(self, data: dict[str, Any]) -> None: ...

    def file_changed(self, data: dict[str, Any]) -> None: ...

    def commit_seen(self, data: dict[str, Any]) -> None: ...

    def session_ended(self, data: dict[str, Any]) -> None: ...


class NullCorrelator:
    """No correlation: records pass through unchanged."""

    def session_context(self, cwd: str | None) -> dict[str, Any] | None:
        return None

    def snapshot(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def breakpoint(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def new_commits(self, since: str | None) -> list[dict[str, Any]]:
        return []


class NullHooks:
    """No plugins."""

    failures = 0

    def wants(self, hook: str) -> bool:
        return False

    def session_started(self, data: dict[str, Any]) -> None:
        return None

    def snapshot(self, data: dict[str, Any]) -> dict[str, Any] | None:
        return data

    def breakpoint(self, data: dict[str, Any]) -> None:
        return None

    def file_changed(self, data: dict[str, Any]) -> None:
        return None

    def commit_seen(self, data: dict[str, Any]) -> None:
        return None

    def session_ended(self, data: dict[str, Any]) -> None:
        return None
