"""Settings of one escala-app process, read once from ESCALA_* environment variables."""

from __future__ import annotations

import math
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

_T = TypeVar("_T")

SentinelAddress = tuple[str, int]


@dataclass(frozen=True)
class Settings:
    sentinels: tuple[SentinelAddress, ...]
    master_name: str = "escala"
    redis_password: str = ""
    sentinel_password: str = ""
    slow_unit_s: float = 1.0
    cpu_share: float = 0.0
    failover_budget_s: float = 20.0
    wait_replicas: int = 1
    wait_timeout_ms: int = 1000
    socket_timeout_s: float = 1.0
    instance: str = ""
    host: str = ""
    max_name_length: int = 200

    def __post_init__(self) -> None:
        # Settings built in code (tests, tools) get the same checks as the environment.
        if not self.sentinels:
            raise ValueError("ESCALA_SENTINELS: at least one host:port is required")
        for host, port in self.sentinels:
            if not host or not 0 < port < 65536:
                raise ValueError(f"ESCALA_SENTINELS: invalid address {host!r}:{port!r}")
        if not self.master_name:
            raise ValueError("ESCALA_MASTER_NAME: must not be empty")
        _check("ESCALA_SLOW_UNIT_S", self.slow_unit_s, lambda v: v >= 0, "must be >= 0")
        _check("ESCALA_CPU_SHARE", self.cpu_share, lambda v: 0 <= v <= 1, "must be in 0..1")
        _check("ESCALA_FAILOVER_BUDGET_S", self.failover_budget_s, lambda v: v > 0, "must be > 0")
        _check("ESCALA_WAIT_REPLICAS", self.wait_replicas, lambda v: v >= 0, "must be >= 0")
        _check("ESCALA_WAIT_TIMEOUT_MS", self.wait_timeout_ms, lambda v: v > 0, "must be > 0")
        _check("ESCALA_SOCKET_TIMEOUT_S", self.socket_timeout_s, lambda v: v > 0, "must be > 0")
        _check("ESCALA_MAX_NAME_LENGTH", self.max_name_length, lambda v: v >= 1, "must be >= 1")
        # An empty identity would make /info useless, so fall back to the hostname.
        if not self.instance:
            object.__setattr__(self, "instance", socket.gethostname())
        if not self.host:
            object.__setattr__(self, "host", socket.gethostname())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build Settings from ESCALA_* variables; raise ValueError naming a bad variable."""
        env = os.environ if environ is None else environ

        def get(name: str, parse: Callable[[str], _T], default: _T) -> _T:
            raw = env.get(name, "").strip()
            if raw == "":
                return default
            try:
                return parse(raw)
            except ValueError as exc:
                raise ValueError(f"{name}: invalid value {raw!r} ({exc})") from None

        raw_sentinels = env.get("ESCALA_SENTINELS", "").strip()
        if not raw_sentinels:
            raise ValueError("ESCALA_SENTINELS: required, e.g. '10.0.0.1:26379,10.0.0.2:26379'")
        sentinels = get("ESCALA_SENTINELS", parse_sentinels, ())

        return cls(
            sentinels=sentinels,
            master_name=get("ESCALA_MASTER_NAME", str, "escala"),
            redis_password=env.get("ESCALA_REDIS_PASSWORD", ""),
            sentinel_password=env.get("ESCALA_SENTINEL_PASSWORD", ""),
            slow_unit_s=get("ESCALA_SLOW_UNIT_S", _finite_float, 1.0),
            cpu_share=get("ESCALA_CPU_SHARE", _finite_float, 0.0),
            failover_budget_s=get("ESCALA_FAILOVER_BUDGET_S", _finite_float, 20.0),
            wait_replicas=get("ESCALA_WAIT_REPLICAS", int, 1),
            wait_timeout_ms=get("ESCALA_WAIT_TIMEOUT_MS", int, 1000),
            socket_timeout_s=get("ESCALA_SOCKET_TIMEOUT_S", _finite_float, 1.0),
            instance=get("ESCALA_INSTANCE", str, ""),
            host=get("ESCALA_HOST", str, ""),
            max_name_length=get("ESCALA_MAX_NAME_LENGTH", int, 200),
        )


def parse_sentinels(raw: str) -> tuple[SentinelAddress, ...]:
    """Parse 'host:port,host:port' ('[v6]:port' accepted) into address pairs."""
    result: list[SentinelAddress] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        host, sep, port_text = item.rpartition(":")
        host = host.strip("[]")
        if not sep or not host:
            raise ValueError(f"{item!r} is not host:port")
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError(f"{item!r} has a non-numeric port") from None
        if not 0 < port < 65536:
            raise ValueError(f"{item!r} has a port outside 1..65535")
        result.append((host, port))
    if not result:
        raise ValueError("no host:port given")
    return tuple(result)


def _finite_float(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _check(name: str, value: float, ok: Callable[[float], bool], rule: str) -> None:
    if not ok(value):
        raise ValueError(f"{name}: {rule}, got {value!r}")
