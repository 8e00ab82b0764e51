"""What git says about a batch of paths: ignored, tracked, changed line ranges against HEAD; refs."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from debugtape.correlate.git import GitError, run_git

__all__ = ["GitView", "RefState", "parse_diff_u0", "MAX_RANGES", "CHUNK"]

log = logging.getLogger(__name__)

MAX_RANGES = 100  # per file; more are cut and the event says so
CHUNK = 500  # paths per git call: keeps command lines short
MAX_DIFF_BYTES = 4 * 1024 * 1024  # larger files get no line ranges

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            '"': '"', "\\": "\\"}


def _unquote(name: str) -> str:
    """git's C-style quoting of unusual file names ("a\\tb", octal bytes)."""
    if not (len(name) >= 2 and name[0] == '"' and name[-1] == '"'):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and i + 4 <= len(body):
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out += _ESCAPES.get(nxt, nxt).encode()
            i += 2
            continue
        out += ch.encode("utf-8", "surrogateescape")
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _header_name(line: str) -> str:
    # git ends a ---/+++ name that holds a space with a tab, so the name's end is unambiguous.
    name = line[4:]
    return name[:-1] if name.endswith("\t") else name


def parse_diff_u0(text: str) -> dict[str, list[list[int]] | str]:
    """`git diff -U0` output -> {path: [[start, end], ...] on the new side} or {path: "binary"}.

    A pure deletion (new side `+c,0`) shows as the one-line range [c, c] where lines went away.
    """
    out: dict[str, list[list[int]] | str] = {}
    current: str | None = None
    old: str | None = None
    for line in text.splitlines():
        if line.startswith("diff --git "):
            current = old = None
        elif line.startswith("--- "):
            name = _unquote(_header_name(line))
            old = name[2:] if name.startswith("a/") else None
        elif line.startswith("+++ "):
            name = _unquote(_header_name(line))
            current = name[2:] if name.startswith("b/") else old  # /dev/null: file deleted
            if current is not None:
                out.setdefault(current, [])
        elif line.startswith("Binary files ") and line.endswith(" differ"):
            # "Binary files a/X and b/X differ": take the new name after " and b/".
            cut = line[len("Binary files "):-len(" differ")]
            name = cut.split(" and ", 1)[-1]
            name = _unquote(name)
            if name.startswith("b/"):
                out[name[2:]] = "binary"
        elif line.startswith("@@") and current is not None:
            m = _HUNK.match(line)
            ranges = out.get(current)
            if m and isinstance(ranges, list):
                start, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
                ranges.append([max(start, 1), max(start, 1)] if count == 0 else [start, start + count - 1])
    return out


@dataclass
class RefState:
    head: str | None = None
    branch: str | None = None
    branches: dict[str, str] = field(default_factory=dict)


class GitView:
    """Batched git questions about one work tree (`top`); every call degrades to "no answer"."""

    def __init__(self, top: Path) -> None:
        self.top = top

    def _git(self, args: Sequence[str], input_text: str | None = None, ok: tuple[int, ...] = ()) -> str | None:
        try:
            return run_git(args, self.top, input_text=input_text)
        except GitError as exc:
            if exc.returncode in ok:
                return ""
            log.warning("%s", exc)
            return None

    def ignored(self, paths: Sequence[str]) -> set[str]:
        """Which of these repository-relative paths git ignores (one call per chunk)."""
        found: set[str] = set()
        for i in range(0, len(paths), CHUNK):
            chunk = paths[i:i + CHUNK]
            # exit 1 means "none of them is ignored".
            out = self._git(["check-ignore", "--stdin", "-z"], "\0".join(chunk) + "\0", ok=(1,))
            if out:
                found.update(p for p in out.split("\0") if p)
        return found

    def tracked(self, paths: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(paths), CHUNK):
            out = self._git(["ls-files", "-z", "--", *[_literal(p) for p in paths[i:i + CHUNK]]])
            if out:
                found.update(p for p in out.split("\0") if p)
        return found

    def changed_lines(self, paths: Sequence[str]) -> dict[str, list[list[int]] | str]:
        """Line ranges each tracked path differs from HEAD by (new side), or "binary"."""
        out: dict[str, list[list[int]] | str] = {}
        small = [p for p in paths if _size(self.top / p) <= MAX_DIFF_BYTES]
        for i in range(0, len(small), CHUNK):
            text = self._git([
                "diff", "-U0", "--no-ext-diff", "--no-textconv", "--no-renames",
                "--src-prefix=a/", "--dst-prefix=b/", "HEAD", "--",
                *[_literal(p) for p in small[i:i + CHUNK]],
            ])
            if text:
                out.update(parse_diff_u0(text))
        return out

    def refs(self) -> RefState:
        state = RefState()
        head = self._git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], ok=(1,))
        state.head = head.strip() or None if head else None
        branch = self._git(["symbolic-ref", "-q", "--short", "HEAD"], ok=(1,))
        state.branch = branch.strip() or None if branch else None
        heads = self._git(["for-each-ref", "--format=%(refname:short)%00%(objectname)", "refs/heads"])
        for line in (heads or "").splitlines():
            name, _, oid = line.partition("\0")
            if name and oid:
                state.branches[name] = oid
        return state

    def reflog(self, limit: int = 50) -> list[tuple[str, str, str]] | None:
        """HEAD's reflog, newest first: (commit, selector with time, subject). None if git has none."""
        out = self._git(["log", "-g", f"-n{limit}", "--date=raw", "--format=%H%x00%gd%x00%gs", "HEAD"],
                        ok=(128,))
        if not out:
            return None
        entries = []
        for line in out.splitlines():
            parts = line.split("\0")
            if len(parts) == 3:
                entries.append((parts[0], parts[1], parts[2]))
        return entries or None

    def count_files(self) -> int | None:
        out = self._git(["ls-files", "-z", "-co", "--exclude-standard"])
        return None if out is None else out.count("\0")


def _literal(path: str) -> str:
    # Paths are names, not pathspec patterns: `[` or `*` in a file name must match itself.
    return ":(literal)" + path


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
