"""`debugtape dap`: the recording proxy, driven by @vscode/debugadapter-testsupport's DebugClient
in front of the real debugpy and lldb-dap-19, and fed invalid DAP by a raw client."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from debugtape.adapters.dap.transport import Frame, FrameParser, encode
from tests.adapters.dap.conftest import (
    FIXTURES,
    debugpy_adapter_dir,
    drive,
    mark_line,
    need_node_client,
    proxy_script,
)
from tests.adapters.dap.test_record import events, no_secret_on_disk
from tests.support import compile_c, need_binary, need_module

LOOP = FIXTURES / "loop.py"
NATIVE = Path(__file__).resolve().parent / "native" / "prog.c"


def only_session(db: Path) -> dict[str, Any]:
    from debugtape.store import Store

    # The proxy finishes its recording after the client is gone; give it a moment.
    deadline = time.monotonic() + 20
    while True:
        store = Store(db)
        try:
            sessions = store.sessions()
        finally:
            store.close()
        if sessions and sessions[0]["status"] != "active" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(sessions) == 1, sessions
    return sessions[0]


def debugpy_config(script: Path, inspect: bool) -> dict[str, Any]:
    return {
        "runtime": "/bin/sh", "executable": str(script), "type": "python", "inspect": inspect,
        "launch": {"program": str(LOOP), "args": ["4"], "console": "internalConsole", "justMyCode": False,
                   "cwd": str(FIXTURES)},
        "breakpoints": {str(LOOP): [mark_line(LOOP, "hit")]},
    }


@pytest.mark.timeout(120)
@pytest.mark.parametrize("inspect", [True, False], ids=["client-reads-locals", "client-only-continues"])
def test_debugpy_behind_the_proxy(tmp_path: Path, store_path: Path, inspect: bool) -> None:
    need_module("debugpy")
    need_node_client()
    script = proxy_script(tmp_path, store_path, [sys.executable, "-Xfrozen_modules=off", debugpy_adapter_dir()])
    report = drive(debugpy_config(script, inspect))
    # The client saw a clean conversation: contiguous seq, every response to its own request.
    assert report["problems"] == [] and report["how"] in ("terminated", "exited")
    assert len(report["stops"]) == 4
    if inspect:
        assert [s["locals"]["i"] for s in report["stops"]] == ["0", "1", "2", "3"]
    session = only_session(store_path)
    assert session["tool"] == "dap" and session["status"] == "completed"
    snaps = [e.data for e in events(store_path, session["id"], "debug_snapshot")]
    # Locals are there whether or not the client asked: the proxy fetched them itself.
    assert [s["frames"][0]["locals"]["i"] for s in snaps] == [0, 1, 2, 3]
    assert all(s["frames"][0]["symbol"] == "step" for s in snaps)
    (bp,) = [e.data for e in events(store_path, session["id"], "breakpoint_set")]
    assert bp["line"] == mark_line(LOOP, "hit")
    log = (tmp_path / "proxy.log").read_text()
    assert "item-" not in log  # the log holds message types and sizes, never bodies


@pytest.mark.timeout(120)
def test_lldb_dap_behind_the_proxy(tmp_path: Path, store_path: Path) -> None:
    lldb_dap = need_binary("lldb-dap-19")
    need_node_client()
    prog = compile_c(NATIVE, tmp_path / "prog")
    script = proxy_script(tmp_path, store_path, [lldb_dap])
    report = drive({
        "runtime": "/bin/sh", "executable": str(script), "type": "lldb-dap", "inspect": False,
        "launch": {"program": str(prog), "cwd": str(tmp_path)},
        "breakpoints": {str(NATIVE): [mark_line(NATIVE, "native")]},
    })
    assert report["problems"] == [] and len(report["stops"]) == 3
    session = only_session(store_path)
    snaps = [e.data for e in events(store_path, session["id"], "debug_snapshot")]
    assert [s["frames"][0]["locals"]["p"]["x"] for s in snaps] == [1, 2, 3]
    assert snaps[0]["frames"][1]["symbol"] == "main"
    assert snaps[0]["frames"][1]["locals"]["values"][:4] == [0, 1, 4, 9]
    assert "[REDACTED" in snaps[0]["frames"][0]["locals"]["password"]
    no_secret_on_disk(store_path, "hunter2-NATIVE-secret")


class RawClient:
    """Speaks DAP bytes to `debugtape dap` directly, so it can also send what no client should."""

    def __init__(self, db: Path, log: Path, adapter: list[str] | None = None) -> None:
        adapter = adapter or [sys.executable, "-Xfrozen_modules=off", "-m", "debugpy.adapter"]
        cmd = [sys.executable, "-m", "debugtape", "dap", "--db", str(db), "--log", str(log),
               "--log-level", "debug", "--", *adapter]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
                                     env=dict(os.environ))
        self.parser = FrameParser()
        self.pending: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.seq = 0

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)

    def request(self, command: str, arguments: dict[str, Any] | None = None) -> int:
        self.seq += 1
        self.send_raw(encode({"seq": self.seq, "type": "request", "command": command, "arguments": arguments or {}}))
        return self.seq

    def wait_for(self, pred: Any, timeout: float = 30) -> dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, msg in enumerate(self.pending):
                if pred(msg):
                    return self.pending.pop(i)
            data = os.read(self.proc.stdout.fileno(), 65536)
            if not data:
                break
            for item in self.parser.feed(data):
                assert isinstance(item, Frame), f"the proxy sent invalid DAP: {item}"
                self.pending.append(item.message)
                self.received.append(item.message)
        raise AssertionError("timed out waiting for a message")

    def response(self, seq: int) -> dict[str, Any]:
        return self.wait_for(lambda m: m.get("type") == "response" and m.get("request_seq") == seq)

    def event(self, name: str) -> dict[str, Any]:
        return self.wait_for(lambda m: m.get("type") == "event" and m.get("event") == name)


@pytest.mark.timeout(120)
def test_invalid_dap_from_the_client_is_reported_and_the_session_goes_on(tmp_path: Path, store_path: Path) -> None:
    need_module("debugpy")
    log = tmp_path / "proxy.log"
    c = RawClient(store_path, log)
    try:
        c.response(c.request("initialize", {"adapterID": "debugpy", "linesStartAt1": True, "columnsStartAt1": True}))
        launch = c.request("launch", {"program": str(LOOP), "args": ["2"], "console": "internalConsole",
                                      "cwd": str(FIXTURES)})
        c.event("initialized")
        c.response(c.request("setBreakpoints", {"source": {"path": str(LOOP)},
                                                "breakpoints": [{"line": mark_line(LOOP, "hit")}]}))
        c.response(c.request("configurationDone"))
        c.response(launch)
        c.event("stopped")
        # Bad JSON with good framing, a header without a length, then a body cut short by the
        # end of the stream: none of them may lose the stop already seen.
        c.send_raw(b'Content-Length: 15\r\n\r\n{"seq": 99, "ty')
        c.send_raw(b"Content-Type: nonsense\r\n\r\n")
        c.response(c.request("continue", {"threadId": 1}))
        c.event("stopped")
        c.send_raw(b'Content-Length: 500\r\n\r\n{"seq": 100, "type": "request", "command": "continue"')
        assert c.proc.stdin is not None
        c.proc.stdin.close()  # the client dies mid-message
        c.proc.wait(30)
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
    text = log.read_text()
    assert "invalid DAP message, json" in text and "invalid DAP message, framing" in text
    assert "invalid DAP message, truncated" in text
    session = only_session(store_path)
    snaps = [e.data for e in events(store_path, session["id"], "debug_snapshot")]
    assert [s["frames"][0]["locals"]["i"] for s in snaps] == [0, 1]


@pytest.mark.timeout(120)
def test_listen_mode_for_vscode_debug_server(tmp_path: Path, store_path: Path) -> None:
    """`debugtape dap --listen PORT` is what VS Code's "debugServer" connects to."""
    need_module("debugpy")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "debugtape", "dap", "--db", str(store_path),
                               "--listen", str(port), "--", sys.executable, "-m", "debugpy.adapter"],
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None and "listening" in server.stderr.readline()
        conn = socket.create_connection(("127.0.0.1", port), timeout=30)
        parser, pending = FrameParser(), []

        def send(seq: int, command: str, args: dict[str, Any]) -> None:
            conn.sendall(encode({"seq": seq, "type": "request", "command": command, "arguments": args}))

        def wait(pred: Any) -> dict[str, Any]:
            while True:
                for m in pending:
                    if pred(m):
                        pending.remove(m)
                        return m
                for item in parser.feed(conn.recv(65536)):
                    assert isinstance(item, Frame)
                    pending.append(item.message)

        send(1, "initialize", {"adapterID": "debugpy", "linesStartAt1": True, "columnsStartAt1": True})
        wait(lambda m: m.get("request_seq") == 1)
        send(2, "launch", {"program": str(LOOP), "args": ["2"], "console": "internalConsole", "cwd": str(FIXTURES)})
        wait(lambda m: m.get("event") == "initialized")
        send(3, "setBreakpoints", {"source": {"path": str(LOOP)}, "breakpoints": [{"line": mark_line(LOOP, "hit")}]})
        send(4, "configurationDone", {})
        for i in range(2):
            stop = wait(lambda m: m.get("event") == "stopped")
            send(5 + i, "continue", {"threadId": stop["body"]["threadId"]})
        wait(lambda m: m.get("event") == "terminated")
        send(9, "disconnect", {})
        wait(lambda m: m.get("request_seq") == 9)
        conn.close()
        session = only_session(store_path)
        snaps = [e.data for e in events(store_path, session["id"], "debug_snapshot")]
        assert [s["frames"][0]["locals"]["i"] for s in snaps] == [0, 1]
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.timeout(120)
def test_reverse_request_run_in_terminal_is_mapped_both_ways(tmp_path: Path, store_path: Path) -> None:
    """console=integratedTerminal makes debugpy ask the client to start the program
    (runInTerminal); the client's answer must reach the adapter under the adapter's own seq."""
    need_module("debugpy")
    c = RawClient(store_path, tmp_path / "proxy.log")
    child: subprocess.Popen[bytes] | None = None
    try:
        c.response(c.request("initialize", {"adapterID": "debugpy", "linesStartAt1": True, "columnsStartAt1": True,
                                            "supportsRunInTerminalRequest": True}))
        launch = c.request("launch", {"program": str(LOOP), "args": ["2"], "console": "integratedTerminal",
                                      "cwd": str(FIXTURES)})
        rit = c.wait_for(lambda m: m.get("type") == "request" and m.get("command") == "runInTerminal")
        args = rit["arguments"]
        env = {**os.environ, **{k: v for k, v in (args.get("env") or {}).items() if v is not None}}
        child = subprocess.Popen(args["args"], cwd=args.get("cwd"), env=env, stdout=subprocess.DEVNULL)
        c.seq += 1
        c.send_raw(encode({"seq": c.seq, "type": "response", "request_seq": rit["seq"], "command": "runInTerminal",
                           "success": True, "body": {"processId": child.pid}}))
        c.event("initialized")
        c.response(c.request("setBreakpoints", {"source": {"path": str(LOOP)},
                                                "breakpoints": [{"line": mark_line(LOOP, "hit")}]}))
        c.response(c.request("configurationDone"))
        assert c.response(launch)["success"]
        for _ in range(2):
            stop = c.event("stopped")
            c.response(c.request("continue", {"threadId": stop["body"]["threadId"]}))
        c.event("terminated")
        c.response(c.request("disconnect", {}))
        assert c.proc.stdin is not None
        c.proc.stdin.close()
        c.proc.wait(30)
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
        if child is not None and child.poll() is None:
            child.kill()
    session = only_session(store_path)
    snaps = [e.data for e in events(store_path, session["id"], "debug_snapshot")]
    assert [s["frames"][0]["locals"]["i"] for s in snaps] == [0, 1]


