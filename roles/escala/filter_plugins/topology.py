"""Filters that turn inventory hosts into the addresses escala's roles connect to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def escala_address_of(host_vars: Mapping[str, Any]) -> str:
    """The address other hosts reach this host on: escala_address, else ansible_host."""
    address = host_vars.get("escala_address") or host_vars.get("ansible_host")
    if not address:
        name = host_vars.get("inventory_hostname", "?")
        raise ValueError(f"host {name} has neither escala_address nor ansible_host")
    return str(address)


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"escala_address_of": escala_address_of}
