"""One variant's figures and verdict, from the observer's events, the playbook's marks and
the final read-back of every acknowledged write. Pure functions: no network, no clock.

Marks (written by the drill role) describe what the playbook did and when:
  variant, target_applies, target_margin_s,
  failovers: [{old, new, fault, fault_started, fault_done, sentinels}]  (sentinels: those
             expected to agree, i.e. not on a faulted host)
  returns:   [{ep, how: restart|heal, t, master}]  (the old master coming back)
  checks:    {name: {ok, detail}}  (variant-specific results the playbook measured)
  error:     the failed step, if one failed
"""

from __future__ import annotations

from collections import Counter
from typing import Any

DEFINITIONS = {
    "unavailable_s": (
        "Longest time without an acknowledged write, from the last acknowledgement before "
        "the fault (the last moment writes were known to work) to the next one after it. "
        "It contains the stretch from the first failed or delayed write to the first write "
        "acknowledged by the new master, and exceeds it by at most the usual gap between "
        "acknowledgements (resolution_s): a create first sleeps a random 0..5 slowness "
        "units, so the client cannot tell when a failed write reached Redis, but a 201 "
        "leaves Redis milliseconds before the client sees it. Several concurrent writers "
        "keep that gap small."
    ),
    "agree_s": (
        "From the fault (the first failed probe of the old master, or the end of the fault "
        "task) to the first poll at which every Sentinel not on a faulted host named the new "
        "master. For several failovers, the slowest."
    ),
    "rejoin_s": (
        "From the old master's return (container started or network healed) to its first "
        "probe as a replica of the new master with its link up."
    ),
    "acked_lost": (
        "Acknowledged writes (201 with an id) that the read-back through the load balancer "
        "did not return with their name after the variant."
    ),
    "wrong_reads": "Reads of an acknowledged id that answered 404 or another name.",
    "delayed_writes": (
        "Acknowledged writes slower than the slowest one before the fault plus 0.5 s."
    ),
}


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _error_key(record: dict[str, Any]) -> str:
    if record.get("st"):
        return str(record["st"]) if record["st"] != 201 else "201-bad-body"
    return "timeout" if "Timeout" in (record.get("err") or "") else "connection"


def fault_time(events: list[dict[str, Any]], failover: dict[str, Any]) -> float:
    """When the old master was first seen gone, else when the fault task returned."""
    start, done = failover["fault_started"], failover["fault_done"]
    for event in events:
        if event["k"] == "p" and event["ep"] == failover["old"] and start <= event["t"] <= done:
            if "err" in event:
                return event["t"]
    return done


def agreement(events: list[dict[str, Any]], failover: dict[str, Any], since: float) -> float | None:
    """First probe time at or after `since` when every expected Sentinel named the new master."""
    expected = set(failover["sentinels"])
    latest: dict[str, str | None] = {}
    for event in events:
        if event["k"] != "s" or event["ep"] not in expected:
            continue
        latest[event["ep"]] = event.get("master")
        if event["t"] >= since and len(latest) == len(expected):
            if all(master == failover["new"] for master in latest.values()):
                return event["t"]
    return None


def flaps(
    events: list[dict[str, Any]], failover: dict[str, Any], since: float, until: float
) -> int:
    """Answers of expected Sentinels naming another master after they agreed."""
    expected = set(failover["sentinels"])
    return sum(
        1
        for e in events
        if e["k"] == "s"
        and e["ep"] in expected
        and since < e["t"] < until
        and e.get("master") not in (None, failover["new"])
    )


