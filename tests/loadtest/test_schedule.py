"""The origin's open-model timetable: who arrives when, and how 610 requests come out."""

from __future__ import annotations

import pytest

from loadtest import schedule


def test_origin_timetable_has_305_users_and_610_requests():
    arrivals = schedule.arrivals(schedule.ORIGIN_POPULATIONS)

    assert len(arrivals) == 305
    assert len(arrivals) * schedule.ORIGIN_REQUESTS_PER_USER == 610
    # 100 + 10 users at once, then the ramp's first step starts at the same instant.
    assert sum(1 for t, _ in arrivals if t == 0) == 111
    assert arrivals == sorted(arrivals, key=lambda a: a[0])
    assert arrivals[-1][0] < 40


def test_origin_steps_bring_the_counts_of_the_scenario():
    counts = [len(step.offsets) for step in schedule.ORIGIN_POPULATIONS["ramp"]]

    assert [len(step.offsets) for step in schedule.ORIGIN_POPULATIONS["burst"]] == [100]
    # 10 at once, 10 over 10 s, 5/s for 10 s, 5->20/s over 10 s (the mean 12.5/s), 10 more.
    assert counts == [10, 10, 50, 125, 10]


def test_steps_follow_one_another():
    arrivals = schedule.arrivals(
        {"p": [schedule.at_once(2), schedule.ramp_users(2, 10), schedule.constant_rate(1, 2)]}
    )

    assert [t for t, _ in arrivals] == [0, 0, 0, 5, 10, 11]


def test_ramp_rate_speeds_up_linearly():
    step = schedule.ramp_rate(5, 20, 10)
    offsets = step.offsets

    assert offsets[0] == 0
    assert all(b > a for a, b in zip(offsets, offsets[1:], strict=False))
    # Arrivals in the first and the last second: about the rate at each end.
    first = sum(1 for t in offsets if t < 1)
    last = sum(1 for t in offsets if t >= 9)
    assert first == pytest.approx(5.75, abs=1)
    assert last == pytest.approx(19.25, abs=1)
    # A flat ramp is a constant rate.
    assert schedule.ramp_rate(5, 5, 2).offsets == pytest.approx(
        schedule.constant_rate(5, 2).offsets
    )
