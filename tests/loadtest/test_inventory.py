"""What the bench reads from an inventory: where its LB-overhead runs send their load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from loadtest.inventory import direct_targets, load_stack


def write(tmp_path: Path, app_vars: dict[str, Any], all_vars: dict[str, Any]) -> str:
    inventory = {
        "all": {
            "vars": all_vars,
            "children": {
                "lb": {"hosts": {"lb1": {"escala_address": "10.231.99.10"}}},
                "app": {"hosts": {"app1": {"escala_address": "10.231.99.21", **app_vars}}},
                "redis": {"hosts": {"redis1": {"escala_address": "10.231.99.31"}}},
            },
        }
    }
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory))
    return str(path)


def test_the_default_labs_pairs_use_the_lab_network() -> None:
    stack = load_stack("inventories/lab/hosts.yml")
    assert stack.lb_url == "http://127.0.0.1:8080"
    assert stack.pair_lb_url == "http://10.231.0.10:80"
    assert direct_targets(stack, 1) == ["http://10.231.0.21:8001", "http://10.231.0.22:8001"]
    assert direct_targets(stack, 2) == [
        "http://10.231.0.21:8001",
        "http://10.231.0.21:8002",
        "http://10.231.0.22:8001",
        "http://10.231.0.22:8002",
    ]


def test_a_lab_inventory_pairs_follow_its_ports(tmp_path: Path) -> None:
    lab = {
        "ansible_connection": "community.docker.docker",
        "ansible_host": "escala-x",
        "escala_lb_url": "http://127.0.0.1:9999",
        "escala_app_base_port": 9101,
        "nginx_listen_port": 8088,
    }
    stack = load_stack(write(tmp_path, {}, lab))
    assert stack.pair_lb_url == "http://10.231.99.10:8088"
    assert direct_targets(stack, 2) == ["http://10.231.99.21:9101", "http://10.231.99.21:9102"]


def test_a_named_instance_wins(tmp_path: Path) -> None:
    lab = {"ansible_connection": "community.docker.docker", "ansible_host": "escala-x"}
    named = {"escala_lb_url": "http://lb.example", "escala_direct_instance_url": "http://i:1"}
    stack = load_stack(write(tmp_path, named, lab))
    assert stack.pair_lb_url == "http://lb.example"
    # One named instance stands in only when it is the whole stack.
    assert direct_targets(stack, 1) == ["http://i:1"]
    assert direct_targets(stack, 2) == []


def test_ssh_hosts_without_a_named_instance_have_no_pairs(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, {}, {"escala_lb_url": "http://192.0.2.10"}))
    assert stack.lb_url == "http://192.0.2.10"
    assert stack.pair_lb_url is None
    assert direct_targets(stack, 1) == []
