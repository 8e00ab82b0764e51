"""The one place debugtape runs git: subprocess with timeouts, unquoted paths and clear errors."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from debugtape.errors import DebugtapeError

__all__ = ["GitError", "GIT_TIMEOUT", "run_git", "popen_git", "toplevel", "git_dir"]

log = logging.getLogger(__name__)

# Seconds one git call may take; blame on a long history is the slowest thing we run.
GIT_TIMEOUT = 20.0

# quotepath=off: paths come back as UTF-8 text, not octal escapes. The others keep user
# configuration from changing the output we parse.
_BASE = ["git", "-c", "core.quotepath=off", "-c", "color.ui=false", "-c", "log.showSignature=false"]


class GitError(DebugtapeError):
    """A git command failed; carries the arguments, exit code and git's own message."""

    def __init__(self, args: Sequence[str], returncode: int | None, stderr: str, cwd: str) -> None:
        what = stderr.strip().splitlines()[-1] if stderr.strip() else "no message"
        code = "timed out" if returncode is None else f"exit {returncode}"
        super().__init__(f"git {' '.join(args)} in {cwd}: {code}: {what}")
        self.args_ = list(args)
        self.returncode = returncode
        self.stderr = stderr
        self.cwd = cwd


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # A hook or an editor must never wait for a terminal while the pipeline runs.
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    env["GIT_OPTIONAL_LOCKS"] = "0"  # read-only calls must not take index.lock
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


def popen_git(args: Sequence[str], cwd: str | os.PathLike[str]) -> subprocess.Popen[bytes]:
    """`git ARGS` with its output as a stream, for readers that may stop early (kill it then)."""
    try:
        return subprocess.Popen([*_BASE, *args], cwd=str(cwd), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=_env())
    except OSError as exc:
        raise GitError(args, -1, str(exc), str(cwd)) from exc


def run_git(
    args: Sequence[str],
    cwd: str | os.PathLike[str],
    *,
    timeout: float = GIT_TIMEOUT,
    input_text: str | None = None,
) -> str:
    """Run `git ARGS` in `cwd` and return its standard output; raise GitError on any failure."""
    env = _env()
    try:
        proc = subprocess.run(
            [*_BASE, *args],
            cwd=str(cwd),
            input=input_text.encode() if input_text is not None else None,
            capture_output=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise GitError(args, None, f"no answer within {timeout:g} s", str(cwd)) from exc
    except FileNotFoundError as exc:
        if not Path(cwd).is_dir():
            raise GitError(args, -1, f"folder {cwd} does not exist", str(cwd)) from exc
        raise GitError(args, -1, "git is not installed (apt-get install git)", str(cwd)) from exc
    except OSError as exc:
        raise GitError(args, -1, str(exc), str(cwd)) from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        log.debug("git %s failed in %s: %s", " ".join(args), cwd, err.strip())
        raise GitError(args, proc.returncode, err, str(cwd))
    # surrogateescape: a diff of a Latin-1 file must still hash to the same bytes.
    return proc.stdout.decode("utf-8", "surrogateescape")


def toplevel(path: str | os.PathLike[str]) -> Path | None:
    """The work tree root holding `path` (a file or folder), or None outside any repository."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    while not folder.is_dir():
        if folder.parent == folder:
            return None
        folder = folder.parent
    try:
        out = run_git(["rev-parse", "--show-toplevel"], folder, timeout=10)
    except GitError:
        return None
    return Path(out.strip()) if out.strip() else None


def git_dir(top: Path) -> Path | None:
    """The repository's git directory (a worktree's own one for linked worktrees)."""
    try:
        out = run_git(["rev-parse", "--absolute-git-dir"], top, timeout=10)
    except GitError:
        return None
    return Path(out.strip())
