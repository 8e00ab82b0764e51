"""The MI layer: table-driven parsing of real gdb records, token matching, malformed records."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from debugtape.adapters.gdb.mi import GdbDied, MiClient, MiError, MiTimeout, mi_quote, parse_line
from tests.support import need_binary

# Real records from gdb 13 (`gdb --interpreter=mi3`), and broken ones.
CASES: list[tuple[str, dict[str, Any]]] = [
    ('1^done', {"type": "result", "message": "done", "token": 1}),
    ('7^error,msg="Function \\"nosuch\\" not defined."',
     {"type": "result", "message": "error", "token": 7, "payload": {"msg": 'Function "nosuch" not defined.'}}),
    ('*stopped,reason="breakpoint-hit",disp="keep",bkptno="1",frame={addr="0x0000555555555144",'
     'func="fact",args=[{name="n",value="0"}],file="recursion.c",line="5"},thread-id="1",stopped-threads="all"',
     {"type": "notify", "message": "stopped", "payload": {"reason": "breakpoint-hit", "bkptno": "1"}}),
    ('*stopped,reason="exited-normally"', {"type": "notify", "message": "stopped"}),
    ('*stopped,reason="exited",exit-code="01"', {"type": "notify", "payload": {"exit-code": "01"}}),
    ('=thread-group-started,id="i1",pid="4242"', {"type": "notify", "message": "thread-group-started",
                                                  "payload": {"pid": "4242"}}),
    ('~"debugtape: snapshot of 3 frames recorded\\n"', {"type": "console",
                                                        "payload": "debugtape: snapshot of 3 frames recorded\n"}),
    ('&"debugtape: error: not recording\\n"', {"type": "log", "payload": "debugtape: error: not recording\n"}),
    ("(gdb) ", {"type": "prompt"}),
    ("90317", {"type": "output"}),  # the program's own output
    ('*stopped,reason="breakpoint-hit",frame={addr=', {"type": "malformed", "stopped": True, "kind": "*"}),
    ('12*stopped,reason="signal-received",frame={', {"type": "malformed", "stopped": True}),
    # pygdbmi's parser never returns on this one: it must not reach it
    ('=breakpoint-modified,bkpt={number="1",thread-groups=["i1"', {"type": "malformed", "error": "missing ']'"}),
    ('^done,value="unterminated', {"type": "malformed", "error": "unterminated string"}),
    ('1^done,x="{["', {"type": "result", "payload": {"x": "{["}}),
]


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("line", "expected"), CASES)
def test_parse_line(line: str, expected: dict[str, Any]) -> None:
    rec = parse_line(line)
    for key, value in expected.items():
        if isinstance(value, dict):
            for k, v in value.items():
                assert rec[key][k] == v
        else:
            assert rec[key] == value


def test_malformed_record_does_not_keep_the_line() -> None:
    rec = parse_line('*stopped,frame={args=[{name="password",value="hunter2"}],x=')
    assert rec["type"] == "malformed"
    assert "hunter2" not in repr(rec)


def test_mi_quote() -> None:
    assert mi_quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def scripted(lines: str, then: str = "cat >/dev/null") -> MiClient:
    """A process speaking canned MI (to drive the client through exact byte sequences)."""
    return MiClient(["sh", "-c", f"printf '%b' '{lines}'; {then}"])


def test_results_are_matched_by_token_and_async_records_kept_in_order() -> None:
    need_binary("sh")
    mi = scripted('=thread-group-added,id="i1"\\n2^done,value="two"\\n*stopped,reason="exited-normally"\\n1^done,value="one"\\n(gdb) \\n')
    try:
        mi.send("-first")
        assert mi.call("-second") == {"value": "two"}  # token 2 answered before token 1
        events = [mi.next_event(2), mi.next_event(2)]
        assert [e["message"] for e in events if e] == ["thread-group-added", "stopped"]
        assert mi._results[1]["payload"] == {"value": "one"}
    finally:
        mi.close()


def test_a_malformed_stop_still_counts_as_a_stop(caplog: pytest.LogCaptureFixture) -> None:
    mi = scripted('*stopped,reason="breakpoint-hit",frame={addr=\\n*stopped,reason="exited-normally"\\n')
    try:
        first = mi.next_event(2)
        second = mi.next_event(2)
        assert first == {"type": "notify", "message": "stopped", "payload": {"reason": "unknown"}}
        assert second and second["payload"]["reason"] == "exited-normally"
        assert mi.malformed == 1
        assert "malformed MI record" in caplog.text
    finally:
        mi.close()


def test_errors_timeouts_and_death_are_clear() -> None:
    mi = scripted('1^error,msg="No symbol table is loaded."\\n')
    try:
        with pytest.raises(MiError, match="No symbol table is loaded"):
            mi.call("-break-insert main")
        with pytest.raises(MiTimeout, match="-gdb-version"):
            mi.call("-gdb-version", timeout=0.3)
    finally:
        mi.close()
    dead = scripted("", then="exit 3")
    with pytest.raises(GdbDied, match="exit code 3"):
        dead.next_event(5)
    dead.close()


@pytest.mark.timeout(60)
def test_against_real_gdb() -> None:
    gdb = need_binary("gdb")
    mi = MiClient([gdb, "--nx", "--quiet", "--interpreter=mi3"])
    try:
        mi.call("-gdb-set mi-async on")
        with pytest.raises(MiError, match="No symbol table"):
            mi.call("-break-insert nosuch_function")
        out = mi.call("-data-evaluate-expression 6*7")
        assert out == {"value": "42"}
        mi.console("echo hello\\n")
        texts = [e.get("payload") for e in list(mi.events) if e.get("type") == "console"]
        assert "hello\n" in texts
    finally:
        assert mi.close() == 0


def test_gdb_init_line_and_install(tmp_path: Any) -> None:
    from debugtape.cli.cmd_gdb_init import init_line, install

    line = init_line(python="/opt/py/bin/python3")
    assert line.startswith("python import os, sys;") and "import debugtape.adapters.gdb.commands" in line
    assert "DEBUGTAPE_PYTHON', '/opt/py/bin/python3'" in line
    rc = tmp_path / "gdbinit"
    rc.write_text("set pagination off")
    assert install(rc, line) is True
    assert install(rc, line) is False
    text = rc.read_text()
    assert text.count(line) == 1 and text.startswith("set pagination off\n# debugtape")


def test_gdb_init_cli(tmp_path: Any) -> None:
    rc = tmp_path / "gdbinit"
    out = subprocess.run([sys.executable, "-m", "debugtape", "gdb-init", "--install", "--gdbinit", str(rc)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "added to" in out.stdout
    printed = subprocess.run([sys.executable, "-m", "debugtape", "gdb-init"], capture_output=True, text=True,
                             timeout=60).stdout.strip()
    assert printed in rc.read_text()
