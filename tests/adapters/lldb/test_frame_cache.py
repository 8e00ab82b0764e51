"""The session's frame description cache (debugtape/adapters/lldb/reader.py FrameCache) inside the
real lldb-19: every snapshot must read exactly as lldb describes the frames without the cache."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.gdb.gdbrun import build, of_type, stored
from tests.adapters.lldb.lldbrun import INIT, run_lldb
from tests.support import compile_c, need_binary

pytestmark = pytest.mark.timeout(180)

UNCACHED = [*INIT, "command script import tests.adapters.lldb.uncached"]

LIB_A = 'int fa(int (*cb)(const char *, int), int x) { int y = cb("from liba", x + 11); return y; }\n'
LIB_B = 'int fb(int (*cb)(const char *, int), int x) { int z = cb("from libb", x + 22); return z; }\n'
DL_MAIN = r"""
/* Loads liba.so, unloads it, loads libb.so (same layout, so it lands where liba was), twice; each
   library function calls probe() back, so a snapshot there has the library's frame above it. */
#include <dlfcn.h>
#include <stdio.h>
typedef int (*fn_t)(int (*)(const char *, int), int);
__attribute__((noinline)) int probe(const char *s, int x) {
    int r = s[0] + x;
    return r; /* here */
}
int main(int argc, char **argv) {
    int total = 0;
    for (int round = 0; round < 2; round++) {
        for (int k = 1; k <= 2; k++) {
            void *h = dlopen(argv[k], RTLD_NOW);
            if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
            fn_t f = (fn_t)dlsym(h, k == 1 ? "fa" : "fb");
            total += f(probe, round);
            dlclose(h);
        }
    }
    printf("%d\n", total);
    return 0;
}
"""
INLINED = r"""
#include <stdio.h>
static inline __attribute__((always_inline)) int inner(int x) {
    volatile int k = x * 2;
    return k + 1;
}
static inline __attribute__((always_inline)) int middle(int x) { return inner(x) + inner(x + 1); }
__attribute__((noinline)) int outer(int x) { return middle(x) * 2; }
int main(void) {
    int t = 0;
    for (int i = 0; i < 4; i++)
        t += outer(i);
    printf("%d\n", t);
    return 0;
}
"""
# last() ends with a call to a function that never returns, so its return address is the entry of
# next(): the same pc is frame 0 of a stop at next() and the return address of last()'s frame.
TAIL = r"""
#include <stdlib.h>
int count;
__attribute__((noinline)) void probe(void) { count++; }
__attribute__((noinline, noreturn)) void finish(void) { probe(); exit(count); }
__attribute__((noinline)) void last(void) { finish(); }
__attribute__((noinline)) void next(void) { probe(); }
int main(void) { next(); next(); last(); }
"""


def compile_source(tmp_path: Path, name: str, source: str, *flags: str) -> Path:
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    return compile_c(src, tmp_path / name, *flags)


def here(source: str) -> int:
    """The line marked /* here */ (breakpoints on a function's first line fall before gcc -O0
    has stored its arguments)."""
    return next(n for n, line in enumerate(source.splitlines(), 1) if "/* here */" in line)


def snapshots(db: Path) -> list[dict[str, Any]]:
    return of_type(stored(db), "debug_snapshot")


def places(snaps: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """What the cache may change: each frame's description and values (not ids and times)."""
    return [[{k: v for k, v in f.items() if k != "blame"} for f in s["frames"]] for s in snaps]


