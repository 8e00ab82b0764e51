"""End to end in a real VS Code: code-server 4.100.3 driven by Debian's Chromium through playwright-core.

The extension's test suite (vscode-ext/test/e2e/suite.ts) runs inside code-server's extension host:
it debugs tests/vscode/fixtures/prog.py with a breakpoint through the `debugtape` debug type, lets
the extension record it, and opens the snapshot from the Timeline view. This test then checks the
store through the query CLI, the Timeline rows in the page, and keeps a screenshot in test-artifacts/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.support import need_binary, need_module
from tests.vscode.harness import (
    ARTIFACTS,
    EXT,
    build_extension,
    code_server,
    need_chromium,
    need_code_server,
    need_extension_build,
    package_extension,
    unpack_vsix,
    workbench_url,
)

FIXTURE = Path(__file__).parent / "fixtures" / "prog.py"
SECRET = "hunter2-e2e-Zq8"  # the value of `password` in prog.py
SESSION_NAME = "e2e prog"


CHILD = FIXTURE.parent / "child.py"
NODE_PROGRAM = FIXTURE.parent / "prog.js"
LOOP = FIXTURE.parent / "loop.py"


def marked_line(path: Path, marker: str) -> int:
    for n, text in enumerate(path.read_text().splitlines(), 1):
        if marker in text:
            return n
    raise AssertionError(f"{path.name} has no {marker} line")


def cli_json(debugtape: str, db: Path, *args: str) -> Any:
    run = subprocess.run([debugtape, *args, "--json", "--db", str(db)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.timeout(300)
def test_debugging_in_vscode_records_the_session_and_the_timeline_lists_it(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    node = need_extension_build()
    server = need_code_server()
    chromium = need_chromium()
    debugtape = need_binary("debugtape")
    need_module("debugpy")
    need_binary("py-spy")  # the loop session's "sample"
    build_extension(node)
    # The extension under test is the packaged one: what the .vsix holds is what must work.
    extension = unpack_vsix(package_extension(node, tmp_path / "debugtape.vsix"), tmp_path / "vsix")

    ws = tmp_path / "ws"
    (ws / ".vscode").mkdir(parents=True)
    program = ws / "prog.py"
    shutil.copy(FIXTURE, program)
    shutil.copy(CHILD, ws / "child.py")
    shutil.copy(NODE_PROGRAM, ws / "prog.js")
    shutil.copy(LOOP, ws / "loop.py")
    db = tmp_path / "store" / "tape.db"
    line = marked_line(FIXTURE, "# BREAK")
    child_line = marked_line(CHILD, "# CHILD BREAK")
    node_line = marked_line(NODE_PROGRAM, "// NODE BREAK")
    (ws / ".vscode" / "settings.json").write_text(json.dumps({
        "debugtape.path": debugtape, "debugtape.store": str(db), "debugtape.python": sys.executable,
        # A redaction extra: `v` is no secret to debugtape's own rules (tests/vscode/test_redact_extras.py).
        "debugtape.redact.extraKeys": ["v"],
    }))
    (ws / ".vscode" / "launch.json").write_text(json.dumps({"version": "0.2.0", "configurations": [{
        "type": "debugtape", "request": "launch", "name": "Debug prog (recorded)", "program": "${workspaceFolder}/prog.py",
        "console": "internalConsole", "debugtape": {"record": True, "name": SESSION_NAME},
    }]}))
    e2e = tmp_path / "e2e"
    e2e.mkdir()
    (e2e / "spec.json").write_text(json.dumps({
        "program": str(program), "line": line, "config": "Debug prog (recorded)", "local": "total",
        "secret": SECRET, "sessionName": SESSION_NAME,
        "childProgram": str(ws / "child.py"), "childLine": child_line,
        "nodeProgram": str(ws / "prog.js"), "nodeLine": node_line,
        "loopProgram": str(ws / "loop.py"), "loopStopFile": str(tmp_path / "loop.stop"), "loopSessionName": "e2e loop",
        "missingDebugtape": str(tmp_path / "nowhere" / "debugtape"),
    }))
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "vscode-timeline.png"
    screenshot.unlink(missing_ok=True)

    env = {"DEBUGTAPE_E2E_DIR": str(e2e), "PYTHONDONTWRITEBYTECODE": "1"}
    # A short home: VS Code's IPC socket path inside it must stay under 107 characters.
    home = Path(tempfile.mkdtemp(prefix="dtvs-"))
    request.addfinalizer(lambda: shutil.rmtree(home, ignore_errors=True))
    with code_server(server, home, env) as (host, port, log):
        url = workbench_url(host, port, ws, extension, EXT / "out" / "test" / "e2e" / "suite.js")
        drive = subprocess.run(
            [node, str(EXT / "test" / "e2e" / "browser.mjs"), url, str(e2e), str(screenshot), "200"],
            cwd=EXT, capture_output=True, text=True, timeout=260, env={"CHROMIUM": chromium, "PATH": "/usr/bin:/bin"},
        )
        server_log = log.read_text(errors="replace")
    suite_log = (e2e / "suite.log").read_text() if (e2e / "suite.log").exists() else "(no suite log)"
    detail = f"suite log:\n{suite_log}\nbrowser driver:\n{drive.stdout[-3000:]}{drive.stderr[-2000:]}\ncode-server:\n{server_log[-2000:]}"
    assert drive.returncode == 0, detail
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000, detail

    # The Timeline view, as rendered in the page, lists the session and its snapshot.
    dom = json.loads((e2e / "dom.json").read_text())
    assert dom["timelineFound"], detail
    rows = " | ".join(dom["timelineRows"])
    assert SESSION_NAME in rows, rows
    assert f"prog.py:{line}" in rows, rows
    # Under the snapshot, its frames; under the top frame, its locals as stored.
    assert "#0 checksum" in rows and "#1 main" in rows, rows
    assert any(r.startswith("total") and "60" in r for r in dom["timelineRows"]), rows
    assert SECRET not in rows

    # The store, through the query CLI: the session, the snapshot at the breakpoint, its locals.
    sessions = [s for s in cli_json(debugtape, db, "sessions") if s["name"] == SESSION_NAME]
    assert len(sessions) == 1, sessions
    session = sessions[0]
    assert session["tool"] == "vscode"
    assert session["status"] == "completed", session
    show = cli_json(debugtape, db, "show", session["id"])
    snaps = [s for s in show["snapshots"] if s["line"] == line]
    assert snaps and snaps[0]["file"] == str(program), show
    snap = cli_json(debugtape, db, "snapshot", snaps[0]["id"])
    frames = snap["data"]["frames"]
    assert frames[0]["symbol"] == "checksum" and frames[0]["line"] == line
    top = frames[0]["locals"]
    assert top["total"] in (60, "60"), top
    assert "values" in top and "password" in top, top
    # The debugtape.redact.extraKeys setting reached ingest: `v` (30) is redacted.
    assert str(top["v"]).startswith("[REDACTED"), top
    assert SECRET not in json.dumps(snap)
    assert any(f["symbol"] == "main" for f in frames[1:]), [f["symbol"] for f in frames]
    # Nothing on disk holds the secret: database, WAL, anything beside them.
    for f in db.parent.iterdir():
        assert SECRET.encode() not in f.read_bytes(), f"{f} holds the planted secret"

    # Add Note and Snapshot Now, run at the breakpoint, reached the store.
    assert any(s["reason"] == "manual" and s["line"] == line for s in show["snapshots"]), show
    from debugtape.store import Store

    with Store(db) as store:
        notes = [e.event.data["text"] for e in store.events(session=session["id"], types=["note"])]
    assert notes == ["e2e note at the breakpoint"], notes

    # The child process's session: recorded, named after its parent, linked to it.
    result = json.loads((e2e / "result.json").read_text())
    children = [s for s in cli_json(debugtape, db, "sessions") if s["name"] == result["childName"]]
    assert len(children) == 1 and children[0]["name"].startswith(f"{SESSION_NAME} / "), children
    child = children[0]
    assert child["id"] == result["childId"] and session["id"] == result["parentId"]
    assert child["parent"] == session["id"] and session["parent"] is None  # sessions --json links them
    assert result["childPlace"] == "under parent"  # and the Timeline lists the child under its parent
    child_snaps = [s for s in cli_json(debugtape, db, "show", child["id"])["snapshots"] if s["line"] == child_line]
    assert child_snaps, child
    child_snap = cli_json(debugtape, db, "snapshot", child_snaps[0]["id"])
    assert child_snap["data"]["frames"][0]["locals"]["result"] in (49, "49")

    with Store(db) as store:
        started = [e.event for e in store.events(session=child["id"], types=["session_started"])]
    assert started and started[0].data["meta"]["parent"] == session["id"], started

    # Any debug type: the JavaScript session (js-debug), recorded through debugtape.recordAll.
    node_sessions = [s for s in cli_json(debugtape, db, "sessions") if s["name"] in result["nodeSessions"]]
    assert node_sessions, (result["nodeSessions"], cli_json(debugtape, db, "sessions"))
    node_snaps = [snap for s in node_sessions for snap in cli_json(debugtape, db, "show", s["id"])["snapshots"]
                  if snap["line"] == node_line and snap["file"] == str(ws / "prog.js")]
    assert node_snaps, node_sessions
    node_snap = cli_json(debugtape, db, "snapshot", node_snaps[0]["id"])
    assert node_snap["data"]["frames"][0]["locals"]["count"] in (6, "6"), node_snap["data"]["frames"][0]

    # Start Recording joined an unrecorded session stopped at the breakpoint: that stop is recorded too.
    joined = [s for s in cli_json(debugtape, db, "sessions") if s["name"] in result["joinedSessions"]]
    assert joined, (result["joinedSessions"], cli_json(debugtape, db, "sessions"))
    joined_snaps = [snap for s in joined for snap in cli_json(debugtape, db, "show", s["id"])["snapshots"]
                    if snap["line"] == node_line and snap["reason"] == "breakpoint"]
    assert joined_snaps, joined
    joined_snap = cli_json(debugtape, db, "snapshot", joined_snaps[0]["id"])
    assert joined_snap["data"]["frames"][0]["locals"]["count"] in (6, "6"), joined_snap["data"]["frames"][0]

    # Snapshot Now on the running loop: a manual snapshot inside spin() with its counter.
    loops = [s for s in cli_json(debugtape, db, "sessions") if s["name"] == "e2e loop"]
    assert len(loops) == 1 and loops[0]["status"] == "completed", loops
    manual = [snap for snap in cli_json(debugtape, db, "show", loops[0]["id"])["snapshots"] if snap["reason"] == "manual"]
    assert manual, loops
    loop_snap = cli_json(debugtape, db, "snapshot", manual[0]["id"])
    spin = [f for f in loop_snap["data"]["frames"] if f["symbol"] == "spin"]
    assert spin and int(spin[0]["locals"]["counter"]) > 0, loop_snap["data"]["frames"]
    # Its configuration's "sample": "50hz": py-spy's stacks of the running loop joined the session.
    assert loops[0]["counts"]["samples"] > 0, loops[0]["counts"]

    # A wrong debugtape.path: debugging went on unrecorded, and the user was told what to fix.
    assert "debugtape.path" in result["notFound"], result["notFound"]
    assert any("was not found at" in n and "debugtape.path" in n for n in dom["notifications"]), dom["notifications"]
