"""The drill's verdicts: a healthy synthetic run passes, and each kind of failure fails it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "roles" / "drill" / "files"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "module_utils"))

from escala_drill import conditions, metrics  # noqa: E402

OLD, NEW, OTHER = "10.0.0.31:6379", "10.0.0.32:6379", "10.0.0.33:6379"
SENTINELS = ["10.0.0.31:26379", "10.0.0.32:26379", "10.0.0.33:26379"]
T0 = 1000.0  # the fault starts here
OUTAGE = (T0 + 0.5, T0 + 6.5)  # no write can complete in between


def run(
    *,
    back_as_master_s: float = 0.0,
    drop_acks_after: float | None = None,
    sentinel_answers: list[tuple[float, str, str | None]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Events and marks of a kill variant: writes every 0.1 s, an outage, a return."""
    events: list[dict[str, Any]] = [{"k": "start", "t": T0 - 10, "poll_s": 0.2}]
    t, n = T0 - 10, 0
    while t < T0 + 30:
        t += 0.1
        n += 1
        stuck = OUTAGE[0] <= t < OUTAGE[1]
        end = OUTAGE[1] + 0.01 * (n % 5) if stuck else t + 0.05
        record = {"k": "w", "name": f"w{n}", "t0": t, "t1": end, "st": 201, "id": n}
        if drop_acks_after is not None and t > drop_acks_after:
            record = {"k": "w", "name": f"w{n}", "t0": t, "t1": t + 0.05, "st": 503}
        events.append(record)
    # Sentinel info (down-after) and answers: all name OLD, then all NEW at T0 + 6.
    for ep in SENTINELS:
        events.append(
            {"k": "s", "t": T0 - 5, "ep": ep, "master": OLD, "info": {"down_after_ms": 5000}}
        )
    for when, ep, master in sentinel_answers or [(T0 + 6.0, ep, NEW) for ep in SENTINELS]:
        events.append({"k": "s", "t": when, "ep": ep, "master": master})
    # The old master: fine, dead from T0 + 0.4, back at T0 + 10, a replica from T0 + 12.
    events.append({"k": "p", "t": T0 + 0.2, "ep": OLD, "role": "master", "replicas": [NEW]})
    events.append({"k": "p", "t": T0 + 0.4, "ep": OLD, "err": "ConnectionRefusedError"})
    t = T0 + 10.0
    while t < T0 + 10.0 + back_as_master_s:
        events.append({"k": "p", "t": t, "ep": OLD, "role": "master", "good_replicas": 0})
        t += 0.2
    events.append(
        {"k": "p", "t": T0 + 12, "ep": OLD, "role": "slave", "master": NEW, "link": "connected"}
    )
    events.sort(key=lambda e: e.get("t", e.get("t0")))
    marks = {
        "variant": "kill",
        "target_applies": True,
        "target_margin_s": 2,
        "failovers": [
            {
                "old": OLD,
                "new": NEW,
                "fault": "kill",
                "fault_started": T0,
                "fault_done": T0 + 1.0,
                "sentinels": SENTINELS,
            }
        ],
        "returns": [{"ep": OLD, "how": "restart", "t": T0 + 10.0, "master": NEW}],
        "checks": {},
        "error": None,
    }
    return events, marks


def verified(events: list[dict[str, Any]], lost: int = 0) -> dict[str, Any]:
    acked = [e for e in events if e["k"] == "w" and "id" in e]
    return {
        "checked": len(acked),
        "lost": [{"id": e["id"], "name": e["name"]} for e in acked[:lost]],
        "unverified": [],
    }


def test_a_clean_failover_passes_with_its_figures() -> None:
    events, marks = run()
    result = metrics.compute(events, marks, verified(events))
    assert result["passed"], result["failed_checks"]
    assert result["unavailable_s"] == pytest.approx(6.5 - 0.45, abs=0.06)
    assert result["target_unavailable_s"] == 7.0
    assert result["agree_s"] == pytest.approx(5.6, abs=0.01)  # from the first failed probe
    assert result["old_master_rejoined"] and result["rejoin_s"] == 2.0
    assert result["acked_lost"] == 0 and result["wrong_reads"] == 0


