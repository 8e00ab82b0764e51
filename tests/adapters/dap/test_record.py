"""`debugtape record --python`: real debugpy, real programs, into a real store."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from debugtape.adapters.common.options import RecordOptions
from debugtape.adapters.dap.protocol import DapError, DapTimeout
from debugtape.adapters.dap.record import record
from tests.adapters.dap.conftest import FIXTURES, mark_line
from tests.support import need_binary, need_module

FEATURES = FIXTURES / "features.py"
ENV_SECRET = "hunter2-ENV-9d8c7b6a"
LOCAL_SECRET = "tok-SECRET-7f3a9c1e5b"


def events(db: Path, session: str, *types: str) -> list[Any]:
    from debugtape.store import Store

    store = Store(db)
    try:
        return [row.event for row in store.events(session=session, types=list(types) or None)]
    finally:
        store.close()


def no_secret_on_disk(db: Path, *secrets: str) -> None:
    files = list(db.parent.glob("tape.db*"))
    assert files
    for f in files:
        data = f.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret!r} reached {f.name}"


@pytest.mark.timeout(120)
def test_features_program_is_recorded_with_bounds_and_without_secrets(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    need_module("debugpy")
    monkeypatch.setenv("DEBUGTAPE_TEST_PASSWORD", ENV_SECRET)
    breaks = [f"features.py:{mark_line(FEATURES, m)}" for m in ("recursion-bottom", "generator", "async", "thread", "shapes")]
    sid = record(RecordOptions(program=["features.py"], db=store_path, breaks=breaks, exceptions="uncaught",
                               cwd=str(FIXTURES), name="features"))
    evs = events(store_path, sid)
    started, ended = evs[0], evs[-1]
    assert started.type == "session_started" and started.data["tool"] == "python"
    assert started.data["name"] == "features"
    assert started.data["env"]["DEBUGTAPE_TEST_PASSWORD"].startswith("[REDACTED")
    assert ended.type == "session_ended" and ended.data["exit_code"] == 1
    notes = [e.data["text"] for e in evs if e.type == "note"]
    assert any("child processes are not recorded" in n for n in notes)
    snaps = [e.data for e in evs if e.type == "debug_snapshot"]
    tops = [(s["reason"], s["frames"][0]["symbol"]) for s in snaps]
    assert tops[0] == ("breakpoint", "recurse")
    assert [f["symbol"] for f in snaps[0]["frames"][:6]] == ["recurse"] * 6  # recursion depth 5 + 1
    assert [f["locals"]["n"] for f in snaps[0]["frames"][:5]] == [0, 1, 2, 3, 4]
    assert "locals" not in snaps[0]["frames"][5]  # locals are read in the top 5 frames only
    assert tops[1:4] == [("breakpoint", "numbers")] * 3  # a generator resumed three times
    assert [s["frames"][0]["locals"]["k"] for s in snaps[1:4]] == [0, 1, 2]
    assert tops[4] == ("breakpoint", "fetch") and snaps[4]["frames"][0]["locals"]["answer"] == "'slept 0.01'"
    workers = sorted((s["thread"]["name"], s["frames"][0]["locals"]["idx"]) for s, (_, top) in zip(snaps, tops)
                     if top == "worker")
    # pydevd now and then sends no `stopped` event for a thread it suspended because another one
    # stopped (about one run in ten here, through debugpy's adapter or not; see the race test).
    assert set(workers) <= {("worker-0", 0), ("worker-1", 1), ("worker-2", 2)}
    assert len(set(workers)) == len(workers) >= 2
    assert tops[5:5 + len(workers)] == [("breakpoint", "worker")] * len(workers)
    shapes = snaps[5 + len(workers)]
    local = shapes["frames"][0]["locals"]
    assert shapes["frames"][0]["symbol"] == "shapes"
    assert local["huge"][:3] == [0, 1, 2]
    assert local["cyclic"]["self"] == {"$cycle": "frames[0].locals.cyclic"}
    assert local["api_token"].startswith("[REDACTED") and local["password"].startswith("[REDACTED")
    assert any(t["path"] == "frames[0].locals.huge" and t["total"] == 100000 for t in shapes["truncation"])
    assert tops[6 + len(workers):] == [("exception", "main")] and snaps[-1]["exception"]["type"] == "KeyError"
    bps = [e.data for e in evs if e.type == "breakpoint_set"]
    assert len(bps) == 6  # five lines and the uncaught-exception catchpoint
    no_secret_on_disk(store_path, ENV_SECRET, LOCAL_SECRET)


@pytest.mark.timeout(90)
def test_module_with_conditional_snappoint(store_path: Path) -> None:
    need_module("debugpy")
    line = mark_line(FIXTURES / "loop.py", "hit")
    sid = record(RecordOptions(program=["-m", "loop", "6"], db=store_path, cwd=str(FIXTURES),
                               snappoints=[f"loop.py:{line}:i == 4"]))
    snaps = [e.data for e in events(store_path, sid, "debug_snapshot")]
    assert len(snaps) == 1
    assert snaps[0]["reason"] == "snappoint"
    assert snaps[0]["frames"][0]["locals"] == {"i": 4, "doubled": 8, "label": "'item-4'"}
    (bp,) = [e.data for e in events(store_path, sid, "breakpoint_set")]
    assert bp["condition"] == "i == 4" and bp["line"] == line


@pytest.mark.timeout(90)
def test_pause_sampling_without_py_spy(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    need_module("debugpy")
    monkeypatch.setenv("DEBUGTAPE_PY_SPY", "0")
    sid = record(RecordOptions(program=["busy.py", "2.5"], db=store_path, cwd=str(FIXTURES), sample_hz=100))
    samples = [e.data for e in events(store_path, sid, "stack_sample")]
    started = events(store_path, sid, "session_started")[0]
    assert started.data["meta"]["sampling"] == "dap-pause"
    assert len(samples) >= 20, len(samples)
    symbols = {f.get("symbol") for s in samples for f in s["frames"]}  # frames are interned per event
    assert {"inner", "outer"} <= symbols
    # debugpy's report of every installed package, made with the program already traced, is
    # not taken (half the samples of a short program landed in it, and 0.5-2 s of every start)
    files = {f.get("file") or "" for s in samples for f in s["frames"]}
    assert not [f for f in files if "importlib/metadata" in f]


@pytest.mark.timeout(90)
def test_py_spy_sampling(store_path: Path) -> None:
    need_binary("py-spy")
    need_module("debugpy")
    sid = record(RecordOptions(program=["busy.py", "2.5"], db=store_path, cwd=str(FIXTURES), sample_hz=100))
    started = events(store_path, sid, "session_started")[0]
    samples = [e.data for e in events(store_path, sid, "stack_sample")]
    assert started.data["meta"]["sampling"] == "py-spy"
    notes = [e.data["text"] for e in events(store_path, sid, "note")]
    fell_back = [n for n in notes if "py-spy cannot sample" in n]
    if fell_back:
        # Not allowed to attach here (ptrace restricted): the session says so and still samples.
        assert "falls back to DAP pause" in fell_back[0] and len(samples) >= 20
    else:
        assert len(samples) >= 100, len(samples)  # 1.5 s of work at 100 Hz, plus start-up
        assert not any("/debugpy/" in str(f.get("file")) for s in samples for f in s["frames"])
    symbols = {f.get("symbol") for s in samples for f in s["frames"]}
    assert {"inner", "outer"} <= symbols


@pytest.mark.timeout(90)
def test_py_spy_refused_falls_back_to_pause_sampling(store_path: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A py-spy that may not attach (as under a ptrace-restricted container) is reported, and
    sampling carries on with DAP pauses."""
    need_module("debugpy")
    fake = tmp_path / "bin" / "py-spy"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'Error: Permission Denied (os error 1)' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    sid = record(RecordOptions(program=["busy.py", "2.0"], db=store_path, cwd=str(FIXTURES), sample_hz=100))
    notes = [e.data["text"] for e in events(store_path, sid, "note")]
    assert any("py-spy cannot sample this program (Error: Permission Denied" in n for n in notes), notes
    samples = [e.data for e in events(store_path, sid, "stack_sample")]
    assert len(samples) >= 10 and {"inner"} <= {f.get("symbol") for s in samples for f in s["frames"]}


