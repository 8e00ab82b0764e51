"""Shared test setup. Under CI=true a skipped test fails: a green CI means every integration ran."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Every child process (`debugtape ...`, `python -m debugtape`, gdb's and lldb's helpers) imports
# this checkout's package, never another install of debugtape on the machine.
_REPO = str(Path(__file__).resolve().parent.parent)
os.environ["PYTHONPATH"] = os.pathsep.join([_REPO, *filter(None, [os.environ.get("PYTHONPATH")])])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {reason}"


@pytest.fixture
def store_path(tmp_path):  # type: ignore[no-untyped-def]
    """A fresh store file in a temporary folder (the tests never touch a real one)."""
    return tmp_path / ".debugtape" / "tape.db"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    # Never read or write the developer's own store or config.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("DEBUGTAPE_DB", raising=False)
