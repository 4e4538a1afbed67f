"""A minimal Redis protocol client: one connection, AUTH, one command at a time.

The drill needs ROLE and a few SENTINEL queries, polled several times a second; a plain
socket keeps the controller free of a Redis client library.
"""

from __future__ import annotations

import socket
from typing import Any


class ReplyError(Exception):
    """An error reply from the server (e.g. LOADING, NOAUTH)."""


def encode(args: tuple[str, ...]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def read_reply(stream: Any) -> Any:
    line = stream.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed in the middle of a reply")
    kind, rest = line[:1], line[1:-2].decode(errors="replace")
    if kind == b"+":
        return rest
    if kind == b"-":
        raise ReplyError(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data = stream.read(size + 2)
        if len(data) != size + 2:
            raise ConnectionError("connection closed in the middle of a reply")
        return data[:-2].decode(errors="replace")
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [read_reply(stream) for _ in range(count)]
    raise ConnectionError(f"unexpected reply type {kind!r}")


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
