#!/usr/bin/python
"""Ansible module: send one read-only command to a Redis server or Sentinel."""

from __future__ import annotations

import socket

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: escala_redis_command
short_description: Send one command to a Redis server or Sentinel and return its reply
description:
  - Speaks the Redis protocol over a plain socket, so the host needs no Redis client
    library. A query (the default) reports no change; a command with I(changes=true)
    (SENTINEL SET, say) reports a change and is not sent in check mode.
options:
  host:
    description: Address of the Redis server or Sentinel.
    type: str
    required: true
  port:
    description: Its port.
    type: int
    required: true
  password:
    description: Password sent with AUTH first; empty for none.
    type: str
    default: ""
    no_log: true
  command:
    description: The command and its arguments.
    type: list
    elements: str
    required: true
  changes:
    description: The command changes the server.
    type: bool
    default: false
  timeout:
    description: Seconds to wait for the connection and the reply.
    type: float
    default: 2.0
author: escala
"""

RETURN = r"""
reply:
  description: The reply; bulk strings as text, arrays as lists, null as None.
  returned: success
  type: raw
"""


class RedisError(Exception):
    """An error reply from the server."""


def _encode(args: list[str]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def _read_reply(stream):
    line = stream.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed in the middle of a reply")
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RedisError(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data = stream.read(size + 2)
        return data[:-2].decode(errors="replace")
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [_read_reply(stream) for _ in range(count)]
    raise ConnectionError(f"unexpected reply type {kind!r}")


def query(host: str, port: int, password: str, command: list[str], timeout: float):
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.settimeout(timeout)
        stream = conn.makefile("rb")
        if password:
            conn.sendall(_encode(["AUTH", password]))
            _read_reply(stream)
        conn.sendall(_encode(command))
        return _read_reply(stream)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "host": {"type": "str", "required": True},
            "port": {"type": "int", "required": True},
            "password": {"type": "str", "default": "", "no_log": True},
            "command": {"type": "list", "elements": "str", "required": True},
            "timeout": {"type": "float", "default": 2.0},
            "changes": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    p = module.params
    if p["changes"] and module.check_mode:
        module.exit_json(changed=True, reply=None)
    try:
        reply = query(p["host"], p["port"], p["password"], p["command"], p["timeout"])
    except (OSError, ConnectionError, RedisError) as exc:
        module.fail_json(msg=f"{p['host']}:{p['port']}: {exc}", changed=False)
    module.exit_json(changed=p["changes"], reply=reply)


if __name__ == "__main__":
    main()
