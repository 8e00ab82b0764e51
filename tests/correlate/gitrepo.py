"""Real git repositories built for the correlation tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support import need_binary

ENV = {
    "GIT_AUTHOR_NAME": "Ada Tester",
    "GIT_AUTHOR_EMAIL": "ada@example.invalid",
    "GIT_COMMITTER_NAME": "Ada Tester",
    "GIT_COMMITTER_EMAIL": "ada@example.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


class GitRepo:
    """A work tree in a temporary folder with helpers to write files and commit them."""

    def __init__(self, root: Path, branch: str = "main") -> None:
        need_binary("git")
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self._tick = 1_700_000_000

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        env = {**os.environ, **ENV}
        out = subprocess.run(["git", *args], cwd=self.root, env=env, input=stdin,
                             capture_output=True, check=True)
        return out.stdout.decode()

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def commit(self, message: str, *paths: str, when: int | None = None) -> str:
        self._tick += 60
        t = when if when is not None else self._tick
        self.git("add", *(paths or ("-A",)))
        env_date = f"{t} +0000"
        env = {**os.environ, **ENV, "GIT_AUTHOR_DATE": env_date, "GIT_COMMITTER_DATE": env_date}
        subprocess.run(["git", "commit", "-q", "-m", message], cwd=self.root, env=env, check=True)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()


def fast_import_history(repo: GitRepo, commits: int, files: int = 20, lines: int = 300) -> dict[str, list[str]]:
    """`commits` commits through git fast-import: commit n rewrites one line of src/fK.c
    (K = n % files, line (n // files) % lines), so line ages range over the whole history.

    Returns each file's final lines. 5,000 commits take about a second this way.
    """
    content = {f"src/f{k}.c": [f"int v{i} = {i};" for i in range(lines)] for k in range(files)}
    chunks: list[bytes] = []
    t = 1_600_000_000
    for n in range(commits):
        name = f"src/f{n % files}.c"
        row = (n // files) % lines
        content[name][row] = f"int v{row} = {n};  /* commit {n} */"
        msg = f"change {name} line {row + 1} (commit {n})\n".encode()
        chunks.append(b"commit refs/heads/main\nmark :%d\n" % (n + 1))
        chunks.append(b"author Bulk Author <bulk@example.invalid> %d +0000\n" % (t + n))
        chunks.append(b"committer Bulk Author <bulk@example.invalid> %d +0000\n" % (t + n))
        chunks.append(b"data %d\n%s" % (len(msg), msg))
        if n:
            chunks.append(b"from :%d\n" % n)
        names = list(content) if n == 0 else [name]
        for each in names:
            blob = ("\n".join(content[each]) + "\n").encode()
            chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (each.encode(), len(blob), blob))
    repo.git("fast-import", "--quiet", stdin=b"".join(chunks))
    repo.git("checkout", "-q", "-f", "main")
    return content
