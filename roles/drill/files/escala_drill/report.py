"""Read every acknowledged write back through the load balancer, write one variant's result,
and merge the variants into the drill report with a table for people."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from . import metrics

# A read-back that fails for another reason than a wrong answer is retried this often:
# the stack is healthy by now, so a 5xx is a hiccup, while a 404 is a lost write.
READ_ATTEMPTS = 5


def load_events(path: Path) -> list[dict[str, Any]]:
    events = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    # Only the last line can be torn (the observer was killed mid-write).
                    continue
    return events


def _read_back(lb_url: str, rid: int, name: str, timeout_s: float) -> dict[str, Any]:
    session = requests.Session()
    last: dict[str, Any] = {}
    for attempt in range(READ_ATTEMPTS):
        try:
            response = session.get(f"{lb_url}/resources/{rid}", timeout=timeout_s)
        except requests.RequestException as exc:
            last = {"id": rid, "name": name, "status": None, "error": type(exc).__name__}
        else:
            if response.status_code == 200:
                try:
                    got = response.json().get("name")
                except ValueError:
                    got = None
                verdict = "ok" if got == name else "lost"
                return {"id": rid, "name": name, "status": 200, "got": got, "verdict": verdict}
            if response.status_code == 404:
                return {"id": rid, "name": name, "status": 404, "verdict": "lost"}
            last = {"id": rid, "name": name, "status": response.status_code}
        time.sleep(min(2.0, 0.5 * (attempt + 1)))
    return {**last, "verdict": "unverified"}


def verify(lb_url: str, acked: list[tuple[int, str]], workers: int, timeout_s: float) -> dict:
    """Read each acknowledged id through the load balancer and sort the answers."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        answers = list(pool.map(lambda item: _read_back(lb_url, *item, timeout_s), acked))
    return {
        "checked": len(answers),
        "ok": sum(a["verdict"] == "ok" for a in answers),
        "lost": [a for a in answers if a["verdict"] == "lost"],
        "unverified": [a for a in answers if a["verdict"] == "unverified"],
    }


def variant(
    events_path: Path,
    marks_path: Path,
    out: Path,
    lb_url: str,
    workers: int = 16,
    timeout_s: float = 45.0,
) -> dict[str, Any]:
    events = load_events(events_path) if events_path.exists() else []
    marks = json.loads(marks_path.read_text(encoding="utf-8"))
    acked = [(e["id"], e["name"]) for e in events if e["k"] == "w" and "id" in e]
    started = time.time()
    verification = verify(lb_url, acked, workers, timeout_s)
    result = metrics.compute(events, marks, verification)
    result["read_back_s"] = round(time.time() - started, 1)
    times = [e.get("t", e.get("t0", 0.0)) for e in events]
    result["started_at"] = _iso(min(times)) if times else None
    result["duration_s"] = round(max(times) - min(times), 1) if times else None
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def table(variants: list[dict[str, Any]]) -> str:
    header = [
        "variant",
        "passed",
        "unavail s",
        "target s",
        "agree s",
        "acked",
        "lost",
        "wrong",
        "errors",
        "rejoin s",
        "as master s",
    ]
    rows = [header]
    for v in variants:
        errors = sum(v.get("errors_by_status", {}).values())
        rows.append(
            [
                _cell(v.get("name")),
                _cell(v.get("passed")),
                _cell(v.get("unavailable_s")),
                _cell(v.get("target_unavailable_s")),
                _cell(v.get("agree_s")),
                _cell(v.get("acked_writes")),
                _cell(v.get("acked_lost")),
                _cell(v.get("wrong_reads")),
                _cell(errors),
                _cell(v.get("rejoin_s")),
                _cell(v.get("old_master_as_master_s")),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for v in variants:
        for reason in v.get("failed_checks", []):
            lines.append(f"{v.get('name')}: FAILED: {reason}")
    return "\n".join(lines)


def summary(
    run_dir: Path, report_dir: Path, names: list[str], settings: dict[str, Any]
) -> dict[str, Any]:
    variants = []
    for name in names:
        path = run_dir / f"{name}.json"
        if path.exists():
            variants.append(json.loads(path.read_text(encoding="utf-8")))
        else:
            variants.append({"name": name, "passed": False, "failed_checks": ["no result"]})
    report = {
        "passed": bool(variants) and all(v.get("passed") for v in variants),
        "run": run_dir.name,
        "finished_at": _iso(time.time()),
        "settings": settings,
        "definitions": metrics.DEFINITIONS,
        "variants": variants,
    }
    text = json.dumps(report, indent=2) + "\n"
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / f"drill-{run_dir.name}.json").write_text(text, encoding="utf-8")
    latest = report_dir / "latest.json"
    tmp = latest.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(latest)
    return report
