"""PluginHooks: the pipeline's Hooks protocol, one typed wrapper per `debugtape_` hook."""

from __future__ import annotations

import copy
import functools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from debugtape.errors import DebugtapeError
from debugtape.events import EVENT_TYPES
from debugtape.plugins.config import PluginConfig, read_plugin_config
from debugtape.plugins.manager import Manager, PluginInfo, discover
from debugtape.plugins.runner import Call, DeadlineRunner

if TYPE_CHECKING:
    import click

    from debugtape.pipeline.stages import Correlator
    from debugtape.redact.config import Rule

__all__ = ["PluginHooks", "PluginFailure", "load_hooks", "MAX_ADDED_BYTES", "MAX_TAGS"]

log = logging.getLogger(__name__)

# What a snapshot hook may add: bounded so one plugin cannot blow the 1 MiB event cap.
MAX_ADDED_BYTES = 64 * 1024
MAX_TAGS = 32
MAX_TAG_LEN = 64
# The catalog's own snapshot fields are the adapters' and the pipeline's; plugins add beside them.
PROTECTED_SNAPSHOT_FIELDS = frozenset(EVENT_TYPES["debug_snapshot"])
# Hooks called once when the hooks are built, not per session.
_SETUP_HOOKS = frozenset({"debugtape_redaction_rules", "debugtape_cli_commands", "debugtape_correlator"})
_CORRELATOR_METHODS = ("session_context", "snapshot", "breakpoint")


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    hook: str
    reason: str


class _Garbage(Exception):
    """A plugin returned something its hook does not accept."""