def test_bad_target_fails_early_with_a_clear_error(store_path: Path) -> None:
    with pytest.raises(DapError, match="-m needs a module name"):
        record(RecordOptions(program=["-m"], db=store_path))
    assert not store_path.exists()


def test_a_leading_interpreter_is_taken_as_the_python_to_run() -> None:
    from debugtape.adapters.dap.launch import split_interpreter

    assert split_interpreter(["app.py", "1"]) == (None, ["app.py", "1"])
    assert split_interpreter([sys.executable, "-m", "mod"]) == (sys.executable, ["-m", "mod"])
    python3 = shutil.which("python3")
    assert python3 and split_interpreter(["python3", "app.py"]) == (python3, ["app.py"])
    with pytest.raises(ValueError, match="no such Python interpreter: python9.99"):
        split_interpreter(["python9.99", "app.py"])


@pytest.mark.timeout(90)
@pytest.mark.parametrize("interpreter", [[], [sys.executable]], ids=["script", "python-script"])
def test_cli_record_python_prints_the_session(store_path: Path, interpreter: list[str]) -> None:
    need_module("debugpy")
    line = mark_line(FIXTURES / "loop.py", "hit")
    out = subprocess.run([sys.executable, "-m", "debugtape", "record", "--db", str(store_path), "--python",
                          "--break", f"loop.py:{line}", "--", *interpreter, "loop.py", "3"],
                         cwd=FIXTURES, capture_output=True, text=True, timeout=80)
    assert out.returncode == 0, out.stderr
    sid = out.stdout.strip().splitlines()[-1]
    show = subprocess.run([sys.executable, "-m", "debugtape", "show", "--db", str(store_path), "--json", sid],
                          capture_output=True, text=True, timeout=60)
    shown = json.loads(show.stdout)
    assert shown["session"]["counts"]["snapshots"] == 3
    # Adapters report no hit counts: debugtape counts the stops at each breakpoint.
    assert [(b["line"], b["hits"]) for b in shown["breakpoints"]] == [(line, 3)]


