"""Project rules for the redactor: `[tool.debugtape.redact]` in pyproject.toml or `.debugtape/config.toml`."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from debugtape.errors import ConfigError

__all__ = ["Rule", "RedactConfig", "load_config", "CONFIG_FILES"]

log = logging.getLogger(__name__)

CONFIG_FILES = ("pyproject.toml", ".debugtape/config.toml")
_KIND = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")


@dataclass(frozen=True)
class Rule:
    """One extra rule, from the config or a plugin.

    - `key`: a name (normalized like keys: case, `_`, `-` ignored; `*`/`?` glob) whose values
      are secret, or, with `allow=True`, never secret by name.
    - `pattern`: a regular expression for secret values found anywhere in strings (the named
      group `v`, if present, is the secret; else the whole match), or, with `allow=True`, a
      regular expression that keeps any candidate secret it is found in.
    - `kind`: the marker kind (`[REDACTED:<kind>:...]`).
    """

    kind: str = "custom"
    key: str | None = None
    pattern: str | None = None
    allow: bool = False

    def __post_init__(self) -> None:
        if (self.key is None) == (self.pattern is None):
            raise ConfigError("redact rule", "give exactly one of key= or pattern=")
        if not _KIND.match(self.kind):
            raise ConfigError("redact rule", f"kind must be 1-32 of [A-Za-z0-9_.-], not {self.kind!r}")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ConfigError("redact rule", f"bad regex {self.pattern!r}: {exc}") from exc


@dataclass(frozen=True)
class RedactConfig:
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    sources: tuple[str, ...] = field(default_factory=tuple)

    def with_rules(self, extra: Iterable[Rule]) -> RedactConfig:
        return RedactConfig(self.rules + tuple(extra), self.sources)


def _toml_loads(text: str) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError as exc:
            raise ConfigError("redact config", "reading TOML on Python 3.10 needs `pip install tomli`") from exc
    return tomllib.loads(text)


ENV_VAR = "DEBUGTAPE_REDACT"


def _env_rules() -> list[Rule]:
    """Rules from DEBUGTAPE_REDACT: JSON shaped like the [tool.debugtape.redact] table (the VS Code
    extension passes its redaction settings this way)."""
    text = os.environ.get(ENV_VAR)
    if not text:
        return []
    try:
        section = json.loads(text)
    except ValueError as exc:
        raise ConfigError(ENV_VAR, f"not valid JSON: {exc}") from exc
    return parse_section(section, ENV_VAR)


def load_config(project_root: Path | None) -> RedactConfig:
    """Rules from the project's files and DEBUGTAPE_REDACT; a missing file is fine, a malformed
    one is a ConfigError."""
    rules: list[Rule] = _env_rules()
    sources: list[str] = [ENV_VAR] if rules else []
    if project_root is None:
        return RedactConfig(tuple(rules), tuple(sources))
    for name in CONFIG_FILES:
        path = Path(project_root) / name
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise ConfigError(str(path), f"cannot read: {exc}") from exc
        try:
            doc = _toml_loads(text)
        except ValueError as exc:
            raise ConfigError(str(path), f"not valid TOML: {exc}") from exc
        section = doc.get("tool", {}).get("debugtape", {}).get("redact")
        if name != "pyproject.toml" and section is None:
            section = doc.get("redact")
        if section is None:
            continue
        rules.extend(parse_section(section, str(path)))
        sources.append(str(path))
    return RedactConfig(tuple(rules), tuple(sources))


def parse_section(section: object, source: str) -> list[Rule]:
    """Rules from a decoded `[tool.debugtape.redact]` table."""
    if not isinstance(section, Mapping):
        raise ConfigError(source, "[tool.debugtape.redact] must be a table")
    known = {"deny_keys", "allow_keys", "patterns", "allow_values"}
    unknown = set(section) - known
    if unknown:
        raise ConfigError(source, f"unknown redact settings {sorted(unknown)}; known: {sorted(known)}")
    rules: list[Rule] = []
    try:
        for key in _strings(section.get("deny_keys", []), source, "deny_keys"):
            rules.append(Rule(kind="key", key=key))
        for key in _strings(section.get("allow_keys", []), source, "allow_keys"):
            rules.append(Rule(kind="key", key=key, allow=True))
        for rx in _strings(section.get("allow_values", []), source, "allow_values"):
            rules.append(Rule(kind="allowed", pattern=rx, allow=True))
        patterns = section.get("patterns", [])
        if not isinstance(patterns, list):
            raise ConfigError(source, "patterns must be an array of tables {name, regex}")
        for p in patterns:
            if not isinstance(p, Mapping) or not isinstance(p.get("regex"), str):
                raise ConfigError(source, "each pattern needs regex = \"...\" (and a name)")
            rules.append(Rule(kind=str(p.get("name", "custom")), pattern=p["regex"]))
    except ConfigError as exc:
        raise ConfigError(source, str(exc)) from exc
    return rules


def _strings(value: object, source: str, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(source, f"{name} must be an array of strings")
    return list(value)
