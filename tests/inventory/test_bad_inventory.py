"""site.yml refuses a bad inventory in its first play, with a message that says what to fix.

Each test writes an inventory to tmp_path and runs `ansible-playbook site.yml` on it. Its
hosts can never be changed, even if a check wrongly let the run go on: they are reached
through the docker connection at container names that do not exist, so any task past the
checks fails with the engine's "No such container". A refused inventory must stop the run in
the first play, on every host: no task changed, no host was even contacted.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
RUN_TIMEOUT_S = 180
VALIDATION_PLAY = "Check the inventory and derive the topology"
FIRST_DEPLOY_PLAY = "Install the Docker engine"

Inventory = dict[str, Any]


def lab_shaped_inventory() -> Inventory:
    """The lab's topology (inventories/lab) on hosts that cannot exist."""
    absent = f"escala-test-absent-{uuid.uuid4().hex[:12]}"

    def host(name: str, address: str, **extra: Any) -> dict[str, Any]:
        return {"ansible_host": f"{absent}-{name}", "escala_address": address, **extra}

    return {
        "all": {
            "vars": {
                "ansible_connection": "community.docker.docker",
                "ansible_python_interpreter": "/usr/bin/python3",
                "escala_redis_password": "escala-test-not-a-secret",
                "escala_image_source": "archive",
            },
            "children": {
                "docker_hosts": {"children": {"lb": None, "app": None, "redis": None}},
                "lb": {"hosts": {"lb1": host("lb1", "192.0.2.10")}},
                "app": {
                    "hosts": {
                        "app1": host("app1", "192.0.2.21"),
                        "app2": host("app2", "192.0.2.22"),
                    }
                },
                "redis": {
                    "hosts": {
                        "redis1": host("redis1", "192.0.2.31", redis_initial_master=True),
                        "redis2": host("redis2", "192.0.2.32"),
                        "redis3": host("redis3", "192.0.2.33"),
                    }
                },
                "sentinel": {"children": {"redis": None}},
            },
        }
    }


