"""Misbehaving plugins under the real gdb: they run in the `debugtape ingest` child, and a raise,
a hang or garbage costs neither a snapshot nor the session; session_ended counts each failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.gdb.gdbrun import build, of_type, run_gdb, sessions, stored

pytestmark = pytest.mark.timeout(120)


def test_gdb_session_survives_raising_hanging_and_garbage_plugins(plugin_path: Path, tmp_path: Path) -> None:
    prog = build("hits", tmp_path)
    db = tmp_path / ".debugtape" / "tape.db"
    db.parent.mkdir()
    # broken (load) and typo (misspelt hook) stay enabled: load failures count too.
    (db.parent / "config.toml").write_text('[plugins]\ndisabled = ["stamp"]\ntimeout = 0.5\n')
    out = run_gdb(prog, [f"tape start --db {db}", "break hit", "run", *["continue"] * 4, "tape stop"],
                  args=["5"])
    assert "debugtape: error" not in out.stderr, out.stderr
    assert [row["status"] for row in sessions(db)] == ["completed"]
    events = stored(db)
    snaps = of_type(events, "debug_snapshot")
    assert len(snaps) == 5  # the hung plugin cost one 0.5 s wait and no snapshot
    assert all(s["tags"] == ["sample"] for s in snaps)  # the good plugin still ran
    counts = of_type(events, "session_ended")[0]["counts"]
    # standing: broken and typo fail to load, garbage's redaction rules; then raiser in
    # session_started, raiser and garbage in each of the 5 snapshots, hanger once (then off),
    # raiser in session_ended.
    assert counts["plugin_failures"] == 3 + 1 + 5 * 2 + 1 + 1, counts
    assert counts["snapshots"] == 5 and counts["dropped_by_plugins"] == 0
