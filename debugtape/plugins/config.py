"""Plugin settings: `[plugins]` of .debugtape/config.toml and `[tool.debugtape.plugins]` of pyproject.toml."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from debugtape.errors import ConfigError

__all__ = ["PluginConfig", "read_plugin_config", "DEFAULT_TIMEOUT", "DISABLE_ENV"]

DEFAULT_TIMEOUT = 2.0
# Comma-separated plugin names to disable for this process; "*" disables every non-built-in one.
DISABLE_ENV = "DEBUGTAPE_DISABLE_PLUGINS"


@dataclass
class PluginConfig:
    disabled: set[str] = field(default_factory=set)
    timeout: float = DEFAULT_TIMEOUT
    sources: list[str] = field(default_factory=list)

    def is_disabled(self, name: str, builtin: bool = False) -> bool:
        return name in self.disabled or ("*" in self.disabled and not builtin)


def _read_toml(path: Path) -> Mapping[str, Any] | None:
    if not path.is_file():
        return None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: no TOML reader in the standard library
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError as exc:
            raise ConfigError(str(path), "reading TOML on Python 3.10 needs `pip install tomli`") from exc
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # TOMLDecodeError is a ValueError
        raise ConfigError(str(path), f"cannot read it: {exc}") from exc


def _section(doc: Mapping[str, Any], keys: tuple[str, ...]) -> Mapping[str, Any] | None:
    node: Any = doc
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, Mapping) else None


def _apply(cfg: PluginConfig, section: Mapping[str, Any], source: str) -> None:
    disabled = section.get("disabled", [])
    if not isinstance(disabled, list) or not all(isinstance(n, str) for n in disabled):
        raise ConfigError(source, 'plugins.disabled must be a list of plugin names, e.g. ["name"]')
    cfg.disabled.update(disabled)
    if "timeout" in section:
        timeout = section["timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
            raise ConfigError(source, "plugins.timeout must be a number of seconds between 0 and 600")
        cfg.timeout = float(timeout)
    cfg.sources.append(source)


def read_plugin_config(config_dir: Path | None, project_root: Path | None = None) -> PluginConfig:
    """Merge the two config files (both may disable; config.toml's timeout wins) and the env."""
    cfg = PluginConfig()
    if project_root is not None:
        path = Path(project_root) / "pyproject.toml"
        doc = _read_toml(path)
        section = _section(doc, ("tool", "debugtape", "plugins")) if doc else None
        if section is not None:
            _apply(cfg, section, str(path))
    if config_dir is not None:
        path = Path(config_dir) / "config.toml"
        doc = _read_toml(path)
        section = _section(doc, ("plugins",)) if doc else None
        if section is not None:
            _apply(cfg, section, str(path))
    env = os.environ.get(DISABLE_ENV, "")
    cfg.disabled.update(n.strip() for n in env.split(",") if n.strip())
    return cfg
