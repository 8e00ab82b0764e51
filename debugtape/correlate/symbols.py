"""Enclosing-symbol resolvers: Python through `ast`, C and C++ through tree-sitter; cached per content."""

from __future__ import annotations

import ast
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Symbol", "SymbolIndex", "resolve_symbol", "symbols_in", "language_of", "default_index"]

log = logging.getLogger(__name__)

# Files larger than this are not parsed: a generated 50 MB source is not worth the pause.
MAX_SOURCE_BYTES = 8 * 1024 * 1024

_PY = (".py", ".pyw", ".pyi")
_C = (".c", ".h")
_CPP = (".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tpp", ".inl", ".C")


@dataclass(frozen=True)
class Symbol:
    """A function, method or class: qualified name and its 1-based inclusive line range."""

    name: str
    start_line: int
    end_line: int
    kind: str = "function"  # function | class

    def contains(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line


def language_of(path: str | os.PathLike[str]) -> str | None:
    suffix = os.path.splitext(os.fspath(path))[1]  # what Path(path).suffix gives, at a tenth of the cost
    if suffix in _PY:
        return "python"
    if suffix in _C:
        return "c"
    if suffix in _CPP or suffix.lower() in _CPP:
        return "cpp"
    return None


# ---- Python -------------------------------------------------------------------------------


def python_symbols(source: bytes) -> list[Symbol]:
    """Every def and class with its __qualname__-style name (Class.method, outer.<locals>.inner)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as exc:
        log.debug("cannot parse Python source: %s", exc)
        return []
    out: list[Symbol] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            for child in _nested_defs(node):
                is_class = isinstance(child, ast.ClassDef)
                name = prefix + child.name
                # The def line, not the first decorator: adding a decorator must not move offsets.
                end = child.end_lineno or child.lineno
                out.append(Symbol(name, child.lineno, end, "class" if is_class else "function"))
                visit(child.body, name + ("." if is_class else ".<locals>."))

    visit(tree.body, "")
    return out


_DefNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _nested_defs(node: ast.AST) -> Iterator[_DefNode]:
    """Definitions directly in this statement, looking through if/try/with/for blocks."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node
        return
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        for child in getattr(node, field, None) or ():
            if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                yield from _nested_defs(child)


# ---- C and C++ ----------------------------------------------------------------------------

_NAME_NODES = {
    "identifier", "field_identifier", "qualified_identifier", "destructor_name", "operator_name",
    "template_function", "type_identifier", "operator_cast",
}
_SCOPE_NODES = {"namespace_definition", "class_specifier", "struct_specifier", "union_specifier"}
_parsers: dict[str, Any] = {}
_parser_lock = threading.Lock()


def _parser(lang: str) -> Any | None:
    """A tree-sitter parser for c or cpp; C++ falls back to the C grammar when its own is missing."""
    if lang in _parsers:
        return _parsers[lang]
    try:
        import tree_sitter

        grammar: Any = None
        if lang == "cpp":
            try:
                import tree_sitter_cpp

                grammar = tree_sitter_cpp
            except ImportError:
                log.info("tree-sitter-cpp is not installed; parsing C++ with the C grammar")
        if grammar is None:
            import tree_sitter_c

            grammar = tree_sitter_c
        parser = tree_sitter.Parser(tree_sitter.Language(grammar.language()))
    except (ImportError, ValueError, TypeError, OSError) as exc:
        log.warning("no tree-sitter parser for %s sources: %s", lang, exc)
        parser = None
    _parsers[lang] = parser
    return parser


def c_symbols(source: bytes, lang: str = "c") -> list[Symbol]:
    """Function definitions, qualified by their namespaces and classes (ns::Class::method)."""
    with _parser_lock:
        parser = _parser(lang)
        if parser is None:
            return []
        tree = parser.parse(source)
    out: list[Symbol] = []
    stack: list[tuple[Any, str]] = [(tree.root_node, "")]
    while stack:
        node, prefix = stack.pop()
        for child in node.children:
            kind = child.type
            if kind == "function_definition":
                name = _function_name(child, source)
                if name:
                    full = name if "::" in name and not prefix else prefix + name
                    out.append(Symbol(full, child.start_point.row + 1, child.end_point.row + 1))
                continue  # nested functions do not exist in C/C++ (lambdas are not symbols)
            if kind in _SCOPE_NODES:
                name_node = child.child_by_field_name("name")
                scope = _text(name_node, source) if name_node is not None else ""
                if kind == "namespace_definition" and not scope:
                    scope = "(anonymous namespace)"
                body = child.child_by_field_name("body")
                if body is not None:
                    stack.append((body, prefix + scope + "::" if scope else prefix))
                continue
            if child.child_count and kind not in ("compound_statement", "parameter_list"):
                # template_declaration, linkage_specification, preprocessor blocks, lists...
                stack.append((child, prefix))
    out.sort(key=lambda s: (s.start_line, -s.end_line))
    return out


def _function_name(node: Any, source: bytes) -> str | None:
    decl = node.child_by_field_name("declarator")
    for _ in range(16):  # declarators nest: pointer -> function -> parenthesized -> ...
        if decl is None:
            return None
        if decl.type in _NAME_NODES:
            return " ".join(_text(decl, source).split())
        inner = decl.child_by_field_name("declarator")
        if inner is None:
            inner = next((c for c in decl.named_children if c.type != "parameter_list"), None)
        decl = inner
    return None


def _text(node: Any, source: bytes) -> str:
    return source[node.start_byte:node.end_byte].decode("utf-8", "replace")


# ---- index and cache -----------------------------------------------------------------------

_PARSERS: dict[str, Callable[[bytes], list[Symbol]]] = {
    "python": python_symbols,
    "c": lambda src: c_symbols(src, "c"),
    "cpp": lambda src: c_symbols(src, "cpp"),
}


class SymbolIndex:
    """Symbols per file; re-parsed only when the content changes (stat first, then a digest)."""

    def __init__(self, max_files: int = 1024) -> None:
        self._max = max_files
        self._by_stat: OrderedDict[str, tuple[int, int, str]] = OrderedDict()
        self._by_digest: OrderedDict[tuple[str, str], list[Symbol]] = OrderedDict()
        self._lock = threading.Lock()

    def symbols(self, path: str | os.PathLike[str]) -> list[Symbol]:
        """All symbols of a source file ([] for unknown languages, missing or unparsable files)."""
        key = os.fspath(path)
        lang = language_of(key)
        if lang is None:
            return []
        try:
            st = os.stat(key)
        except OSError:
            return []
        with self._lock:
            known = self._by_stat.get(key)
            if known and known[0] == st.st_mtime_ns and known[1] == st.st_size:
                cached = self._by_digest.get((lang, known[2]))
                if cached is not None:
                    self._by_digest.move_to_end((lang, known[2]))
                    return cached
        if st.st_size > MAX_SOURCE_BYTES:
            return []
        try:
            source = Path(key).read_bytes()
        except OSError:
            return []
        return self.symbols_of_source(source, lang, key, st.st_mtime_ns, st.st_size)

    def symbols_of_source(
        self, source: bytes, lang: str, key: str | None = None, mtime_ns: int = 0, size: int = 0
    ) -> list[Symbol]:
        digest = hashlib.blake2b(source, digest_size=16).hexdigest()
        with self._lock:
            cached = self._by_digest.get((lang, digest))
        if cached is None:
            cached = _PARSERS[lang](source)
        with self._lock:
            self._by_digest[(lang, digest)] = cached
            self._by_digest.move_to_end((lang, digest))
            if key is not None:
                self._by_stat[key] = (mtime_ns, size, digest)
                self._by_stat.move_to_end(key)
            while len(self._by_digest) > self._max:
                self._by_digest.popitem(last=False)
            while len(self._by_stat) > self._max:
                self._by_stat.popitem(last=False)
        return cached

    def resolve(self, path: str | os.PathLike[str], line: int) -> Symbol | None:
        """The innermost function (or class) whose lines hold `line`."""
        best: Symbol | None = None
        for sym in self.symbols(path):
            if sym.contains(line) and (best is None or _inner(sym, best)):
                best = sym
        return best

    def find(self, path: str | os.PathLike[str], name: str) -> list[Symbol]:
        return [s for s in self.symbols(path) if s.name == name]


def _inner(a: Symbol, b: Symbol) -> bool:
    """Whether a lies inside b (a later start, or the same start and a shorter range)."""
    return (a.start_line, -a.end_line) > (b.start_line, -b.end_line)


default_index = SymbolIndex()


def resolve_symbol(file: str | os.PathLike[str], line: int) -> Symbol | None:
    """The enclosing symbol of `file:line` in the file as it is now, or None."""
    return default_index.resolve(file, line)


def symbols_in(file: str | os.PathLike[str]) -> list[Symbol]:
    return default_index.symbols(file)
