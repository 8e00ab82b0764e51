"""Opening a report in Debian's Chromium, headless, through playwright-core (tests/report/node)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO, need_binary

NODE_DIR = Path(__file__).parent / "node"
ARTIFACTS = REPO / "test-artifacts"


def open_report(page: Path, screenshot: str, click: int = 0, timeout: float = 120,
                filter_text: str = "") -> dict[str, Any]:
    """What Chromium shows for the page: marker counts, the clicked snapshot's locals, requests.

    `filter_text` is typed into the page's filter box; `shownFiltered` says how many marks stayed.
    """
    node = need_binary("node")
    need_binary("chromium")
    if not (NODE_DIR / "node_modules" / "playwright-core").is_dir():
        pytest.skip("playwright-core is not installed (scripts/install.d/50-report.sh installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / screenshot
    proc = subprocess.run([node, str(NODE_DIR / "check_report.mjs"), str(page), str(shot), str(click)],
                          capture_output=True, text=True, timeout=timeout, cwd=NODE_DIR,
                          env={**os.environ, "DEBUGTAPE_FILTER": filter_text})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert shot.is_file() and shot.stat().st_size > 10_000
    out["screenshot"] = shot
    return out
