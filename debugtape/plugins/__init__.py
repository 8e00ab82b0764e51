"""Plugin hooks on pluggy: discovery through the `debugtape` entry-point group, guarded calls."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from debugtape.plugins.hooks import PluginFailure, PluginHooks, load_hooks
from debugtape.plugins.hookspecs import HOOK_NAMES, hookimpl, hookspec
from debugtape.plugins.manager import BUILTINS, ENTRY_POINT_GROUP, PluginInfo

__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "HOOK_NAMES",
    "PluginFailure",
    "PluginHooks",
    "PluginInfo",
    "hookimpl",
    "hookspec",
    "load_hooks",
    "plugin_commands",
]

if TYPE_CHECKING:
    import click

log = logging.getLogger(__name__)


def plugin_commands(config_dir: Path | None = None) -> list[click.Command]:
    """The extra `click.Command`s plugins add to `debugtape` (for cli/main.py).

    `config_dir` defaults to the folder of the store `debugtape.paths.resolve_db()` finds. Never
    raises: a broken plugin or config costs its commands, not the CLI.
    """
    from debugtape.errors import DebugtapeError
    from debugtape.paths import resolve_db, store_dir

    try:
        hooks = load_hooks(config_dir if config_dir is not None else store_dir(resolve_db()))
    except DebugtapeError as exc:
        log.warning("plugin commands not loaded: %s", exc)
        return []
    try:
        return hooks.cli_commands()
    finally:
        hooks.close()
