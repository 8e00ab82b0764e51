"""`make demo`'s script end to end: the real gdb records the bundled example, redacted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import need_binary

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(300)
def test_demo_records_the_example_and_keeps_its_token_off_disk(tmp_path: Path) -> None:
    need_binary("gdb")
    env = {**os.environ, "DEBUGTAPE_DEMO_DIR": str(tmp_path), "PY": sys.executable}
    out = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], capture_output=True, text=True,
                         env=env, timeout=280, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    text = out.stdout
    assert "<-- wrong!" in text  # the bug the demo is about
    assert text.count("debug_snapshot") >= 2  # the conditional breakpoint's hit and the snappoint
    assert "local bucket (int) = 10" in text
    assert "local upload_token (const char *) = " in text and "[REDACTED:" in text
    # The sampled run's stacks: left out of the timeline, which says how many.
    hidden = re.search(r"\((\d+) stack samples not shown", text)
    assert hidden and int(hidden.group(1)) > 0, text[-3000:]
    assert "stack_sample" not in text
    db_files = list(tmp_path.glob("tape.db*"))
    assert db_files
    assert not any(b"ghp_demo" in f.read_bytes() for f in db_files)
