"""Boot of debugpy's adapter with fast sockets (runs as a script; standard library only).

Usage: python _boot_adapter.py [--quickack] (-m debugpy.adapter | <path to debugpy/adapter>) [ARGS...]

TCP_NODELAY on every socket it opens; with --quickack also TCP_QUICKACK before every read, so a
debuggee whose own sockets were not fixed (pydevd writes header and body apart) is not held up by
delayed ACKs. Quick ACKs cost a system call per read, so only the proxy, which cannot fix the
debuggee, asks for them.
"""

import runpy
import socket
import sys

_connect, _accept, _recv_into = socket.socket.connect, socket.socket.accept, socket.socket.recv_into
_TCP = (socket.AF_INET, socket.AF_INET6)


def _nodelay(sock: socket.socket) -> None:
    try:
        if sock.family in _TCP:
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


def _recv_into_quickack(self: socket.socket, *args: object, **kwargs: object) -> int:
    if self.family in _TCP and hasattr(socket, "TCP_QUICKACK"):
        try:
            self.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass
    return _recv_into(self, *args, **kwargs)  # type: ignore[arg-type]


def _run() -> None:
    socket.socket.connect = _connect_nodelay  # type: ignore[method-assign]
    socket.socket.accept = _accept_nodelay  # type: ignore[method-assign]
    args = sys.argv[1:]
    if args[:1] == ["--quickack"]:
        socket.socket.recv_into = _recv_into_quickack  # type: ignore[method-assign]
        args = args[1:]
    if args[:1] == ["-m"]:
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(args)
        runpy.run_path(args[0], run_name="__main__")


_run()
