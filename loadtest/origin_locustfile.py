"""The origin's load test: two populations of users, each user reading two resources.

Every user reads one resource, pauses 10 s, reads another (each read expects 200) and
leaves. Users arrive on the open-model timetable of loadtest.schedule (100 at once, and
beside them a population ramping through five steps), whatever the stack's speed: 305
users, 610 requests. Run it with `make load` (loadtest/load.py), or by hand:

    PYTHONPATH=. locust -f loadtest/origin_locustfile.py --headless --host URL

Before the first user, the resources it reads are seeded through the same URL.
"""

from __future__ import annotations

import itertools
import logging
import random
import time

import gevent
import requests
from gevent.pool import Pool
from locust import FastHttpUser, LoadTestShape, events, task
from locust.env import Environment
from locust.exception import StopUser

from loadtest.schedule import ORIGIN_POPULATIONS, arrivals

log = logging.getLogger("escala.origin")

PAUSE_S = 10.0
REQUEST_TIMEOUT_S = 30.0
SEED_TIMEOUT_S = 60.0
SEED_CONCURRENCY = 10

ARRIVALS = arrivals(ORIGIN_POPULATIONS)
# The longest a user can take: its pause and two requests that time out.
RUN_LIMIT_S = ARRIVALS[-1][0] + PAUSE_S + 2 * REQUEST_TIMEOUT_S + 10


class _OriginUser(FastHttpUser):
    abstract = True
    population = ""
    network_timeout = REQUEST_TIMEOUT_S
    connection_timeout = REQUEST_TIMEOUT_S

    def wait_time(self) -> float:
        return 0.0

    @task
    def read_pause_read(self) -> None:
        first, second = random.sample(_timetable.resource_ids, 2)
        self._read(first)
        gevent.sleep(PAUSE_S)
        self._read(second)
        raise StopUser()

    def _read(self, resource_id: int) -> None:
        with self.client.get(
            f"/resources/{resource_id}",
            name=f"/resources/[id] ({self.population})",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"expected 200, got {response.status_code}")


class BurstUser(_OriginUser):
    population = "burst"


class RampUser(_OriginUser):
    population = "ramp"


USER_CLASS_OF = {"burst": BurstUser.__name__, "ramp": RampUser.__name__}


class OriginArrivals(LoadTestShape):
    """Ends the run once every user of the timetable has arrived and left.

    The shape itself asks for no users: an open model starts users on a timetable and
    lets each one leave, which locust's user-count targets cannot express. The timetable
    runs in its own greenlet (see _start_timetable).
    """

    def tick(self) -> tuple[int, float] | None:
        if self.get_run_time() > RUN_LIMIT_S:
            log.error("stopping: the run exceeded its %.0f s limit", RUN_LIMIT_S)
            return None
        if _timetable.done and self.runner is not None and self.runner.user_count == 0:
            return None
        return (0, 1)


class _Timetable:
    """The run's state: the resources to read and how far the timetable has got."""

    def __init__(self) -> None:
        self.environment: Environment | None = None
        self.resource_ids: list[int] = []
        self.started = False
        self.done = False

    def run(self, environment: Environment) -> None:
        runner = environment.runner
        assert runner is not None
        start = time.monotonic()
        worst_late = 0.0
        # Users arriving at the same instant (the bursts at 0 s) start in one call.
        for (offset, population), group in itertools.groupby(ARRIVALS):
            delay = start + offset - time.monotonic()
            if delay > 0:
                gevent.sleep(delay)
            worst_late = max(worst_late, time.monotonic() - start - offset)
            runner.spawn_users({USER_CLASS_OF[population]: len(list(group))})
        self.done = True
        log.info(
            "all %d users started, at worst %.3f s behind the timetable", len(ARRIVALS), worst_late
        )


_timetable = _Timetable()


@events.init_command_line_parser.add_listener
def _add_options(parser) -> None:
    parser.add_argument(
        "--seed-resources",
        type=int,
        default=20,
        help="Resources that must exist before the run; missing ones are created (POST).",
    )


@events.init.add_listener
def _seed(environment: Environment, **_kwargs) -> None:
    """Make sure the resources exist and learn their ids, outside of the measured run."""
    _timetable.environment = environment
    if environment.parsed_options is None or not environment.host:
        return
    base = environment.host.rstrip("/")
    try:
        ids = _seeded_ids(base, max(2, environment.parsed_options.seed_resources))
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise SystemExit(f"origin: cannot prepare the resources at {base}: {exc}") from None
    if len(ids) < 2:
        raise SystemExit(f"origin: need at least 2 resources at {base}, found {len(ids)}")
    _timetable.resource_ids = ids
    log.info("reading from %d resources", len(ids))


def _seeded_ids(base: str, wanted: int) -> list[int]:
    session = requests.Session()
    existing = session.get(f"{base}/resources/count", timeout=SEED_TIMEOUT_S)
    existing.raise_for_status()
    missing = max(0, wanted - existing.json()["count"])
    if missing:
        log.info("seeding %d resources through %s", missing, base)

        def create(i: int) -> None:
            name = f"load-{int(time.time())}-{i}"
            response = session.post(f"{base}/resources/{name}", timeout=SEED_TIMEOUT_S)
            response.raise_for_status()

        Pool(SEED_CONCURRENCY).map(create, range(missing))
    listing = session.get(f"{base}/resources", timeout=SEED_TIMEOUT_S)
    listing.raise_for_status()
    return [resource["id"] for resource in listing.json()]


@events.spawning_complete.add_listener
def _start_timetable(**_kwargs) -> None:
    # The shape's first tick (0 users) has been applied: from now on locust's own
    # spawning leaves the users alone, and the timetable adds them.
    if not _timetable.started and _timetable.environment is not None:
        _timetable.started = True
        gevent.spawn(_timetable.run, _timetable.environment)
