"""The `debugtape` command: a group whose subcommands live in cmd_*.py modules, imported on use."""

from __future__ import annotations

import logging
import os
import pkgutil
import sys
from importlib import import_module
from typing import Any

import click

__all__ = ["cli", "main", "command_names"]

_PKG = "debugtape.cli"


def command_names() -> list[str]:
    """Every built-in command, found from the cmd_*.py module names without importing them."""
    here = os.path.dirname(__file__)
    return sorted(
        m.name[4:].replace("_", "-") for m in pkgutil.iter_modules([here]) if m.name.startswith("cmd_")
    )


def _plugin_commands() -> dict[str, click.Command]:
    try:
        from debugtape.plugins import plugin_commands
    except ImportError:
        return {}
    try:
        return {c.name: c for c in plugin_commands() if c.name}
    except Exception as exc:  # a broken plugin must not break the CLI
        logging.getLogger(__name__).warning("plugin commands unavailable: %s", exc)
        return {}


class LazyGroup(click.Group):
    """Loads a subcommand's module only when that subcommand runs (keeps startup fast)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(command_names()) | set(_plugin_commands()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in command_names():
            module = import_module(f"{_PKG}.cmd_{name.replace('-', '_')}")
            cmd: click.Command = module.command
            return cmd
        return _plugin_commands().get(name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="debugtape")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """debugtape: a flight recorder for debugging sessions (gdb, lldb, DAP, VS Code).

    Records breakpoints, stacks and locals at each stop and sampled stacks, redacted, into one
    SQLite store, and answers questions about the timeline.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="debugtape: %(levelname)s: %(message)s", stream=sys.stderr)


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="debugtape")
