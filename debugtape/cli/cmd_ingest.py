"""`debugtape ingest`: raw capture records (or DAP messages) as JSON lines on stdin into the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from debugtape.cli.common import db_option, db_path, handle_errors, quiet_collector

__all__ = ["command", "ingest_stream"]


def _err(msg: str) -> None:
    click.echo(f"debugtape ingest: {msg}", err=True)


def ingest_stream(stream: Any, db: Path, *, dap: bool = False, cwd: str | None = None,
                  snapshot_rate: float | None = None, sample_rate: float | None = None) -> list[str]:
    """Read JSON lines until end of input; returns the ids of the sessions written."""
    from debugtape.pipeline import PipelineFactory, RateLimits
    from debugtape.records import RecordError, validate
    from debugtape.store import Store

    store = Store(db)
    errors: list[str] = []
    writer = store.background_writer(on_error=lambda e: _err(str(e)))
    limits = RateLimits(
        snapshots_per_s=snapshot_rate if snapshot_rate is not None else RateLimits.snapshots_per_s,
        samples_per_s=sample_rate if sample_rate is not None else RateLimits.samples_per_s,
    )
    factory = PipelineFactory(store, writer, cwd, limits=limits)
    pipeline = factory.new()
    sessions: list[str] = []
    converter: Any = None
    if dap:
        from debugtape.adapters.dap.ingest import DapIngest

        converter = DapIngest()

    def feed(record: Any) -> None:
        nonlocal pipeline
        validate(record)
        if record["kind"] == "sync":
            _sync(writer, record["path"])
            return
        if pipeline.ended:
            if pipeline.session_id:
                sessions.append(pipeline.session_id)
            pipeline = factory.new()
        pipeline.feed(record)

    try:
        for lineno, raw in enumerate(stream, 1):
            line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if not line.strip():
                continue
            try:
                if converter is not None:
                    records = converter.feed_line(line)
                else:
                    try:
                        records = [json.loads(line)]
                    except json.JSONDecodeError as exc:
                        # Never echo the line itself: it may hold a secret.
                        raise RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
                for record in records:
                    feed(record)
            except RecordError as exc:
                pipeline.counts["malformed_records"] += 1
                errors.append(f"line {lineno}: {exc.reason}")
                _err(f"line {lineno}: {exc.reason}; skipped")
        if converter is not None:
            for record in converter.finish():
                try:
                    feed(record)
                except RecordError as exc:
                    _err(f"end of input: {exc.reason}; skipped")
    except KeyboardInterrupt:
        pass
    interrupted = not pipeline.ended
    if interrupted and pipeline.session_id:
        _err(f"session {pipeline.session_id}: input ended without an end record; kept as interrupted")
    factory.close(pipeline, interrupted=interrupted)
    writer.close()
    store.close()
    if pipeline.session_id:
        sessions.append(pipeline.session_id)
    return sessions


def _sync(writer: Any, path: str) -> None:
    """Commit everything fed so far, then create the (empty) file `path` to say so."""
    from debugtape.records import RecordError

    writer.flush(30)
    try:
        with open(path, "x"):
            pass
    except OSError as exc:
        raise RecordError(f"sync: cannot create {path}: {exc.strerror}") from exc


@click.command("ingest")
@db_option
@click.option("--dap", is_flag=True, help="Input is DAP messages (one JSON object per line), e.g. from VS Code.")
@click.option("--cwd", default=None, help="Folder whose git repository gives the commit context.")
@click.option("--snapshot-rate", type=float, default=None, help="Max snapshots per second (token bucket).")
@click.option("--sample-rate", type=float, default=None, help="Max stack samples per second (token bucket).")
@handle_errors
def command(db: Path | None, dap: bool, cwd: str | None, snapshot_rate: float | None,
            sample_rate: float | None) -> None:
    """Read raw capture records as JSON lines on stdin and store them.

    This is how code inside gdb and lldb, the DAP proxy and the VS Code extension feed the store
    (record format: README, "Raw record format"). A malformed line is reported with its line
    number and skipped; input that ends without an end record leaves the session interrupted.
    Prints the id of each session written.
    """
    quiet_collector()
    for sid in ingest_stream(sys.stdin.buffer, db_path(db), dap=dap, cwd=cwd,
                             snapshot_rate=snapshot_rate, sample_rate=sample_rate):
        click.echo(sid)
