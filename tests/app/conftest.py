"""Fixtures for the escala-app tests: real Redis + Sentinel on loopback, Flask test clients."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

APP_DIR = Path(__file__).resolve().parents[2] / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from escala_app import create_app  # noqa: E402
from escala_app.config import Settings  # noqa: E402
from escala_app.routes import EXTENSION_KEY  # noqa: E402
from escala_redis_lab import RedisLab, find_binary  # noqa: E402


@pytest.fixture(scope="session")
def lab_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # pytest keeps the last runs' temp dirs, so the server logs survive a failure.
    return tmp_path_factory.mktemp("redis")


def start_lab(base: Path, **kwargs: Any) -> RedisLab:
    for binary in ("redis-server", "redis-sentinel"):
        try:
            find_binary(binary)
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
    return RedisLab(base, **kwargs).start()


@pytest.fixture(scope="session")
def lab(lab_dir: Path) -> Iterator[RedisLab]:
    """The shared group: master 'escala', one replica, three Sentinels (quorum 2)."""
    group = start_lab(lab_dir, master_name="escala")
    try:
        yield group
    finally:
        group.close()


def _close_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY].storage.close()


@pytest.fixture
def app(lab: RedisLab) -> Iterator[Flask]:
    """An app on the shared group, with an empty data set and no artificial delay."""
    lab.client(lab.master_proc).flushall()
    application = create_app(lab.settings())
    application.testing = True
    try:
        yield application
    finally:
        _close_app(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_app() -> Iterator[Callable[[Settings], Flask]]:
    """Factory for apps with their own Settings; all are closed at the end of the test."""
    made: list[Flask] = []

    def factory(settings: Settings) -> Flask:
        application = create_app(settings)
        application.testing = True
        made.append(application)
        return application

    yield factory
    for application in made:
        _close_app(application)


@pytest.fixture
def wait_lab(lab_dir: Path) -> Iterator[RedisLab]:
    """A group of its own, so stopping its replica breaks no other test."""
    # Sentinels without a password here, so that both ways of reaching them are tested.
    group = start_lab(lab_dir, master_name="escala-wait", sentinel_password="")
    try:
        yield group
    finally:
        group.close()


@pytest.fixture
def failover_lab(lab_dir: Path) -> Iterator[RedisLab]:
    """A group of its own whose master a test may kill; two replicas, so that the
    promoted one still has a replica to acknowledge WAIT."""
    group = start_lab(lab_dir, master_name="escala-failover", replicas=2, sentinels=3)
    try:
        yield group
    finally:
        group.close()