def comeback(events: list[dict[str, Any]], ret: dict[str, Any], poll_s: float) -> dict[str, Any]:
    """How the old master came back: when it was a replica again, and whether (and how long)
    it still reported itself a master."""
    probes = [e for e in events if e["k"] == "p" and e["ep"] == ret["ep"] and e["t"] >= ret["t"]]
    rejoined_at = next(
        (
            p["t"]
            for p in probes
            if p.get("role") == "slave"
            and p.get("master") == ret["master"]
            and p.get("link") == "connected"
        ),
        None,
    )
    as_master = [
        p
        for p in probes
        if p.get("role") == "master" and (rejoined_at is None or p["t"] < rejoined_at)
    ]
    as_master_s = (as_master[-1]["t"] - as_master[0]["t"] + poll_s) if as_master else 0.0
    return {
        "ep": ret["ep"],
        "how": ret["how"],
        "rejoined": rejoined_at is not None,
        "rejoin_s": _round(None if rejoined_at is None else rejoined_at - ret["t"]),
        "as_master_s": _round(as_master_s),
        "writable_as_master": any((p.get("good_replicas") or 0) > 0 for p in as_master),
    }


def unavailability(
    ack_times: list[float], fault_at: float
) -> tuple[float | None, float | None, float | None]:
    """(longest gap between acknowledgements from the last one before the fault, its start,
    its end); (None, start, None) if no write was acknowledged after the fault."""
    before = [t for t in ack_times if t <= fault_at]
    after = [t for t in ack_times if t > fault_at]
    if not after:
        return None, (before[-1] if before else None), None
    series = ([before[-1]] if before else [fault_at]) + after
    gap, start, end = max((b - a, a, b) for a, b in zip(series, series[1:], strict=False))
    return gap, start, end


