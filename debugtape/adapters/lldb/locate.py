"""Find lldb, its Python module and lldb-server on Debian's llvm-19 layout (standard library only).

Debian ships `lldb-19`, with the unsuffixed tools in /usr/lib/llvm-19/bin. `lldb-19 -P` names the
folder of the `lldb` Python package, whose `_lldb*.so` is a link to `liblldb.so` that only
`liblldb-19-dev` provides; without it `import lldb` fails. Launching a process from Python also
needs LLDB_DEBUGSERVER_PATH. This module finds each piece and explains what is missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from debugtape.errors import AdapterError

__all__ = [
    "LLVM_VERSIONS",
    "LldbSetupError",
    "LldbPython",
    "lldb_binary",
    "lldb_python",
    "debugserver_path",
    "import_lldb",
]

LLVM_VERSIONS = (19, 20, 18, 17)


class LldbSetupError(AdapterError):
    """lldb or its Python module cannot be used; `fix` says what to do."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__("lldb", f"{message}; {fix}")
        self.fix = fix


def lldb_binary() -> str | None:
    """The lldb executable: $DEBUGTAPE_LLDB, lldb-19 (or another known version), then lldb."""
    explicit = os.environ.get("DEBUGTAPE_LLDB")
    if explicit:
        return shutil.which(explicit) or (explicit if os.access(explicit, os.X_OK) else None)
    for v in LLVM_VERSIONS:
        found = shutil.which(f"lldb-{v}") or _exe(f"/usr/lib/llvm-{v}/bin/lldb")
        if found:
            return found
    return shutil.which("lldb")


def _exe(path: str) -> str | None:
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


@dataclass(frozen=True)
class LldbPython:
    """Where lldb's Python package lives and whether it can load."""

    path: Path  # the folder to put on sys.path
    python_tag: str | None  # e.g. "3.11": the Python the module was built for
    extension: Path | None  # _lldb*.so
    extension_target_ok: bool  # False: the link points at a missing liblldb.so


def lldb_python(binary: str | None = None, timeout: float = 20.0) -> LldbPython:
    """Ask `lldb -P` where the Python package is and check its native part; raise LldbSetupError."""
    binary = binary or lldb_binary()
    if not binary:
        raise LldbSetupError("lldb is not installed", "install it: apt-get install lldb-19 python3-lldb-19 liblldb-19-dev")
    try:
        out = subprocess.run([binary, "-P"], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        raise LldbSetupError(f"`{binary} -P` failed: {exc}", "check the lldb installation") from exc
    text = out.stdout.strip().splitlines()
    if out.returncode != 0 or not text:
        raise LldbSetupError(f"`{binary} -P` printed no path", "install python3-lldb-19")
    path = Path(text[-1].strip())
    package = path / "lldb"
    if not (package / "__init__.py").is_file():
        raise LldbSetupError(
            f"lldb's Python package is missing from {path}",
            "install it: apt-get install python3-lldb-19",
        )
    tag = None
    for part in path.parts:
        if part.startswith("python3."):
            tag = part[len("python"):]
    exts = sorted(glob.glob(str(package / "_lldb*.so")))
    ext = Path(exts[0]) if exts else None
    target_ok = ext is not None and ext.exists()  # exists() follows the link
    return LldbPython(path=path, python_tag=tag, extension=ext, extension_target_ok=target_ok)


def debugserver_path() -> str | None:
    """lldb-server for LLDB_DEBUGSERVER_PATH: the variable if it names a file, else llvm's own."""
    env = os.environ.get("LLDB_DEBUGSERVER_PATH")
    if env and _exe(env):
        return env
    for v in LLVM_VERSIONS:
        found = _exe(f"/usr/lib/llvm-{v}/bin/lldb-server") or shutil.which(f"lldb-server-{v}")
        if found:
            return found
    return shutil.which("lldb-server")


def explain_unloadable(info: LldbPython) -> LldbSetupError | None:
    """Why `import lldb` would fail in this Python, before trying it (None: it should load)."""
    if info.extension is None:
        return LldbSetupError(f"no _lldb extension in {info.path / 'lldb'}", "reinstall python3-lldb-19")
    if not info.extension_target_ok:
        target = os.readlink(info.extension) if info.extension.is_symlink() else str(info.extension)
        return LldbSetupError(
            f"{info.extension.name} links to {target}, which does not exist "
            "(Debian ships only liblldb-19.so.1)",
            "install the missing link: apt-get install liblldb-19-dev",
        )
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if info.python_tag and info.python_tag != here:
        return LldbSetupError(
            f"lldb's Python module is built for Python {info.python_tag}, this is Python {here}",
            f"run debugtape with python{info.python_tag} for headless lldb recording",
        )
    return None


def import_lldb() -> ModuleType:
    """Import the `lldb` module (adding lldb's folder to sys.path) and set LLDB_DEBUGSERVER_PATH."""
    server = debugserver_path()
    if server and not os.environ.get("LLDB_DEBUGSERVER_PATH"):
        # Without it, launching from a plain Python process fails with "unable to locate lldb-server".
        os.environ["LLDB_DEBUGSERVER_PATH"] = server
    if "lldb" in sys.modules:
        return sys.modules["lldb"]
    try:
        import lldb  # type: ignore[import-not-found]

        return lldb  # type: ignore[no-any-return]
    except ImportError:
        pass
    info = lldb_python()
    problem = explain_unloadable(info)
    if problem is not None:
        raise problem
    if str(info.path) not in sys.path:
        sys.path.append(str(info.path))
    try:
        import lldb

        return lldb  # type: ignore[no-any-return]
    except ImportError as exc:
        raise LldbSetupError(f"import lldb failed: {exc}", "run `debugtape doctor` for details") from exc
