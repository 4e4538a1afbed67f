"""The only module that talks to Redis: resources in one hash, found through Sentinel.

Every call goes to the current master, as the Sentinels name it (see MajoritySentinel).
During a failover the master disappears for a few seconds, so each call is retried with
a short backoff until the failover budget is spent; only then does the caller see
Unavailable (HTTP 503).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from redis import exceptions as rexc
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import MasterNotFoundError, Sentinel

from .config import Settings

log = logging.getLogger(__name__)

_T = TypeVar("_T")

HASH_KEY = "escala:resources"
COUNTER_KEY = "escala:resources:next_id"

# INCR and HSET in one script so that no id is ever handed out without its name.
# Sent with EVAL rather than EVALSHA: a freshly promoted master may not have the
# script cached, and the text is short.
_CREATE_SCRIPT = """
local id = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], id, ARGV[1])
return id
"""

# Error codes a master gives while it is being demoted, promoted or reloaded: all
# transient during a failover, so worth retrying.
_TRANSIENT_CODES = ("NOREPLICAS", "LOADING", "MASTERDOWN", "READONLY")

_BACKOFF_FIRST_S = 0.1
_BACKOFF_MAX_S = 0.5
_BACKOFF_FACTOR = 1.5

# A connection pool asks the Sentinels for the master only when it opens a connection, so
# idle connections to a master that was cut off outlive the cut and, once it heals, reach
# that old master again (a master still, until Sentinel demotes it). Asking again at most
# this often drops them: a pool closes its idle connections when the master changed, and
# never takes one to another master back.
_MASTER_CHECK_S = 1.0


class StorageError(Exception):
    """Base of the errors the web layer turns into 503 responses."""


class Unavailable(StorageError):
    """No usable Redis master within the failover budget."""


class NotReplicated(StorageError):
    """The master took the write but too few replicas acknowledged it in time."""

    def __init__(self, resource_id: int, acked: int, wanted: int) -> None:
        super().__init__(
            f"resource {resource_id} written but acknowledged by {acked} of {wanted} replica(s)"
        )
        self.resource_id = resource_id
        self.acked = acked
        self.wanted = wanted


def is_transient(exc: BaseException) -> bool:
    """True for Redis errors that a failover explains and a retry may cure."""
    # Wrong credentials do not heal by waiting; they are ConnectionError subclasses.
    if isinstance(exc, rexc.AuthenticationError | rexc.AuthorizationError):
        return False
    # ConnectionError covers MasterNotFoundError and BusyLoadingError (LOADING).
    if isinstance(exc, rexc.ConnectionError | rexc.TimeoutError | rexc.ReadOnlyError):
        return True
    if isinstance(exc, rexc.ResponseError):
        # redis-py strips known codes from the message and keeps them in status_code.
        code = getattr(exc, "status_code", None) or ""
        return code in _TRANSIENT_CODES or str(exc).startswith(_TRANSIENT_CODES)
    return False


class _OutageLog:
    """Logs an outage once when it starts, once at the first give-up and once at the end.

    Concurrent requests all fail during a failover; a line per request or per retry
    would drown the one fact that matters.
    """

    def __init__(self, budget_s: float) -> None:
        self._budget_s = budget_s
        self._lock = threading.Lock()
        self._since: float | None = None
        self._gave_up = 0

    def failed(self, operation: str, exc: BaseException) -> None:
        with self._lock:
            if self._since is None:
                self._since = time.monotonic()
                log.warning(
                    "Redis unavailable during %s (%s); retrying for up to %.1f s",
                    operation,
                    _describe(exc),
                    self._budget_s,
                )

    def gave_up(self, operation: str, exc: BaseException) -> None:
        with self._lock:
            if self._since is None:
                self._since = time.monotonic()
            self._gave_up += 1
            if self._gave_up == 1:
                log.error(
                    "giving up on %s after %.1f s without a Redis master (%s); "
                    "later give-ups in this outage are only counted",
                    operation,
                    time.monotonic() - self._since,
                    _describe(exc),
                )

    def succeeded(self) -> None:
        if self._since is None:  # fast path, read without the lock
            return
        with self._lock:
            if self._since is not None:
                log.warning(
                    "Redis master reachable again after %.1f s (%d request(s) gave up)",
                    time.monotonic() - self._since,
                    self._gave_up,
                )
                self._since = None
                self._gave_up = 0


def _describe(exc: BaseException) -> str:
    """A one-line summary of a Redis error, fit for a log line or a 503 message."""
    text = str(exc)
    if isinstance(exc, MasterNotFoundError):
        # redis-py appends the repr of every sentinel client; the cause is the head.
        text = text.split(" : ", 1)[0]
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class MajoritySentinel(Sentinel):
    """A Sentinel client that trusts the newest configuration a majority can vouch for.

    redis-py's own discovery takes the first Sentinel whose answer looks valid. A Sentinel
    that was cut off together with the old master still names it for a moment after the
    cut heals, and that old master still answers reads until Sentinel demotes it: reads
    of writes acknowledged by the new master found nothing there. Every failover gives
    the master a higher config-epoch, so among the valid answers the one with the highest
    epoch is the newest. A majority of the Sentinels must answer at all: a client cut off
    with a minority has no way to know what the others decided, and gets no master.
    """

    def discover_master(self, service_name: str) -> tuple[str, int]:
        needed = len(self.sentinels) // 2 + 1
        answered: list[Any] = []
        failed: list[Any] = []
        errors: list[str] = []
        valid: dict[tuple[str, int, int], list[Any]] = {}
        for sentinel in list(self.sentinels):
            try:
                masters = sentinel.sentinel_masters()
            except (rexc.ConnectionError, rexc.ResponseError, rexc.TimeoutError) as exc:
                failed.append(sentinel)
                errors.append(_describe(exc))
                continue
            answered.append(sentinel)
            state = masters.get(service_name)
            if not state or not self.check_master_state(state, service_name):
                continue
            config = (state["ip"], state["port"], int(state.get("config-epoch") or 0))
            valid.setdefault(config, []).append(sentinel)
            # Usually enough: a majority agrees, no need to wait for a slow or dead one.
            if len(valid[config]) >= needed:
                break
        if len(answered) >= needed and valid:
            ip, port, epoch = max(valid, key=lambda config: config[2])
            # Ask the Sentinels that named it first next time, unreachable ones last.
            first = valid[(ip, port, epoch)]
            self.sentinels[:] = (
                first + [s for s in self.sentinels if s not in first and s not in failed] + failed
            )
            return ip, port
        raise MasterNotFoundError(
            f"no master for {service_name!r}: {len(answered)} of {len(self.sentinels)} "
            f"Sentinels answered ({needed} needed), valid answers (ip, port, config-epoch): "
            f"{sorted(valid) or 'none'}" + (f"; errors: {', '.join(errors)}" if errors else "")
        )


class Storage:
    """Resources in Redis, through Sentinel. Safe to share between threads."""

    def __init__(self, settings: Settings) -> None:
        self._master_name = settings.master_name
        self._budget_s = settings.failover_budget_s
        self._wait_replicas = settings.wait_replicas
        self._wait_timeout_ms = settings.wait_timeout_ms

        sentinel_kwargs: dict[str, Any] = {
            "socket_timeout": settings.socket_timeout_s,
            "socket_connect_timeout": settings.socket_timeout_s,
        }
        if settings.sentinel_password:
            sentinel_kwargs["password"] = settings.sentinel_password
        self._sentinel = MajoritySentinel(list(settings.sentinels), sentinel_kwargs=sentinel_kwargs)

        common: dict[str, Any] = {
            "password": settings.redis_password or None,
            "socket_connect_timeout": settings.socket_timeout_s,
            "decode_responses": True,
            # Shows up in CLIENT LIST; Redis refuses names with spaces or non-ASCII.
            "client_name": _client_name(settings.instance),
            # The retry loop here owns timing; redis-py's own retries would stack on it.
            "retry": Retry(NoBackoff(), 0),
        }
        self._client = self._sentinel.master_for(
            self._master_name, socket_timeout=settings.socket_timeout_s, **common
        )
        # WAIT blocks server-side for up to wait_timeout_ms, so writes need a socket
        # timeout longer than that, or every slow acknowledgement would look like a
        # dead master.
        self._writer = self._sentinel.master_for(
            self._master_name,
            socket_timeout=settings.socket_timeout_s + settings.wait_timeout_ms / 1000,
            **common,
        )
        self._outage = _OutageLog(self._budget_s)
        self._master_lock = threading.Lock()
        self._master_checked_until = 0.0

    # -- resources -----------------------------------------------------------------

    def create(self, name: str) -> dict[str, Any]:
        """Store a new resource; raise NotReplicated if WAIT is not satisfied."""

        def attempt() -> list[Any]:
            # One pipeline, hence one connection: WAIT counts acknowledgements of the
            # writes made on its own connection only.
            pipe = self._writer.pipeline(transaction=False)
            pipe.eval(_CREATE_SCRIPT, 2, HASH_KEY, COUNTER_KEY, name)
            if self._wait_replicas > 0:
                pipe.wait(self._wait_replicas, self._wait_timeout_ms)
            results = pipe.execute(raise_on_error=False)
            if isinstance(results[0], Exception):
                raise results[0]
            return results

        # A connection lost after the script ran but before its reply makes the retry
        # write a second resource: a retried create may duplicate, never half-write.
        results = self._retrying("create", attempt)
        resource_id = int(results[0])
        if self._wait_replicas > 0:
            acked = results[1]
            if isinstance(acked, Exception):
                # e.g. the master was demoted between the script and WAIT.
                log.warning("WAIT failed after creating %d: %s", resource_id, _describe(acked))
                acked = 0
            if int(acked) < self._wait_replicas:
                raise NotReplicated(resource_id, int(acked), self._wait_replicas)
        return {"id": resource_id, "name": name}

    def get(self, resource_id: int) -> dict[str, Any] | None:
        name = self._retrying("get", lambda: self._client.hget(HASH_KEY, str(resource_id)))
        return None if name is None else {"id": resource_id, "name": name}

    def list(self) -> list[dict[str, Any]]:
        items = self._retrying("list", lambda: self._client.hgetall(HASH_KEY))
        # Fields are decimal ids; anything else was not written by this app.
        resources = [{"id": int(k), "name": v} for k, v in items.items() if k.isdecimal()]
        resources.sort(key=lambda r: r["id"])
        return resources

    def count(self) -> int:
        return int(self._retrying("count", lambda: self._client.hlen(HASH_KEY)))

    # -- health --------------------------------------------------------------------

    def ping_master(self) -> None:
        """One quick PING of the current master; raise Unavailable if it does not answer."""
        try:
            self._client.ping()
        except rexc.RedisError as exc:
            raise Unavailable(f"Redis master did not answer PING: {_describe(exc)}") from exc

    def master_address(self) -> str:
        """'ip:port' of the master that Sentinel currently reports."""
        try:
            # Asking through the pool also drops idle connections to a former master.
            host, port = self._client.connection_pool.get_master_address()
        except rexc.RedisError as exc:
            raise Unavailable(f"no master known to Sentinel: {_describe(exc)}") from exc
        return f"{host}:{port}"

    def close(self) -> None:
        """Close every pooled connection (to Redis and to the Sentinels)."""
        self._client.close()
        self._writer.close()
        self._sentinel.close()

    # -- retry loop ----------------------------------------------------------------

    def _check_master(self) -> None:
        """Ask the Sentinels for the master again if the last answer is older than
        _MASTER_CHECK_S; a changed answer closes the pools' idle connections."""
        if time.monotonic() < self._master_checked_until:
            return
        with self._master_lock:
            if time.monotonic() < self._master_checked_until:
                return
            try:
                for client in (self._client, self._writer):
                    client.connection_pool.get_master_address()
            except rexc.RedisError:
                # No master now: the operation fails and retries. The other threads do
                # not queue up behind this lock for one slow Sentinel round each.
                self._master_checked_until = time.monotonic() + _BACKOFF_MAX_S
                return
            self._master_checked_until = time.monotonic() + _MASTER_CHECK_S

    def _retrying(self, operation: str, fn: Callable[[], _T]) -> _T:
        deadline = time.monotonic() + self._budget_s
        backoff = _BACKOFF_FIRST_S
        while True:
            try:
                self._check_master()
                result = fn()
            except rexc.RedisError as exc:
                if isinstance(exc, rexc.AuthenticationError | rexc.AuthorizationError):
                    self._outage.gave_up(operation, exc)
                    raise Unavailable(f"Redis refused the credentials: {_describe(exc)}") from exc
                if not is_transient(exc):
                    raise
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._outage.gave_up(operation, exc)
                    raise Unavailable(
                        f"no Redis master within {self._budget_s:g} s: {_describe(exc)}"
                    ) from exc
                self._outage.failed(operation, exc)
                time.sleep(min(backoff, remaining))
                backoff = min(backoff * _BACKOFF_FACTOR, _BACKOFF_MAX_S)
            else:
                self._outage.succeeded()
                return result


def _client_name(instance: str) -> str:
    name = f"escala-app:{instance}"[:100]
    return "".join(c if "!" <= c <= "~" else "_" for c in name)
