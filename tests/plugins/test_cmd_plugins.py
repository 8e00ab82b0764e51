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


def test_real_cli_lists_plugins_and_runs_their_commands(plugin_path: Path, tmp_path: Path) -> None:
    """Through `python -m debugtape` in a child process: entry points found on PYTHONPATH."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, DEBUGTAPE_DB=str(tmp_path / ".debugtape" / "tape.db"))
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "debugtape", *args], capture_output=True, text=True, env=env, timeout=60)
    listed = run("plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {"sample", "raiser", "broken"} <= {p["name"] for p in json.loads(listed.stdout)["plugins"]}
    helped = run("--help")
    assert "sample-hello" in helped.stdout
    hello = run("sample-hello")
    assert hello.returncode == 0 and hello.stdout == "hello from the sample plugin\n"
