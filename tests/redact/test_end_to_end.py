"""Secrets planted in a recorded session never reach the disk: store, WAL, exports, logs (raw bytes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.redact.samples import FORMATS, SECRET_PART

REPO = Path(__file__).resolve().parents[2]
GITHUB = FORMATS["github_token"][0]
AWS = FORMATS["aws_access_key"][0]
JWT = FORMATS["jwt"][0]
SECRETS = {
    "argv": "Argv-S3cret-91", "env": "Env-S3cret-92", "meta": "Meta-S3cret-93",
    "condition": "Cond-S3cret-94", "local": "Local-S3cret-95", "note": "Note-S3cret-96",
    "exception": "Exc-S3cret-97", "event": "Event-S3cret-98", "bad_line": "Bad-S3cret-99",
    "github": GITHUB, "aws": AWS, "jwt": JWT, "pem": SECRET_PART["private_key"],
    "url": SECRET_PART["url_password"], "card": "4111111111111111",
}
CLUES = ["8f14e45fceea167a5a36dedd4bea2543a1b2c3d4", "0x7ffe5f3a1c20", "parse_header",
         "123e4567-e89b-12d3-a456-426614174000"]


def records() -> list[dict[str, Any]]:
    s = SECRETS
    return [
        {"kind": "start", "name": "e2e", "tool": "gdb", "program": "/tmp/prog",
         "argv": ["prog", "--password", s["argv"], "--db-url", f"postgres://app:{s['url']}@db/x"],
         "cwd": "/tmp", "env": {"PGPASSWORD": s["env"], "HOME": "/root", "GITHUB_TOKEN": GITHUB},
         "pid": 4242, "meta": {"launch": {"apiKey": s["meta"]}}},
        {"kind": "breakpoint", "action": "set", "bp_id": "1", "location": "parser.c:120",
         "file": "/tmp/parser.c", "line": 120, "condition": f'password == "{s["condition"]}"',
         "hits": 0, "symbol": "parse_header", "enabled": True},
        {"kind": "snapshot", "reason": "breakpoint", "thread": {"id": 1, "name": "main"}, "bp_id": "1",
         "exception": {"type": "AuthError", "message": f"bad token={s['exception']}"},
         "frames": [{"index": 0, "symbol": "parse_header", "file": "/tmp/parser.c", "line": 120,
                     "module": "/tmp/prog", "address": "0x7ffe5f3a1c20",
                     "args": {"client_secret": f'0x4052a0 "{s["local"]}"'},
                     "locals": {"commit": CLUES[0], "id": CLUES[3], "headers": {"Authorization": f"Bearer {JWT}"},
                                "aws": AWS, "pem": FORMATS["private_key"][0], "pan": 4111111111111111,
                                "body": json.dumps({"password": s["local"]})},
                     "types": {"client_secret": "char *"}}]},
        {"kind": "sample", "threads": [{"id": 1, "name": "main", "frames": [
            {"symbol": "parse_header", "file": "/tmp/parser.c", "line": 121, "module": "/tmp/prog"}]}]},
        {"kind": "note", "text": f"tried with api_key={s['note']}"},
        {"kind": "event", "type": "file_changed", "data": {"path": "/tmp/.env", "kind": "modified",
                                                            "dest": f"token={s['event']}"}},
    ]


def scan(paths: list[Path], blobs: dict[str, bytes]) -> list[str]:
    """Every (where, secret) pair found in the files and byte blobs."""
    found = []
    for p in paths:
        if p.is_file():
            blobs[str(p)] = p.read_bytes()
    for where, data in blobs.items():
        for name, secret in SECRETS.items():
            if secret.encode() in data:
                found.append(f"{name} in {where}")
    return found


def cli(*args: str, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "debugtape", *args], capture_output=True, env=env,
                          timeout=120, **kw)


@pytest.mark.timeout(240)
def test_no_planted_secret_reaches_the_disk(tmp_path: Path) -> None:
    db = tmp_path / ".debugtape" / "tape.db"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "debugtape", "-vv", "ingest", "--db", str(db), "--cwd", str(tmp_path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=tmp_path)
    assert proc.stdin is not None
    lines = [json.dumps(r) for r in records()]
    lines.insert(3, '{"kind": "snapshot", "frames": "oops", "token": "' + SECRETS["bad_line"] + '"')  # malformed
    proc.stdin.write(("\n".join(lines) + "\n").encode())
    proc.stdin.flush()
    # While the session is open the WAL holds the latest pages: scan it before the writer closes.
    wal = Path(str(db) + "-wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (wal.exists() and wal.stat().st_size > 0):
        time.sleep(0.1)
    time.sleep(1.0)
    live = sorted(db.parent.glob("*"))
    during = scan(live, {})
    assert wal.exists(), "the ingest child never wrote its WAL"
    out, err = proc.communicate(b'{"kind": "end", "reason": "exited", "exit_code": 0}\n', timeout=120)
    assert proc.returncode in (0, 1), err.decode(errors="replace")
    session = out.decode().split()[0] if out.split() else ""

    exports = {}
    for fmt in ("jsonl", "speedscope", "collapsed"):
        res = cli("export", "--db", str(db), "--include-private", "--format", fmt)
        assert res.returncode == 0, res.stderr.decode(errors="replace")
        exports[f"export {fmt}"] = res.stdout + res.stderr
    shown = cli("show", "--db", str(db), "--json", session) if session else None
    blobs = {"ingest stdout+stderr": out + err, **exports}
    if shown is not None:
        blobs["show"] = shown.stdout + shown.stderr
    after = scan(sorted(db.parent.glob("*")), blobs)
    assert during == [] and after == [], during + after

    # The test can fail: the session really was stored, with markers and clues intact.
    exported = exports["export jsonl"].decode()
    assert exported.count("[REDACTED:") >= 12, exported[:2000]
    for clue in CLUES:
        assert clue in exported, clue
    events = [json.loads(x) for x in exported.splitlines() if x.startswith("{")]
    ended = [e for e in events if e.get("type") == "session_ended"]
    assert ended and ended[0]["data"]["counts"].get("redactions", 0) >= 12
