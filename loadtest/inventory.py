"""What the load test and the bench need to know about a deployed stack, from its inventory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INVENTORY = "inventories/lab/hosts.yml"


@dataclass(frozen=True)
class Stack:
    inventory: str
    lb_url: str
    # Where the bench's LB-overhead runs reach the LB (pair_lb_url) and, bypassing it, the
    # instances behind it. escala_direct_instance_url names one instance; otherwise, for a
    # lab on this engine, both are reached at their lab-network addresses, so that neither
    # path goes through the controller's port proxy. None: no way to reach an instance.
    pair_lb_url: str | None
    direct_instance_url: str | None
    # ("http://address", first port) of each app host, for a lab on this engine.
    app_bases: tuple[tuple[str, int], ...]
    app_hosts: tuple[str, ...]
    # Hosts of every group, e.g. groups["lb"].
    groups: dict[str, tuple[str, ...]]
    instances_per_host: int
    gunicorn_workers: int
    gunicorn_threads: int
    # Container names of the inventory's hosts when they are lab containers on this engine.
    lab_containers: dict[str, str]


def tool(name: str) -> str:
    """A command of the project's virtualenv (beside this Python), else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def load_stack(inventory: str) -> Stack:
    """Read the stack's facts; settings the inventory leaves out take the roles' defaults."""
    listing = subprocess.run(
        [tool("ansible-inventory"), "-i", inventory, "--list"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(listing.stdout)
    hostvars: dict[str, dict[str, Any]] = data["_meta"]["hostvars"]
    app_hosts = tuple(_group_hosts(data, "app"))
    if not app_hosts:
        raise ValueError(f"{inventory}: group app has no hosts")
    first_app = hostvars.get(app_hosts[0], {})
    defaults = _role_defaults("escala") | _role_defaults("app") | _role_defaults("nginx")

    def setting(name: str) -> int:
        value = first_app.get(name, defaults.get(name))
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{inventory}: {name} must be a number here, not {value!r}") from None

    lab_containers: dict[str, str] = {
        host: str(hv["ansible_host"])
        for host, hv in sorted(hostvars.items())
        if hv.get("ansible_connection") == "community.docker.docker" and hv.get("ansible_host")
    }
    lb_url = str(first_app.get("escala_lb_url") or "")
    lb_hosts = _group_hosts(data, "lb")
    direct_instance_url = first_app.get("escala_direct_instance_url") or None
    pair_lb_url: str | None = lb_url if direct_instance_url else None
    app_bases: tuple[tuple[str, int], ...] = ()
    lab_hosts = set(lab_containers)
    if not direct_instance_url and lb_hosts and {lb_hosts[0], *app_hosts} <= lab_hosts:
        lb_vars = hostvars.get(lb_hosts[0], {})
        lb_port = lb_vars.get("nginx_listen_port", defaults["nginx_listen_port"])
        addresses = [hostvars.get(h, {}).get("escala_address") for h in app_hosts]
        if lb_vars.get("escala_address") and all(addresses):
            pair_lb_url = f"http://{lb_vars['escala_address']}:{int(lb_port)}"
            app_bases = tuple(
                (f"http://{address}", setting("escala_app_base_port")) for address in addresses
            )
    return Stack(
        inventory=inventory,
        lb_url=lb_url,
        pair_lb_url=pair_lb_url,
        direct_instance_url=direct_instance_url,
        app_bases=app_bases,
        app_hosts=app_hosts,
        groups={g: tuple(_group_hosts(data, g)) for g in ("lb", "app", "redis", "sentinel")},
        instances_per_host=setting("escala_app_instances_per_host"),
        gunicorn_workers=setting("app_gunicorn_workers"),
        gunicorn_threads=setting("app_gunicorn_threads"),
        lab_containers=lab_containers,
    )


def direct_targets(stack: Stack, per_host: int) -> list[str]:
    """Every app instance at per_host instances per host, reached without the LB; [] when
    the bench cannot reach them all (a named instance stands for a single one)."""
    if stack.direct_instance_url:
        return [stack.direct_instance_url] if per_host * len(stack.app_hosts) == 1 else []
    return [f"{base}:{port + i}" for base, port in stack.app_bases for i in range(per_host)]


def _group_hosts(data: dict[str, Any], group: str) -> list[str]:
    entry = data.get(group, {})
    hosts = list(entry.get("hosts", []))
    for child in entry.get("children", []):
        hosts.extend(h for h in _group_hosts(data, child) if h not in hosts)
    return hosts


def _role_defaults(role: str) -> dict[str, Any]:
    with open(ROOT / "roles" / role / "defaults" / "main.yml") as handle:
        return yaml.safe_load(handle) or {}