@pytest.mark.timeout(90)
def test_threads_stopping_together_each_get_a_full_snapshot(store_path: Path) -> None:
    need_module("debugpy")
    fixture = FIXTURES / "threads_race.py"
    sid = record(RecordOptions(program=[fixture.name], db=store_path, cwd=str(FIXTURES),
                               breaks=[f"{fixture.name}:{mark_line(fixture, 'race')}"]))
    snaps = [e.data for e in events(store_path, sid, "debug_snapshot")]
    # pydevd itself now and then sends no `stopped` event for a thread that it suspended (because
    # another thread stopped) right at the breakpoint's line: that hit never reaches any client.
    # Every stop that does arrive must be recorded, whole, once.
    assert 36 <= len(snaps) <= 40, len(snaps)
    assert all(s["frames"] and s["frames"][0]["symbol"] == "worker" for s in snaps)
    seen = [(s["thread"]["name"], s["frames"][0]["locals"]["value"]) for s in snaps]
    assert len(set(seen)) == len(seen)  # no stop recorded twice
    assert set(seen) <= {(f"racer-{i}", i * 100 + k) for i in range(4) for k in range(10)}
    assert {name for name, _ in seen} == {f"racer-{i}" for i in range(4)}


def test_attach_is_refused_clearly(store_path: Path) -> None:
    with pytest.raises(DapError, match="--attach is not supported with --python"):
        record(RecordOptions(program=[], db=store_path, attach=1234))


# -- the recorder against a stand-in debugpy: replies out of order, never, or from a dead process --
# Both ways of reaching debugpy: straight to its server in the program (`direct`, the default) and
# through its adapter process.

FAKE = Path(__file__).with_name("fake_debugpy.py")
PEERS = {"direct": "debugpy in the program", "adapter": "debugpy's adapter"}