def compute(
    events: list[dict[str, Any]], marks: dict[str, Any], verification: dict[str, Any]
) -> dict[str, Any]:
    start = next((e for e in events if e["k"] == "start"), {})
    poll_s = float(start.get("poll_s", 0.2))
    writes = [e for e in events if e["k"] == "w"]
    reads = [e for e in events if e["k"] == "r"]
    acked = [w for w in writes if "id" in w]
    ack_times = sorted(w["t1"] for w in acked)
    failovers = marks.get("failovers", [])
    returns = marks.get("returns", [])
    end_t = max([e.get("t1", e.get("t", 0.0)) for e in events] or [0.0])

    down_after_ms = next(
        (e["info"]["down_after_ms"] for e in events if e["k"] == "s" and e.get("info")), None
    )

    # The figures of each failover, in order.
    phases: list[dict[str, Any]] = []
    for index, failover in enumerate(failovers):
        at = fault_time(events, failover)
        agreed_at = agreement(events, failover, at)
        following = failovers[index + 1]["fault_started"] if index + 1 < len(failovers) else end_t
        phases.append(
            {
                "old": failover["old"],
                "new": failover["new"],
                "fault": failover["fault"],
                "fault_at": at,
                "agree_s": _round(None if agreed_at is None else agreed_at - at),
                "flaps": 0 if agreed_at is None else flaps(events, failover, agreed_at, following),
            }
        )
    first_fault = phases[0]["fault_at"] if phases else None

    # Writes: baseline before the fault, then the outage.
    baseline = [w for w in acked if first_fault is None or w["t1"] < failovers[0]["fault_started"]]
    baseline_times = sorted(w["t1"] for w in baseline)
    latencies = [w["t1"] - w["t0"] for w in baseline]
    delay_bound = max(latencies) + 0.5 if latencies else None
    delayed = [
        w
        for w in acked
        if delay_bound is not None
        and first_fault is not None
        and w["t1"] > first_fault
        and w["t1"] - w["t0"] > delay_bound
    ]
    gaps = [b - a for a, b in zip(baseline_times, baseline_times[1:], strict=False)]
    unavailable_s = window_start = window_end = None
    if first_fault is not None:
        unavailable_s, window_start, window_end = unavailability(ack_times, first_fault)

    comebacks = [comeback(events, r, poll_s) for r in returns]
    errors = Counter(_error_key(w) for w in writes if "id" not in w)
    codes = Counter(w["code"] for w in writes if "id" not in w and w.get("code"))
    read_errors = Counter(_error_key(r) for r in reads if r.get("ok") is None)
    wrong_reads = [r for r in reads if r.get("ok") is False]
    lost = verification.get("lost", [])
    unverified = verification.get("unverified", [])

    target = None
    if marks.get("target_applies") and down_after_ms is not None:
        target = down_after_ms / 1000 + float(marks.get("target_margin_s", 2))
    last_return = max([r["t"] for r in returns] or [p["fault_at"] for p in phases] or [0.0])

    failed: list[str] = []
    if marks.get("error"):
        failed.append(f"a step failed: {marks['error']}")
    if not acked:
        failed.append("no write was acknowledged")
    elif ack_times[-1] <= last_return:
        failed.append("no write was acknowledged after the old master came back")
    if lost:
        failed.append(f"{len(lost)} acknowledged write(s) lost")
    if unverified:
        failed.append(f"{len(unverified)} acknowledged write(s) could not be read back")
    if verification.get("checked", 0) != len(acked):
        failed.append(
            f"read back {verification.get('checked', 0)} of {len(acked)} acknowledged writes"
        )
    if wrong_reads:
        failed.append(f"{len(wrong_reads)} read(s) returned a wrong value")
    if phases and unavailable_s is None:
        failed.append("no write was acknowledged after the fault")
    if target is not None and unavailable_s is not None and unavailable_s > target:
        failed.append(f"writes unavailable {unavailable_s:.2f} s > target {target:.2f} s")
    for phase in phases:
        if phase["agree_s"] is None:
            failed.append(f"the Sentinels never agreed on {phase['new']}")
        if phase["flaps"]:
            failed.append(
                f"{phase['flaps']} Sentinel answer(s) named another master after {phase['new']}"
            )
    for back in comebacks:
        if not back["rejoined"]:
            failed.append(f"{back['ep']} did not rejoin as a replica")
        if back["how"] == "restart" and back["as_master_s"]:
            failed.append(f"{back['ep']} came back as a second master for {back['as_master_s']} s")
        if back["writable_as_master"]:
            failed.append(f"{back['ep']} came back as a second master that took writes")
    for name, check in sorted(marks.get("checks", {}).items()):
        if not check.get("ok"):
            failed.append(f"{name}: {check.get('detail', 'failed')}")

    return {
        "name": marks.get("variant"),
        "passed": not failed,
        "failed_checks": failed,
        "unavailable_s": _round(unavailable_s),
        "target_unavailable_s": _round(target),
        "agree_s": max((p["agree_s"] for p in phases if p["agree_s"] is not None), default=None),
        "acked_writes": len(acked),
        "acked_lost": len(lost),
        "lost_ids": [item["id"] for item in lost][:50],
        "wrong_reads": len(wrong_reads),
        "writes_total": len(writes),
        "errors_by_status": dict(sorted(errors.items())),
        "error_codes": dict(sorted(codes.items())),
        "delayed_writes": len(delayed),
        "reads_total": len(reads),
        "read_errors_by_status": dict(sorted(read_errors.items())),
        "down_after_ms": down_after_ms,
        "old_master": phases[0]["old"] if phases else None,
        "new_master": phases[-1]["new"] if phases else None,
        "old_master_rejoined": bool(comebacks) and all(b["rejoined"] for b in comebacks),
        "rejoin_s": max(
            (b["rejoin_s"] for b in comebacks if b["rejoin_s"] is not None), default=None
        ),
        "old_master_as_master_s": max((b["as_master_s"] for b in comebacks), default=None),
        "resolution_s": _round(_percentile(gaps, 0.95)),
        "outage_window_s": (
            None
            if first_fault is None or window_start is None
            else [
                _round(window_start - first_fault),
                None if window_end is None else _round(window_end - first_fault),
            ]
        ),
        "failovers": [
            {k: (_round(v) if k == "fault_at" else v) for k, v in p.items() if k != "fault_at"}
            for p in phases
        ],
        "comebacks": comebacks,
        "checks": marks.get("checks", {}),
    }
