"""Settings: read once from ESCALA_* variables, validated with messages naming the variable."""

from __future__ import annotations

import socket

import pytest

from escala_app.config import Settings, parse_sentinels

BASE = {"ESCALA_SENTINELS": "10.0.0.1:26379, 10.0.0.2:26380"}


def test_defaults() -> None:
    settings = Settings.from_env(BASE)
    assert settings.sentinels == (("10.0.0.1", 26379), ("10.0.0.2", 26380))
    assert settings.master_name == "escala"
    assert settings.redis_password == ""
    assert settings.sentinel_password == ""
    assert settings.slow_unit_s == 1.0
    assert settings.cpu_share == 0.0
    assert settings.failover_budget_s == 20.0
    assert settings.wait_replicas == 1
    assert settings.wait_timeout_ms == 1000
    assert settings.socket_timeout_s == 1.0
    assert settings.instance == socket.gethostname()
    assert settings.host == socket.gethostname()
    assert settings.max_name_length == 200


def test_every_variable_is_read() -> None:
    env = {
        "ESCALA_SENTINELS": "s1:1,[::1]:2",
        "ESCALA_MASTER_NAME": "other",
        "ESCALA_REDIS_PASSWORD": "rpw",
        "ESCALA_SENTINEL_PASSWORD": "spw",
        "ESCALA_SLOW_UNIT_S": "0.25",
        "ESCALA_CPU_SHARE": "0.5",
        "ESCALA_FAILOVER_BUDGET_S": "7.5",
        "ESCALA_WAIT_REPLICAS": "0",
        "ESCALA_WAIT_TIMEOUT_MS": "250",
        "ESCALA_SOCKET_TIMEOUT_S": "0.5",
        "ESCALA_INSTANCE": "app-3",
        "ESCALA_HOST": "vm-2",
        "ESCALA_MAX_NAME_LENGTH": "64",
    }
    assert Settings.from_env(env) == Settings(
        sentinels=(("s1", 1), ("::1", 2)),
        master_name="other",
        redis_password="rpw",
        sentinel_password="spw",
        slow_unit_s=0.25,
        cpu_share=0.5,
        failover_budget_s=7.5,
        wait_replicas=0,
        wait_timeout_ms=250,
        socket_timeout_s=0.5,
        instance="app-3",
        host="vm-2",
        max_name_length=64,
    )


def test_settings_are_frozen() -> None:
    settings = Settings.from_env(BASE)
    with pytest.raises(AttributeError):
        settings.slow_unit_s = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ESCALA_SENTINELS", "nohostport"),
        ("ESCALA_SENTINELS", "host:notaport"),
        ("ESCALA_SENTINELS", "host:0"),
        ("ESCALA_SENTINELS", "host:70000"),
        ("ESCALA_SENTINELS", ":26379"),
        ("ESCALA_SENTINELS", " , "),
        ("ESCALA_SLOW_UNIT_S", "-0.1"),
        ("ESCALA_SLOW_UNIT_S", "fast"),
        ("ESCALA_SLOW_UNIT_S", "nan"),
        ("ESCALA_CPU_SHARE", "1.5"),
        ("ESCALA_CPU_SHARE", "-0.5"),
        ("ESCALA_FAILOVER_BUDGET_S", "0"),
        ("ESCALA_FAILOVER_BUDGET_S", "inf"),
        ("ESCALA_WAIT_REPLICAS", "-1"),
        ("ESCALA_WAIT_REPLICAS", "1.5"),
        ("ESCALA_WAIT_TIMEOUT_MS", "0"),
        ("ESCALA_SOCKET_TIMEOUT_S", "0"),
        ("ESCALA_MAX_NAME_LENGTH", "0"),
        ("ESCALA_MAX_NAME_LENGTH", "many"),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({**BASE, name: value})


@pytest.mark.parametrize("env", [{}, {"ESCALA_SENTINELS": ""}, {"ESCALA_SENTINELS": "  "}])
def test_sentinels_are_required(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="ESCALA_SENTINELS"):
        Settings.from_env(env)


def test_empty_optional_values_mean_default() -> None:
    settings = Settings.from_env({**BASE, "ESCALA_SLOW_UNIT_S": "", "ESCALA_INSTANCE": ""})
    assert settings.slow_unit_s == 1.0
    assert settings.instance == socket.gethostname()


def test_from_env_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALA_SENTINELS", "127.0.0.1:26379")
    monkeypatch.setenv("ESCALA_INSTANCE", "from-env")
    settings = Settings.from_env()
    assert settings.sentinels == (("127.0.0.1", 26379),)
    assert settings.instance == "from-env"


def test_settings_built_in_code_are_validated_too() -> None:
    with pytest.raises(ValueError, match="ESCALA_CPU_SHARE"):
        Settings(sentinels=(("h", 1),), cpu_share=2.0)
    with pytest.raises(ValueError, match="ESCALA_SENTINELS"):
        Settings(sentinels=())


def test_parse_sentinels_skips_empty_items() -> None:
    assert parse_sentinels("a:1,,b:2,") == (("a", 1), ("b", 2))
