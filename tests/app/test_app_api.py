"""The HTTP contract of escala-app, against the shared Redis + Sentinel group."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from escala_app.config import Settings
from escala_app.routes import EXTENSION_KEY
from escala_app.storage import COUNTER_KEY, HASH_KEY
from escala_redis_lab import LOOPBACK, RedisLab, free_ports

MakeApp = Callable[[Settings], Flask]


def assert_json_error(response: TestResponse, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.is_json, response.data[:200]
    body = response.get_json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert b"<html" not in response.data.lower()


# -- resources -----------------------------------------------------------------------


def test_create_then_read_back(client: FlaskClient) -> None:
    created = client.post("/resources/alpha")
    assert created.status_code == 201
    assert created.get_json() == {"id": 1, "name": "alpha"}
    assert created.headers["Location"] == "/resources/1"

    fetched = client.get("/resources/1")
    assert fetched.status_code == 200
    assert fetched.get_json() == {"id": 1, "name": "alpha"}


def test_data_lives_in_one_hash_and_a_counter(client: FlaskClient, lab: RedisLab) -> None:
    client.post("/resources/one")
    client.post("/resources/two")
    direct = lab.client(lab.master_proc)
    assert direct.hgetall(HASH_KEY) == {"1": "one", "2": "two"}
    assert direct.get(COUNTER_KEY) == "2"


def test_list_and_count(client: FlaskClient) -> None:
    assert client.get("/resources").get_json() == []
    assert client.get("/resources/count").get_json() == {"count": 0}

    names = [f"item-{i}" for i in range(12)]
    for name in names:
        assert client.post(f"/resources/{name}").status_code == 201

    listed = client.get("/resources")
    assert listed.status_code == 200
    # Sorted numerically: 10 and 11 come after 9, not after 1.
    assert listed.get_json() == [{"id": i + 1, "name": n} for i, n in enumerate(names)]
    assert client.get("/resources/count").get_json() == {"count": 12}


def test_count_route_is_not_taken_for_an_id(client: FlaskClient) -> None:
    response = client.get("/resources/count")
    assert response.status_code == 200
    assert response.get_json() == {"count": 0}


def test_a_resource_may_be_named_count(client: FlaskClient) -> None:
    created = client.post("/resources/count")
    assert created.status_code == 201
    assert created.get_json()["name"] == "count"


def test_unknown_id_is_404(client: FlaskClient) -> None:
    assert_json_error(client.get("/resources/424242"), 404, "not_found")


@pytest.mark.parametrize("rid", ["0", "-1", "abc", "1.5", "1e3", "%C2%B2", "+1", "9" * 40])
def test_bad_id_is_400(client: FlaskClient, rid: str) -> None:
    assert_json_error(client.get(f"/resources/{rid}"), 400, "bad_request")


@pytest.mark.parametrize(
    "name",
    ["a" * 201, "with%20space", "star*", "semi;colon", "%C3%BC", "quote%22", "a%2Fb"],
)
def test_bad_name_is_400(client: FlaskClient, name: str) -> None:
    response = client.post(f"/resources/{name}")
    # An encoded slash may route nowhere instead; either way it is a JSON 4xx.
    if name == "a%2Fb" and response.status_code == 404:
        assert_json_error(response, 404, "not_found")
    else:
        assert_json_error(response, 400, "bad_request")
    assert client.get("/resources/count").get_json() == {"count": 0}


def test_name_of_maximum_length_and_all_allowed_characters(client: FlaskClient) -> None:
    longest = "x" * 200
    assert client.post(f"/resources/{longest}").status_code == 201
    allowed = "AZaz09._~-"
    created = client.post(f"/resources/{allowed}")
    assert created.status_code == 201
    assert created.get_json()["name"] == allowed


def test_max_name_length_is_configurable(lab: RedisLab, make_app: MakeApp) -> None:
    lab.client(lab.master_proc).flushall()
    client = make_app(lab.settings(max_name_length=5)).test_client()
    assert client.post("/resources/abcde").status_code == 201
    assert_json_error(client.post("/resources/abcdef"), 400, "bad_request")


def test_body_over_one_kib_is_413(client: FlaskClient) -> None:
    assert client.post("/resources/small", data=b"x" * 1024).status_code == 201
    assert_json_error(client.post("/resources/big", data=b"x" * 1025), 413, "payload_too_large")
    assert_json_error(client.get("/healthz", data=b"x" * 4096), 413, "payload_too_large")
    assert client.get("/resources/count").get_json() == {"count": 1}


def test_wrong_method_is_json_405(client: FlaskClient) -> None:
    response = client.delete("/resources/1")
    assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
    assert_json_error(client.post("/healthz"), 405, "method_not_allowed")
    assert_json_error(client.put("/resources"), 405, "method_not_allowed")


def test_unknown_path_is_json_404(client: FlaskClient) -> None:
    assert_json_error(client.get("/no/such/thing"), 404, "not_found")
    assert_json_error(client.get("/resources/"), 404, "not_found")


def test_unexpected_error_is_json_500_without_trace(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> int:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions[EXTENSION_KEY].storage, "count", broken)
    response = client.get("/resources/count")
    assert_json_error(response, 500, "internal_error")
    assert b"secret internals" not in response.data
    assert b"Traceback" not in response.data


# -- /work ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "ms=",
        "ms=abc",
        "ms=-1",
        "ms=1.5",
        "ms=60001",
        "ms=10&cpu_ms=11",
        "ms=10&cpu_ms=-1",
        "ms=10&cpu_ms=x",
    ],
)
def test_work_rejects_bad_parameters(client: FlaskClient, query: str) -> None:
    assert_json_error(client.get(f"/work?{query}"), 400, "bad_request")


def test_work_sleeps_for_ms(client: FlaskClient) -> None:
    started = time.perf_counter()
    response = client.get("/work?ms=50")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.get_json() == {
        "ms": 50,
        "cpu_ms": 0,
        "instance": "test-escala",
        "worker": os.getpid(),
    }
    assert 0.050 <= elapsed < 1.0


def test_work_burns_cpu_ms(client: FlaskClient) -> None:
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    response = client.get("/work?ms=120&cpu_ms=80")
    cpu = time.process_time() - cpu_before
    wall = time.perf_counter() - wall_before
    assert response.status_code == 200
    assert response.get_json()["cpu_ms"] == 80
    assert wall >= 0.120
    # The busy part shows as CPU time; the sleeping part does not.
    assert 0.080 <= cpu < 0.115


def test_work_does_not_touch_redis(lab: RedisLab, make_app: MakeApp) -> None:
    offline = make_app(lab.settings(sentinels=((LOOPBACK, free_ports(1)[0]),)))
    assert offline.test_client().get("/work?ms=0").status_code == 200


# -- health and info -------------------------------------------------------------------


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_when_master_answers(client: FlaskClient, lab: RedisLab) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "redis_master": lab.master_proc.address}


def test_info(client: FlaskClient, lab: RedisLab) -> None:
    response = client.get("/info")
    assert response.status_code == 200
    assert response.get_json() == {
        "instance": "test-escala",
        "host": "test-host",
        "redis_master": lab.master_proc.address,
    }


@pytest.fixture
def offline_client(lab: RedisLab, make_app: MakeApp) -> FlaskClient:
    """An app whose only Sentinel address has nothing listening."""
    nothing = free_ports(1)[0]
    settings = lab.settings(sentinels=((LOOPBACK, nothing),), failover_budget_s=0.3)
    return make_app(settings).test_client()


def test_without_sentinels_readyz_is_503_and_healthz_is_200(offline_client: FlaskClient) -> None:
    response = offline_client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert offline_client.get("/healthz").status_code == 200
    info = offline_client.get("/info")
    assert info.status_code == 200
    assert info.get_json()["redis_master"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/resources/x"),
        ("get", "/resources/1"),
        ("get", "/resources"),
        ("get", "/resources/count"),
    ],
)
def test_without_sentinels_data_routes_are_503_after_the_budget(
    offline_client: FlaskClient, method: str, path: str
) -> None:
    started = time.perf_counter()
    response = getattr(offline_client, method)(path)
    elapsed = time.perf_counter() - started
    assert_json_error(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "1"
    # Retried for the budget (0.3 s), then gave up: not at once, not for long.
    assert 0.3 <= elapsed < 2.0


def test_outage_is_logged_once_not_per_request(
    offline_client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="escala_app.storage")
    for _ in range(3):
        assert offline_client.get("/resources/count").status_code == 503
    messages = [r.getMessage() for r in caplog.records if r.name == "escala_app.storage"]
    assert sum("retrying for up to" in m for m in messages) == 1
    assert sum("giving up" in m for m in messages) == 1


def test_odd_instance_names_do_not_break_redis_connections(
    lab: RedisLab, make_app: MakeApp
) -> None:
    client = make_app(lab.settings(instance="app 1 ünïcode")).test_client()
    assert client.get("/resources/count").status_code == 200
    assert client.get("/info").get_json()["instance"] == "app 1 ünïcode"


def test_requests_without_hardness_are_not_delayed(lab: RedisLab, make_app: MakeApp) -> None:
    # A unit of 30 s would make any delayed route obvious.
    client = make_app(lab.settings(slow_unit_s=30.0)).test_client()
    started = time.perf_counter()
    for path in ("/resources/count", "/info", "/healthz", "/readyz"):
        assert client.get(path).status_code == 200
    assert time.perf_counter() - started < 2.0


def test_each_route_has_its_hardness(
    lab: RedisLab, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = 0.02
    lab.client(lab.master_proc).flushall()
    app = make_app(lab.settings(slow_unit_s=unit))
    model = app.extensions[EXTENSION_KEY].slowness
    calls: list[tuple[int, float]] = []
    real_delay = model.delay

    def recording_delay(hardness: int) -> float:
        drawn = real_delay(hardness)
        calls.append((hardness, drawn))
        return drawn

    monkeypatch.setattr(model, "delay", recording_delay)
    client = app.test_client()
    for method, path, hardness in (
        ("post", "/resources/slow", 5),
        ("get", "/resources", 2),
        ("get", "/resources/1", 1),
        ("get", "/resources/count", None),
        ("get", "/info", None),
        ("get", "/readyz", None),
        ("get", "/healthz", None),
    ):
        calls.clear()
        started = time.perf_counter()
        assert getattr(client, method)(path).status_code in (200, 201)
        elapsed = time.perf_counter() - started
        if hardness is None:
            assert calls == []
        else:
            assert [h for h, _ in calls] == [hardness]
            drawn = calls[0][1]
            assert 0 <= drawn <= hardness * unit
            assert elapsed >= drawn