@pytest.mark.timeout(60)
def test_seq_numbers_are_mapped_both_ways_around_the_proxys_own_requests(tmp_path: Path, store_path: Path) -> None:
    """The client only continues (the proxy then asks threads/stackTrace/scopes/variables itself),
    after which the adapter's reverse request and the client's answer must still pair up."""
    adapter = [sys.executable, str(Path(__file__).with_name("scripted_adapter.py"))]
    c = RawClient(store_path, tmp_path / "proxy.log", adapter)
    try:
        c.response(c.request("initialize", {"adapterID": "scripted"}))
        c.response(c.request("launch", {"program": "/s.py"}))
        c.event("initialized")
        c.response(c.request("configurationDone"))
        c.event("stopped")
        cont = c.request("continue", {"threadId": 1})
        assert c.response(cont)["command"] == "continue"
        rit = c.wait_for(lambda m: m.get("type") == "request" and m.get("command") == "runInTerminal")
        c.seq += 1
        c.send_raw(encode({"seq": c.seq, "type": "response", "request_seq": rit["seq"], "command": "runInTerminal",
                           "success": True, "body": {"processId": 1}}))
        verdict = c.event("output")["body"]["output"]
        c.event("terminated")
        c.response(c.request("disconnect"))
    finally:
        if c.proc.stdin is not None:
            c.proc.stdin.close()
        c.proc.wait(30)
    assert verdict == "mapping ok"
    seqs = [m["seq"] for m in c.received]
    assert seqs == list(range(1, len(seqs) + 1))  # no gaps where the hidden replies were
    commands = {m.get("command") for m in c.received if m["type"] == "response"}
    assert commands == {"initialize", "launch", "configurationDone", "continue", "disconnect"}
    session = only_session(store_path)
    (snap,) = [e.data for e in events(store_path, session["id"], "debug_snapshot")]
    assert snap["frames"][0]["symbol"] == "f" and snap["frames"][0]["locals"] == {"x": 42}
