"""The Redis protocol (RESP2) over a plain socket: encode a command, read one reply.

Shared by the escala_redis_command module (shipped to hosts as an Ansible module_util) and
the failover drill's observer (imported on the controller). Standard library only, so a
host or the controller needs no Redis client library.
"""

from __future__ import annotations

from typing import Any


class ReplyError(Exception):
    """An error reply from the server (e.g. LOADING, NOAUTH)."""


def encode(args: list[str] | tuple[str, ...]) -> bytes:
    """One command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def read_reply(stream: Any) -> Any:
    """Read one reply from a binary file-like stream: simple and bulk strings as text,
    integers as int, arrays as lists, nulls as None; an error reply raises ReplyError."""
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
