"""debugtape talking DAP straight to debugpy's server in the program: connection, pydevd's fix."""

from __future__ import annotations

import importlib.util
import queue
import socket
import statistics
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest

from debugtape.adapters.common.options import RecordOptions
from debugtape.adapters.dap import direct
from debugtape.adapters.dap.protocol import DapError
from debugtape.adapters.dap.transport import FrameParser, encode
from tests.adapters.dap.conftest import FIXTURES, mark_line
from tests.support import need_module

BOOT = Path(direct.__file__).with_name("_boot_debuggee.py")


def load_boot() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("boot_debuggee_under_test", BOOT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines only: debugpy starts from `__main__`
    return module


def fake_pydevd() -> types.ModuleType:
    """A pydevd whose PyDB hands out one command queue and wake-up event per thread, as the real one."""
    module = types.ModuleType("pydevd")

    class PyDB:
        def __init__(self) -> None:
            self.queues: dict[str, tuple[queue.Queue[str], threading.Event]] = {}

        def get_internal_queue_and_event(self, thread_id: str) -> tuple[queue.Queue[str], threading.Event]:
            return self.queues.setdefault(thread_id, (queue.Queue(), threading.Event()))

    module.PyDB = PyDB  # type: ignore[attr-defined]
    return module


def suspended_thread_loop(db: Any, done: list[str], stop: threading.Event) -> None:
    """pydevd's `_do_wait_suspend` loop: one command per wake-up, then clear the event."""
    q, event = db.get_internal_queue_and_event("t1")
    while not stop.is_set():
        try:
            done.append(q.get(False))
        except queue.Empty:
            pass
        event.wait(0.2)
        event.clear()


@pytest.mark.parametrize("fixed", [True, False])
def test_commands_queued_together_are_each_run_without_waiting_for_the_poll(fixed: bool) -> None:
    pydevd = fake_pydevd()
    if fixed:
        load_boot()._drain_queued_commands(pydevd)
    db = pydevd.PyDB()  # type: ignore[attr-defined]
    done: list[str] = []
    stop = threading.Event()
    worker = threading.Thread(target=suspended_thread_loop, args=(db, done, stop), daemon=True)
    worker.start()
    time.sleep(0.05)  # the thread waits on its event
    started = time.monotonic()
    for _ in range(20):  # two variables requests arriving in one read, twenty times over
        mark = len(done)
        for name in ("variables-1", "variables-2"):
            q, event = db.get_internal_queue_and_event("t1")
            q.put(name)
            event.set()
        while len(done) < mark + 2 and time.monotonic() - started < 10:
            time.sleep(0.0005)
    elapsed = time.monotonic() - started
    stop.set()
    worker.join(1)
    assert len(done) == 40
    if fixed:
        assert elapsed < 1.0, elapsed  # without the fix, nearly every pair waits for the 0.2 s poll
    else:
        assert elapsed > 0.6, elapsed  # the bug the fix is for is still there to fix


def test_a_command_put_back_forever_is_no_busy_loop() -> None:
    """pydevd puts back a command its thread cannot run ("shouldn't really happen") and waits
    20 ms; the early return must not turn that into a spin."""
    boot = load_boot()
    pydevd = fake_pydevd()
    boot._drain_queued_commands(pydevd)
    q, event = pydevd.PyDB().get_internal_queue_and_event("t1")  # type: ignore[attr-defined]
    q.put("not-for-this-thread")
    rounds = 0
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        q.put(q.get(False))  # taken, cannot be run, put back
        event.wait(0.02)
        event.clear()
        rounds += 1
    assert rounds <= (0.3 / 0.02 + 2) * (boot.MAX_EARLY + 1), rounds


def test_a_pydevd_without_the_method_is_left_alone() -> None:
    module = types.ModuleType("pydevd")
    load_boot()._drain_queued_commands(module)  # no PyDB: nothing to fix, nothing raised
    assert not hasattr(module, "PyDB")


def answer_authorize(address: tuple[str, int], token: str) -> None:
    """Connect as pydevd would and answer pydevdAuthorize with `token`, then stay connected."""
    sock = socket.create_connection(address)
    parser = FrameParser()
    while True:
        data = sock.recv(65536)
        if not data:
            return
        for frame in parser.feed(data):
            msg = getattr(frame, "message", {})
            if msg.get("command") == "pydevdAuthorize":
                sock.sendall(encode({"seq": 1, "type": "response", "request_seq": msg["seq"], "success": True,
                                     "command": "pydevdAuthorize", "body": {"clientAccessToken": token}}))


class Running:
    def poll(self) -> int | None:
        return None


def test_a_connection_without_the_token_is_refused_and_the_program_s_is_taken() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        address = server.getsockname()[:2]
        stranger = threading.Thread(target=answer_authorize, args=(address, "not-the-token"), daemon=True)
        stranger.start()
        stranger_in = time.monotonic() + 5
        program = threading.Thread(target=lambda: (time.sleep(0.3), answer_authorize(address, "t0k3n")), daemon=True)
        program.start()
        client = direct._accept(server, Running(), "t0k3n", None, timeout=10)  # type: ignore[arg-type]
        try:
            assert time.monotonic() < stranger_in
            assert client.send("pydevdAuthorize", {}).result(5) == {"clientAccessToken": "t0k3n"}
        finally:
            client.close()


def test_a_program_that_ends_before_debugpy_connects_is_a_clear_error(tmp_path: Path) -> None:
    prog = tmp_path / "p.py"
    prog.write_text("pass\n")
    with pytest.raises(DapError, match=r"the program exited \(code 1\) before debugpy inside it connected"):
        direct.start([str(prog)], str(tmp_path), None, "/bin/false", quiet=True)


def test_exit_status_is_the_launcher_s() -> None:
    assert [direct.exit_status(c) for c in (0, 3, -9, -15)] == [0, 3, 247, 241]


@pytest.mark.timeout(90)
def test_pipelined_requests_to_real_debugpy_wait_for_no_poll(tmp_path: Path) -> None:
    """Every hit pipelines two `variables` requests to pydevd; without the boot's fix most hits
    wait 0.2 s for pydevd's poll. Even a loaded machine reads a hit of loop.py well within that."""
    need_module("debugpy")
    from debugtape.adapters.dap.record import HeadlessRecorder

    loop = FIXTURES / "loop.py"
    opts = RecordOptions(program=[str(loop), "30"], db=tmp_path / "tape.db", cwd=str(tmp_path), quiet=True,
                         breaks=[f"{loop}:{mark_line(loop, 'hit')}"])
    recorder = HeadlessRecorder(opts)
    assert recorder.direct
    stamps: list[float] = []

    def feed(record: Any) -> None:
        if record.get("kind") == "snapshot":
            stamps.append(time.monotonic())

    recorder.run(feed)
    assert recorder.hits == 30 and len(stamps) == 30, (recorder.hits, len(stamps))
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    assert statistics.median(gaps) < 0.1, gaps
    assert sys.modules.get("pydevd") is None  # nothing of debugpy's server runs in debugtape


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.timeout(90)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_program_has_a_process_group_of_its_own_and_dies_with_debugtape(tmp_path: Path) -> None:
    """Without debugpy's adapter and launcher in between, nothing else would end the program
    when debugtape is killed; Ctrl-C at a terminal reaches debugtape alone."""
    import os
    import signal
    import subprocess

    need_module("debugpy")
    recorder = subprocess.Popen([sys.executable, "-m", "debugtape", "record", "--db", str(tmp_path / "tape.db"),
                                 "--python", "-q", "--", str(FIXTURES / "busy.py"), "60"],
                                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        program = None
        while program is None and time.monotonic() < deadline:
            program = next((c for c in children(recorder.pid)
                            if "busy.py" in Path(f"/proc/{c}/cmdline").read_text()), None)
            time.sleep(0.1)
        assert program is not None
        while os.getpgid(program) != program and time.monotonic() < deadline:
            time.sleep(0.05)  # Python 3.10: the boot takes its own group once it runs
        assert os.getpgid(program) == program != os.getpgid(recorder.pid)
        recorder.send_signal(signal.SIGKILL)
        recorder.wait(10)
        deadline = time.monotonic() + 10
        while alive(program) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(program)
    finally:
        recorder.kill()
        recorder.wait(10)
