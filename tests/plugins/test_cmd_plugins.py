"""`debugtape plugins` lists loaded, disabled and failed plugins (text and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from debugtape.cli.cmd_plugins import command

pytestmark = pytest.mark.timeout(60)


def test_json_and_text(plugin_path: Path, tmp_path: Path) -> None:
    config = tmp_path / ".debugtape"
    config.mkdir()
    (config / "config.toml").write_text('[plugins]\ndisabled = ["hanger"]\n')
    db = str(config / "tape.db")
    result = CliRunner().invoke(command, ["--json", "--db", db])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    by_name = {p["name"]: p for p in doc["plugins"]}
    assert by_name["sample"]["status"] == "loaded"
    assert by_name["sample"]["distribution"] == "debugtape-sample-plugin"
    assert "debugtape_file_changed" in by_name["sample"]["hooks"]
    assert by_name["hanger"]["status"] == "disabled"
    assert by_name["broken"]["status"] == "failed" and by_name["broken"]["error"]
    assert doc["config"]["disabled"] == ["hanger"]
    assert doc["config"]["sources"] == [str(config / "config.toml")]

    text = CliRunner().invoke(command, ["--db", db])
    assert text.exit_code == 0
    lines = {line.split()[0]: line for line in text.output.splitlines()}
    assert "loaded" in lines["sample"] and "debugtape-sample-plugin 0.1.0" in lines["sample"]
    assert "disabled" in lines["hanger"]
    assert "failed" in lines["typo"] and "debugtape_snaphot" in lines["typo"]


def test_bad_config_is_a_one_line_error(tmp_path: Path) -> None:
    config = tmp_path / ".debugtape"
    config.mkdir()
    (config / "config.toml").write_text("[plugins]\ndisabled = 3\n")
    result = CliRunner().invoke(command, ["--db", str(config / "tape.db")])
    assert result.exit_code == 1
    assert "plugins.disabled must be a list" in result.output