@pytest.fixture(params=sorted(PEERS))
def way(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def record_with_fake(mode: str, tmp_path: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch,
                     way: str = "direct", stops: int = 4) -> tuple[str | None, BaseException | None, list[str]]:
    """Record a 'program' under fake_debugpy.py: (session id, the error raised, requests seen)."""
    from debugtape.adapters.dap import direct as direct_mod
    from debugtape.adapters.dap import record as record_mod

    log = tmp_path / "requests.log"
    fake = [sys.executable, str(FAKE), mode, str(log), str(stops)]
    if way == "direct":
        monkeypatch.setattr(direct_mod, "debuggee_command", lambda program, address, **_: [
            *fake, "--connect", f"{address[0]}:{address[1]}"])
    else:
        monkeypatch.setenv("DEBUGTAPE_DEBUGPY_ADAPTER", "1")
        monkeypatch.setattr(record_mod, "adapter_command", lambda python=None, nodelay=True: fake)
    monkeypatch.setattr(record_mod, "REQUEST_TIMEOUT", 1.0)
    monkeypatch.setattr(record_mod, "WATCH_INTERVAL", 0.1)
    line = mark_line(FIXTURES / "loop.py", "hit")
    error: BaseException | None = None
    sid: str | None = None
    try:
        sid = record(RecordOptions(program=["loop.py"], db=store_path, cwd=str(FIXTURES), quiet=True,
                                   breaks=[f"loop.py:{line}"]))
    except DapError as exc:
        error = exc
    return sid, error, log.read_text().splitlines()


def interrupted_stops(db: Path) -> list[Any]:
    """The frames and locals of each stop of the store's only session, which must read interrupted."""
    session = only_session(db)
    assert session["status"] == "interrupted"
    return frames_and_locals(db, session["id"])


def only_session(db: Path) -> dict[str, Any]:
    from debugtape.store import Store

    store = Store(db)
    try:
        (session,) = store.sessions()
        return session
    finally:
        store.close()


def frames_and_locals(db: Path, session: str) -> list[list[tuple[str, Any]]]:
    return [[(f["symbol"], f.get("locals")) for f in e.data["frames"]] for e in events(db, session, "debug_snapshot")]


@pytest.mark.timeout(60)
def test_replies_in_reverse_order_give_every_snapshot_whole(tmp_path: Path, store_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, way: str) -> None:
    sid, error, requests = record_with_fake("reorder", tmp_path, store_path, monkeypatch, way)
    assert error is None and sid is not None
    assert frames_and_locals(store_path, sid) == [
        [("f", {"i": n}), ("<module>", {"total": n * 10})] for n in range(1, 5)]
    assert only_session(store_path)["status"] == "completed"
    # The first stop reads the scopes (and frame 0 by its id, to compare); later stops only the
    # frames by their ids: a stack, one batch of variables, continue.
    at = {n: [r.split(" ", 1)[1] for r in requests if r.startswith(f"{n} ") and "disconnect" not in r] for n in range(1, 5)}
    assert at[1].count("scopes") == 2 and at[1].count("variables") == 3
    for n in (2, 3, 4):
        assert at[n] == ["stackTrace", "variables", "variables", "continue"]


@pytest.mark.timeout(60)
def test_a_reply_that_never_comes_is_a_clear_error_and_loses_nothing(tmp_path: Path, store_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch, way: str) -> None:
    sid, error, _ = record_with_fake("silent", tmp_path, store_path, monkeypatch, way)
    assert isinstance(error, DapTimeout)
    assert f"no response from {PEERS[way]} within 1 s to variables while the program was stopped" in str(error)
    # The whole first stop, and the stack of the stop whose locals never came.
    assert interrupted_stops(store_path) == [
        [("f", {"i": 1}), ("<module>", {"total": 10})], [("f", None), ("<module>", None)]]


@pytest.mark.timeout(60)
def test_a_continue_that_is_never_answered_is_a_clear_error(tmp_path: Path, store_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, way: str) -> None:
    sid, error, requests = record_with_fake("stuck", tmp_path, store_path, monkeypatch, way)
    assert isinstance(error, DapTimeout)
    assert "within 1 s to continue while the program was stopped" in str(error)
    assert "2 continue" in requests
    assert interrupted_stops(store_path) == [
        [("f", {"i": 1}), ("<module>", {"total": 10})], [("f", {"i": 2}), ("<module>", {"total": 20})]]


@pytest.mark.timeout(60)
def test_an_adapter_dying_mid_hit_is_a_clear_error_and_loses_nothing(tmp_path: Path, store_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    sid, error, _ = record_with_fake("die", tmp_path, store_path, monkeypatch, "adapter")
    assert error is not None and "debugpy's adapter exited before the program ended" in str(error)
    assert interrupted_stops(store_path) == [
        [("f", {"i": 1}), ("<module>", {"total": 10})], [("f", None), ("<module>", None)]]


@pytest.mark.timeout(60)
def test_a_program_dying_mid_hit_ends_the_session_with_its_exit_code(tmp_path: Path, store_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Direct, debugpy dies with the program: as debugpy's launcher would report it, the program
    exited (with its own exit code); every stop read until then is kept."""
    sid, error, _ = record_with_fake("die", tmp_path, store_path, monkeypatch, "direct")
    assert error is None and sid is not None
    session = only_session(store_path)
    assert session["status"] == "completed"
    (ended,) = events(store_path, sid, "session_ended")
    assert ended.data["exit_code"] == 3
    assert frames_and_locals(store_path, sid) == [
        [("f", {"i": 1}), ("<module>", {"total": 10})], [("f", None), ("<module>", None)]]


@pytest.mark.timeout(90)
def test_locals_read_through_frame_ids_equal_those_read_through_scopes(tmp_path: Path) -> None:
    """What debugtape records of real debugpy is the same either way it reads the locals."""
    need_module("debugpy")
    from debugtape.adapters.dap.record import HeadlessRecorder
    from debugtape.pipeline import open_pipeline

    fixture = FIXTURES / "features.py"
    breaks = [f"features.py:{mark_line(fixture, m)}" for m in ("recursion-bottom", "generator", "shapes")]
    got = {}
    for frame_locals in (False, None):
        db = tmp_path / "tape.db"  # one store: one redaction key, the same fingerprints
        recorder = HeadlessRecorder(RecordOptions(program=["features.py"], db=db, breaks=breaks, cwd=str(FIXTURES),
                                                  quiet=True))
        recorder.converter.frame_locals = frame_locals
        with open_pipeline(db, cwd=str(FIXTURES)) as pipeline:
            recorder.run(pipeline.feed)
            sid = pipeline.session_id
        assert sid is not None
        snaps = [{k: v for k, v in e.data.items() if k in ("reason", "frames", "truncation", "bp_id")}
                 for e in events(db, sid, "debug_snapshot")]
        # Addresses, thread idents, native thread ids and pids differ from one run to the next.
        got[frame_locals] = re.sub(r'0x[0-9a-f]{6,}|\b\d{5,}\b|(?<=native_id": )\d+', "#",
                                   json.dumps(snaps, sort_keys=True))
        assert recorder.converter.frame_locals is (False if frame_locals is False else True)
    assert got[False].count('"reason": "breakpoint"') == 5
    assert got[False] == got[None]


@pytest.mark.timeout(90)
def test_the_access_token_is_not_on_the_command_line_nor_inherited(store_path: Path, tmp_path: Path) -> None:
    # Anyone on the machine can read a command line (`ps`): with the token, a process could pose
    # as the program to debugtape. It travels in the environment, which the boot clears.
    need_module("debugpy")
    prog = tmp_path / "show.py"
    prog.write_text(
        "import os, subprocess, sys\n"
        "print('CMDLINE', open('/proc/self/cmdline', 'rb').read().replace(b'\\0', b' ').decode())\n"
        "print('ENV', sorted(k for k in os.environ if k.startswith('DEBUGTAPE_DEBUGPY')))\n"
        "print('CHILD', subprocess.run([sys.executable, '-c', 'import os; print(os.environ.get(\"DEBUGTAPE_DEBUGPY_TOKEN\"))'],"
        " capture_output=True, text=True).stdout.strip())\n")
    out = subprocess.run([sys.executable, "-m", "debugtape", "record", "--db", str(store_path), "--python",
                          "--", str(prog)], cwd=tmp_path, capture_output=True, text=True, timeout=80)
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if line.split(" ", 1)[0] in
                 ("CMDLINE", "ENV", "CHILD"))
    assert "debugpy" in lines["CMDLINE"] and "--connect" in lines["CMDLINE"]  # it is the debuggee's own
    assert "access-token" not in lines["CMDLINE"]
    assert not re.search(r"\b[0-9a-f]{32}\b", lines["CMDLINE"])  # the token's form: secrets.token_hex(16)
    assert lines["ENV"] == "[]" and lines["CHILD"] == "None"
    sid = out.stdout.strip().splitlines()[-1]
    assert events(store_path, sid, "session_ended")