def record_both(tmp_path: Path, program: Path, commands: list[str], args: list[str] | None = None
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The snapshots of the same lldb session with the cache and without it."""
    out = []
    for name, init in (("cached", INIT), ("uncached", UNCACHED)):
        db = tmp_path / f"{name}.db"
        go = [] if "run" in commands else ["run"]
        run = run_lldb(program, [f"tape start --db {db} {name}", *commands, *go], args=args, init=init)
        assert "recording session" in run.stdout, run.stdout + run.stderr
        assert "debugtape:" not in run.stderr, run.stderr
        out.append(snapshots(db))
    cached, uncached = out
    assert places(cached) == places(uncached)
    return cached, uncached


def test_frames_in_a_library_loaded_where_another_one_was(tmp_path: Path) -> None:
    lib_a = tmp_path / "liba.so"
    lib_b = tmp_path / "libb.so"
    for lib, source in ((lib_a, LIB_A), (lib_b, LIB_B)):
        src = lib.with_suffix(".c")
        src.write_text(source)
        subprocess.run(["gcc", "-g", "-O0", "-fPIC", "-shared", "-o", str(lib), str(src)], check=True)
    prog = compile_source(tmp_path, "dl", DL_MAIN, "-ldl")
    cached, _ = record_both(tmp_path, prog, [f"tape snappoint dl.c:{here(DL_MAIN)}"], args=[str(lib_a), str(lib_b)])
    callers = [s["frames"][1] for s in cached]
    assert [f["symbol"] for f in callers] == ["fa", "fb", "fa", "fb"]
    assert [Path(f["module"]).name for f in callers] == ["liba.so", "libb.so", "liba.so", "libb.so"]
    assert [f["args"]["x"] for f in callers] == [0, 0, 1, 1]
    # Each library's string literal, at the same address, read from the right file.
    texts = [s["frames"][0]["args"]["s"] for s in cached]
    assert [t.split(" ", 1)[1] for t in texts] == ['"from liba"', '"from libb"'] * 2
    assert len({t.split(" ", 1)[0] for t in texts}) == 1
    # What makes this a test of the cache: both libraries ran their code at the same address.
    assert len({f["address"] for f in callers}) == 1, callers


def test_inlined_frames_share_a_pc(tmp_path: Path) -> None:
    prog = compile_source(tmp_path, "inl", INLINED, "-O1")
    # Inside inner(), past its first instruction: each inlined caller's pc is where the block it
    # calls starts, so `middle` in one copy and `outer` in the other have the same pc.
    cached, _ = record_both(tmp_path, prog, ["tape snappoint inl.c:5"])
    assert len(cached) == 8  # two inlined copies of inner() in each of 4 calls
    for snap in cached:
        top = snap["frames"][:3]
        assert [f["symbol"] for f in top] == ["inner", "middle", "outer"], top
        assert top[0].get("inlined") and top[1].get("inlined") and not top[2].get("inlined")
        assert [f["line"] for f in top] == [5, 7, 8]


def test_recursive_frames_share_a_return_address(tmp_path: Path) -> None:
    prog = build("recursion", tmp_path)
    cached, _ = record_both(tmp_path, prog, ["tape snappoint fact if n % 10 == 0"])
    assert [s["frames"][0]["args"]["n"] for s in cached] == [30, 20, 10, 0]
    deepest = cached[-1]["frames"]
    assert len(deepest) == 20 and all(f["symbol"] == "fact" for f in deepest)
    assert len({f["address"] for f in deepest[1:]}) == 1  # the same return address, frame after frame
    assert {f["line"] for f in deepest[1:]} == {8}


def test_a_return_address_that_is_the_entry_of_another_function(tmp_path: Path) -> None:
    prog = compile_source(tmp_path, "tail", TAIL, "-O1", "-no-pie", "-falign-functions=1",
                          "-fno-optimize-sibling-calls", "-fno-toplevel-reorder", "-fno-reorder-functions")
    symbols = subprocess.run(["nm", str(prog)], capture_output=True, text=True, check=True).stdout
    entry = next(int(line.split()[0], 16) for line in symbols.splitlines() if line.endswith(" T next"))
    # (lldb 19 resolves an address breakpoint only once the program runs)
    cached, _ = record_both(tmp_path, prog, ["b main", "run", f"tape snappoint {entry:#x}", "tape snappoint probe",
                                             "continue"])
    at_entry = [s for s in cached if s["frames"][0]["symbol"] == "next"]
    from_last = [s for s in cached if [f["symbol"] for f in s["frames"][:3]] == ["probe", "finish", "last"]]
    assert len(at_entry) == 2 and len(from_last) == 1, [[f["symbol"] for f in s["frames"]] for s in cached]
    # The same pc: lldb names it `next` as frame 0 and `last` as a return address (looked up at pc - 1).
    assert at_entry[0]["frames"][0]["address"] == from_last[0]["frames"][2]["address"] == f"{entry:#x}"


STRINGS = r"""
#include <stdio.h>
char buf[16];
const char *literal = "a literal";
__attribute__((noinline)) int show(const char *fixed, const char *changing) {
    int r = fixed[0] + changing[0];
    return r; /* here */
}
int main(void) {
    int t = 0;
    for (int i = 0; i < 3; i++) {
        snprintf(buf, sizeof buf, "round %d", i);
        t += show(literal, buf);
    }
    printf("%d\n", t);
    return 0;
}
"""


def test_strings_in_read_only_sections_come_from_the_file_and_others_from_memory(tmp_path: Path) -> None:
    prog = compile_source(tmp_path, "strings", STRINGS)
    cached, _ = record_both(tmp_path, prog, [f"tape snappoint strings.c:{here(STRINGS)}"])
    args = [s["frames"][0]["args"] for s in cached]
    assert [a["fixed"].split(" ", 1)[1] for a in args] == ['"a literal"'] * 3
    assert [a["changing"].split(" ", 1)[1] for a in args] == ['"round 0"', '"round 1"', '"round 2"']


DYNAMIC = r"""
#include <cstdio>
struct Shape { virtual ~Shape() {} virtual int area() const = 0; int tag = 7; };
struct Square : Shape { int side = 3; int area() const override { return side * side; } };
struct Circle : Shape { int r = 2; int area() const override { return 3 * r * r; } };
__attribute__((noinline)) int measure(Shape *s, Shape &ref, int n) {
    int a = s->area() + ref.area() + n;
    return a; /* here */
}
int main() {
    Square q;
    Circle c;
    int t = measure(&q, q, 1) + measure(&c, c, 2) + measure(&q, c, 3);
    printf("%d\n", t);
    return 0;
}
"""


def test_type_names_of_pointers_to_polymorphic_classes_are_read_at_every_stop(tmp_path: Path) -> None:
    # The cache keeps each variable's type name with the frame's layout, except where lldb shows
    # a dynamic type: the same frame of measure() sees a Square, then a Circle.
    src = tmp_path / "dyn.cpp"
    src.write_text(DYNAMIC)
    prog = tmp_path / "dyn"
    subprocess.run([need_binary("g++"), "-g", "-O0", "-o", str(prog), str(src)], check=True)
    cached, _ = record_both(tmp_path, prog, [f"tape snappoint dyn.cpp:{here(DYNAMIC)}"])
    types = [s["frames"][0]["types"] for s in cached]
    assert [(t["s"], t["ref"], t["n"]) for t in types] == [
        ("Square *", "Square &", "int"), ("Circle *", "Circle &", "int"), ("Square *", "Circle &", "int")]
    assert [s["frames"][0]["args"]["s"].get("side") for s in cached] == [3, None, 3]
