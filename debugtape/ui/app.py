"""`debugtape ui`: a keyboard-only terminal UI over the store, updating live as events commit."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from textual.app import App

from debugtape.redact.engine import Redactor
from debugtape.report.source import SourceLines
from debugtape.ui.data import Filter
from debugtape.ui.screens import SessionsScreen

__all__ = ["TapeApp"]

log = logging.getLogger(__name__)

CSS = """
#title { height: auto; padding: 0 1; background: $boost; }
#filter.hidden { display: none; }
#frames, #replay-log { width: 45%; }
#right { width: 55%; }
#source, #current { height: auto; max-height: 12; padding: 0 1; border-bottom: solid $primary-background; }
DataTable { height: 1fr; }
"""


class TapeApp(App[None]):
    """Sessions → snapshots → frames and locals, and a session's replay. Never needs the mouse."""

    CSS = CSS
    TITLE = "debugtape"

    def __init__(self, store: Any, db: Path, poll_interval: float = 0.5,
                 redactor: Redactor | None = None) -> None:
        super().__init__()
        self.store = store
        self.db = db
        self.poll_interval = poll_interval
        self.filter = Filter()
        self.sources = SourceLines(redactor or Redactor())
        self._version: int | None = None

    def on_mount(self) -> None:
        self._version = self.store.data_version()
        self.push_screen(SessionsScreen())
        self.set_interval(self.poll_interval, self.poll)

    def poll(self) -> None:
        """Redraw the top screen when another connection committed (PRAGMA data_version moved)."""
        try:
            version = self.store.data_version()
        except Exception as exc:  # a busy or vanished store must not end the UI
            log.warning("polling the store failed: %s", exc)
            return
        if version == self._version:
            return
        screen = self.screen
        # A screen just pushed may not have composed its widgets yet: try again at the next poll.
        if not screen.is_mounted:
            return
        self._version = version
        refresh = getattr(screen, "refresh_data", None)
        if refresh is not None:
            refresh()
