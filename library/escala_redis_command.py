#!/usr/bin/python
"""Ansible module: send one read-only command to a Redis server or Sentinel."""

from __future__ import annotations

import socket

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.escala_resp import ReplyError, encode, read_reply

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


def query(host: str, port: int, password: str, command: list[str], timeout: float):
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.settimeout(timeout)
        stream = conn.makefile("rb")
        if password:
            conn.sendall(encode(["AUTH", password]))
            read_reply(stream)
        conn.sendall(encode(command))
        return read_reply(stream)


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
    except (OSError, ConnectionError, ReplyError) as exc:
        module.fail_json(msg=f"{p['host']}:{p['port']}: {exc}", changed=False)
    module.exit_json(changed=p["changes"], reply=reply)


if __name__ == "__main__":
    main()
