"""The slowness model: how long and how CPU-hungry each kind of request is."""

from __future__ import annotations

import random
import time

# How hard each operation is, in units of ESCALA_SLOW_UNIT_S; count, info and the
# health checks have no delay so that probes measure the process, not the model.
HARDNESS_CREATE = 5
HARDNESS_LIST = 2
HARDNESS_GET = 1


def burn_cpu(seconds: float) -> None:
    """Busy-loop for `seconds` of wall time (less CPU than that if the CPU is contended)."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        _spin()


def burn_cpu_time(seconds: float) -> None:
    """Busy-loop until this thread has used `seconds` of CPU time, however long it takes."""
    deadline = time.thread_time() + seconds
    while time.thread_time() < deadline:
        _spin()


def _spin() -> None:
    # A little arithmetic per turn keeps the loop on the CPU rather than in the clock call.
    x = 0
    for i in range(200):
        x ^= i * i


def work(ms: int, cpu_ms: int) -> None:
    """Spend exactly `cpu_ms` of CPU time, then sleep the rest of `ms`.

    CPU time rather than wall time: a load generator asks for an amount of work, so on
    a saturated instance /work takes longer, as real CPU-bound requests would.
    """
    if cpu_ms > 0:
        burn_cpu_time(cpu_ms / 1000)
    if ms > cpu_ms:
        time.sleep((ms - cpu_ms) / 1000)


class Slowness:
    def __init__(self, unit_s: float, cpu_share: float, rng: random.Random | None = None) -> None:
        self.unit_s = unit_s
        self.cpu_share = cpu_share
        # A private generator lets tests seed it without touching the global one.
        self._rng = rng or random.Random()

    def delay(self, hardness: int) -> float:
        """Wait up to hardness x unit seconds (uniform), part of it burning CPU; return it.

        Bounded in wall time, unlike work(): hardness x unit is the worst latency the
        model itself adds, whatever else runs on the machine.
        """
        if hardness <= 0 or self.unit_s <= 0:
            return 0.0
        total = self._rng.uniform(0, hardness * self.unit_s)
        cpu = total * self.cpu_share
        if cpu > 0:
            burn_cpu(cpu)
        if total > cpu:
            time.sleep(total - cpu)
        return total
