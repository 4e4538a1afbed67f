"""Open-model arrival schedules: when each user of a population starts.

The origin's scenario is an open model: users arrive on a timetable, each runs its steps
once and leaves, whatever the system's speed. A population is a list of injection steps
run one after the other; each step is described by the arrival offsets it produces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One injection step: `offsets` are arrival times in seconds from the step's start."""

    description: str
    duration_s: float
    offsets: tuple[float, ...]


def at_once(users: int) -> Step:
    return Step(f"{users} users at once", 0.0, (0.0,) * users)


def ramp_users(users: int, during_s: float) -> Step:
    """`users` arrivals spread evenly over `during_s`."""
    return Step(
        f"{users} users over {during_s:g} s",
        during_s,
        tuple(i * during_s / users for i in range(users)),
    )


def constant_rate(per_s: float, during_s: float) -> Step:
    """`per_s` arrivals a second for `during_s`."""
    users = round(per_s * during_s)
    return Step(
        f"{per_s:g}/s for {during_s:g} s",
        during_s,
        tuple(i / per_s for i in range(users)),
    )


def ramp_rate(from_per_s: float, to_per_s: float, during_s: float) -> Step:
    """An arrival rate rising linearly from `from_per_s` to `to_per_s` over `during_s`.

    The i-th user arrives when the cumulative arrivals r0*t + (r1 - r0) * t^2 / (2 * d)
    reach i; the step brings the integral of the rate, (r0 + r1) / 2 * d, users.
    """
    slope = (to_per_s - from_per_s) / during_s
    users = round((from_per_s + to_per_s) / 2 * during_s)

    def arrival(i: int) -> float:
        if slope == 0:
            return i / from_per_s
        return (-from_per_s + math.sqrt(from_per_s**2 + 2 * slope * i)) / slope

    return Step(
        f"{from_per_s:g}/s to {to_per_s:g}/s over {during_s:g} s",
        during_s,
        tuple(arrival(i) for i in range(users)),
    )


def arrivals(populations: dict[str, list[Step]]) -> list[tuple[float, str]]:
    """Every arrival of every population as (seconds from the start, population), in order.

    Populations start together; within one, each step starts when the previous one ends.
    """
    result: list[tuple[float, str]] = []
    for name, steps in populations.items():
        start = 0.0
        for step in steps:
            result.extend((start + offset, name) for offset in step.offsets)
            start += step.duration_s
    result.sort(key=lambda arrival: arrival[0])
    return result


# The origin's scenario: a burst of 100 users, and beside it a second population that
# ramps through five steps. Each user makes 2 requests, so the whole run makes 610.
ORIGIN_POPULATIONS: dict[str, list[Step]] = {
    "burst": [at_once(100)],
    "ramp": [
        at_once(10),
        ramp_users(10, 10),
        constant_rate(5, 10),
        ramp_rate(5, 20, 10),
        ramp_users(10, 10),
    ],
}
ORIGIN_REQUESTS_PER_USER = 2
