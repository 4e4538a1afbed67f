"""Closed-loop users for the scaling bench: each asks for one path again and again.

Run by loadtest/bench.py; the path comes from ESCALA_BENCH_PATH (e.g. /work?ms=100).
No think time: the user count alone sets the concurrency the stack sees.
"""

from __future__ import annotations

import os

from locust import FastHttpUser, constant, task

BENCH_PATH = os.environ.get("ESCALA_BENCH_PATH", "/work?ms=100")


class WorkUser(FastHttpUser):
    wait_time = constant(0)
    # Longer than any queueing a saturated instance adds at the bench's user counts.
    network_timeout = 30.0
    connection_timeout = 5.0

    @task
    def work(self) -> None:
        self.client.get(BENCH_PATH, name=BENCH_PATH)
