"""What the CLI commands share: the --db/--json/--as-of options, opening the store, output, errors."""

from __future__ import annotations

import functools
import gc
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from debugtape.errors import DebugtapeError

__all__ = ["db_option", "json_option", "as_of_option", "open_store", "emit_json", "fail", "handle_errors",
           "short", "console"]

F = TypeVar("F", bound=Callable[..., Any])

db_option = click.option(
    "--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="The store file (default: DEBUGTAPE_DB, else <git top>/.debugtape/tape.db, else XDG data dir).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
as_of_option = click.option(
    "--as-of", "as_of", default=None, metavar="TIME|EVENT_ID",
    help="Answer as the store stood then: an event id, an ISO 8601 time, or a duration ago (2h).",
)


def db_path(db: Path | None) -> Path:
    from debugtape.paths import resolve_db

    return resolve_db(db)


def open_store(db: Path | None, *, readonly: bool = True) -> Any:
    """The store at --db (or the default place); read-only for queries."""
    from debugtape.store import Store

    path = db_path(db)
    return Store(path, readonly=readonly and path.exists())


def quiet_collector() -> None:
    """For a process that only records (`ingest`, `record`): what it imported never becomes
    garbage, and each snapshot's objects are freed by reference counting. Leave the start-up
    objects out of the cyclic collector's walks and let it run less often (it cost ~10-25 us per
    snapshot)."""
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)


def fail(exc: BaseException) -> click.ClickException:
    return click.ClickException(str(exc))


def handle_errors(fn: F) -> F:
    """Turn library errors into one-line CLI errors at the boundary."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DebugtapeError as exc:
            raise fail(exc) from exc
        except sqlite3.Error as exc:  # a store failure not caught deeper: still one clear line
            from debugtape.store.db import store_error

            raise fail(store_error(kwargs.get("db") or "store", exc)) from exc
        except BrokenPipeError:
            sys.stderr.close()
            return None

    return wrapper  # type: ignore[return-value]


def emit_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def emit_json_lines(texts: Sequence[str]) -> None:
    """A JSON array of items already encoded as JSON texts, one item per line."""
    click.echo("[\n" + ",\n".join(texts) + "\n]" if texts else "[]")


def short(ident: str | None, n: int = 8) -> str:
    return (ident or "")[:n]


@functools.lru_cache(maxsize=1)
def console() -> Any:
    from rich.console import Console

    # Not a terminal (a pipe, an agent): do not squeeze tables into 80 columns.
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)
