"""The app under real gunicorn, with the image's gunicorn.conf.py: a burst of connections is
spread over every worker instead of queueing behind one worker's busy threads."""

from __future__ import annotations

import collections
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

APP_DIR = Path(__file__).resolve().parents[2] / "app"
GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 2
THREADS = 2
WORK_MS = 1500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(tmp_path: Path, keepalive_connections: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = tmp_path / f"gunicorn-{keepalive_connections}.log"
    env = {
        **os.environ,
        "ESCALA_BIND": f"127.0.0.1:{port}",
        # /work never reaches Redis; the app only needs a well-formed Sentinel list.
        "ESCALA_SENTINELS": "127.0.0.1:1",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_KEEPALIVE_CONNECTIONS": str(keepalive_connections),
    }
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "-c",
            "gunicorn.conf.py",
            "--error-logfile",
            str(log),
            "escala_app.wsgi:app",
        ],
        cwd=APP_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        booted = log.read_text().count("Booting worker") if log.exists() else 0
        if booted >= WORKERS:
            break
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}: {log.read_text()}")
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"gunicorn did not boot {WORKERS} workers: {log.read_text()}")
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail(f"gunicorn did not answer: {log.read_text()}")


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    proc, url = start_gunicorn(tmp_path, keepalive_connections=0)
    try:
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def burst(url: str, requests_count: int) -> tuple[float, list[int]]:
    """Send requests_count /work requests at once, each on its own connection; return the
    wall time and the worker pid that answered each."""
    workers: list[int] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(requests_count)

    def one() -> None:
        try:
            gate.wait()
            answer = requests.get(f"{url}/work?ms={WORK_MS}", timeout=30)
            answer.raise_for_status()
            workers.append(int(answer.json()["worker"]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(requests_count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return time.monotonic() - started, workers


def test_a_burst_is_spread_over_every_worker(gunicorn: tuple[subprocess.Popen, str]) -> None:
    """Twice as many requests as threads arrive at once: with each worker capped at its
    threads, every worker serves its share in two rounds of WORK_MS. A worker that took
    more connections than it has threads would need a third round."""
    _, url = gunicorn
    slots = WORKERS * THREADS
    for attempt in range(3):
        elapsed, workers = burst(url, 2 * slots)
        served = collections.Counter(workers)
        assert len(served) == WORKERS, f"attempt {attempt}: only {dict(served)} answered"
        assert max(served.values()) <= 2 * THREADS, f"attempt {attempt}: {dict(served)}"
        assert elapsed < 3 * WORK_MS / 1000, f"attempt {attempt}: {elapsed:.2f} s, {dict(served)}"


def test_work_names_the_worker_that_answered(gunicorn: tuple[subprocess.Popen, str]) -> None:
    proc, url = gunicorn
    answer = requests.get(f"{url}/work?ms=0", timeout=10).json()
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    assert str(answer["worker"]) in children
