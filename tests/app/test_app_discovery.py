"""Master discovery: the newest configuration that a majority of Sentinels can vouch for."""

from __future__ import annotations

from typing import Any

import pytest
from redis import exceptions as rexc
from redis.sentinel import MasterNotFoundError

from escala_app import storage as storage_module
from escala_app.storage import MajoritySentinel
from escala_redis_lab import RedisLab


class FakeSentinel:
    """Answers SENTINEL MASTERS like redis-py's client does, or fails like an unreachable one."""

    def __init__(
        self,
        name: str,
        master: tuple[str, int] | None,
        epoch: int = 1,
        *,
        down: bool = False,
        master_down: bool = False,
    ) -> None:
        self.name = name
        self.master = master
        self.epoch = epoch
        self.down = down
        self.master_down = master_down
        self.asked = 0

    def sentinel_masters(self) -> dict[str, Any]:
        self.asked += 1
        if self.down:
            raise rexc.ConnectionError(f"{self.name} unreachable")
        if self.master is None:
            return {}
        ip, port = self.master
        return {
            "escala": {
                "ip": ip,
                "port": port,
                "config-epoch": self.epoch,
                "is_master": True,
                "is_sdown": self.master_down,
                "is_odown": self.master_down,
                "num-other-sentinels": 2,
            }
        }


def discovery(*fakes: FakeSentinel) -> MajoritySentinel:
    sentinel = MajoritySentinel([("127.0.0.1", 1)] * len(fakes))
    sentinel.sentinels = list(fakes)
    return sentinel


OLD, NEW = ("10.0.0.1", 6379), ("10.0.0.2", 6379)


def test_a_stale_first_sentinel_is_outvoted() -> None:
    # The Sentinel that was cut off with the old master is asked first, as after a heal;
    # it still sees that master up, under the epoch before the failover.
    stale = FakeSentinel("stale", OLD, epoch=1)
    a, b = FakeSentinel("a", NEW, epoch=2), FakeSentinel("b", NEW, epoch=2)
    sentinel = discovery(stale, a, b)
    assert sentinel.discover_master("escala") == NEW
    # The agreeing Sentinels are asked first next time.
    assert sentinel.sentinels[:2] == [a, b]


def test_the_newest_configuration_wins_without_a_majority_agreeing() -> None:
    # Mid-failover with one Sentinel dead: the leader already names the new master, the
    # other still sees the old one down. No need to wait until it learns the new epoch.
    leader = FakeSentinel("leader", NEW, epoch=2)
    behind = FakeSentinel("behind", OLD, epoch=1, master_down=True)
    dead = FakeSentinel("dead", None, down=True)
    assert discovery(behind, dead, leader).discover_master("escala") == NEW
    # And two valid answers that disagree: the higher epoch is the later failover.
    stale = FakeSentinel("stale", OLD, epoch=1)
    assert discovery(stale, dead, leader).discover_master("escala") == NEW


def test_two_of_three_suffice_and_the_third_is_not_asked() -> None:
    a, b, c = FakeSentinel("a", NEW), FakeSentinel("b", NEW), FakeSentinel("c", OLD)
    assert discovery(a, b, c).discover_master("escala") == NEW
    assert c.asked == 0


def test_a_minority_of_answers_is_no_master() -> None:
    # Cut off with one Sentinel: it cannot know what the other two decided.
    sentinel = discovery(
        FakeSentinel("a", OLD, epoch=1),
        FakeSentinel("b", None, down=True),
        FakeSentinel("c", None, down=True),
    )
    with pytest.raises(MasterNotFoundError, match="1 of 3 Sentinels answered"):
        sentinel.discover_master("escala")


def test_no_valid_answer_is_no_master() -> None:
    sentinel = discovery(
        FakeSentinel("a", OLD, master_down=True),
        FakeSentinel("b", OLD, master_down=True),
        FakeSentinel("c", None, down=True),
    )
    with pytest.raises(MasterNotFoundError, match="valid answers"):
        sentinel.discover_master("escala")


def test_unreachable_sentinels_move_to_the_end() -> None:
    down = FakeSentinel("down", None, down=True)
    a, b = FakeSentinel("a", NEW), FakeSentinel("b", NEW)
    sentinel = discovery(down, a, b)
    assert sentinel.discover_master("escala") == NEW
    assert sentinel.sentinels == [a, b, down]


def test_operations_ask_the_sentinels_again_at_most_once_a_second(
    lab: RedisLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = storage_module.Storage(lab.settings())
    calls: list[str] = []
    for name, client in (("reader", storage._client), ("writer", storage._writer)):
        pool = client.connection_pool
        real = pool.get_master_address

        def counted(real: Any = real, name: str = name) -> Any:
            calls.append(name)
            return real()

        monkeypatch.setattr(pool, "get_master_address", counted)
    clock = [1000.0]
    monkeypatch.setattr(storage_module.time, "monotonic", lambda: clock[0])
    try:
        storage.count()
        storage.count()
        # The writer's pool is asked by the check only (count() reads): once for two calls
        # within the same second, once more a second and a half later.
        assert calls.count("writer") == 1
        before = len(calls)
        clock[0] += 1.5
        storage.count()
        assert calls[before:].count("writer") == 1
    finally:
        storage.close()
