"""The slowness model: bounded random delays, with a share of them spent on the CPU."""

from __future__ import annotations

import random
import time

from escala_app import slowness
from escala_app.slowness import Slowness


def timed(fn, *args):  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def test_hardness_of_each_operation() -> None:
    assert (slowness.HARDNESS_CREATE, slowness.HARDNESS_LIST, slowness.HARDNESS_GET) == (5, 2, 1)


def test_delay_is_bounded_by_hardness_times_unit() -> None:
    model = Slowness(0.02, 0.0, random.Random(7))
    for hardness in (1, 2, 5):
        for _ in range(5):
            wall, _cpu = timed(model.delay, hardness)
            assert wall <= hardness * 0.02 + 0.03


def test_delay_reports_and_spends_a_uniform_draw() -> None:
    model = Slowness(0.01, 0.0, random.Random(3))
    draws = [model.delay(5) for _ in range(20)]
    assert all(0 <= d <= 0.05 for d in draws)
    # Not a constant: the draw is random within the bound.
    assert len({round(d, 6) for d in draws}) > 10


def run_delays(share: float, count: int = 8) -> tuple[float, float]:
    model = Slowness(0.02, share, random.Random(11))
    total_wall = total_cpu = 0.0
    for _ in range(count):
        wall, cpu = timed(model.delay, 5)
        # The bound holds whatever the share, even on a busy machine.
        assert wall <= 5 * 0.02 + 0.03
        total_wall, total_cpu = total_wall + wall, total_cpu + cpu
    assert total_wall > 0.1
    return total_wall, total_cpu


# CPU-time bounds are loose on purpose: on a contended machine a busy loop gets only
# part of a core, so the share shows up as a clear difference rather than exact ratios.


def test_sleeping_delay_uses_little_cpu() -> None:
    wall, cpu = run_delays(0.0)
    assert cpu < 0.1 * wall


def test_cpu_share_burns_cpu_time() -> None:
    wall, cpu = run_delays(1.0)
    assert cpu >= 0.25 * wall


def test_partial_cpu_share_burns_part() -> None:
    wall, cpu = run_delays(0.5)
    assert 0.05 * wall <= cpu <= 0.7 * wall


def test_zero_unit_or_hardness_is_instant() -> None:
    assert Slowness(0.0, 1.0).delay(5) == 0.0
    assert Slowness(1.0, 1.0).delay(0) == 0.0


def test_work_spends_exactly_cpu_ms_of_cpu_time() -> None:
    wall, cpu = timed(slowness.work, 60, 40)
    assert wall >= 0.060
    # Counted in CPU time, so contention makes it slower but never cheaper.
    assert 0.040 <= cpu < 0.060
    wall, cpu = timed(slowness.work, 0, 0)
    assert wall < 0.01
