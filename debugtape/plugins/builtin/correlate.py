"""The built-in `correlate` plugin: commit context, per-frame blame, symbols and stable
breakpoint ids (debugtape.correlate) as the pipeline's correlation stage.

Disabled by name like any plugin (`[plugins] disabled = ["correlate"]`): sessions are then
recorded without that context. A plugin that answers `debugtape_correlator` replaces it.
"""

from __future__ import annotations

from typing import Any


def debugtape_correlator(cwd: str | None) -> Any:
    from debugtape.correlate import make_correlator

    return make_correlator(cwd)  # None when DEBUGTAPE_CORRELATE=off
