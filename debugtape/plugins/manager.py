"""Finds plugins (built-ins and the `debugtape` entry-point group) and registers them with pluggy."""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from debugtape.plugins import hookspecs
from debugtape.plugins.config import PluginConfig
from debugtape.plugins.runner import Call, DeadlineRunner

__all__ = ["ENTRY_POINT_GROUP", "BUILTINS", "PluginInfo", "Manager", "discover"]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "debugtape"

# debugtape's own parts registered exactly like a third-party plugin: name -> module.
BUILTINS: dict[str, str] = {"correlate": "debugtape.plugins.builtin.correlate"}


@dataclass
class PluginInfo:
    """What `debugtape plugins` shows for one plugin."""

    name: str
    value: str  # "module" or "module:attr" as named by the entry point
    builtin: bool = False
    distribution: str | None = None
    version: str | None = None
    status: str = "loaded"  # loaded | disabled | failed
    error: str | None = None
    hooks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "value": self.value, "builtin": self.builtin,
            "distribution": self.distribution, "version": self.version, "status": self.status,
            "error": self.error, "hooks": list(self.hooks),
        }


class Manager(pluggy.PluginManager):
    """A pluggy manager that also accepts unmarked `debugtape_*` functions, so a plugin module
    needs no import of debugtape at all."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith("debugtape_") and callable(getattr(plugin, name, None)):
            return {"wrapper": False, "hookwrapper": False, "optionalhook": False,
                    "tryfirst": False, "trylast": False, "specname": None}
        return opts


@dataclass
class _Candidate:
    name: str
    value: str
    load: Callable[[], Any]
    builtin: bool
    distribution: str | None = None
    version: str | None = None


def _candidates() -> Iterable[_Candidate]:
    for name, module in BUILTINS.items():
        yield _Candidate(name, module, functools.partial(importlib.import_module, module), True)
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        yield _Candidate(
            ep.name, ep.value, ep.load, False,
            getattr(dist, "name", None), getattr(dist, "version", None),
        )


def discover(config: PluginConfig, runner: DeadlineRunner) -> tuple[Manager, list[PluginInfo]]:
    """Load every enabled plugin; a plugin that fails to import, hangs while importing or does not
    match the hook specifications is reported in its PluginInfo and left out."""
    pm = Manager()
    infos: list[PluginInfo] = []
    seen: set[str] = set()
    for cand in _candidates():
        info = PluginInfo(cand.name, cand.value, cand.builtin, cand.distribution, cand.version)
        infos.append(info)
        if cand.name in seen:
            info.status, info.error = "failed", "another plugin already has this name"
            log.error("plugin %s (%s): %s", cand.name, cand.value, info.error)
            continue
        seen.add(cand.name)
        if config.is_disabled(cand.name, cand.builtin):
            info.status = "disabled"
            continue
        # debugtape's own modules import on this thread; anything else under the deadline.
        call = Call(cand.load, {}).run() if cand.builtin else runner.call(cand.load)
        if not call.ok:
            why = "timed out while importing" if call.timed_out else f"import failed: {call.error!r}"
            info.status, info.error = "failed", why
            log.error("plugin %s (%s): %s; skipped", cand.name, cand.value, why)
            continue
        try:
            pm.register(call.value, name=cand.name)
            pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            if pm.is_registered(call.value):
                pm.unregister(call.value)
            info.status, info.error = "failed", f"invalid plugin: {exc}"
            log.error("plugin %s (%s): %s; skipped", cand.name, cand.value, info.error)
            continue
        info.hooks = sorted(
            caller.name for caller in (pm.get_hookcallers(call.value) or [])
        )
    return pm, infos
