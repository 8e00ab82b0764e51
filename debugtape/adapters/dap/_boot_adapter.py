"""Boot of debugpy's adapter with fast sockets (runs as a script; standard library only).

Usage: python _boot_adapter.py [--quickack] (-m debugpy.adapter | <path to debugpy/adapter>) [ARGS...]

TCP_NODELAY on every socket it opens; with --quickack also TCP_QUICKACK before every read, so a
debuggee whose own sockets were not fixed (pydevd writes header and body apart) is not held up by
delayed ACKs. Quick ACKs cost a system call per read, so only the proxy, which cannot fix the
debuggee, asks for them.
"""

import runpy
import sys


def _run() -> None:
    import _debugtape_fast_sockets  # beside this file: sys.path[0] when run as a script

    args = sys.argv[1:]
    quickack = args[:1] == ["--quickack"]
    _debugtape_fast_sockets.install(quickack=quickack)
    if quickack:
        args = args[1:]
    if args[:1] == ["-m"]:
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(args)
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":  # importing this module (a test, a doc tool) must not start debugpy
    _run()
