"""A minimal Redis protocol client: one connection, AUTH, one command at a time.

The drill needs ROLE and a few SENTINEL queries, polled several times a second; a plain
socket keeps the controller free of a Redis client library.
"""

from __future__ import annotations

import socket
from typing import Any

# module_utils/escala_resp.py, on the drill's PYTHONPATH (roles/drill/vars/main.yml).
from escala_resp import ReplyError, encode, read_reply

__all__ = ["Connection", "ReplyError", "pairs"]


class Connection:
    """A lazily (re)connected client; any error closes it, the next call reconnects."""

    def __init__(self, endpoint: str, password: str = "", timeout_s: float = 0.5) -> None:
        host, _, port = endpoint.rpartition(":")
        self.address = (host, int(port))
        self.password = password
        self.timeout_s = timeout_s
        self._sock: socket.socket | None = None
        self._stream: Any = None

    def command(self, *args: str) -> Any:
        try:
            if self._sock is None:
                self._connect()
            assert self._sock is not None
            self._sock.sendall(encode(args))
            return read_reply(self._stream)
        except BaseException:
            self.close()
            raise

    def _connect(self) -> None:
        sock = socket.create_connection(self.address, timeout=self.timeout_s)
        sock.settimeout(self.timeout_s)
        self._sock, self._stream = sock, sock.makefile("rb")
        if self.password:
            self._sock.sendall(encode(("AUTH", self.password)))
            read_reply(self._stream)

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = self._stream = None


def pairs(flat: list[Any] | None) -> dict[str, Any]:
    """['a', '1', 'b', '2'] -> {'a': '1', 'b': '2'} (Sentinel's reply shape)."""
    flat = flat or []
    return {str(flat[i]): flat[i + 1] for i in range(0, len(flat) - 1, 2)}
