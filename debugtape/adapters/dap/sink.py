"""Hands raw records to the pipeline from one thread, so a slow stage never stalls DAP traffic."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from debugtape.records import RecordError, validate

__all__ = ["RecordSink"]

log = logging.getLogger(__name__)

_STOP = object()


class RecordSink:
    """`put(records)` never blocks; a thread validates each record and calls `feed` in order."""

    def __init__(self, feed: Callable[[Mapping[str, Any]], None]) -> None:
        self._feed = feed
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.fed = 0
        self.rejected = 0
        self.failed: str | None = None
        self._thread = threading.Thread(target=self._run, name="debugtape-dap-sink", daemon=True)
        self._thread.start()

    def put(self, records: Iterable[Mapping[str, Any]]) -> None:
        for rec in records:
            self._queue.put(rec)

    def flush(self, timeout: float = 30.0) -> None:
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self, timeout: float = 60.0) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            try:
                self._feed(validate(item))
                self.fed += 1
            except RecordError as exc:
                self.rejected += 1
                if self.rejected <= 3:  # one bad stream must not flood the log
                    log.warning("dropped a record: %s", exc.reason)
            except Exception as exc:  # the store failing must not end the debug session
                self.failed = str(exc)
                log.error("recording failed: %s", exc)
