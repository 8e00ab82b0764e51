"""Project rules from pyproject.toml or .debugtape/config.toml, plugin rules, and the store's key file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from debugtape.errors import ConfigError
from debugtape.redact import KEY_FILE, Rule, load_config, load_redactor

PYPROJECT = """
[project]
name = "demo"

[tool.debugtape.redact]
deny_keys = ["employee_*", "ssn_value"]
allow_keys = ["session"]
allow_values = ["^sk_test_"]

[[tool.debugtape.redact.patterns]]
name = "acme_key"
regex = "ACME-[0-9A-F]{12}"
"""


def test_pyproject_rules_apply(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    r = load_redactor(tmp_path / "store", tmp_path)
    value = {"employeeId": "E-1", "ssnValue": "123", "session": "keep-me", "note": "key ACME-0123456789AB here",
             "stripe": "sk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2", "live": "sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2"}
    out, stats = r.redact(value)
    assert out["employeeId"].startswith("[REDACTED:key:") and out["ssnValue"].startswith("[REDACTED:key:")
    assert out["session"] == "keep-me"  # allowed by the project
    assert out["note"].startswith("key [REDACTED:acme_key:") and out["note"].endswith(" here")
    assert out["stripe"] == value["stripe"]  # allow_values
    assert out["live"].startswith("[REDACTED:stripe_key:")
    assert stats.kinds == {"key": 2, "acme_key": 1, "stripe_key": 1}


def test_custom_deny_key_inside_text(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    out, _ = load_redactor(None, tmp_path).redact_text("lookup ssn_value=123-45-6789 done")
    assert "123-45-6789" not in out


def test_debugtape_config_toml(tmp_path: Path) -> None:
    (tmp_path / ".debugtape").mkdir()
    (tmp_path / ".debugtape" / "config.toml").write_text('[redact]\ndeny_keys = ["badge"]\n')
    out, _ = load_redactor(None, tmp_path).redact({"badge": "B-7"})
    assert out["badge"].startswith("[REDACTED:key:")


def test_plugin_rules(tmp_path: Path) -> None:
    rules = [Rule(kind="ticket", pattern=r"TCK-\d{6}"), Rule(key="internal_ref", kind="ref")]
    r = load_redactor(None, None, extra_rules=rules)
    out, stats = r.redact({"msg": "see TCK-123456", "internalRef": "R9"})
    assert out["msg"].startswith("see [REDACTED:ticket:") and out["internalRef"].startswith("[REDACTED:ref:")
    assert stats.kinds == {"ticket": 1, "ref": 1}


@pytest.mark.parametrize("text, message", [
    ("[tool.debugtape.redact]\ndeny_keys = 'x'\n", "deny_keys must be an array"),
    ("[tool.debugtape.redact]\nfoo = 1\n", "unknown redact settings"),
    ("[tool.debugtape.redact]\n[[tool.debugtape.redact.patterns]]\nname='x'\nregex='('\n", "bad regex"),
    ("[tool.debugtape.redact\n", "not valid TOML"),
])
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(tmp_path)
    assert "pyproject.toml" in str(info.value)


def test_rule_needs_key_or_pattern() -> None:
    with pytest.raises(ConfigError):
        Rule(kind="x")
    with pytest.raises(ConfigError):
        Rule(kind="bad kind!", key="x")


def test_key_file_is_private_and_reused(tmp_path: Path) -> None:
    store = tmp_path / ".debugtape"
    a = load_redactor(store, None).redact({"password": "hunter2"})[0]
    key_path = store / KEY_FILE
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    b = load_redactor(store, None).redact({"password": "hunter2"})[0]
    assert a == b  # same store, same fingerprint
    other = load_redactor(tmp_path / "other", None).redact({"password": "hunter2"})[0]
    assert other != a


def test_key_file_too_open_is_tightened(tmp_path: Path) -> None:
    load_redactor(tmp_path, None)
    os.chmod(tmp_path / KEY_FILE, 0o644)
    load_redactor(tmp_path, None)
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


def test_unwritable_store_dir_still_redacts(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out, _ = load_redactor(blocker / "store", None).redact({"password": "hunter2"})
    assert out["password"].startswith("[REDACTED:password:")
