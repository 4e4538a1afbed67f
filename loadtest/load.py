"""`make load`: the origin's scenario (loadtest/origin_locustfile.py) against a stack's LB.

Runs locust headless, keeps its HTML report and CSVs under reports/load/ and prints a
one-screen summary beside the origin's best published run of the same scenario.

    python -m loadtest.load --inventory inventories/bench/hosts.yml   (or `make load`)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import datetime

from loadtest import cpu, metrics
from loadtest.inventory import DEFAULT_INVENTORY, ROOT, load_stack, tool

LOCUSTFILE = ROOT / "loadtest" / "origin_locustfile.py"
# Seeding, the 40 s timetable, the last user's pause and its slowest requests fit in this.
RUN_TIMEOUT_S = 300

# The origin's best published run of this scenario (its Gatling report).
ORIGIN_BEST = {"failures": 0, "p50_ms": 14, "p95_ms": 1553, "p99_ms": None, "rps": 12.45}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.load", description=__doc__)
    parser.add_argument("--inventory", default=DEFAULT_INVENTORY)
    parser.add_argument("--url", help="the load balancer (default: the inventory's escala_lb_url)")
    parser.add_argument("--seed-resources", type=int, default=20)
    parser.add_argument("--out", default="reports/load")
    args = parser.parse_args(argv)

    url = (args.url or load_stack(args.inventory).lb_url).rstrip("/")
    if not url:
        raise SystemExit(f"load: no URL: set escala_lb_url in {args.inventory} or pass --url")
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    prefix = out / "origin"
    # A report of an earlier run must never pass for this one's.
    for old in [*out.glob("origin_*.csv"), out / "origin.html", out / "summary.json"]:
        old.unlink(missing_ok=True)
    command = [
        tool("locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        url,
        "--seed-resources",
        str(args.seed_resources),
        "--csv",
        str(prefix),
        "--html",
        str(out / "origin.html"),
        "--only-summary",
    ]
    # The locustfile imports loadtest.schedule from the project.
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    started = datetime.now().astimezone()
    print(f"load: the origin's scenario against {url} (about a minute)", flush=True)
    code = subprocess.run(command, cwd=ROOT, env=env, timeout=RUN_TIMEOUT_S).returncode
    try:
        stats = metrics.read_stats(f"{prefix}_stats.csv")
    except (OSError, ValueError):
        print(f"load: locust wrote no statistics (exit code {code})", file=sys.stderr)
        return code or 1

    summary = {
        "measured_at": started.isoformat(timespec="seconds"),
        "machine": cpu.machine_facts(),
        "url": url,
        "requests": stats.requests,
        "failures": stats.failures,
        "p50_ms": stats.p50_ms,
        "p95_ms": stats.p95_ms,
        "p99_ms": stats.p99_ms,
        "rps": round(stats.rps, 2),
        "origin_best": ORIGIN_BEST,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    rows = [
        ["requests", stats.requests, None],
        ["failures", stats.failures, ORIGIN_BEST["failures"]],
        ["p50 ms", stats.p50_ms, ORIGIN_BEST["p50_ms"]],
        ["p95 ms", stats.p95_ms, ORIGIN_BEST["p95_ms"]],
        ["p99 ms", stats.p99_ms, ORIGIN_BEST["p99_ms"]],
        ["req/s", stats.rps, ORIGIN_BEST["rps"]],
    ]
    print()
    print(f"origin scenario against {url}, {summary['measured_at']}")
    print(metrics.table(["", "escala", "origin best"], rows))
    print(f"report: {out / 'origin.html'}; CSVs: {prefix}_*.csv")
    return code


if __name__ == "__main__":
    sys.exit(main())
