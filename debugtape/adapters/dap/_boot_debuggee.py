"""Boot of a debuggee under debugpy with TCP_NODELAY (runs as a script; standard library only)."""

import os
import sys


def _run() -> None:
    import _debugtape_fast_sockets  # beside this file: sys.path[0] when run as a script

    _debugtape_fast_sockets.install()
    args = sys.argv[1:]
    if args and args[0].startswith("--switch-interval="):
        # Pause sampling needs pydevd's reader thread to get the GIL from a busy program
        # quickly; the default 5 ms interval makes each pause wait several of those.
        sys.setswitchinterval(float(args[0].split("=", 1)[1]))
        args = args[1:]
    while args[:1] == ["-X"]:  # the launcher's `-X frozen_modules=off`, already applied by us
        args = args[2:]
    main = os.path.join(args[0], "__main__.py")
    sys.argv = args
    sys.path[0] = args[0]
    with open(main, "rb") as f:
        code = compile(f.read(), main, "exec")
    exec(code, {"__name__": "__main__", "__file__": main, "__builtins__": __builtins__})


if __name__ == "__main__":  # importing this module (a test, a doc tool) must not start debugpy
    _run()
