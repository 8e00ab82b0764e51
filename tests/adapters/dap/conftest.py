"""Helpers for the DAP tests: real transcripts, fixture lines, the node DebugClient."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from debugtape.adapters.dap.ingest import DapIngest

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "samples"
NODE_DIR = HERE / "node"
FIXTURES = HERE.parent.parent / "fixtures" / "python"


def mark_line(path: Path, name: str) -> int:
    """The line of `# MARK:name` in a fixture."""
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if f"MARK:{name}" in line:
            return i
    raise LookupError(f"no MARK:{name} in {path}")


def replay(name: str) -> list[dict[str, Any]]:
    """The raw records a real captured DAP transcript converts to."""
    ing = DapIngest()
    records: list[dict[str, Any]] = []
    for line in (SAMPLES / name).read_text().splitlines():
        records += ing.feed_line(line)
    return records + ing.finish()


def need_node_client() -> str:
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed (scripts/install.d/30-dap.sh)")
    if not (NODE_DIR / "node_modules" / "@vscode" / "debugadapter-testsupport").is_dir():
        pytest.skip("@vscode/debugadapter-testsupport is not installed (scripts/install.d/30-dap.sh)")
    return node


def drive(config: dict[str, Any], timeout: float = 90) -> dict[str, Any]:
    """Run the node DebugClient driver with `config`; its JSON report."""
    node = need_node_client()
    out = subprocess.run([node, str(NODE_DIR / "drive.js"), json.dumps(config)], capture_output=True,
                         text=True, timeout=timeout, cwd=NODE_DIR, env=dict(os.environ))
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"the node client printed no report: {out.stdout[-2000:]} {out.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(lines[-1])
    assert "error" not in report, report["error"]
    return report


def proxy_script(tmp: Path, db: Path, adapter: list[str], *extra: str) -> Path:
    """A one-line shell script that starts `debugtape dap` (the DebugClient takes one program)."""
    script = tmp / "proxy.sh"
    quoted = " ".join(_q(a) for a in [sys.executable, "-m", "debugtape", "dap", "--db", str(db),
                                        "--log", str(tmp / "proxy.log"), *extra, "--", *adapter])
    script.write_text(f"#!/bin/sh\nexec {quoted}\n")
    script.chmod(0o755)
    return script


def _q(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def debugpy_adapter_dir() -> str:
    import debugpy

    return str(Path(debugpy.__file__).parent / "adapter")
