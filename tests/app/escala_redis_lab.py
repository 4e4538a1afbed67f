"""Real redis-server and redis-sentinel processes on 127.0.0.1 for the app tests.

A RedisLab is one master, its replicas and the Sentinels that watch it, each process
in its own directory under a temp dir, on free loopback ports. Every process is
started here and stopped here, by its PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from escala_app.config import Settings

LOOPBACK = "127.0.0.1"
READY_TIMEOUT_S = 30.0


def find_binary(name: str) -> str:
    """Path of a Redis binary; a missing one is a broken test setup, never a skip."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else "")
    if not path:
        raise RuntimeError(
            f"{name} not found on PATH: install it (Debian: apt-get install redis-server "
            "redis-sentinel) - the app tests need real Redis and Sentinel processes"
        )
    return path


def free_ports(count: int) -> list[int]:
    # Hold every socket until all are chosen so the kernel cannot hand one out twice.
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)))
            sock.bind((LOOPBACK, 0))
            ports.append(sock.getsockname()[1])
        return ports


def wait_for(what: str, check: Callable[[], bool], timeout: float, on_timeout: str = "") -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (redis.RedisError, OSError) as exc:
            last_error = exc
        time.sleep(0.05)
    raise RuntimeError(
        f"timed out after {timeout:g} s waiting for {what} ({last_error})\n{on_timeout}"
    )


@dataclass
class Proc:
    role: str  # "master", "replica" or "sentinel"
    port: int
    workdir: Path
    popen: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / "server.log"

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return f"{self.role}:{self.port}: no log"
        return "\n".join(f"{self.role}:{self.port}| {line}" for line in text)

    def signal(self, sig: int) -> None:
        if self.alive():
            assert self.popen is not None
            os.kill(self.popen.pid, sig)

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate by PID, then kill if it does not exit in time."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout)


