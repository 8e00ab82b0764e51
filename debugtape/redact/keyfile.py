"""The per-store fingerprint key: `<store_dir>/redact.key`, 32 random bytes, mode 0600."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

__all__ = ["KEY_FILE", "load_key"]

log = logging.getLogger(__name__)

KEY_FILE = "redact.key"
_KEY_LEN = 32


def load_key(store_dir: Path) -> bytes:
    """Read the store's key, creating it (and the folder, 0700) on first use.

    If the key cannot be read or written, a fresh in-memory key is used: fingerprints then
    differ from the store's, but nothing is ever written unredacted.
    """
    path = Path(store_dir) / KEY_FILE
    for _ in range(3):
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            key = b""
        except OSError as exc:
            log.warning("cannot read %s (%s); using a temporary redaction key", path, exc)
            return secrets.token_bytes(_KEY_LEN)
        if len(key) >= 16:
            _tighten(path)
            return key
        try:
            return _create(path)
        except FileExistsError:
            continue  # another process made it first: read theirs
        except OSError as exc:
            log.warning("cannot create %s (%s); using a temporary redaction key", path, exc)
            return secrets.token_bytes(_KEY_LEN)
    return secrets.token_bytes(_KEY_LEN)


def _create(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(_KEY_LEN)
    if path.exists() and path.stat().st_size < 16:
        path.unlink()  # an empty or cut key file from a crash: replace it
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic, and fails if another process won the race
    except FileExistsError:
        raise
    except OSError:
        # No hard links on this file system: exclusive create is the next best thing.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key)
        finally:
            os.close(fd)
    finally:
        tmp.unlink()
    return key


def _tighten(path: Path) -> None:
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:
        pass
