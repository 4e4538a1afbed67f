"""CPU use of the machine, of processes and of containers, from cumulative counters.

A Snapshot holds CPU seconds used so far; the difference of two snapshots over their
wall time gives the mean number of cores each consumer kept busy in between.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PROC = Path("/proc")
# cgroup v1 (cgroupfs driver) and v2 (systemd driver) places of a container's CPU counter.
_CGROUP_V1 = Path("/sys/fs/cgroup/cpuacct/docker")
_CGROUP_V2 = Path("/sys/fs/cgroup/system.slice")


@dataclass
class Snapshot:
    wall_s: float
    machine_busy_s: float
    machine_total_s: float
    groups: dict[str, float] = field(default_factory=dict)


def cpu_count() -> int:
    return os.cpu_count() or 1


def machine_facts() -> dict[str, object]:
    """Cores, memory, OS and kernel of this machine, for the reports."""
    mem_kib = 0
    with open(_PROC / "meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    os_name = platform.system()
    try:
        os_name = platform.freedesktop_os_release().get("PRETTY_NAME", os_name)
    except OSError:
        pass
    return {
        "cores": cpu_count(),
        "memory_gib": round(mem_kib / 2**20),
        "os": os_name,
        "kernel": platform.release(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores together."""
    with open(_PROC / "stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already in user).
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return (total - idle) / _CLOCK_TICKS, total / _CLOCK_TICKS


def process_seconds(pid: int) -> float:
    """CPU seconds (user + system) used by one process; 0 if it is gone."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    # The command name may hold spaces; the fields after it are space separated.
    after = text.rsplit(")", 1)[1].split()
    return (int(after[11]) + int(after[12])) / _CLOCK_TICKS


def parent_pid(pid: int) -> int | None:
    try:
        return int((_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        ppid = parent_pid(int(entry.name))
        if ppid is not None:
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def pids_with_args(program: str, args: Iterable[str]) -> list[int]:
    """Processes running `program` whose command line holds every one of `args`."""
    wanted = list(args)
    found = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv if a]
        if words and os.path.basename(words[0]) == program and _holds(words, wanted):
            found.append(int(entry.name))
    return found


def pids_in_container(program: str, container_id: str) -> list[int]:
    """Processes whose command line names `program` and that run inside a container.

    Nested containers count: their cgroup path holds the outer container's id.
    """
    found = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            cgroups = (entry / "cgroup").read_text()
        except OSError:
            continue
        if program.encode() in cmdline and container_id in cgroups:
            found.append(int(entry.name))
    return found


def _holds(words: list[str], wanted: list[str]) -> bool:
    text = " ".join(words)
    return all(w in text for w in wanted)


def container_seconds(container_id: str) -> float | None:
    """CPU seconds of a container and everything in it (nested containers too)."""
    v1 = _CGROUP_V1 / container_id / "cpuacct.usage"
    if v1.exists():
        return int(v1.read_text()) / 1e9
    v2 = _CGROUP_V2 / f"docker-{container_id}.scope" / "cpu.stat"
    if v2.exists():
        for line in v2.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
    return None


def snapshot(pids: dict[str, list[int]], containers: dict[str, list[str]]) -> Snapshot:
    """Counters now: `pids` maps a name to processes, `containers` a name to container ids."""
    busy, total = machine_seconds()
    snap = Snapshot(wall_s=time.monotonic(), machine_busy_s=busy, machine_total_s=total)
    for name, group in pids.items():
        snap.groups[name] = sum(process_seconds(pid) for pid in group)
    for name, ids in containers.items():
        seconds = [container_seconds(container_id) for container_id in ids]
        if ids and None not in seconds:
            snap.groups[name] = sum(s for s in seconds if s is not None)
    return snap


def cores_used(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """Mean cores each consumer kept busy between two snapshots, and the machine's."""
    wall = after.wall_s - before.wall_s
    if wall <= 0:
        raise ValueError("snapshots must be taken in order")
    used = {
        name: (after.groups[name] - before.groups[name]) / wall
        for name in after.groups
        if name in before.groups
    }
    total = after.machine_total_s - before.machine_total_s
    busy = after.machine_busy_s - before.machine_busy_s
    # /proc/stat counts all cores: busy share of the machine times its cores.
    used["machine"] = busy / total * cpu_count() if total > 0 else 0.0
    return used
