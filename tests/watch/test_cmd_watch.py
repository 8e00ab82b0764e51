"""`debugtape watch` as a real child process: records into a real store, stops on stdin EOF and
SIGTERM, and imports what is dropped into the inbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from debugtape.pipeline import open_pipeline
from debugtape.store import Store
from tests.support import need_binary
from tests.watch.helpers import git, make_repo

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    need_binary("git")
    return make_repo(tmp_path / "repo")


def start_watch(repo: Path, db: Path, *extra: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "debugtape", "watch", str(repo), "--db", str(db), *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline().decode()  # printed once the observer runs
    assert line.startswith("watching "), line + proc.stderr.read().decode()
    return proc


def wait_events(db: Path, pred: Any, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        with Store(db, readonly=True) as store:
            events = [se.event.to_dict() for se in store.events()]
        if pred(events) or time.monotonic() > deadline:
            return events
        time.sleep(0.05)


def _of(events: list[dict[str, Any]], etype: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["type"] == etype]


def test_records_changes_and_commits_and_ends_on_stdin_eof(repo: Path) -> None:
    db = repo / ".debugtape" / "tape.db"
    proc = start_watch(repo, db, "--name", "my watch")
    (repo / "parser.c").write_text("line 1\nline two\n")
    events = wait_events(db, lambda ev: any(d.get("path") == "parser.c" for d in _of(ev, "file_changed")))
    change = next(d for d in _of(events, "file_changed") if d["path"] == "parser.c")
    assert change["kind"] == "modified" and change["lines"] == [[2, 2]]
    git(repo, "commit", "-q", "-am", "second")
    head = git(repo, "rev-parse", "HEAD")
    events = wait_events(db, lambda ev: any(d.get("hash") == head for d in _of(ev, "vcs_commit")))
    assert any(d["hash"] == head and d["message"] == "second" for d in _of(events, "vcs_commit"))

    assert proc.stdin is not None
    proc.stdin.close()  # the parent went away
    proc.stdin = None
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()
    session = out.decode().strip()
    with Store(db, readonly=True) as store:
        row = store.session(session)
        types = [se.event.type for se in store.iter_session_events(session)]
    assert row["tool"] == "watch" and row["name"] == "my watch" and row["status"] == "completed"
    assert types[:2] == ["session_started", "watch_started"] and types[-1] == "session_ended"
    started = _of(events, "watch_started")[0]
    assert started["root"] == str(repo) and started["files"] == 2

    # What a user reads: the timeline in words.
    from click.testing import CliRunner

    from debugtape.cli.cmd_timeline import command as timeline

    shown = CliRunner().invoke(timeline, ["--db", str(db)])
    assert shown.exit_code == 0, shown.output
    summaries = [line.split(None, 5)[5] for line in shown.output.splitlines()]
    assert f"watching {repo} (2 files)" in summaries
    assert "modified parser.c lines 2" in summaries
    assert "1 file: parser.c" in summaries
    assert f"commit {head[:8]} on main: second" in summaries


def test_sigterm_ends_the_session_cleanly(repo: Path) -> None:
    db = repo / ".debugtape" / "tape.db"
    proc = start_watch(repo, db)
    (repo / "x.c").write_text("x\n")
    wait_events(db, lambda ev: any(d.get("path") == "x.c" for d in _of(ev, "file_changed")))
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()
    with Store(db, readonly=True) as store:
        ended = [se.event.data for se in store.iter_session_events(out.decode().strip())
                 if se.event.type == "session_ended"]
    assert ended and ended[0]["reason"] == "stopped"


def _export_a_tape(tmp_path: Path) -> tuple[Path, str]:
    other = tmp_path / "teammate" / "tape.db"
    other.parent.mkdir()
    with open_pipeline(other) as p:
        p.feed({"kind": "start", "tool": "gdb", "name": "teammate's session"})
        p.feed({"kind": "note", "text": "crash reproduced", "visibility": "team"})
        session = str(p.session_id)
    with Store(other) as store:
        lines = list(store.export_lines([session], include_private=True))
    path = tmp_path / "teammate.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, session


def test_inbox_imports_tapes_and_rejects_garbage(repo: Path, tmp_path: Path) -> None:
    db = repo / ".debugtape" / "tape.db"
    inbox = repo / ".debugtape" / "inbox"
    tape, teammate = _export_a_tape(tmp_path)
    inbox.mkdir(parents=True)
    (inbox / "early.jsonl").write_bytes(tape.read_bytes())  # there before the watcher starts
    proc = start_watch(repo, db)
    try:
        (inbox / "junk.txt").write_text("this is not json\n")
        dap_log = Path(__file__).parent / "data" / "stop.dap.jsonl"
        (inbox / "vscode.dap.jsonl").write_text(dap_log.read_text())
        (inbox / "half.jsonl.part").write_text("{")  # still being written: left alone
        events = wait_events(db, lambda ev: len([d for d in _of(ev, "batch_processed")
                                                 if d.get("source") == "inbox"]) >= 3)
        inbox_events = {d["paths"][0]: d for d in _of(events, "batch_processed") if d["source"] == "inbox"}
        assert inbox_events["early.jsonl"]["status"] == "done"
        assert inbox_events["early.jsonl"]["result"]["imported"] == 4
        assert inbox_events["junk.txt"]["status"] == "failed"
        assert (inbox / "done" / "early.jsonl").exists() and not (inbox / "early.jsonl").exists()
        reason = (inbox / "failed" / "junk.txt.reason").read_text()
        assert "not JSON" in reason
        assert (inbox / "half.jsonl.part").exists()
        dap = inbox_events["vscode.dap.jsonl"]
        assert dap["status"] == "done" and dap["format"] == "dap", dap
        (dap_session,) = dap["result"]["sessions"]
        with Store(db, readonly=True) as store:
            dap_events = [se.event for se in store.iter_session_events(dap_session)]
        snap = next(e.data for e in dap_events if e.type == "debug_snapshot")
        assert snap["frames"][0]["symbol"] == "parse" and snap["frames"][0]["locals"]["n"] == 3
        assert "ghp_0123456789" not in json.dumps(snap)  # redacted on the way in
        with Store(db, readonly=True) as store:
            notes = [se.event.data["text"] for se in store.iter_session_events(teammate)
                     if se.event.type == "note"]
        assert notes == ["crash reproduced"]
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_follow_shows_a_saved_file(repo: Path) -> None:
    """What a user sees: `debugtape follow` in another process prints the change."""
    db = repo / ".debugtape" / "tape.db"
    proc = start_watch(repo, db)
    follow = subprocess.Popen([sys.executable, "-m", "debugtape", "follow", "--json", "--db", str(db)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        (repo / "seen.c").write_text("int seen;\n")
        assert follow.stdout is not None
        deadline = time.monotonic() + 15
        found = None
        while time.monotonic() < deadline and found is None:
            line = follow.stdout.readline()
            if not line:
                break
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("type") == "file_changed" and event["data"]["path"] == "seen.c":
                found = event
        assert found is not None and found["data"]["kind"] == "created"
    finally:
        follow.terminate()
        follow.communicate(timeout=10)
        proc.terminate()
        proc.communicate(timeout=20)


def test_exit_with_parent(repo: Path, tmp_path: Path) -> None:
    """A watcher started by a parent that dies (like a killed debugger) stops by itself."""
    db = repo / ".debugtape" / "tape.db"
    pid_file = tmp_path / "watch.pid"
    # The intermediate shell starts the watcher in the background (stdin from /dev/null, as a
    # debugger might) and exits at once: the watcher is orphaned.
    script = (f"{sys.executable} -m debugtape watch {repo} --db {db} --exit-with-parent "
              f"</dev/null >/dev/null 2>&1 & echo $! > {pid_file}; sleep 1.5")
    subprocess.run(["sh", "-c", script], check=True, timeout=30)
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            break
        if state == "Z":  # exited; whoever adopted it has not reaped it yet
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the orphaned watcher kept running")
    with Store(db, readonly=True) as store:
        watch = [s for s in store.sessions() if s["tool"] == "watch"]
    assert len(watch) == 1 and watch[0]["status"] == "completed"


def test_without_path_it_watches_the_repository_of_the_store(repo: Path, tmp_path: Path) -> None:
    db = repo / ".debugtape" / "tape.db"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "debugtape", "watch", "--db", str(db)], cwd=elsewhere,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None and proc.stderr.readline().decode().startswith(f"watching {repo} ")
    (repo / "parser.c").write_text("x\n")
    events = wait_events(db, lambda ev: any(d.get("path") == "parser.c" for d in _of(ev, "file_changed")))
    proc.terminate()
    proc.communicate(timeout=20)
    assert _of(events, "watch_started")[0]["root"] == str(repo)
