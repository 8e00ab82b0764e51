"""`debugtape report` and the progress helper, through the real CLI entry point."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from debugtape.cli.main import cli
from debugtape.cli.progress import progress
from tests.report.conftest import record_session


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_default_is_the_most_recent_session_and_file_is_private(store_path: Path, tmp_path: Path) -> None:
    record_session(store_path, "old", snaps=2)
    newest = record_session(store_path, "new", snaps=3)
    out = tmp_path / "sub" / "r.html"
    code, text = _run("report", "--db", str(store_path), "-o", str(out), "--json")
    assert code == 0, text
    info = json.loads(text)
    assert info["sessions"] == [newest] and info["snapshots"] == 3 and info["samples"] == 60
    assert out.is_file() and info["bytes"] == out.stat().st_size
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not [p for p in out.parent.iterdir() if p.name != "r.html"]  # no temp file left


def test_last_and_named_sessions(store_path: Path, tmp_path: Path) -> None:
    a = record_session(store_path, "a", snaps=1)
    b = record_session(store_path, "b", snaps=2)
    code, text = _run("report", "--db", str(store_path), "-o", str(tmp_path / "x.html"), "--last", "5", "--json")
    assert code == 0 and json.loads(text)["sessions"] == [a, b]  # oldest first
    code, text = _run("report", "b", a[:6], "--db", str(store_path), "-o", str(tmp_path / "y.html"), "--json")
    assert code == 0 and json.loads(text)["sessions"] == [b, a]
    code, text = _run("report", "--db", str(store_path), "-o", str(tmp_path / "z.html"))
    assert code == 0 and "1 session(s), 2 snapshot(s)" in text


def test_clear_errors(store_path: Path, tmp_path: Path) -> None:
    code, text = _run("report", "--db", str(store_path), "-o", str(tmp_path / "r.html"))
    assert code == 1 and "no store at" in text
    record_session(store_path, "a", snaps=1)
    code, text = _run("report", "nosuchsession", "--db", str(store_path), "-o", str(tmp_path / "r.html"))
    assert code == 1 and "no session matches 'nosuchsession'" in text
    assert not (tmp_path / "r.html").exists()
    code, text = _run("report", "a", "--last", "2", "--db", str(store_path))
    assert code == 2 and "not both" in text
    blocked = tmp_path / "file"
    blocked.write_text("")
    code, text = _run("report", "--db", str(store_path), "-o", str(blocked / "r.html"))
    assert code == 1 and "cannot write" in text


def test_progress_is_silent_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert list(progress(range(1000), 1000, "x")) == list(range(1000))
    assert err.getvalue() == ""


def test_progress_draws_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Tty()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setenv("TERM", "xterm")
    assert list(progress(iter(range(700)), None, "reading")) == list(range(700))
    assert "reading" in err.getvalue()
