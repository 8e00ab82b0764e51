"""Finding lldb and its Python module, and parsing locations: table-driven, with stand-in lldbs."""

from __future__ import annotations

from pathlib import Path

import pytest

from debugtape.adapters.lldb.backend import parse_location
from debugtape.adapters.lldb.locate import (
    LldbPython,
    LldbSetupError,
    explain_unloadable,
    lldb_python,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("main.c:12", ("line", ("main.c", 12))),
    ("src/parser.c:120", ("line", ("src/parser.c", 120))),
    ("0x401136", ("address", 0x401136)),
    ("fact", ("name", "fact")),
    ("ns::Klass::method", ("name", "ns::Klass::method")),
    ("0xnothex", ("name", "0xnothex")),
])
def test_parse_location(text: str, expected: tuple[str, object]) -> None:
    assert parse_location(text) == expected


def fake_lldb(tmp_path: Path, printed: str) -> str:
    fake = tmp_path / "lldb-19"
    fake.write_text(f"#!/bin/sh\necho {printed}\n")
    fake.chmod(0o755)
    return str(fake)


def test_missing_python_package_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(LldbSetupError) as err:
        lldb_python(fake_lldb(tmp_path, str(tmp_path / "nowhere")))
    assert err.value.fix == "install it: apt-get install python3-lldb-19"


def test_python_version_mismatch_is_explained(tmp_path: Path) -> None:
    ext = tmp_path / "_lldb.so"
    ext.write_text("")
    info = LldbPython(path=tmp_path, python_tag="3.9", extension=ext, extension_target_ok=True)
    problem = explain_unloadable(info)
    assert problem is not None and "built for Python 3.9" in str(problem)
    assert problem.fix == "run debugtape with python3.9 for headless lldb recording"


def test_a_loadable_module_has_no_problem(tmp_path: Path) -> None:
    import sys

    ext = tmp_path / "_lldb.so"
    ext.write_text("")
    tag = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert explain_unloadable(LldbPython(tmp_path, tag, ext, True)) is None