def test_a_lost_acknowledged_write_fails() -> None:
    events, marks = run()
    result = metrics.compute(events, marks, verified(events, lost=1))
    assert not result["passed"]
    assert result["acked_lost"] == 1
    assert "1 acknowledged write(s) lost" in result["failed_checks"]


def test_a_wrong_read_fails() -> None:
    events, marks = run()
    events.append({"k": "r", "id": 3, "t0": T0 + 20, "t1": T0 + 20.1, "st": 404, "ok": False})
    result = metrics.compute(events, marks, verified(events))
    assert not result["passed"] and result["wrong_reads"] == 1


def test_a_slow_failover_misses_the_target() -> None:
    events, marks = run()
    for event in events:
        if event["k"] == "w" and event["t1"] >= OUTAGE[1]:
            event["t1"] += 2.0  # writes come back two seconds later
    result = metrics.compute(events, marks, verified(events))
    assert not result["passed"]
    assert any("> target" in reason for reason in result["failed_checks"])


def test_writes_that_never_come_back_fail() -> None:
    events, marks = run(drop_acks_after=T0)
    result = metrics.compute(events, marks, verified(events))
    assert not result["passed"]
    assert result["unavailable_s"] is None
    assert result["errors_by_status"]["503"] > 0


def test_an_old_master_back_as_master_fails() -> None:
    events, marks = run(back_as_master_s=1.0)
    result = metrics.compute(events, marks, verified(events))
    assert not result["passed"]
    assert result["old_master_as_master_s"] == pytest.approx(1.0, abs=0.01)


def test_a_sentinel_naming_another_master_after_agreement_fails() -> None:
    answers = [(T0 + 6.0, ep, NEW) for ep in SENTINELS] + [(T0 + 8.0, SENTINELS[0], OTHER)]
    events, marks = run(sentinel_answers=answers)
    result = metrics.compute(events, marks, verified(events))
    assert not result["passed"] and result["failovers"][0]["flaps"] == 1


def test_a_failed_playbook_check_fails() -> None:
    events, marks = run()
    marks["checks"] = {"site_changed_nothing": {"ok": False, "detail": "redis1 changed 1"}}
    result = metrics.compute(events, marks, verified(events))
    assert result["failed_checks"] == ["site_changed_nothing: redis1 changed 1"]


def test_unavailability_starts_at_the_last_ack_before_the_fault() -> None:
    gap, start, end = metrics.unavailability([1.0, 2.0, 3.0, 9.0, 9.5], fault_at=3.5)
    assert (gap, start, end) == (6.0, 3.0, 9.0)
    assert metrics.unavailability([1.0, 2.0], fault_at=3.0)[0] is None


def healthy_state(**overrides: Any) -> dict[str, Any]:
    info = {
        "flags": "master",
        "num_other_sentinels": 2,
        "replicas": [
            {"ep": NEW, "flags": "slave", "link": "ok"},
            {"ep": OTHER, "flags": "slave", "link": "ok"},
        ],
    }
    state = {
        "acked": 40,
        "sentinels": {ep: {"master": OLD, "info": info} for ep in SENTINELS},
        "redis": {
            OLD: {"role": "master", "replicas": [NEW, OTHER]},
            NEW: {"role": "slave", "master": OLD, "link": "connected"},
            OTHER: {"role": "slave", "master": OLD, "link": "connected"},
        },
    }
    state.update(overrides)
    return state


def test_healthy_needs_every_part() -> None:
    redis = [OLD, NEW, OTHER]
    assert conditions.healthy(healthy_state(), SENTINELS, redis, min_acks=32)[0]
    assert not conditions.healthy(healthy_state(acked=3), SENTINELS, redis, min_acks=32)[0]
    syncing = healthy_state()
    syncing["redis"][OTHER] = {"role": "slave", "master": OLD, "link": "sync"}
    assert not conditions.healthy(syncing, SENTINELS, redis)[0]
    split = healthy_state()
    split["sentinels"][SENTINELS[2]] = {"master": NEW}
    ok, _, reason = conditions.healthy(split, SENTINELS, redis)
    assert not ok and "do not agree" in reason


def test_agreed_excludes_the_old_master() -> None:
    state = healthy_state()
    assert not conditions.agreed(state, SENTINELS, OLD)[0]
    assert conditions.agreed(state, SENTINELS, NEW) == (True, OLD, "")
