"""An editor starts debugtape by its path (the VS Code extension's debugtape.path, or the workspace's
.venv/bin/debugtape) without that environment on PATH: the py-spy installed beside it by
`debugtape[sampling]` is still the one used for a launch configuration's "sample"."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.support import need_binary


def test_py_spy_is_found_beside_the_interpreter_when_not_on_path() -> None:
    need_binary("py-spy")
    beside = Path(sysconfig.get_path("scripts")) / "py-spy"
    assert beside.is_file(), f"py-spy is not installed beside {sys.executable} (scripts/install.d/30-dap.sh)"
    code = "from debugtape.adapters.dap.sampling import py_spy_path; print(py_spy_path())"
    run = subprocess.run([sys.executable, "-c", code], env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2])},
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(beside)
