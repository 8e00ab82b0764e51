"""Symbol resolvers: table-driven over real Python, C and C++ sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from debugtape.correlate.symbols import SymbolIndex, language_of, resolve_symbol

PY = '''import os


class Tree:
    size = 0

    @staticmethod
    def split(node):
        def helper(x):
            return x + 1
        return helper(node)

    async def walk(self):
        pass


def top(a):
    return a
'''

C = '''#include <stdio.h>

static int
add(int a, int b)
{
  return a + b;
}

char **names(const char *p) { return 0; }

int (*getf(void))(int) { return 0; }

int main(void)
{
  printf("%d\\n", add(1, 2));
  return 0;
}
'''

CPP = '''namespace ns {
class Foo {
 public:
  int bar(int x) {
    return x;
  }
  ~Foo() {}
};
int Foo::baz() const { return 1; }
template <typename T> T id(T v) { return v; }
}
namespace { int hid() { return 0; } }
bool operator==(const A &a, const A &b) { return true; }
'''

CASES = [
    ("m.py", PY, 11, "Tree.split"),
    ("m.py", PY, 10, "Tree.split.<locals>.helper"),
    ("m.py", PY, 5, "Tree"),
    ("m.py", PY, 14, "Tree.walk"),
    ("m.py", PY, 18, "top"),
    ("m.py", PY, 1, None),
    ("m.c", C, 6, "add"),
    ("m.c", C, 3, "add"),
    ("m.c", C, 9, "names"),
    ("m.c", C, 11, "getf"),
    ("m.c", C, 15, "main"),
    ("m.c", C, 1, None),
    ("m.cpp", CPP, 5, "ns::Foo::bar"),
    ("m.cpp", CPP, 7, "ns::Foo::~Foo"),
    ("m.cpp", CPP, 9, "ns::Foo::baz"),
    ("m.cpp", CPP, 10, "ns::id"),
    ("m.cpp", CPP, 12, "(anonymous namespace)::hid"),
    ("m.cpp", CPP, 13, "operator=="),
]


@pytest.mark.parametrize(("name", "source", "line", "expected"), CASES)
def test_resolves_enclosing_symbol(tmp_path: Path, name: str, source: str, line: int, expected: str | None) -> None:
    path = tmp_path / name
    path.write_text(source)
    sym = resolve_symbol(path, line)
    assert (sym.name if sym else None) == expected
    if sym is not None:
        assert sym.start_line <= line <= sym.end_line


def test_python_symbol_starts_at_def_not_decorator(tmp_path: Path) -> None:
    path = tmp_path / "d.py"
    path.write_text(PY)
    sym = resolve_symbol(path, 11)
    assert sym is not None and sym.start_line == 8 and sym.end_line == 11


def test_cache_follows_content(tmp_path: Path) -> None:
    index = SymbolIndex()
    path = tmp_path / "c.py"
    path.write_text("def a():\n    return 1\n")
    assert index.resolve(path, 2).name == "a"  # type: ignore[union-attr]
    path.write_text("def bee():\n    return 1\n\n")  # a different size: the stat key changes
    assert index.resolve(path, 2).name == "bee"  # type: ignore[union-attr]


def test_unknown_language_missing_file_and_bad_syntax(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("def a(): pass\n")
    assert resolve_symbol(tmp_path / "x.txt", 1) is None
    assert resolve_symbol(tmp_path / "gone.py", 1) is None
    (tmp_path / "bad.py").write_text("def (:\n")
    assert resolve_symbol(tmp_path / "bad.py", 1) is None


def test_language_of() -> None:
    assert language_of("a/b.py") == "python"
    assert language_of("a/b.h") == "c"
    assert language_of("a/b.hpp") == "cpp"
    assert language_of("a/b.rs") is None
