"""Boot of a debuggee under debugpy with TCP_NODELAY (runs as a script; standard library only)."""

import os
import socket
import sys

_connect, _accept = socket.socket.connect, socket.socket.accept


def _nodelay(sock: socket.socket) -> None:
    try:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass


def _connect_nodelay(self: socket.socket, address: object) -> None:
    _connect(self, address)
    _nodelay(self)


def _accept_nodelay(self: socket.socket) -> tuple[socket.socket, object]:
    conn, addr = _accept(self)
    _nodelay(conn)
    return conn, addr


def _run() -> None:
    socket.socket.connect = _connect_nodelay  # type: ignore[method-assign]
    socket.socket.accept = _accept_nodelay  # type: ignore[method-assign]
    args = sys.argv[1:]
    while args[:1] == ["-X"]:  # the launcher's `-X frozen_modules=off`, already applied by us
        args = args[2:]
    main = os.path.join(args[0], "__main__.py")
    sys.argv = args
    sys.path[0] = args[0]
    with open(main, "rb") as f:
        code = compile(f.read(), main, "exec")
    exec(code, {"__name__": "__main__", "__file__": main, "__builtins__": __builtins__})


_run()
