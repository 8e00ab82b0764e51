"""How debugtape starts debugpy: the adapter command and launch arguments, with the TCP fixes.

debugpy's sockets leave Nagle's algorithm on and pydevd writes a message's header and body in
two writes, so the body waits for the peer's delayed ACK (~40 ms). Both the adapter process and
the debuggee therefore start through a few lines of boot code that set TCP_NODELAY on every TCP
socket they connect or accept, then run debugpy exactly as it would have run.

`debuggee_command` is the program started without debugpy's adapter and launcher: debugpy's
server inside it (pydevd, which speaks DAP itself) connects straight back to debugtape.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["adapter_command", "debuggee_command", "TOKEN_ENV", "launch_arguments", "split_interpreter", "split_program", "fast_debugpy_command",
           "describe"]

# The launcher runs: python [pythonArgs] -X frozen_modules=off <debugpy dir> --connect ... target.
# pythonArgs name this boot file, which sets TCP_NODELAY and then runs debugpy's __main__ as
# `python <debugpy dir>` would. A `rules` entry hides its frame from stack traces.
DEBUGGEE_BOOT = str(Path(__file__).with_name("_boot_debuggee.py"))
ADAPTER_BOOT = str(Path(__file__).with_name("_boot_adapter.py"))


def adapter_command(python: str | None = None, nodelay: bool = True) -> list[str]:
    """The command line of debugpy's adapter speaking DAP over stdio."""
    exe = python or sys.executable
    if nodelay:
        return [exe, "-Xfrozen_modules=off", ADAPTER_BOOT, "-m", "debugpy.adapter"]
    return [exe, "-Xfrozen_modules=off", "-m", "debugpy.adapter"]


TOKEN_ENV = "DEBUGTAPE_DEBUGPY_TOKEN"  # see debuggee_command and the boot


def debuggee_command(program: Sequence[str], address: tuple[str, int], cwd: str | None = None,
                     python: str | None = None, switch_interval: float | None = None,
                     parent: int | None = None) -> list[str]:
    """The program under debugpy's server, connecting to `address` (what debugpy's launcher runs,
    through the boot of `DEBUGGEE_BOOT`). pydevd proves it is this program by answering
    `pydevdAuthorize` with the token in its environment's `TOKEN_ENV`, which the boot hands to
    debugpy and removes (a token on the command line would show in `ps` to every user);
    `parent` is the pid it dies with."""
    import debugpy

    target, args = split_program(program, cwd)
    boot = [f"--switch-interval={switch_interval}"] if switch_interval else []
    if parent is not None:
        boot.append(f"--parent={parent}")
    return [python or sys.executable, "-Xfrozen_modules=off", DEBUGGEE_BOOT, *boot,
            os.path.dirname(debugpy.__file__), "--connect", f"{address[0]}:{address[1]}",
            "--configure-subProcess", "False", "--configure-qt", "none",
            *([target["program"]] if "program" in target else ["-m", target["module"]]), *args]


def fast_debugpy_command(command: Sequence[str]) -> list[str] | None:
    """The same debugpy adapter command started through the fast-socket boot, or None when
    `command` is not `PYTHON [-X...] -m debugpy.adapter ...` or `PYTHON [-X...] .../debugpy/adapter ...`."""
    items = list(command)
    if not items or "python" not in os.path.basename(items[0]):
        return None
    i = 1
    opts: list[str] = []
    while i < len(items) and items[i].startswith("-X"):
        opts.append(items[i] if items[i] != "-X" else f"-X{items[i + 1]}")
        i += 2 if items[i] == "-X" else 1
    rest = items[i:]
    if rest[:2] == ["-m", "debugpy.adapter"] or (
            rest and os.path.basename(os.path.normpath(rest[0])) == "adapter"
            and os.path.basename(os.path.dirname(os.path.normpath(rest[0]))) == "debugpy"):
        if not any("frozen_modules" in o for o in opts):
            opts.append("-Xfrozen_modules=off")
        return [items[0], *opts, ADAPTER_BOOT, "--quickack", *rest]
    return None


_INTERPRETER = re.compile(r"python(?:\d+(?:\.\d+)?)?")


def split_interpreter(program: Sequence[str], cwd: str | None = None) -> tuple[str | None, list[str]]:
    """`python3 app.py ARGS` (as people type after `--`) -> (the interpreter's path, `app.py
    ARGS`); (None, program) when it does not start with a Python interpreter."""
    items = list(program)
    if not items or not _INTERPRETER.fullmatch(os.path.basename(items[0])):
        return None, items
    exe = items[0]
    found = os.path.abspath(os.path.join(cwd or os.getcwd(), exe)) if os.sep in exe else shutil.which(exe)
    if not found or not os.access(found, os.X_OK):
        raise ValueError(f"no such Python interpreter: {items[0]}")
    return found, items[1:]


def split_program(program: Sequence[str], cwd: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """`script.py ARGS` or `-m module ARGS` -> ({"program": abs path} or {"module": m}, args).
    A script path is taken relative to `cwd` (the program's working directory)."""
    items = list(program)
    if not items:
        raise ValueError("nothing to run: give `script.py [ARGS]` or `-m module [ARGS]` after --")
    if items[0] == "-m":
        if len(items) < 2:
            raise ValueError("-m needs a module name")
        return {"module": items[1]}, items[2:]
    if items[0].startswith("-m") and len(items[0]) > 2:
        return {"module": items[0][2:]}, items[1:]
    path = os.path.abspath(os.path.join(cwd or os.getcwd(), items[0]))
    if not os.path.isfile(path):
        raise ValueError(f"no such Python program: {path} (after -- give `script.py ARGS` or `-m module ARGS`)")
    return {"program": path}, items[1:]


def launch_arguments(program: Sequence[str], cwd: str | None = None, nodelay: bool = True,
                     just_my_code: bool = False, env: Mapping[str, str] | None = None,
                     python: str | None = None, stop_on_entry: bool = False,
                     switch_interval: float | None = None, redirect_output: bool = True) -> dict[str, Any]:
    """The `launch` request arguments for debugpy (pydevd takes the same, ignoring what is its
    adapter's and launcher's). `redirect_output=False`: the program writes to its own stdout and
    stderr, not through `output` events."""
    target, args = split_program(program, cwd)
    exe = python or sys.executable
    launch: dict[str, Any] = {
        **target,
        "args": args,
        "cwd": cwd or os.getcwd(),
        "console": "internalConsole",
        # The program's output comes back as `output` events, which the recorder prints (it is
        # not recorded: a program's output is not debugger state and may hold anything).
        "redirectOutput": redirect_output,
        "justMyCode": just_my_code,
        # Child processes would need a second DAP session each; refuse them explicitly.
        "subProcess": False,
        "stopOnEntry": stop_on_entry,
        "python": [exe],
        "pythonArgs": (["-Xfrozen_modules=off", DEBUGGEE_BOOT]
                       + ([f"--switch-interval={switch_interval}"] if switch_interval else [])) if nodelay else [],
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
