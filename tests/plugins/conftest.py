"""Installs the test plugin package with pip into a throw-away folder for real entry-point discovery.

A `--target` install keeps the misbehaving test plugins out of everyone else's tests: only the
tests that ask for `plugin_path` put the folder on sys.path (or PYTHONPATH for a child process).
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pip_install_target(project: Path, target: Path) -> Path:
    """`pip install --target`, offline when setuptools and wheel are present (install.d adds wheel).

    The project is built from a copy, so the build leaves nothing in the source tree.
    """
    src = target.parent / f"{target.name}-src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(project, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    base = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
            "--no-deps", "--target", str(target)]
    try:
        importlib.import_module("wheel")
        cmd = base + ["--no-build-isolation", "--no-index", str(src)]
    except ImportError:
        cmd = base + [str(src)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if out.returncode != 0:
        raise RuntimeError(f"pip install of {project} failed:\n{out.stdout}\n{out.stderr}")
    return target


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pip_install_target(HERE / "sample_plugin", tmp_path_factory.mktemp("plugin-site"))


@pytest.fixture
def plugin_path(plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The test plugins visible to this process (sys.path) and to children (PYTHONPATH)."""
    monkeypatch.syspath_prepend(str(plugin_site))
    monkeypatch.setenv("PYTHONPATH", str(plugin_site))
    importlib.invalidate_caches()
    yield plugin_site
    for name in ("hanging", "correlator"):
        module = sys.modules.get(f"debugtape_sample_plugin.{name}")
        if module is not None:
            module.RELEASE.set()  # let an abandoned worker thread finish
    for name in [m for m in sys.modules if m.startswith("debugtape_sample_plugin")]:
        del sys.modules[name]
