"""Opening the SQLite file safely, and turning SQLite failures into one-line errors that say what to do."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from debugtape.errors import StoreError

__all__ = ["connect", "store_error", "BUSY_TIMEOUT_MS"]

BUSY_TIMEOUT_MS = 10_000


def _private_dir(folder: Path) -> None:
    new = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if new or folder.name == ".debugtape":
        try:
            os.chmod(folder, 0o700)
        except OSError:
            pass
    if folder.name == ".debugtape":
        ignore = folder / ".gitignore"
        if not ignore.exists():
            try:
                ignore.write_text("*\n")
            except OSError:
                pass


def _private_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        try:
            if p.exists() and (p.stat().st_mode & 0o077):
                os.chmod(p, 0o600)
        except OSError:
            pass


def _create(path: Path) -> None:
    """Make a new store that appears whole: built under a name of its own (0600, in WAL mode,
    migrated, its WAL folded in), then linked into place. Two processes that create the same
    store at once (a debugger's ingest child and its file watcher) each build one and the
    first link wins; a store created in place would be an empty file for a while, which a
    second process opening it takes for a database in rollback mode (seen: "database is
    locked" under load)."""
    from debugtape.store.schema import migrate

    tmp = path.with_name(f".{path.name}.new-{os.getpid()}-{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)  # 0600 before SQLite (the umask)
    os.close(fd)
    try:
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()  # the last connection removes the -wal and -shm files
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:  # no hard links here: move it, unless one appeared meanwhile
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{tmp}{suffix}")
            except FileNotFoundError:
                pass


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (we BEGIN ourselves), WAL, with a busy timeout."""
    path = Path(path)
    try:
        if readonly:
            if not path.exists():
                raise StoreError(str(path), "does not exist", "record a session first or pass --db")
            conn = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            _private_dir(path.parent)
            if not path.exists():
                _create(path)
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(str(path), f"cannot use WAL mode (got {mode})", "put the store on a local disk")
            conn.execute("PRAGMA synchronous = NORMAL")
            _private_files(path)
        conn.execute("PRAGMA foreign_keys = OFF")
        # Fail now, not on the first query, if the file is not a database.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error as exc:
        raise store_error(path, exc) from exc
    except PermissionError as exc:
        raise StoreError(str(path), "permission denied", "check the folder's owner and mode (0700)") from exc


def store_error(path: Path | str, exc: BaseException) -> StoreError:
    """A one-line StoreError saying which failure this is and what to do about it."""
    msg = str(exc).lower()
    where = str(path)
    if "locked" in msg or "busy" in msg:
        return StoreError(
            where, "locked by another process",
            "wait for the other debugtape writer to finish, or stop it (lsof the file to find it)",
        )
    if "readonly" in msg or "read-only" in msg or "attempt to write" in msg:
        return StoreError(
            where, "read-only", "make the file and its folder writable, or pass --db to a writable place"
        )
    if "full" in msg:
        return StoreError(
            where, "disk is full", "free disk space or run `debugtape prune`; nothing was half-written"
        )
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return StoreError(
            where, "corrupt (not a readable SQLite database)",
            "move the file aside and start a new store; `sqlite3 FILE .recover` may save its events",
        )
    if "unable to open" in msg:
        return StoreError(where, "cannot be opened", "check that the folder exists and is writable")
    return StoreError(where, f"SQLite error: {exc}", "see the message above")
