"""PluginHooks against the test plugin package, discovered through its real entry points."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

from debugtape.errors import ConfigError
from debugtape.plugins import load_hooks

pytestmark = pytest.mark.timeout(60)

MISBEHAVING = ["raiser", "hanger", "garbage", "dropper"]


def _config(config_dir: Path, disabled: list[str], timeout: float = 0.5) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    names = ", ".join(f'"{n}"' for n in disabled)
    (config_dir / "config.toml").write_text(f"[plugins]\ndisabled = [{names}]\ntimeout = {timeout}\n")
    return config_dir


def _snapshot(reason: str = "breakpoint", note: str | None = None) -> dict:
    frames = [{"index": 0, "symbol": "parse", "file": "/src/parser.c", "line": 120, "locals": {"len": 4}}]
    data = {"reason": reason, "frames": frames, "thread": {"id": 1}}
    if note:
        data["note"] = note
    return data


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "debugtape-plugin-worker" and t.is_alive()]


def test_discovery_reports_each_plugin(plugin_path: Path, tmp_path: Path) -> None:
    hooks = load_hooks(_config(tmp_path / ".debugtape", ["hanger"]))
    try:
        infos = {i.name: i for i in hooks.plugins}
        assert {"sample", "raiser", "hanger", "garbage", "dropper", "broken", "typo"} <= set(infos)
        sample = infos["sample"]
        assert sample.status == "loaded"
        assert sample.distribution == "debugtape-sample-plugin" and sample.version == "0.1.0"
        assert "debugtape_snapshot" in sample.hooks and "debugtape_cli_commands" in sample.hooks
        assert infos["hanger"].status == "disabled" and infos["hanger"].hooks == []
        assert "debugtape_sample_plugin.hanging" not in sys.modules  # disabled means not imported
        assert infos["broken"].status == "failed" and "import failed" in (infos["broken"].error or "")
        assert infos["typo"].status == "failed" and "debugtape_snaphot" in (infos["typo"].error or "")
        # Load failures are plugin failures too: the session's counts show them.
        assert hooks.failures == 2
        assert {f.plugin for f in hooks.failure_log} == {"broken", "typo"}
    finally:
        hooks.close()


def test_pyproject_and_env_disable_by_name(plugin_path: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.debugtape.plugins]\ndisabled = ["raiser", "garbage"]\n')
    monkeypatch.setenv("DEBUGTAPE_DISABLE_PLUGINS", "broken, typo,hanger")
    hooks = load_hooks(tmp_path / ".debugtape")
    try:
        status = {i.name: i.status for i in hooks.plugins}
        assert status["raiser"] == status["garbage"] == "disabled"
        assert status["broken"] == status["typo"] == status["hanger"] == "disabled"
        assert status["sample"] == status["dropper"] == "loaded"
        assert hooks.failures == 0
    finally:
        hooks.close()


def test_snapshot_fields_tags_drop_and_failures(plugin_path: Path, tmp_path: Path) -> None:
    hooks = load_hooks(_config(tmp_path / ".debugtape", ["hanger", "broken", "typo"]))
    try:
        original = _snapshot()
        out = hooks.snapshot(original)
        assert out is not None
        assert out["tags"] == ["sample"] and out["sample_frames"] == 1
        assert out["frames"] == original["frames"]  # the plugin's mutation of its copy stayed there
        assert original == _snapshot()  # the caller's dict is untouched
        # raiser raised, garbage returned a list: both counted, neither stopped the others.
        assert sorted((f.plugin, f.hook) for f in hooks.failure_log) == [
            ("garbage", "debugtape_snapshot"), ("raiser", "debugtape_snapshot")]
        assert "returned garbage" in next(f.reason for f in hooks.failure_log if f.plugin == "garbage")

        for reason in ("step", "signal", "exception"):
            assert hooks.snapshot(_snapshot(reason)) is not None
        garbage = [f.reason for f in hooks.failure_log if f.plugin == "garbage"]
        assert any("own fields" in r for r in garbage)
        assert any("not JSON" in r for r in garbage)
        assert any("tags must be" in r for r in garbage)
        assert hooks.failures == 8  # 4 snapshots x (raiser + garbage)

        assert hooks.snapshot(_snapshot(note="drop me")) is None
    finally:
        hooks.close()


def test_hanging_plugin_times_out_and_is_disabled(plugin_path: Path, tmp_path: Path) -> None:
    hooks = load_hooks(_config(tmp_path / ".debugtape", ["raiser", "garbage", "broken", "typo"],
                               timeout=0.3))
    try:
        started = time.monotonic()
        first = hooks.snapshot(_snapshot())
        elapsed = time.monotonic() - started
        assert first is not None and first["tags"] == ["sample"]  # the event went on
        assert 0.25 < elapsed < 2.0
        assert [(f.plugin, f.hook) for f in hooks.failure_log] == [("hanger", "debugtape_snapshot")]
        assert "disabled for this session" in hooks.failure_log[0].reason

        started = time.monotonic()
        second = hooks.snapshot(_snapshot())
        assert time.monotonic() - started < 0.3 * 3  # no second wait for the hung plugin
        assert second is not None and second["tags"] == ["sample"]
        hanging = sys.modules["debugtape_sample_plugin.hanging"]
        assert hanging.calls["snapshot"] == 1  # never called again
        assert hooks.failures == 1
    finally:
        hooks.close()


def test_notification_hooks_reach_plugins_and_failures_never_escape(
        plugin_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log_file = tmp_path / "hooks.jsonl"
    monkeypatch.setenv("SAMPLE_PLUGIN_LOG", str(log_file))
    hooks = load_hooks(_config(tmp_path / ".debugtape", ["hanger", "broken", "typo"]))
    hooks.session_started({"name": "s", "tool": "gdb"})
    hooks.breakpoint({"action": "set", "bp_id": "1", "location": "main.c:3"})
    hooks.file_changed({"path": "main.c", "kind": "modified", "lines": [[3, 4]]})
    hooks.commit_seen({"hash": "abc", "branch": "main"})
    hooks.session_ended({"reason": "exited", "counts": {"snapshots": 0}})  # raiser: SystemExit
    seen = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert [s["hook"] for s in seen] == [
        "session_started", "breakpoint", "file_changed", "commit_seen", "session_ended"]
    assert seen[2]["data"]["lines"] == [[3, 4]]
    assert sorted(f.hook for f in hooks.failure_log) == [
        "debugtape_file_changed", "debugtape_session_ended", "debugtape_session_started"]
    assert not _workers()  # session_ended let the worker go


def test_redaction_rules_and_cli_commands(plugin_path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    hooks = load_hooks(_config(tmp_path / ".debugtape", ["hanger", "broken", "typo"]))
    try:
        from debugtape.redact.config import Rule

        assert hooks.redaction_rules() == [Rule(kind="ticket", pattern="TICKET-[0-9]{6}"),
                                           Rule(kind="key", key="sample_pin")]
        commands = hooks.cli_commands()
        assert [c.name for c in commands] == ["sample-hello"]
        assert CliRunner().invoke(commands[0], []).output == "hello from the sample plugin\n"
        assert sorted((f.plugin, f.hook) for f in hooks.failure_log) == [
            ("garbage", "debugtape_cli_commands"), ("garbage", "debugtape_redaction_rules"),
            ("raiser", "debugtape_cli_commands")]
    finally:
        hooks.close()


def test_plugin_commands_uses_the_store_config(plugin_path: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from debugtape.plugins import plugin_commands

    _config(tmp_path / ".debugtape", ["hanger"])
    monkeypatch.setenv("DEBUGTAPE_DB", str(tmp_path / ".debugtape" / "tape.db"))
    assert [c.name for c in plugin_commands()] == ["sample-hello"]
    _config(tmp_path / ".debugtape", ["hanger", "sample"])
    assert plugin_commands() == []


@pytest.mark.parametrize("text, message", [
    ("[plugins\n", "cannot read it"),
    ('[plugins]\ndisabled = "raiser"\n', "must be a list"),
    ("[plugins]\ntimeout = -1\n", "timeout must be"),
])
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_hooks(tmp_path)


def test_no_plugins_means_no_thread(tmp_path: Path) -> None:
    hooks = load_hooks(tmp_path / ".debugtape")
    before = len(_workers())
    assert hooks.snapshot(_snapshot()) == _snapshot()
    hooks.file_changed({"path": "a"})
    assert len(_workers()) == before == 0
    assert hooks.failures == 0


def test_failures_are_counted_per_session(plugin_path: Path, tmp_path: Path) -> None:
    hooks = load_hooks(_config(tmp_path / ".debugtape", ["hanger", "garbage", "typo"]))
    try:
        hooks.session_started({"name": "one"})  # raiser fails here
        hooks.snapshot(_snapshot())  # and here
        assert hooks.failures == 1 + 2  # broken's load failure + two
        hooks.session_started({"name": "two"})
        assert hooks.failures == 1 + 1
    finally:
        hooks.close()


def test_failure_reasons_never_carry_a_secret(plugin_path: Path, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    from debugtape.plugins.hooks import PluginHooks

    hooks = load_hooks(tmp_path / ".debugtape")
    assert isinstance(hooks, PluginHooks)
    try:
        secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
        hooks._fail("leaky", "debugtape_snapshot", f"raised KeyError('token {secret}')")
        assert secret not in hooks.failure_log[-1].reason
        assert "[REDACTED:" in hooks.failure_log[-1].reason
        assert secret not in caplog.text
    finally:
        hooks.close()


def test_every_hook_is_documented() -> None:
    from debugtape.plugins import hookspecs
    from tests.support import REPO

    doc = (REPO / "docs" / "plugins.md").read_text()
    specs = {name for name in dir(hookspecs) if name.startswith("debugtape_")}
    assert specs == set(hookspecs.HOOK_NAMES)
    for name in hookspecs.HOOK_NAMES:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), name
        assert f"`{name}(" in doc, f"{name} is not in docs/plugins.md's table"
