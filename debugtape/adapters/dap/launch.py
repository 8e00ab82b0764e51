"""How debugtape starts debugpy: the adapter command and launch arguments, with the TCP fixes.

debugpy's sockets leave Nagle's algorithm on and pydevd writes a message's header and body in
two writes, so the body waits for the peer's delayed ACK (~40 ms). Both the adapter process and
the debuggee therefore start through a few lines of boot code that set TCP_NODELAY on every TCP
socket they connect or accept, then run debugpy exactly as it would have run.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["adapter_command", "launch_arguments", "split_program", "NODELAY_PATCH"]

# Standard library only and self-contained: it runs before anything else in those processes.
NODELAY_PATCH = """
import socket as _s
def _nd(sock):
    try:
        if sock.family in (_s.AF_INET, _s.AF_INET6):
            sock.setsockopt(_s.IPPROTO_TCP, _s.TCP_NODELAY, 1)
    except OSError:
        pass
_connect, _accept = _s.socket.connect, _s.socket.accept
def _connect_nd(self, address):
    r = _connect(self, address)
    _nd(self)
    return r
def _accept_nd(self):
    conn, addr = _accept(self)
    _nd(conn)
    return conn, addr
_s.socket.connect, _s.socket.accept = _connect_nd, _accept_nd
"""

_ADAPTER_BOOT = NODELAY_PATCH + """
import runpy, sys
sys.argv[0] = "debugpy.adapter"
runpy.run_module("debugpy.adapter", run_name="__main__", alter_sys=True)
"""

# The launcher runs: python [pythonArgs] -X frozen_modules=off <debugpy dir> --connect ... target.
# pythonArgs name this boot file, which sets TCP_NODELAY and then runs debugpy's __main__ as
# `python <debugpy dir>` would. A `rules` entry hides its frame from stack traces.
DEBUGGEE_BOOT = str(Path(__file__).with_name("_boot_debuggee.py"))


def adapter_command(python: str | None = None, nodelay: bool = True) -> list[str]:
    """The command line of debugpy's adapter speaking DAP over stdio."""
    exe = python or sys.executable
    if nodelay:
        return [exe, "-Xfrozen_modules=off", "-c", _ADAPTER_BOOT]
    return [exe, "-Xfrozen_modules=off", "-m", "debugpy.adapter"]


def split_program(program: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """`script.py ARGS` or `-m module ARGS` -> ({"program": abs path} or {"module": m}, args)."""
    items = list(program)
    if not items:
        raise ValueError("nothing to run: give `script.py [ARGS]` or `-m module [ARGS]` after --")
    if items[0] == "-m":
        if len(items) < 2:
            raise ValueError("-m needs a module name")
        return {"module": items[1]}, items[2:]
    if items[0].startswith("-m") and len(items[0]) > 2:
        return {"module": items[0][2:]}, items[1:]
    return {"program": os.path.abspath(items[0])}, items[1:]


def launch_arguments(program: Sequence[str], cwd: str | None = None, nodelay: bool = True,
                     just_my_code: bool = False, env: Mapping[str, str] | None = None,
                     python: str | None = None, stop_on_entry: bool = False) -> dict[str, Any]:
    """The `launch` request arguments for debugpy."""
    target, args = split_program(program)
    exe = python or sys.executable
    launch: dict[str, Any] = {
        **target,
        "args": args,
        "cwd": cwd or os.getcwd(),
        "console": "internalConsole",
        "redirectOutput": False,  # the program's output stays on our terminal, unrecorded
        "justMyCode": just_my_code,
        # Child processes would need a second DAP session each; refuse them explicitly.
        "subProcess": False,
        "stopOnEntry": stop_on_entry,
        "python": [exe],
        "pythonArgs": ["-Xfrozen_modules=off", DEBUGGEE_BOOT] if nodelay else [],
        "rules": [{"path": DEBUGGEE_BOOT, "include": False}],
        "variablePresentation": {"special": "hide", "function": "hide", "class": "group", "protected": "inline"},
        "showReturnValue": False,
    }
    if env:
        launch["env"] = dict(env)
    return launch


def describe(command: Sequence[str]) -> str:
    """A short printable form of a command line whose boot code would flood a log line."""
    return " ".join(shlex.quote(c) if "\n" not in c else "<boot code>" for c in command)
