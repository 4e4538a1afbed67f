"""Conditions on the observer's latest view (its state file), for `wait`.

Each returns (satisfied, master, reason): the master it found and, when not satisfied, why
not, so that a timeout says what was still wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Result = tuple[bool, str | None, str]


def _sentinel_masters(state: dict[str, Any], sentinels: Iterable[str]) -> dict[str, Any]:
    view = state.get("sentinels", {})
    return {ep: (view.get(ep) or {}).get("master") for ep in sentinels}


def agreed(state: dict[str, Any], sentinels: list[str], not_master: str | None) -> Result:
    """Every listed Sentinel names the same master, and it is not `not_master`."""
    masters = _sentinel_masters(state, sentinels)
    named = set(masters.values())
    if None in named or len(named) != 1:
        return False, None, f"Sentinels do not agree: {masters}"
    master = named.pop()
    if master == not_master:
        return False, master, f"Sentinels still name {master}"
    return True, master, ""


def named(state: dict[str, Any], sentinels: list[str], master: str) -> Result:
    """Every listed Sentinel names `master`."""
    ok, found, reason = agreed(state, sentinels, None)
    if ok and found != master:
        return False, found, f"Sentinels name {found}, not {master}"
    return ok, found, reason


def rejoined(state: dict[str, Any], endpoint: str, master: str) -> Result:
    """`endpoint` is a replica of `master` with its replication link up."""
    probe = state.get("redis", {}).get(endpoint) or {}
    if probe.get("role") == "slave" and probe.get("master") == master:
        if probe.get("link") == "connected":
            return True, master, ""
    return False, master, f"{endpoint} is not yet a connected replica of {master}: {probe}"


def healthy(
    state: dict[str, Any], sentinels: list[str], redis: list[str], min_acks: int = 0
) -> Result:
    """One master that every Sentinel names, every other Redis its connected replica, every
    Sentinel seeing all replicas up and all other Sentinels, and traffic acknowledged."""
    ok, master, reason = agreed(state, sentinels, None)
    if not ok or master is None:
        return False, master, reason
    if master not in redis:
        return False, master, f"Sentinels name {master}, which is not an inventory Redis"
    probes = state.get("redis", {})
    top = probes.get(master) or {}
    replicas = [ep for ep in redis if ep != master]
    if top.get("role") != "master" or set(top.get("replicas", [])) < set(replicas):
        return False, master, f"{master} is not a master with every replica: {top}"
    for ep in replicas:
        ok, _, reason = rejoined(state, ep, master)
        if not ok:
            return False, master, reason
    for ep in sentinels:
        info = (state.get("sentinels", {}).get(ep) or {}).get("info") or {}
        if info.get("flags") != "master":
            return False, master, f"Sentinel {ep} flags the master {info.get('flags')}"
        if info.get("num_other_sentinels") != len(sentinels) - 1:
            return False, master, f"Sentinel {ep} knows {info.get('num_other_sentinels')} others"
        seen = {r["ep"]: r for r in info.get("replicas", [])}
        for replica in replicas:
            entry = seen.get(replica) or {}
            if entry.get("flags") != "slave" or entry.get("link") != "ok":
                return False, master, f"Sentinel {ep} sees replica {replica} as {entry}"
    if state.get("acked", 0) < min_acks:
        return False, master, f"only {state.get('acked', 0)} of {min_acks} writes acknowledged"
    return True, master, ""
