"""Traffic through the load balancer plus a poll of every Redis and Sentinel, as JSON lines.

One process per drill variant. Writer threads create resources (POST) and remember every
acknowledged one (201 with its id and name); reader threads read acknowledged ids back and
check the name; one prober thread per Redis and per Sentinel asks ROLE or the master's
address several times a second. Every request and every probe answer is one line of the
events file, with controller timestamps (time.time()), so that the report can compute
the figures afterwards. The latest view is also kept in a small state file that `wait`
reads.

Bounded: it stops when the stop file appears, after max_seconds, or once max_writes
writes were sent, whichever comes first; requests in flight then finish (each has a
timeout) and are logged too.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from .resp import Connection, ReplyError, pairs

# How many of the newest acknowledged ids readers favour: a write just before a failover
# is the one most likely to be lost.
RECENT_IDS = 50


@dataclass(frozen=True)
class ObserveConfig:
    lb_url: str
    sentinels: tuple[str, ...]
    redis: tuple[str, ...]
    master_name: str
    password: str
    events: Path
    state: Path
    stop_file: Path
    name_prefix: str
    writers: int = 16
    readers: int = 4
    max_seconds: float = 300.0
    max_writes: int = 20000
    poll_s: float = 0.2
    probe_timeout_s: float = 0.5
    request_timeout_s: float = 45.0


class EventLog:
    """Thread-safe JSON-lines writer; every line is flushed at once."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")

    def close(self) -> None:
        with self._lock:
            self._file.close()


def describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Observer:
    def __init__(self, config: ObserveConfig) -> None:
        self.config = config
        self.log = EventLog(config.events)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._acked: list[tuple[int, str]] = []
        self._sent = 0
        self._errors = 0
        self._latest: dict[str, dict[str, Any]] = {"sentinels": {}, "redis": {}}
        self._started = time.time()

    # -- main loop -----------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        cfg = self.config
        self.log.write(
            {
                "k": "start",
                "t": self._started,
                "lb_url": cfg.lb_url,
                "sentinels": list(cfg.sentinels),
                "redis": list(cfg.redis),
                "writers": cfg.writers,
                "readers": cfg.readers,
                "poll_s": cfg.poll_s,
            }
        )
        probes = [self._thread(self._probe_sentinel, ep) for ep in cfg.sentinels]
        probes += [self._thread(self._probe_redis, ep) for ep in cfg.redis]
        traffic = [self._thread(self._writer) for _ in range(cfg.writers)]
        traffic += [self._thread(self._reader) for _ in range(cfg.readers)]

        deadline = self._started + cfg.max_seconds
        reason = "deadline"
        while time.time() < deadline:
            if cfg.stop_file.exists():
                reason = "stop file"
                break
            if self._writes_exhausted():
                reason = "max writes"
                break
            self._write_state()
            time.sleep(cfg.poll_s)
        self._stop.set()

        # Requests in flight finish within their timeout; probes within one poll.
        for thread in traffic + probes:
            thread.join(cfg.request_timeout_s + 5)
        in_flight = sum(thread.is_alive() for thread in traffic)
        self._write_state()
        summary = {
            "k": "end",
            "t": time.time(),
            "reason": reason,
            "sent": self._sent,
            "acked": len(self._acked),
            "errors": self._errors,
            "in_flight": in_flight,
        }
        self.log.write(summary)
        self.log.close()
        return summary

    def _thread(self, target: Callable[..., None], *args: Any) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        return thread

    def _writes_exhausted(self) -> bool:
        with self._lock:
            return self._sent >= self.config.max_writes

    def _write_state(self) -> None:
        with self._lock:
            state = {
                "t": time.time(),
                "started": self._started,
                "sent": self._sent,
                "acked": len(self._acked),
                "errors": self._errors,
                "sentinels": dict(self._latest["sentinels"]),
                "redis": dict(self._latest["redis"]),
            }
        tmp = self.config.state.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.config.state)

    # -- traffic -------------------------------------------------------------------

    def _next_name(self) -> str | None:
        with self._lock:
            if self._sent >= self.config.max_writes:
                return None
            self._sent += 1
            return f"{self.config.name_prefix}-{self._sent}"

    def _writer(self) -> None:
        cfg = self.config
        session = requests.Session()
        while not self._stop.is_set():
            name = self._next_name()
            if name is None:
                return
            record: dict[str, Any] = {"k": "w", "name": name, "t0": time.time()}
            try:
                response = session.post(
                    f"{cfg.lb_url}/resources/{name}", timeout=cfg.request_timeout_s
                )
                body = _body(response)
                record["st"] = response.status_code
                if response.status_code == 201:
                    if body.get("name") == name and isinstance(body.get("id"), int):
                        record["id"] = body["id"]
                    else:
                        record["err"] = f"201 with an unexpected body: {body!r}"[:200]
                else:
                    record["code"] = body.get("error")
            except requests.RequestException as exc:
                record["st"] = None
                record["err"] = describe(exc)
            record["t1"] = time.time()
            self.log.write(record)
            with self._lock:
                if "id" in record:
                    self._acked.append((record["id"], name))
                else:
                    self._errors += 1
            if "id" not in record:
                # A failing load balancer answers fast; do not spin against it.
                self._stop.wait(0.2)

    def _pick(self, rng: random.Random) -> tuple[int, str] | None:
        with self._lock:
            if not self._acked:
                return None
            if rng.random() < 0.5:
                return rng.choice(self._acked[-RECENT_IDS:])
            return rng.choice(self._acked)

    def _reader(self) -> None:
        cfg = self.config
        session = requests.Session()
        rng = random.Random()
        while not self._stop.is_set():
            pick = self._pick(rng)
            if pick is None:
                self._stop.wait(0.1)
                continue
            rid, name = pick
            record: dict[str, Any] = {"k": "r", "id": rid, "t0": time.time()}
            try:
                response = session.get(
                    f"{cfg.lb_url}/resources/{rid}", timeout=cfg.request_timeout_s
                )
                record["st"] = response.status_code
                if response.status_code == 200:
                    got = _body(response).get("name")
                    record["ok"] = got == name
                    if got != name:
                        record["got"], record["want"] = got, name
                elif response.status_code == 404:
                    # An acknowledged id that the stack no longer knows: a wrong answer.
                    record["ok"] = False
                    record["want"] = name
                else:
                    record["code"] = _body(response).get("error")
            except requests.RequestException as exc:
                record["st"] = None
                record["err"] = describe(exc)
            record["t1"] = time.time()
            self.log.write(record)
            if record.get("ok") is None:
                self._stop.wait(0.2)

    # -- probes --------------------------------------------------------------------

    def _poll(self, kind: str, endpoint: str, ask: Callable[[Connection], dict[str, Any]]) -> None:
        cfg = self.config
        password = cfg.password if kind == "redis" else ""
        conn = Connection(endpoint, password, cfg.probe_timeout_s)
        while not self._stop.is_set():
            started = time.time()
            record: dict[str, Any] = {"k": "s" if kind == "sentinels" else "p", "ep": endpoint}
            try:
                record.update(ask(conn))
            except (OSError, ConnectionError, ReplyError, ValueError, IndexError) as exc:
                conn.close()
                record["err"] = describe(exc)
            record["t"] = started
            self.log.write(record)
            with self._lock:
                # A Sentinel's view of the group is asked once a second only: keep the
                # last one until the next, unless this poll failed.
                view = dict(record)
                previous = self._latest[kind].get(endpoint, {})
                if "err" not in record and "info" not in record and "info" in previous:
                    view["info"] = previous["info"]
                self._latest[kind][endpoint] = view
            self._stop.wait(max(0.0, started + cfg.poll_s - time.time()))
        conn.close()

    def _probe_sentinel(self, endpoint: str) -> None:
        name = self.config.master_name
        next_info = [0.0]

        def ask(conn: Connection) -> dict[str, Any]:
            reply = conn.command("SENTINEL", "get-master-addr-by-name", name)
            result: dict[str, Any] = {"master": f"{reply[0]}:{reply[1]}" if reply else None}
            # The Sentinel's own view of the group, once a second: enough for `healthy`.
            if time.time() >= next_info[0]:
                master = pairs(conn.command("SENTINEL", "MASTER", name))
                replicas = [pairs(r) for r in conn.command("SENTINEL", "REPLICAS", name) or []]
                result["info"] = {
                    "flags": master.get("flags"),
                    "num_slaves": int(master.get("num-slaves", 0)),
                    "num_other_sentinels": int(master.get("num-other-sentinels", 0)),
                    "down_after_ms": int(master.get("down-after-milliseconds", 0)),
                    "replicas": [
                        {
                            "ep": f"{r.get('ip')}:{r.get('port')}",
                            "flags": r.get("flags"),
                            "link": r.get("master-link-status"),
                        }
                        for r in replicas
                    ],
                }
                next_info[0] = time.time() + 1.0
            return result

        self._poll("sentinels", endpoint, ask)

    def _probe_redis(self, endpoint: str) -> None:
        def ask(conn: Connection) -> dict[str, Any]:
            reply = conn.command("ROLE")
            if reply[0] == "master":
                # ROLE lists replica connections the master has not yet found dead (after
                # a cut); whether it takes writes is decided by its count of replicas that
                # acknowledged within min-replicas-max-lag.
                info = conn.command("INFO", "replication") or ""
                good = [
                    line.split(":", 1)[1]
                    for line in info.splitlines()
                    if line.startswith("min_slaves_good_slaves:")
                ]
                return {
                    "role": "master",
                    "offset": reply[1],
                    "replicas": [f"{r[0]}:{r[1]}" for r in reply[2]],
                    "good_replicas": int(good[0]) if good else None,
                }
            if reply[0] == "slave":
                return {
                    "role": "slave",
                    "master": f"{reply[1]}:{reply[2]}",
                    "link": reply[3],
                    "offset": reply[4],
                }
            return {"role": str(reply[0])}

        self._poll("redis", endpoint, ask)