def run_site(tmp_path: Path, inventory: Inventory) -> tuple[int, dict[str, Any], str]:
    """Run site.yml on the inventory; return its exit code, JSON report and stderr."""
    inventory_file = tmp_path / "hosts.yml"
    inventory_file.write_text(yaml.safe_dump(inventory, sort_keys=False))
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(REPO / "roles"),
        "ANSIBLE_LIBRARY": str(REPO / "library"),
        "ANSIBLE_MODULE_UTILS": str(REPO / "module_utils"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
    }
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inventory_file), str(REPO / "site.yml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON report (rc {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.returncode, report, proc.stderr


def failure_messages(report: dict[str, Any]) -> list[str]:
    return [
        str(result.get("msg", ""))
        for play in report["plays"]
        for task in play["tasks"]
        for result in task["hosts"].values()
        if result.get("failed")
    ]


def play_names(report: dict[str, Any]) -> list[str]:
    return [play["play"]["name"] for play in report["plays"]]


def validate_tasks() -> list[tuple[str, str]]:
    """(role, task name) of every check in the roles' tasks/validate.yml."""
    return [
        (path.parts[-3], task["name"])
        for path in sorted((REPO / "roles").glob("*/tasks/validate.yml"))
        for task in yaml.safe_load(path.read_text())
    ]


# --- The bad inventories -------------------------------------------------------------


def set_all_var(name: str, value: Any) -> Callable[[Inventory], None]:
    def change(inventory: Inventory) -> None:
        inventory["all"]["vars"][name] = value

    return change


def drop_all_var(name: str) -> Callable[[Inventory], None]:
    def change(inventory: Inventory) -> None:
        del inventory["all"]["vars"][name]

    return change


def sentinel_hosts(*names: str) -> Callable[[Inventory], None]:
    def change(inventory: Inventory) -> None:
        inventory["all"]["children"]["sentinel"] = {"hosts": {name: None for name in names}}

    return change


def second_initial_master(inventory: Inventory) -> None:
    inventory["all"]["children"]["redis"]["hosts"]["redis2"]["redis_initial_master"] = True


def empty_app_group(inventory: Inventory) -> None:
    inventory["all"]["children"]["app"] = {"hosts": {}}


def no_app_group(inventory: Inventory) -> None:
    children = inventory["all"]["children"]
    del children["app"]
    del children["docker_hosts"]["children"]["app"]


BAD_INVENTORIES = [
    pytest.param(
        sentinel_hosts("redis1", "redis2", "redis3", "app1"),
        "Group sentinel has 4 hosts; give it an odd number of at least 3",
        id="four-sentinels",
    ),
    pytest.param(
        sentinel_hosts("redis1", "redis2"),
        "Group sentinel has 2 hosts; give it an odd number of at least 3",
        id="two-sentinels",
    ),
    pytest.param(
        sentinel_hosts("redis1"),
        "Group sentinel has 1 hosts; give it an odd number of at least 3",
        id="one-sentinel",
    ),
    pytest.param(
        set_all_var("sentinel_quorum", 4),
        "sentinel_quorum is 4; set it to 2 to 3",
        id="quorum-above-sentinel-count",
    ),
    pytest.param(
        set_all_var("sentinel_quorum", 1),
        "sentinel_quorum is 1; set it to 2 to 3",
        id="quorum-not-a-majority",
    ),
    pytest.param(
        drop_all_var("escala_redis_password"),
        "Set escala_redis_password (a non-empty string)",
        id="no-password",
    ),
    pytest.param(
        set_all_var("escala_redis_password", ""),
        "Set escala_redis_password (a non-empty string)",
        id="empty-password",
    ),
    pytest.param(
        second_initial_master,
        "More than one host has redis_initial_master set: redis1, redis2.",
        id="two-initial-masters",
    ),
    pytest.param(
        empty_app_group,
        "Put hosts in group app of the inventory",
        id="empty-app-group",
    ),
    pytest.param(
        no_app_group,
        "Put hosts in group app of the inventory",
        id="missing-app-group",
    ),
    pytest.param(
        set_all_var("escala_image_source", "registry"),
        # The escala role's argument spec (choices) refuses it before its own assert.
        "escala_image_source must be one of: archive, pull, got: registry",
        id="unknown-escala_image_source",
    ),
    *[
        pytest.param(
            set_all_var(f"{role}_image_source", "registry"),
            f"{role}_image_source is 'registry'; set it to 'archive' or 'pull'.",
            id=f"unknown-{role}_image_source",
        )
        for role in ("redis", "sentinel", "app", "nginx")
    ],
]


@pytest.mark.parametrize(("make_bad", "message"), BAD_INVENTORIES)
def test_bad_inventory_is_refused_before_any_host_changes(
    tmp_path: Path, make_bad: Callable[[Inventory], None], message: str
) -> None:
    inventory = lab_shaped_inventory()
    make_bad(inventory)

    rc, report, stderr = run_site(tmp_path, copy.deepcopy(inventory))

    assert rc != 0, "site.yml accepted the bad inventory"
    messages = failure_messages(report)
    assert any(message in text for text in messages), (messages, stderr[-2000:])
    # The run stopped in the checks: no later play started, no host was contacted or changed.
    assert play_names(report) == [VALIDATION_PLAY]
    for host, stats in report["stats"].items():
        assert stats["changed"] == 0, f"{host} reported a change"
        assert stats["unreachable"] == 0, f"{host} was contacted after the checks"


def absent_host_error(result: dict[str, Any]) -> str:
    """The engine's "no such container" answer in a task result, or "" if it is not one.

    With pipelining (ansible.cfg) the docker connection reports an absent container as a
    failed module whose stderr is the engine's answer; without it, as unreachable."""
    texts = [str(result.get("msg", ""))]
    texts += [
        str(module.get("module_stderr", "")) for module in result.get("failed_modules", {}).values()
    ]
    texts.append(str(result.get("module_stderr", "")))
    return next((text for text in texts if "No such container" in text), "")


def test_lab_shaped_inventory_passes_the_checks(tmp_path: Path) -> None:
    """Positive control: the lab's valid topology passes every check and only then fails,
    on every host, when the first deploy play tries to reach its (absent) container."""
    inventory = lab_shaped_inventory()
    hosts = {"lb1", "app1", "app2", "redis1", "redis2", "redis3"}

    rc, report, stderr = run_site(tmp_path, inventory)

    assert rc in (2, 4), f"expected the absent hosts to fail (rc 2 or 4), got {rc}: {stderr}"
    assert play_names(report)[:2] == [VALIDATION_PLAY, FIRST_DEPLOY_PLAY]
    checks = report["plays"][0]["tasks"]
    ran = {task["task"]["name"] for task in checks}
    for role, check in validate_tasks():
        assert f"{role} : {check}" in ran, f"{role}'s check '{check}' did not run"
    for task in checks:
        for host, result in task["hosts"].items():
            assert not result.get("failed") and not result.get("changed"), (host, task)
            assert not result.get("unreachable"), (host, task)
    # The deploy play's first task is the first contact with the hosts: each fails there,
    # and only because its container does not exist.
    first_contact = report["plays"][1]["tasks"][0]["hosts"]
    assert set(first_contact) == hosts
    for host, result in first_contact.items():
        assert result.get("failed") or result.get("unreachable"), (host, result)
        assert absent_host_error(result), (host, result)
    assert set(report["stats"]) == hosts
    for host, stats in report["stats"].items():
        assert stats["changed"] == 0, host
        assert stats["failures"] + stats["unreachable"] == 1, (host, stats)