@dataclass
class RedisLab:
    """One master named `master_name`, `replicas` replicas and `sentinels` Sentinels."""

    base_dir: Path
    master_name: str = "escala"
    password: str = "redis-test-pw"
    sentinel_password: str = "sentinel-test-pw"
    replicas: int = 1
    sentinels: int = 3
    quorum: int = 2
    procs: list[Proc] = field(default_factory=list)

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> RedisLab:
        server = find_binary("redis-server")
        sentinel = find_binary("redis-sentinel")
        ports = free_ports(1 + self.replicas + self.sentinels)
        master = self._add("master", ports[0])
        for port in ports[1 : 1 + self.replicas]:
            self._add("replica", port)
        for port in ports[1 + self.replicas :]:
            self._add("sentinel", port)
        try:
            self._launch(server, master, self._server_conf(master, replica_of=None))
            wait_for(
                "master", lambda: self.client(master).ping(), READY_TIMEOUT_S, master.log_tail()
            )
            for replica in self.replica_procs:
                self._launch(server, replica, self._server_conf(replica, replica_of=master))
            for replica in self.replica_procs:
                wait_for(
                    f"replica {replica.port} to sync",
                    lambda r=replica: self.link_up(r),
                    READY_TIMEOUT_S,
                    replica.log_tail(),
                )
            for proc in self.sentinel_procs:
                self._launch(sentinel, proc, self._sentinel_conf(proc, master))
            for proc in self.sentinel_procs:
                wait_for(
                    f"sentinel {proc.port} to see the whole group",
                    lambda p=proc: self._sentinel_sees_group(p),
                    READY_TIMEOUT_S,
                    proc.log_tail(),
                )
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        # Sentinels first, so they do not start a failover while the servers go away.
        for proc in reversed(self.procs):
            proc.stop()

    # -- access --------------------------------------------------------------------------

    @property
    def master_proc(self) -> Proc:
        return self.procs[0]

    @property
    def replica_procs(self) -> list[Proc]:
        return [p for p in self.procs if p.role == "replica"]

    @property
    def sentinel_procs(self) -> list[Proc]:
        return [p for p in self.procs if p.role == "sentinel"]

    def client(self, proc: Proc, **kwargs: Any) -> redis.Redis:
        """A direct client to one process (not through Sentinel)."""
        password = self.sentinel_password if proc.role == "sentinel" else self.password
        return redis.Redis(
            host=LOOPBACK,
            port=proc.port,
            password=password or None,
            decode_responses=True,
            socket_timeout=2,
            socket_connect_timeout=2,
            **kwargs,
        )

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "sentinels": tuple((LOOPBACK, p.port) for p in self.sentinel_procs),
            "master_name": self.master_name,
            "redis_password": self.password,
            "sentinel_password": self.sentinel_password,
            "slow_unit_s": 0.0,
            "failover_budget_s": 20.0,
            "wait_replicas": 1,
            "wait_timeout_ms": 1000,
            "socket_timeout_s": 1.0,
            "instance": f"test-{self.master_name}",
            "host": "test-host",
        }
        values.update(overrides)
        return Settings(**values)

    def master_by_sentinel(self) -> str:
        """'ip:port' of the master as the first live Sentinel reports it."""
        for proc in self.sentinel_procs:
            if proc.alive():
                host, port = self.client(proc).sentinel_get_master_addr_by_name(self.master_name)
                return f"{host}:{port}"
        raise RuntimeError("no live sentinel")

    def proc_at(self, address: str) -> Proc:
        return next(p for p in self.procs if p.address == address)

    def link_up(self, replica: Proc) -> bool:
        info = self.client(replica).info("replication")
        return info.get("role") == "slave" and info.get("master_link_status") == "up"

    # -- internals -----------------------------------------------------------------------

    def _add(self, role: str, port: int) -> Proc:
        workdir = self.base_dir / f"{self.master_name}-{role}-{port}"
        workdir.mkdir(parents=True)
        proc = Proc(role, port, workdir)
        self.procs.append(proc)
        return proc

    def _launch(self, binary: str, proc: Proc, conf: str) -> None:
        conf_path = proc.workdir / ("sentinel.conf" if proc.role == "sentinel" else "redis.conf")
        conf_path.write_text(conf)
        proc.popen = subprocess.Popen(
            [binary, str(conf_path)],
            cwd=proc.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _server_conf(self, proc: Proc, replica_of: Proc | None) -> str:
        lines = [
            f"port {proc.port}",
            f"bind {LOOPBACK}",
            f'dir "{proc.workdir}"',
            f'logfile "{proc.log}"',
            "daemonize no",
            'save ""',
            "appendonly no",
            # The default waits 5 s for more replicas before a full sync.
            "repl-diskless-sync yes",
            "repl-diskless-sync-delay 0",
            f'requirepass "{self.password}"',
            f'masterauth "{self.password}"',
        ]
        if replica_of is not None:
            lines.append(f"replicaof {LOOPBACK} {replica_of.port}")
        return "\n".join(lines) + "\n"

    def _sentinel_conf(self, proc: Proc, master: Proc) -> str:
        name = self.master_name
        lines = [
            f"port {proc.port}",
            f"bind {LOOPBACK}",
            f'dir "{proc.workdir}"',
            f'logfile "{proc.log}"',
            "daemonize no",
            f"sentinel monitor {name} {LOOPBACK} {master.port} {self.quorum}",
            f'sentinel auth-pass {name} "{self.password}"',
            f"sentinel down-after-milliseconds {name} 1000",
            f"sentinel failover-timeout {name} 5000",
            f"sentinel parallel-syncs {name} 1",
        ]
        if self.sentinel_password:
            lines += [
                f'requirepass "{self.sentinel_password}"',
                f'sentinel sentinel-pass "{self.sentinel_password}"',
            ]
        return "\n".join(lines) + "\n"

    def _sentinel_sees_group(self, proc: Proc) -> bool:
        state = self.client(proc).sentinel_master(self.master_name)
        return (
            bool(state.get("is_master"))
            and not state.get("is_sdown")
            and int(state.get("num-slaves", 0)) == self.replicas
            and int(state.get("num-other-sentinels", 0)) == self.sentinels - 1
        )


def kill_hard(proc: Proc) -> None:
    """SIGKILL one process, as a crashed host would look to its peers."""
    proc.signal(signal.SIGKILL)
    if proc.popen is not None:
        proc.popen.wait(5)
