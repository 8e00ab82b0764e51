"""`debugtape redact`: a filter that redacts secrets from text (or JSON lines) on stdin to stdout."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, BinaryIO

import click

from debugtape.cli.common import handle_errors

__all__ = ["command"]


def _err(msg: str) -> None:
    click.echo(f"debugtape redact: {msg}", err=True)


def _redactor(db: Path | None, no_config: bool) -> Any:
    """The store's key if it already exists (markers then match the store's), else a fresh one."""
    from debugtape.paths import git_toplevel, resolve_db, store_dir
    from debugtape.redact import KEY_FILE, Redactor, load_config
    from debugtape.redact.keyfile import load_key

    root = None if no_config else git_toplevel(Path.cwd())
    config = load_config(root)
    path = resolve_db(db)
    key = None
    if (store_dir(path) / KEY_FILE).exists():
        key = load_key(store_dir(path))
    elif db is not None:
        _err(f"no key beside {path}: fingerprints will not match that store's markers")
    return Redactor(key, config)


def run(stdin: BinaryIO, stdout: BinaryIO, redactor: Any, jsonl: bool) -> Any:
    """Copy stdin to stdout redacted, line by line; returns the LineRedactor (its stats)."""
    from debugtape.redact.stream import LineRedactor

    lines = LineRedactor(redactor)
    warned = False
    for raw in stdin:
        body = raw.rstrip(b"\r\n")
        ending = raw[len(body):]
        try:
            text = body.decode("utf-8")
            errors = "strict"
        except UnicodeDecodeError:
            # Text mode keeps the undecodable bytes as they were (surrogateescape); JSON cannot
            # hold them, so --jsonl replaces them with U+FFFD.
            errors = "replace" if jsonl else "surrogateescape"
            text = body.decode("utf-8", errors)
            if not warned:
                _err("input is not valid UTF-8; "
                     + ("invalid bytes became U+FFFD" if jsonl else "invalid bytes are passed through as they are"))
                warned = True
        out = lines.json_line(text) if jsonl else lines.text(text)
        stdout.write(out.encode("utf-8", "surrogateescape" if errors == "surrogateescape" else "strict"))
        stdout.write(ending if ending else b"")
        stdout.flush()
    return lines


@click.command("redact")
@click.option("--jsonl", is_flag=True, help="Each line is one JSON value: redact it keeping its structure.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Use this store's fingerprint key, so markers match the ones in the store.")
@click.option("--stats", "show_stats", is_flag=True, help="Print how many values were redacted, by kind, on stderr.")
@click.option("--no-config", is_flag=True, help="Ignore [tool.debugtape.redact] of the project.")
@handle_errors
def command(jsonl: bool, db: Path | None, show_stats: bool, no_config: bool) -> None:
    """Redact secrets from stdin to stdout, one output line per input line.

    Replaces passwords, tokens, keys, card numbers and other secrets with
    [REDACTED:<kind>:<fingerprint>] markers; commit hashes, UUIDs, addresses, paths and
    numbers stay. With --jsonl each line is parsed as JSON and redacted by key and value
    (a line that is not JSON is redacted as text, with a warning).
    """
    redactor = _redactor(db, no_config)
    try:
        lines = run(sys.stdin.buffer, sys.stdout.buffer, redactor, jsonl)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    if lines.not_json:
        _err(f"{lines.not_json} line(s) were not JSON and were redacted as text")
    if show_stats:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(lines.stats.kinds.items())) or "none"
        _err(f"{lines.stats.count} value(s) redacted ({kinds})")
