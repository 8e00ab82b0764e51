"""`debugtape plugins`: which plugins are loaded, disabled or broken, and the hooks they implement."""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["command"]


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The store whose .debugtape folder holds config.toml (default: the usual lookup).")
def command(as_json: bool, db: Path | None) -> None:
    """List the plugins found in the `debugtape` entry-point group and their state."""
    from debugtape.errors import DebugtapeError
    from debugtape.paths import resolve_db, store_dir
    from debugtape.plugins import load_hooks
    from debugtape.plugins.config import read_plugin_config

    config_dir = store_dir(resolve_db(db))
    try:
        cfg = read_plugin_config(config_dir, config_dir.parent)
        hooks = load_hooks(config_dir)
    except DebugtapeError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        infos = hooks.plugins
        if as_json:
            click.echo(json.dumps({
                "plugins": [i.to_dict() for i in infos],
                "config": {"disabled": sorted(cfg.disabled), "timeout": cfg.timeout,
                           "sources": cfg.sources},
            }, indent=2))
            return
        if not infos:
            click.echo("no plugins found (entry-point group 'debugtape')")
            return
        width = max(len(i.name) for i in infos)
        for i in infos:
            source = "built-in" if i.builtin else f"{i.distribution or '?'} {i.version or ''}".strip()
            line = f"{i.name:<{width}}  {i.status:<8}  {source}"
            if i.hooks:
                line += "  " + ", ".join(h.removeprefix("debugtape_") for h in i.hooks)
            if i.error:
                line += f"  ({i.error})"
            click.echo(line)
    finally:
        hooks.close()
