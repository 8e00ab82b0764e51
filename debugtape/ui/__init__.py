"""The terminal UI (`debugtape ui`), built on textual."""

from __future__ import annotations

__all__ = ["run_ui"]

from pathlib import Path


def run_ui(db: Path, poll_interval: float = 0.5) -> None:
    """Open the store at `db` read-only and run the UI until the user quits."""
    from debugtape.store import Store
    from debugtape.ui.app import TapeApp

    with Store(db, readonly=True) as store:
        TapeApp(store, db, poll_interval).run()
