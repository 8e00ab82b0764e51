"""Socket patches for debugpy's processes (standard library only; imported by the boot scripts).

TCP_NODELAY on every TCP socket connected or accepted, optionally TCP_QUICKACK before each read.
"""

import socket
from typing import Any

_connect, _accept, _recv_into = socket.socket.connect, socket.socket.accept, socket.socket.recv_into
_TCP = (socket.AF_INET, socket.AF_INET6)


def _nodelay(sock: socket.socket) -> None:
    try:
        if sock.family in _TCP:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass


def _connect_nodelay(self: socket.socket, address: Any) -> None:
    _connect(self, address)
    _nodelay(self)


def _accept_nodelay(self: socket.socket) -> tuple[socket.socket, Any]:
    conn, addr = _accept(self)
    _nodelay(conn)
    return conn, addr


def _recv_into_quickack(self: socket.socket, *args: Any, **kwargs: Any) -> int:
    if self.family in _TCP and hasattr(socket, "TCP_QUICKACK"):
        try:
            self.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass
    return _recv_into(self, *args, **kwargs)


def install(quickack: bool = False) -> None:
    socket.socket.connect = _connect_nodelay  # type: ignore[method-assign,assignment]
    socket.socket.accept = _accept_nodelay  # type: ignore[method-assign,assignment]
    if quickack:
        socket.socket.recv_into = _recv_into_quickack  # type: ignore[method-assign,assignment]