class PluginHooks:
    """Calls the enabled plugins for each pipeline step. A plugin that raises, overruns the
    deadline or returns garbage is logged, counted in `failures` and skipped; one that overruns
    is disabled for the rest of the session. The caller's event always goes on."""

    def __init__(self, manager: Manager, infos: list[PluginInfo], runner: DeadlineRunner) -> None:
        self._pm = manager
        self._runner = runner
        self.plugins = infos
        # debugtape's own plugins are called on the caller's thread: no hand-off, no deadline.
        self._builtin = {i.name for i in infos if i.builtin}
        # Failures outside any session (loading, rules, commands) count in every session.
        self._standing = [
            PluginFailure(i.name, "load", i.error or "") for i in infos if i.status == "failed"
        ]
        self.failure_log: list[PluginFailure] = list(self._standing)
        # Hung plugins stay disabled for as long as this object lives (one ingest stream may
        # hold several sessions): their worker thread may still be stuck.
        self._disabled: set[str] = set()

    # -- the Hooks protocol -------------------------------------------------------------

    @property
    def failures(self) -> int:
        """Plugin failures of the current session, load failures included."""
        return len(self.failure_log)

    def wants(self, hook: str) -> bool:
        """Whether an enabled plugin implements `hook` (e.g. "snapshot" for debugtape_snapshot)."""
        return bool(self._impls(f"debugtape_{hook}"))

    def session_started(self, data: Mapping[str, Any]) -> None:
        # One PluginHooks may serve several sessions in turn: each counts its own failures.
        self.failure_log = list(self._standing)
        self._notify("debugtape_session_started", data)

    def snapshot(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        """The snapshot with the plugins' fields added, or None if a plugin dropped it."""
        result = dict(data)
        for impl in self._impls("debugtape_snapshot"):
            ok, value = self._call(impl, "debugtape_snapshot", {"data": copy.deepcopy(result)})
            if not ok or value is None or value is True:
                continue
            if value is False:
                log.info("plugin %s dropped a snapshot", impl.plugin_name)
                return None
            try:
                _merge_snapshot_fields(result, value)
            except _Garbage as exc:
                self._fail(impl.plugin_name, "debugtape_snapshot", f"returned garbage: {exc}")
        return result

    def breakpoint(self, data: Mapping[str, Any]) -> None:
        self._notify("debugtape_breakpoint", data)

    def file_changed(self, data: Mapping[str, Any]) -> None:
        self._notify("debugtape_file_changed", data)

    def commit_seen(self, data: Mapping[str, Any]) -> None:
        self._notify("debugtape_commit_seen", data)

    def session_ended(self, data: Mapping[str, Any]) -> None:
        self._notify("debugtape_session_ended", data)
        # The last call of a session: let the worker go now rather than at its idle timeout.
        self._runner.close(wait=0.2)

    # -- the other hooks -----------------------------------------------------------------

    def redaction_rules(self) -> list[Rule]:
        """Every plugin's extra redaction rules as `debugtape.redact.config.Rule`s, in plugin order.

        A plugin returns a list whose items are `Rule`s, dicts of Rule fields
        (`{"kind": "ticket", "pattern": "TICKET-[0-9]{6}"}`, `{"key": "x_api_*"}`), or tables
        shaped like `[tool.debugtape.redact]` (`{"deny_keys": [...], "patterns": [...]}`).
        """
        from debugtape.redact.config import Rule, parse_section

        rules: list[Rule] = []
        for impl in self._impls("debugtape_redaction_rules"):
            ok, value = self._call(impl, "debugtape_redaction_rules", {})
            if not ok or value is None:
                continue
            try:
                if not isinstance(value, list):
                    raise _Garbage(f"expected a list of rules, got {type(value).__name__}")
                found: list[Rule] = []
                for item in value:
                    if isinstance(item, Rule):
                        found.append(item)
                    elif isinstance(item, Mapping) and set(item) <= {"kind", "key", "pattern", "allow"}:
                        found.append(Rule(**dict(item)))
                    elif isinstance(item, Mapping):
                        found.extend(parse_section(item, f"plugin {impl.plugin_name}"))
                    else:
                        raise _Garbage(f"a rule must be a Rule or a dict, not {type(item).__name__}")
            except (_Garbage, DebugtapeError, TypeError) as exc:
                self._fail(impl.plugin_name, "debugtape_redaction_rules", f"returned garbage: {exc}",
                           standing=True)
                continue
            rules.extend(found)
        return rules

    def cli_commands(self) -> list[click.Command]:
        """The `click.Command`s the plugins add; names already taken are skipped."""
        import click

        commands: list[click.Command] = []
        names: set[str] = set()
        for impl in self._impls("debugtape_cli_commands"):
            ok, value = self._call(impl, "debugtape_cli_commands", {})
            if not ok or value is None:
                continue
            if not isinstance(value, list) or not all(isinstance(c, click.Command) for c in value):
                self._fail(impl.plugin_name, "debugtape_cli_commands",
                           "returned garbage: expected a list of click.Command", standing=True)
                continue
            for cmd in value:
                if not cmd.name or cmd.name in names:
                    log.warning("plugin %s: command %r skipped (no name or taken)",
                                impl.plugin_name, cmd.name)
                    continue
                names.add(cmd.name)
                commands.append(cmd)
        return commands

    def correlator(self, cwd: str | None) -> Correlator | None:
        """The pipeline's correlation stage (debugtape.pipeline.stages.Correlator): the first
        plugin's answer to `debugtape_correlator` (the built-in `correlate` unless another
        plugin answers), or None when none answers (`correlate` disabled). Another plugin's
        correlator is called like a hook: under the deadline, its failures counted and skipped."""
        for impl in self._impls("debugtape_correlator"):
            ok, value = self._call(impl, "debugtape_correlator", {"cwd": cwd})
            if not ok or value is None:
                continue
            missing = [m for m in _CORRELATOR_METHODS if not callable(getattr(value, m, None))]
            if missing:
                self._fail(impl.plugin_name, "debugtape_correlator",
                           f"returned garbage: no {', '.join(missing)} method", standing=True)
                continue
            if impl.plugin_name in self._builtin:
                return value
            return _GuardedCorrelator(self, impl.plugin_name, value)
        return None

    def close(self) -> None:
        self._runner.close()

    # -- machinery -----------------------------------------------------------------------

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        caller = getattr(self._pm.hook, hook)
        # pluggy calls the last registered first; keep that order.
        return [i for i in reversed(caller.get_hookimpls()) if i.plugin_name not in self._disabled]

    def _call(self, impl: pluggy.HookImpl, hook: str, kwargs: Mapping[str, Any]) -> tuple[bool, Any]:
        args = {k: kwargs[k] for k in impl.argnames if k in kwargs}
        return self._run(impl.plugin_name, hook, impl.function, args)

    def _run(self, plugin: str, hook: str, fn: Callable[..., Any],
             kwargs: Mapping[str, Any]) -> tuple[bool, Any]:
        """(answered, value) of one plugin call; a failure is logged, counted and (False, None)."""
        if plugin in self._disabled:
            return False, None
        call = Call(fn, dict(kwargs)).run() if plugin in self._builtin else self._runner.call(fn, kwargs)
        standing = hook in _SETUP_HOOKS
        if call.timed_out:
            self._disabled.add(plugin)
            self._fail(plugin, hook, f"no answer within {self._runner.timeout:g}s; disabled for this session",
                       standing=standing)
            return False, None
        if call.error is not None:
            self._fail(plugin, hook, f"raised {call.error!r}", standing=standing)
            return False, None
        return True, call.value

    def _notify(self, hook: str, data: Mapping[str, Any]) -> None:
        for impl in self._impls(hook):
            # Each plugin gets its own copy: one cannot alter what the next one or the store sees.
            self._call(impl, hook, {"data": copy.deepcopy(dict(data))})

    def _fail(self, plugin: str, hook: str, reason: str, standing: bool = False) -> None:
        # A plugin's exception may quote the data it was given: never log a secret.
        failure = PluginFailure(plugin, hook, _scrub(reason))
        self.failure_log.append(failure)
        if standing:
            self._standing.append(failure)
        log.error("plugin %s, hook %s: %s; skipped", plugin, hook, failure.reason)


class _GuardedCorrelator:
    """Another plugin's correlator, called like a hook: under the deadline, on a copy of the data.
    When it fails or answers garbage the data goes on as it came, and the failure is counted."""

    def __init__(self, hooks: PluginHooks, plugin: str, inner: Any) -> None:
        self._hooks = hooks
        self._plugin = plugin
        self._inner = inner

    def session_context(self, cwd: str | None) -> dict[str, Any] | None:
        ok, value = self._ask("session_context", cwd)
        if ok and value is not None and not (isinstance(value, dict) and _jsonable(value)):
            self._garbage("session_context", "expected a JSON object or None")
            return None
        return value if ok else None

    def snapshot(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._data("snapshot", data)

    def breakpoint(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._data("breakpoint", data)

    def new_commits(self, since: str | None) -> list[dict[str, Any]]:
        if not hasattr(self._inner, "new_commits"):  # optional: a correlator may record none
            return []
        ok, value = self._ask("new_commits", since)
        if ok and not (isinstance(value, list) and all(isinstance(c, dict) for c in value) and _jsonable(value)):
            self._garbage("new_commits", "expected a list of JSON objects")
            return []
        return value if ok else []

    def _ask(self, method: str, arg: Any) -> tuple[bool, Any]:
        fn = functools.partial(getattr(self._inner, method), copy.deepcopy(arg))
        return self._hooks._run(self._plugin, f"debugtape_correlator.{method}", fn, {})

    def _data(self, method: str, data: dict[str, Any]) -> dict[str, Any]:
        ok, value = self._ask(method, data)
        if not ok:
            return data
        if not (isinstance(value, dict) and _jsonable(value)):
            self._garbage(method, f"expected the data as a JSON object, got {type(value).__name__}")
            return data
        return value

    def _garbage(self, method: str, why: str) -> None:
        self._hooks._fail(self._plugin, f"debugtape_correlator.{method}", f"returned garbage: {why}")


_SCRUBBER: Any = None


def _scrub(text: str) -> str:
    global _SCRUBBER
    if _SCRUBBER is None:
        from debugtape.redact import Redactor

        _SCRUBBER = Redactor()  # a throw-away key: log markers need not match stored ones
    scrubbed, _ = _SCRUBBER.redact_text(text[:2000])
    return str(scrubbed)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _merge_snapshot_fields(result: dict[str, Any], added: Any) -> None:
    if not isinstance(added, Mapping):
        raise _Garbage(f"expected a dict, None or False, got {type(added).__name__}")
    if not all(isinstance(k, str) for k in added):
        raise _Garbage("field names must be strings")
    try:
        size = len(json.dumps(added, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as exc:
        raise _Garbage(f"fields are not JSON: {exc}") from None
    if size > MAX_ADDED_BYTES:
        raise _Garbage(f"fields take {size} bytes (at most {MAX_ADDED_BYTES})")
    protected = sorted(k for k in added if k in PROTECTED_SNAPSHOT_FIELDS)
    if protected:
        raise _Garbage(f"cannot replace the snapshot's own fields {protected}")
    tags = added.get("tags")
    if tags is not None and (
        not isinstance(tags, list)
        or not all(isinstance(t, str) and 0 < len(t) <= MAX_TAG_LEN for t in tags)
    ):
        raise _Garbage(f"tags must be a list of strings of 1 to {MAX_TAG_LEN} characters")
    for key, value in added.items():
        if key == "tags":
            merged = list(result.get("tags") or [])
            merged += [t for t in value if t not in merged]
            result["tags"] = merged[:MAX_TAGS]
        else:
            result[key] = value


def load_hooks(config_dir: Path | None, project_root: Path | None = None,
               timeout: float | None = None) -> PluginHooks:
    """The hooks for a session whose store lives in `config_dir` (the `.debugtape` folder).

    Settings come from `<config_dir>/config.toml` and `<project_root>/pyproject.toml` (the
    project root defaults to the folder holding `config_dir`).
    """
    if project_root is None and config_dir is not None:
        project_root = Path(config_dir).parent
    cfg: PluginConfig = read_plugin_config(config_dir, project_root)
    runner = DeadlineRunner(timeout if timeout is not None else cfg.timeout)
    manager, infos = discover(cfg, runner)
    return PluginHooks(manager, infos, runner)
