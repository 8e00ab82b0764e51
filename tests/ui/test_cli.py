"""`debugtape ui` at the CLI boundary."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from debugtape.cli.main import cli


def test_missing_store_is_a_clear_error(store_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ui", "--db", str(store_path)])
    assert result.exit_code == 1 and "no store at" in result.output


def test_help_names_the_keys() -> None:
    result = CliRunner().invoke(cli, ["ui", "--help"])
    assert result.exit_code == 0
    for key in ("Enter", "r replays", "/ filters", "Esc", "q quits"):
        assert key in result.output
