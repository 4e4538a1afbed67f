"""Every role's meta/argument_specs.yml describes exactly the variables of its defaults.

A default without a spec entry, a spec entry of another type than its default, a spec
default that differs from the role default, or a default outside the spec's choices is a
broken input contract: Ansible would check a role's inputs against the wrong rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROLES_DIR = Path(__file__).resolve().parents[2] / "roles"
ROLES = sorted(p.name for p in ROLES_DIR.iterdir() if (p / "tasks" / "main.yml").is_file())

# Python type of a literal default -> the argument spec types it may be declared as. An int
# is a valid float (Ansible converts it), as `timeout_s: 5` is a natural way to write one.
_SPEC_TYPES: dict[type, set[str]] = {
    bool: {"bool"},
    int: {"int", "float"},
    float: {"float"},
    str: {"str", "path"},
    list: {"list"},
    dict: {"dict"},
}


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _same_literal(a: Any, b: Any) -> bool:
    """Equal, and of the same type; 5 and 5.0 count as the same, True and 1 do not."""
    numbers = (int, float)
    same_type = type(a) is type(b) or (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    )
    return same_type and a == b


def _type_problem(name: str, value: Any, spec_type: str) -> str | None:
    if spec_type == "raw":
        return None
    allowed = _SPEC_TYPES.get(type(value))
    if allowed is None or spec_type not in allowed:
        return f"{name}: default {value!r} is {type(value).__name__}, spec says {spec_type}"
    return None


def spec_problems(defaults: dict[str, Any], options: dict[str, Any]) -> list[str]:
    """What differs between a role's defaults and its argument spec options."""
    problems: list[str] = []
    for name, value in defaults.items():
        spec = options.get(name)
        if spec is None:
            problems.append(f"{name}: has a default but no argument spec entry")
            continue
        spec_type = spec.get("type")
        if spec_type is None:
            problems.append(f"{name}: the spec entry has no type")
            continue
        if spec.get("required"):
            problems.append(f"{name}: required in the spec, but the role has a default")
        if "default" in spec and not _same_literal(spec["default"], value):
            problems.append(f"{name}: spec default {spec['default']!r} != role default {value!r}")
        if _is_template(value):
            # Its value is decided when the role runs; only a literal can be checked here.
            continue
        problem = _type_problem(name, value, spec_type)
        if problem:
            problems.append(problem)
            continue
        if "default" not in spec:
            problems.append(f"{name}: the spec entry lacks the role's default {value!r}")
        if "choices" in spec and value not in spec["choices"]:
            problems.append(f"{name}: default {value!r} is not one of {spec['choices']}")
        if spec_type == "list" and "elements" in spec:
            for element in value:
                problem = _type_problem(f"{name}[]", element, spec["elements"])
                if problem:
                    problems.append(problem)
    for name, spec in options.items():
        if not str(spec.get("description", "")).strip():
            problems.append(f"{name}: the spec entry has no description")
        if name not in defaults and not spec.get("required"):
            problems.append(f"{name}: in the spec, but neither a role default nor required")
    return problems


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.mark.parametrize("role", ROLES)
def test_role_defaults_match_argument_specs(role: str) -> None:
    role_dir = ROLES_DIR / role
    specs_file = role_dir / "meta" / "argument_specs.yml"
    assert specs_file.is_file(), f"{role} has no meta/argument_specs.yml"
    defaults = _load(role_dir / "defaults" / "main.yml") or {}
    options = _load(specs_file)["argument_specs"]["main"]["options"]
    assert spec_problems(defaults, options) == []


def test_roles_are_found() -> None:
    assert {"app", "docker", "escala", "nginx", "redis", "sentinel", "service_image"} <= set(ROLES)


# The checker itself: each kind of mismatch must be reported.
GOOD_SPEC = {
    "demo_port": {"type": "int", "default": 80, "description": "Port."},
    "demo_mode": {"type": "str", "default": "a", "choices": ["a", "b"], "description": "Mode."},
    "demo_names": {"type": "list", "elements": "str", "default": ["x"], "description": "N."},
    "demo_source": {"type": "str", "description": "From another variable."},
    "demo_timeout_s": {"type": "float", "default": 5, "description": "An int is a float."},
}
GOOD_DEFAULTS = {
    "demo_port": 80,
    "demo_mode": "a",
    "demo_names": ["x"],
    "demo_source": "{{ other_source }}",
    "demo_timeout_s": 5,
}


def test_checker_accepts_matching_specs() -> None:
    assert spec_problems(GOOD_DEFAULTS, GOOD_SPEC) == []


@pytest.mark.parametrize(
    ("defaults_change", "spec_change", "expected"),
    [
        ({"demo_extra": 1}, {}, "demo_extra: has a default but no argument spec entry"),
        ({"demo_port": "80"}, {}, "demo_port: spec default 80 != role default '80'"),
        ({}, {"demo_port": {"type": "str", "default": 80, "description": "P."}}, "spec says str"),
        ({}, {"demo_port": {"type": "bool", "default": 80, "description": "P."}}, "spec says"),
        (
            {"demo_port": True},
            {"demo_port": {"type": "int", "default": 1, "description": "P."}},
            "!= role default True",
        ),
        (
            {"demo_mode": "c"},
            {"demo_mode": {"type": "str", "default": "c", "choices": ["a"], "description": "M."}},
            "not one of",
        ),
        (
            {"demo_names": [1]},
            {
                "demo_names": {
                    "type": "list",
                    "elements": "str",
                    "default": [1],
                    "description": "N.",
                }
            },
            "[]",
        ),
        ({}, {"demo_port": {"type": "int", "description": "P."}}, "lacks the role's default"),
        ({}, {"demo_new": {"type": "int", "description": "N."}}, "neither a role default"),
        ({}, {"demo_port": {"type": "int", "default": 80}}, "no description"),
        ({}, {"demo_port": {"default": 80, "description": "P."}}, "no type"),
    ],
)
def test_checker_reports_mismatches(
    defaults_change: dict[str, Any], spec_change: dict[str, Any], expected: str
) -> None:
    problems = spec_problems(GOOD_DEFAULTS | defaults_change, GOOD_SPEC | spec_change)
    assert any(expected in problem for problem in problems), problems
