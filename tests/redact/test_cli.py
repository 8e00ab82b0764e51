"""`debugtape redact` as a user runs it: a real subprocess, bytes in, bytes out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.redact.samples import FORMATS


def run(args: list[str], data: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.run([sys.executable, "-m", "debugtape", "redact", *args], input=data,
                          capture_output=True, cwd=cwd, env=env, timeout=60)


@pytest.mark.timeout(120)
def test_text_one_line_per_line(tmp_path: Path) -> None:
    lines = [
        "2026-11-23 INFO connecting to postgres://app:S3cr3t-Pa55@db/prod",
        "commit 8f14e45fceea167a5a36dedd4bea2543a1b2c3d4 at 0x7ffe5f3a1c20",
        "",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "QyNTUxOQAAACDzK4vS0K7w8e3v5hZ1hQ9nWZbq5xX4y5tUu1Uq5x2zQAAAJgAAAAAAAAAA",
        "-----END OPENSSH PRIVATE KEY-----",
        "token " + FORMATS["github_token"][0] + "\r",
        "no newline at the end",
    ]
    data = "\n".join(lines).encode()
    res = run(["--stats", "--no-config"], data, tmp_path)
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode().split("\n")
    assert len(out) == len(lines)
    assert out[1] == lines[1] and out[2] == "" and out[6] == lines[6] and out[8] == lines[8]
    for secret in ("S3cr3t-Pa55", "b3BlbnNzaC1rZXkt", "QyNTUxOQAAACDzK4v", FORMATS["github_token"][0]):
        assert secret not in res.stdout.decode()
    assert out[7].endswith("\r")  # line endings are kept
    assert b"value(s) redacted" in res.stderr


@pytest.mark.timeout(120)
def test_jsonl_keeps_structure(tmp_path: Path) -> None:
    records = [{"kind": "start", "env": {"PGPASSWORD": "hunter2", "HOME": "/root"}},
               {"frames": [{"locals": {"apiToken": "t-1", "n": 3}}]}]
    data = ("\n".join(json.dumps(r) for r in records) + "\nnot json password=hunter2\n").encode()
    res = run(["--jsonl", "--no-config"], data, tmp_path)
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode().splitlines()
    assert len(out) == 3
    first, second = json.loads(out[0]), json.loads(out[1])
    assert first["env"]["HOME"] == "/root" and first["env"]["PGPASSWORD"].startswith("[REDACTED:password:")
    assert second["frames"][0]["locals"]["n"] == 3
    assert "hunter2" not in res.stdout.decode() and "t-1" not in res.stdout.decode()
    assert b"not JSON" in res.stderr


@pytest.mark.timeout(120)
@pytest.mark.parametrize("jsonl", [False, True])
def test_invalid_utf8_does_not_crash(tmp_path: Path, jsonl: bool) -> None:
    data = b"login password=hunter2 \xff\xfe tail\n" + b'{"k": "\xc3\x28", "token": "abc123"}\n'
    res = run(["--jsonl"] if jsonl else [], data, tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stderr.count(b"not valid UTF-8") == 1
    assert b"hunter2" not in res.stdout and b"abc123" not in res.stdout
    assert len(res.stdout.splitlines()) == 2
    if not jsonl:
        assert b"\xff\xfe tail" in res.stdout  # undecodable bytes pass through untouched


@pytest.mark.timeout(120)
def test_uses_the_store_key_when_given(tmp_path: Path) -> None:
    from debugtape.redact import load_redactor

    store = tmp_path / "s"
    expected = load_redactor(store, None).redact_text("password=hunter2")[0]
    res = run(["--db", str(store / "tape.db"), "--no-config"], b"password=hunter2\n", tmp_path)
    assert res.stdout.decode().strip() == expected


@pytest.mark.timeout(120)
def test_help_documents_the_command(tmp_path: Path) -> None:
    res = run(["--help"], b"", tmp_path)
    assert res.returncode == 0 and b"--jsonl" in res.stdout and b"one output line per input line" in res.stdout
