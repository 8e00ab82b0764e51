"""Progress bars of import, export, report and prune: drawn on a terminal, never in piped output."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from debugtape.store import Store
from tests.report.conftest import record_session

BAR = "━".encode()  # rich's bar glyph


def _debugtape(args: list[str], cwd: Path, tty: bool) -> tuple[int, str, bytes]:
    """Run `debugtape ARGS`; stdout is a pipe, stderr a pseudo-terminal when `tty` (else a pipe)."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    argv = [sys.executable, "-m", "debugtape", *args]
    if not tty:
        proc = subprocess.run(argv, capture_output=True, cwd=cwd, env=env, timeout=120)
        return proc.returncode, proc.stdout.decode(), proc.stderr
    master, slave = pty.openpty()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    err = bytearray()

    def drain() -> None:  # the pty must be read while the child writes, or it blocks
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                return
            if not chunk:
                return
            err.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert child.stdout is not None
        out = child.stdout.read().decode()
        code = child.wait(timeout=120)
        reader.join(10)
    finally:
        os.close(master)
    return code, out, bytes(err)


@pytest.mark.timeout(240)
def test_each_long_command_draws_a_bar_on_a_terminal_only(store_path: Path, tmp_path: Path) -> None:
    sid = record_session(store_path, "prog", rounds=600, snaps=20)
    db = ["--db", str(store_path)]
    runs = {
        "report": (["report", *db, "-o", str(tmp_path / "r.html")], [b"report prog", b"report prog: samples"]),
        "export jsonl": (["export", *db, "--include-private"], [b"export"]),
        "export speedscope": (["export", *db, "--format", "speedscope"], [b"speedscope prog"]),
        "export collapsed": (["export", *db, "--format", "collapsed"], [b"collapsed prog"]),
    }
    outputs: dict[str, str] = {}
    for name, (args, labels) in runs.items():
        code, out, err = _debugtape(args, tmp_path, tty=True)
        assert code == 0, (name, err[-2000:])
        assert BAR in err, name
        for label in labels:
            assert label in err, (name, label)
        outputs[name] = out
        # the same command with stderr a pipe: no bar, and stdout is byte for byte the same
        code, plain_out, plain_err = _debugtape(args, tmp_path, tty=False)
        assert code == 0 and BAR not in plain_err and b"\x1b[" not in plain_err, name
        if name != "report":  # the report's summary line names the file only
            assert plain_out == out, name
    with Store(store_path, readonly=True) as store:
        events = store.session(sid)["events"]
    assert events > 620 and outputs["export jsonl"].count("\n") == events  # every event, nothing else

    exported = tmp_path / "tape.jsonl"
    exported.write_text(outputs["export jsonl"])
    other = tmp_path / "other" / "tape.db"
    code, out, err = _debugtape(["import", "--db", str(other), str(exported)], tmp_path, tty=True)
    assert code == 0, err[-2000:]
    assert b"import tape.jsonl: read" in err and b"import tape.jsonl: redact and store" in err and BAR in err
    assert f"{events} events imported" in out

    code, out, err = _debugtape(["prune", "--db", str(other), "--keep", "0"], tmp_path, tty=True)
    assert code == 0, err[-2000:]
    assert b"prune" in err and BAR in err
    assert out.strip() == f"deleted 1 session(s): {sid[:8]}"
