"""Runs plugin code on a worker thread with a deadline, so a hung plugin cannot stall a session."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Call", "DeadlineRunner"]

log = logging.getLogger(__name__)

_STOP = object()


@dataclass
class Call:
    """One call handed to the worker and what came of it."""

    fn: Callable[..., Any]
    kwargs: Mapping[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.done.is_set() and self.error is None and not self.timed_out

    def run(self) -> Call:
        """Run it on this thread (the worker's job, or a trusted built-in's call)."""
        try:
            self.value = self.fn(**self.kwargs)
        except BaseException as exc:  # a plugin may raise anything, even SystemExit
            self.error = exc
        finally:
            self.done.set()
        return self


class _Worker(threading.Thread):
    def __init__(self, runner: DeadlineRunner, idle_exit: float) -> None:
        super().__init__(name="debugtape-plugin-worker", daemon=True)
        self.jobs: queue.SimpleQueue[Call | object] = queue.SimpleQueue()
        self.abandoned = False
        self._runner = runner
        self._idle_exit = idle_exit

    def run(self) -> None:
        while True:
            try:
                job = self.jobs.get(timeout=self._idle_exit)
            except queue.Empty:
                # Exit when idle so a session that never closes its hooks leaks no thread;
                # the runner starts a fresh worker on the next call.
                if self._runner._retire(self):
                    return
                continue
            if job is _STOP or not isinstance(job, Call):
                return
            job.run()
            if self.abandoned:
                # This worker overran a deadline; the runner moved on to a new one.
                return


class DeadlineRunner:
    """Serialises calls onto one daemon worker thread and waits at most `timeout` for each.

    A call that overruns is marked `timed_out`; its worker is abandoned (a Python thread cannot be
    killed) and the next call gets a new worker. The worker exits on its own after `idle_exit`
    seconds without work.
    """

    def __init__(self, timeout: float, idle_exit: float = 2.0) -> None:
        self.timeout = timeout
        self._idle_exit = idle_exit
        self._lock = threading.Lock()
        self._serial = threading.Lock()
        self._worker: _Worker | None = None

    def call(self, fn: Callable[..., Any], kwargs: Mapping[str, Any] | None = None,
             timeout: float | None = None) -> Call:
        job = Call(fn, dict(kwargs or {}))
        with self._serial:
            with self._lock:
                worker = self._worker
                if worker is None:
                    worker = self._worker = _Worker(self, self._idle_exit)
                    worker.start()
                worker.jobs.put(job)
            if job.done.wait(self.timeout if timeout is None else timeout):
                return job
            job.timed_out = True
            with self._lock:
                worker.abandoned = True
                if self._worker is worker:
                    self._worker = None
            return job

    def _retire(self, worker: _Worker) -> bool:
        with self._lock:
            if not worker.jobs.empty():
                return False
            if self._worker is worker:
                self._worker = None
            return True

    def close(self, wait: float = 1.0) -> None:
        """Stop the current worker (an abandoned, hung one is left to the interpreter's exit)."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.jobs.put(_STOP)
            worker.join(wait)
