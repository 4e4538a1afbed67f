"""The slowness model: bounded random delays, with a share of them spent on the CPU."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any, TypeVar

from escala_app import slowness
from escala_app.slowness import Slowness

T = TypeVar("T")


# A loaded machine (CI, or a lab running beside the tests) can stall any thread for a
# few hundred ms, so wall-clock checks bound the typical call tightly and the worst
# call only loosely; the drawn delay itself is checked exactly.
STALL_S = 0.3


def timed(fn: Callable[..., T], *args: Any) -> tuple[float, float, T]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def test_hardness_of_each_operation() -> None:
    assert (slowness.HARDNESS_CREATE, slowness.HARDNESS_LIST, slowness.HARDNESS_GET) == (5, 2, 1)


def run_delays(share: float, hardness: int = 5, count: int = 8) -> tuple[float, float]:
    unit = 0.02
    model = Slowness(unit, share, random.Random(11))
    total_wall = total_cpu = 0.0
    overshoots = []
    for _ in range(count):
        wall, cpu, drawn = timed(model.delay, hardness)
        assert 0 <= drawn <= hardness * unit
        assert drawn - 0.002 <= wall <= drawn + STALL_S
        overshoots.append(wall - drawn)
        total_wall, total_cpu = total_wall + wall, total_cpu + cpu
    # The time waited is the drawn delay, whatever the share (a busy loop that loses
    # its core near the end of its slice may come back a scheduler tick late).
    assert statistics.median(overshoots) < 0.05
    return total_wall, total_cpu


def test_delay_is_bounded_by_hardness_times_unit() -> None:
    for hardness in (1, 2, 5):
        run_delays(0.0, hardness=hardness, count=6)
        run_delays(1.0, hardness=hardness, count=5)


def test_delay_is_a_uniform_draw() -> None:
    model = Slowness(0.01, 0.0, random.Random(3))
    draws = [model.delay(5) for _ in range(20)]
    assert all(0 <= d <= 0.05 for d in draws)
    # Not a constant: the draw is random within the bound.
    assert len({round(d, 6) for d in draws}) > 10


# CPU-time bounds are loose on purpose: on a contended machine a busy loop gets only
# part of a core, so the share shows up as a clear difference rather than exact ratios.


def test_cpu_share_burns_cpu_time() -> None:
    idle_wall, idle_cpu = run_delays(0.0)
    busy_wall, busy_cpu = run_delays(1.0)
    assert idle_wall > 0.1 and busy_wall > 0.1  # enough waiting to compare CPU time with
    assert idle_cpu < 0.1 * idle_wall
    # Even with several runnable processes per core the busy loop gets a clear share.
    assert busy_cpu >= 0.1 * busy_wall
    assert busy_cpu >= 3 * idle_cpu


def test_partial_cpu_share_burns_part() -> None:
    wall, cpu = run_delays(0.5)
    assert wall > 0.1
    assert 0.03 * wall <= cpu <= 0.7 * wall


def test_zero_unit_or_hardness_is_instant() -> None:
    assert Slowness(0.0, 1.0).delay(5) == 0.0
    assert Slowness(1.0, 1.0).delay(0) == 0.0


def test_work_spends_exactly_cpu_ms_of_cpu_time() -> None:
    wall, cpu, _ = timed(slowness.work, 60, 40)
    assert wall >= 0.060
    # Counted in CPU time, so contention makes it slower but never cheaper.
    assert 0.040 <= cpu < 0.060
    wall, cpu, _ = timed(slowness.work, 0, 0)
    assert wall < STALL_S
