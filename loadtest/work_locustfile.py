"""Closed-loop users for the scaling bench: each asks for one path again and again.

Run by loadtest/bench.py; the path comes from ESCALA_BENCH_PATH (e.g. /work?ms=100).
ESCALA_BENCH_TARGETS (comma-separated base URLs) spreads the users evenly over several
servers, e.g. every app instance when the bench bypasses the load balancer; otherwise every
user asks locust's --host. No think time: the user count alone sets the concurrency.
"""

from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, constant, task

BENCH_PATH = os.environ.get("ESCALA_BENCH_PATH", "/work?ms=100")
TARGETS = [t.rstrip("/") for t in os.environ.get("ESCALA_BENCH_TARGETS", "").split(",") if t]
_started = itertools.count()


class WorkUser(FastHttpUser):
    wait_time = constant(0)
    # Longer than any queueing a saturated instance adds at the bench's user counts.
    network_timeout = 30.0
    connection_timeout = 5.0

    def on_start(self) -> None:
        # User n asks target n modulo their number: as even as the count allows.
        index = next(_started)
        self.url = f"{TARGETS[index % len(TARGETS)]}{BENCH_PATH}" if TARGETS else BENCH_PATH

    @task
    def work(self) -> None:
        self.client.get(self.url, name=BENCH_PATH)
