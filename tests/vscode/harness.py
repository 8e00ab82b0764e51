"""Helpers for the VS Code tests: the built extension, and code-server in its own process group."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import REPO, need_binary

EXT = REPO / "vscode-ext"
ARTIFACTS = REPO / "test-artifacts"
CODE_SERVER_VERSION = "4.100.3"
INSTALL_HINT = "run scripts/install.d/60-vscode.sh"


def need_extension_build() -> str:
    """Node, with the extension's npm dependencies installed; returns node's path."""
    node = need_binary("node")
    for dep in ("esbuild", "typescript", "playwright-core"):
        if not (EXT / "node_modules" / dep / "package.json").is_file():
            pytest.skip(f"vscode-ext/node_modules/{dep} is missing ({INSTALL_HINT})")
    return node


def build_extension(node: str) -> None:
    run = subprocess.run([node, "esbuild.mjs", "--tests"], cwd=EXT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"extension build failed:\n{run.stdout}\n{run.stderr}"


def package_extension(node: str, out: Path) -> Path:
    """Packages the built extension into `out` with the `package` script of package.json, the
    command scripts/install.d/60-vscode.sh runs, only writing elsewhere; returns the .vsix."""
    script = json.loads((EXT / "package.json").read_text())["scripts"]["package"].split()
    assert script[:2] == ["vsce", "package"] and "-o" in script, script
    script[script.index("-o") + 1] = str(out)
    vsce = EXT / "node_modules" / "@vscode" / "vsce" / "vsce"
    run = subprocess.run([node, str(vsce), *script[1:]], cwd=EXT, capture_output=True, text=True, timeout=110)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def unpack_vsix(vsix: Path, dest: Path) -> Path:
    """The extension folder of a .vsix, as VS Code installs it."""
    with zipfile.ZipFile(vsix) as z:
        z.extractall(dest)
    return dest / "extension"


def need_code_server() -> str:
    path = need_binary("code-server")
    root = Path(os.path.realpath(path)).parent
    while root != root.parent and not (root / "package.json").is_file():
        root = root.parent
    try:
        version = json.loads((root / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        version = "unknown"
    if version != CODE_SERVER_VERSION:
        pytest.skip(f"code-server {CODE_SERVER_VERSION} is needed, found {version} ({INSTALL_HINT})")
    return path


def need_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(f"Debian's chromium is not installed ({INSTALL_HINT})")
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def isolated_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    """code-server and everything it starts get their own HOME and XDG folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VSCODE_", "XDG_"))}
    for name in ("config", "data", "cache", "state", "runtime"):
        folder = home / f".xdg-{name}"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[f"XDG_{name.upper()}_HOME" if name != "runtime" else "XDG_RUNTIME_DIR"] = str(folder)
    env["HOME"] = str(home)
    env.update(extra)
    return env


@contextmanager
def code_server(binary: str, home: Path, env_extra: dict[str, str]) -> Iterator[tuple[str, int, Path]]:
    """Starts code-server on 127.0.0.1 under its own session; yields (host, port, log file) and kills
    its whole process group at the end (it keeps the extension host alive for hours otherwise)."""
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    log = home / "code-server.log"
    args = [
        binary, "--bind-addr", f"127.0.0.1:{port}", "--auth", "none", "--disable-telemetry",
        "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override",
        "--user-data-dir", str(home / "user-data"), "--extensions-dir", str(home / "extensions"),
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, env=isolated_env(home, env_extra), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"code-server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"code-server did not answer within 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield "127.0.0.1", port, log
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


def workbench_url(host: str, port: int, folder: Path, extension: Path, tests: Path) -> str:
    remote = f"vscode-remote://{host}:{port}"
    payload = [["extensionDevelopmentPath", f"{remote}{extension}"], ["extensionTestsPath", f"{remote}{tests}"]]
    query = urllib.parse.urlencode({"folder": str(folder), "payload": json.dumps(payload)})
    return f"http://{host}:{port}/?{query}"
