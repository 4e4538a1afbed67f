"""Durability: writes acknowledged by a replica, 503 when they cannot be, and failover."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from escala_app.config import Settings
from escala_app.storage import HASH_KEY
from escala_redis_lab import RedisLab, kill_hard, wait_for

MakeApp = Callable[[Settings], Flask]


def test_created_resource_is_already_on_the_replica(client: FlaskClient, lab: RedisLab) -> None:
    replica = lab.client(lab.replica_procs[0])
    for name in ("r1", "r2", "r3"):
        created = client.post(f"/resources/{name}")
        assert created.status_code == 201
        # No polling: WAIT returned only after the replica had applied the write.
        assert replica.hget(HASH_KEY, str(created.get_json()["id"])) == name


def test_unreplicated_write_is_503_not_500(wait_lab: RedisLab, make_app: MakeApp) -> None:
    client = make_app(wait_lab.settings(wait_timeout_ms=300, failover_budget_s=3.0)).test_client()
    assert client.post("/resources/before").status_code == 201

    wait_lab.replica_procs[0].stop()
    master = wait_lab.client(wait_lab.master_proc)
    wait_for(
        "master to notice its replica is gone",
        lambda: master.info("replication")["connected_slaves"] == 0,
        10,
    )

    started = time.perf_counter()
    response = client.post("/resources/after")
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert response.get_json()["error"] == "not_replicated"
    assert response.headers["Retry-After"] == "1"
    # One WAIT of 300 ms, not a retry loop over the budget: the write itself succeeded.
    assert 0.3 <= elapsed < 2.0

    # The master is fine, so the instance stays ready and reads still work.
    assert client.get("/readyz").status_code == 200
    assert client.get("/resources/1").get_json() == {"id": 1, "name": "before"}

    # With WAIT switched off, the same master accepts writes as acknowledged.
    no_wait = make_app(wait_lab.settings(wait_replicas=0)).test_client()
    assert no_wait.post("/resources/unchecked").status_code == 201


def test_create_survives_master_crash(
    failover_lab: RedisLab, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="escala_app.storage")
    app = make_app(failover_lab.settings(failover_budget_s=20.0))
    client = app.test_client()
    old_master = failover_lab.master_proc
    before = client.post("/resources/before")
    assert before.status_code == 201

    # Readers keep going through the failover; every one must end well, if late.
    statuses: list[int] = []
    stop = threading.Event()

    def read_loop() -> None:
        reader = app.test_client()
        while not stop.is_set():
            statuses.append(reader.get("/resources/count").status_code)
            time.sleep(0.05)

    reader_thread = threading.Thread(target=read_loop, daemon=True)
    reader_thread.start()
    try:
        kill_hard(old_master)
        started = time.perf_counter()
        during = client.post("/resources/during")
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        reader_thread.join(30)

    assert during.status_code == 201, during.get_json()
    # Sentinel needs down-after-milliseconds (1 s) to even suspect the master: the
    # create cannot have succeeded without riding out the failover.
    assert 1.0 <= elapsed < 20.0
    new_address = failover_lab.master_by_sentinel()
    assert new_address != old_master.address

    # The new master has both writes: the one before the crash was acknowledged by a
    # replica, the one during it was retried against the promoted replica.
    new_master = failover_lab.client(failover_lab.proc_at(new_address))
    assert new_master.info("replication")["role"] == "master"
    assert new_master.hget(HASH_KEY, str(before.get_json()["id"])) == "before"
    assert new_master.hget(HASH_KEY, str(during.get_json()["id"])) == "during"

    fetched = client.get(f"/resources/{during.get_json()['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json()["name"] == "during"
    assert client.get("/readyz").get_json() == {"status": "ready", "redis_master": new_address}
    assert client.get("/info").get_json()["redis_master"] == new_address

    assert statuses, "the reader thread made no request"
    assert set(statuses) == {200}, statuses

    messages = [r.getMessage() for r in caplog.records if r.name == "escala_app.storage"]
    assert any("retrying for up to" in m for m in messages), messages
    assert any("reachable again" in m for m in messages), messages
    assert not any("giving up" in m for m in messages), messages
