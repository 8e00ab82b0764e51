"""`debugtape ui` at the CLI boundary."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from debugtape.cli.main import cli
from debugtape.pipeline import open_pipeline


def test_missing_store_is_a_clear_error(store_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ui", "--db", str(store_path)])
    assert result.exit_code == 1 and "no store at" in result.output


def test_help_names_the_keys() -> None:
    result = CliRunner().invoke(cli, ["ui", "--help"])
    assert result.exit_code == 0
    for key in ("Enter", "r replays", "/ filters", "Esc", "q quits"):
        assert key in result.output


@pytest.mark.timeout(60)
def test_runs_in_a_terminal_and_quits_with_q(store_path: Path) -> None:
    """The real command in a pseudo-terminal: it draws the store's sessions and `q` ends it cleanly."""
    with open_pipeline(store_path) as p:
        p.feed({"kind": "start", "name": "terminal-run", "tool": "gdb"})
        p.feed({"kind": "end", "reason": "exited", "exit_code": 0})
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    child = subprocess.Popen([sys.executable, "-m", "debugtape", "ui", "--db", str(store_path)],
                             stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                             env={**os.environ, "TERM": "xterm-256color"})
    os.close(slave)
    screen = bytearray()
    quit_sent = False
    deadline = time.monotonic() + 30
    try:
        while child.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    screen.extend(os.read(master, 65536))
                except OSError:  # EIO: the UI closed the terminal
                    break
            if not quit_sent and b"terminal-run" in screen and b"completed" in screen:
                os.write(master, b"q")
                quit_sent = True
        assert quit_sent, bytes(screen[-2000:])
        assert child.wait(10) == 0
    finally:
        if child.poll() is None:
            child.kill()
        os.close(master)
