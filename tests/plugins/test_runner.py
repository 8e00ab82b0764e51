"""DeadlineRunner: answers, errors, overruns and idle exit of its worker thread."""

from __future__ import annotations

import threading
import time

import pytest

from debugtape.plugins.runner import DeadlineRunner

pytestmark = pytest.mark.timeout(30)


def _alive(runner_threads: list[threading.Thread]) -> list[threading.Thread]:
    return [t for t in runner_threads if t.is_alive()]


def _worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "debugtape-plugin-worker"]


def test_value_error_and_timeout() -> None:
    runner = DeadlineRunner(timeout=0.2, idle_exit=5)
    try:
        assert runner.call(lambda x: x * 2, {"x": 21}).value == 42
        failed = runner.call(lambda: 1 / 0)
        assert isinstance(failed.error, ZeroDivisionError) and not failed.ok
        release = threading.Event()
        hung = runner.call(release.wait, {"timeout": 10})
        assert hung.timed_out and not hung.ok
        # The next call runs on a fresh worker while the old one is still stuck.
        started = time.monotonic()
        assert runner.call(lambda: "next").value == "next"
        assert time.monotonic() - started < 0.2 * 4  # well under a second deadline wait
        release.set()
    finally:
        runner.close()


def test_worker_exits_when_idle_and_restarts() -> None:
    runner = DeadlineRunner(timeout=1, idle_exit=0.1)
    runner.call(lambda: None)
    threads = _worker_threads()
    assert threads
    deadline = time.monotonic() + 3
    while _alive(threads) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(threads)
    assert runner.call(lambda: 7).value == 7
    runner.close()
    assert not _alive(_worker_threads())


def test_concurrent_callers_are_serialised() -> None:
    runner = DeadlineRunner(timeout=2, idle_exit=1)
    active = []
    peak = []

    def work(i: int) -> int:
        active.append(i)
        peak.append(len(active))
        time.sleep(0.005)
        active.remove(i)
        return i

    results: list[int] = []
    threads = [threading.Thread(target=lambda i=i: results.append(runner.call(work, {"i": i}).value))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    runner.close()
    assert sorted(results) == list(range(8)) and max(peak) == 1
