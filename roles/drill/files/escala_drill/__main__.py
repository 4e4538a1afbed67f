"""Command line of the drill: observe, wait, report, summary (see the package docstring)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from . import conditions, report
from .observe import ObserveConfig, Observer

# The Redis password comes from the environment, never from the command line (ps shows it).
PASSWORD_ENV = "DRILL_REDIS_PASSWORD"


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _observe(args: argparse.Namespace) -> int:
    config = ObserveConfig(
        lb_url=args.lb_url.rstrip("/"),
        sentinels=tuple(_list(args.sentinels)),
        redis=tuple(_list(args.redis)),
        master_name=args.master_name,
        password=os.environ.get(PASSWORD_ENV, ""),
        events=Path(args.events),
        state=Path(args.state),
        stop_file=Path(args.stop_file),
        name_prefix=args.name_prefix,
        writers=args.writers,
        readers=args.readers,
        max_seconds=args.max_seconds,
        max_writes=args.max_writes,
        poll_s=args.poll_s,
        request_timeout_s=args.request_timeout_s,
    )
    print(json.dumps(Observer(config).run()))
    return 0


def _check(args: argparse.Namespace, state: dict[str, Any]) -> conditions.Result:
    if args.condition == "healthy":
        return conditions.healthy(state, _list(args.sentinels), _list(args.redis), args.min_acks)
    if args.condition == "agreed":
        return conditions.agreed(state, _list(args.sentinels), args.not_master)
    if args.condition == "named":
        return conditions.named(state, _list(args.sentinels), args.master)
    return conditions.rejoined(state, args.endpoint, args.master)


def _wait(args: argparse.Namespace) -> int:
    """Poll the observer's state file until the condition holds or the timeout passes."""
    started = time.time()
    deadline = started + args.timeout
    reason = "no state yet"
    while time.time() < deadline:
        try:
            state = json.loads(Path(args.state).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = None
        if state is not None and time.time() - state.get("t", 0) > args.max_age:
            reason = f"the observer's state is {time.time() - state['t']:.1f} s old"
        elif state is not None:
            ok, master, reason = _check(args, state)
            if ok:
                result = {"ok": True, "t": state["t"], "master": master}
                result["waited_s"] = round(time.time() - started, 2)
                print(json.dumps(result))
                return 0
        time.sleep(0.1)
    print(json.dumps({"ok": False, "reason": reason, "waited_s": round(time.time() - started, 2)}))
    print(
        f"timed out after {args.timeout} s waiting for {args.condition}: {reason}", file=sys.stderr
    )
    return 1


def _report(args: argparse.Namespace) -> int:
    result = report.variant(
        Path(args.events), Path(args.marks), Path(args.out), args.lb_url.rstrip("/"), args.workers
    )
    print(json.dumps({k: result[k] for k in ("name", "passed", "failed_checks")}))
    return 0


def _summary(args: argparse.Namespace) -> int:
    settings = json.loads(args.settings) if args.settings else {}
    result = report.summary(
        Path(args.run_dir), Path(args.report_dir), _list(args.variants), settings
    )
    print(report.table(result["variants"]))
    print(f"drill {'PASSED' if result['passed'] else 'FAILED'}: {args.report_dir}/latest.json")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="escala_drill", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    observe = commands.add_parser("observe", help="traffic and probes until the stop file")
    observe.add_argument("--lb-url", required=True)
    observe.add_argument("--sentinels", required=True, help="ip:port,... of every Sentinel")
    observe.add_argument("--redis", required=True, help="ip:port,... of every Redis")
    observe.add_argument("--master-name", required=True)
    observe.add_argument("--events", required=True)
    observe.add_argument("--state", required=True)
    observe.add_argument("--stop-file", required=True)
    observe.add_argument("--name-prefix", required=True)
    observe.add_argument("--writers", type=int, default=16)
    observe.add_argument("--readers", type=int, default=4)
    observe.add_argument("--max-seconds", type=float, default=300)
    observe.add_argument("--max-writes", type=int, default=20000)
    observe.add_argument("--poll-s", type=float, default=0.2)
    observe.add_argument("--request-timeout-s", type=float, default=45)
    observe.set_defaults(func=_observe)

    wait = commands.add_parser("wait", help="block until a condition holds")
    wait.add_argument("condition", choices=["healthy", "agreed", "named", "rejoined"])
    wait.add_argument("--state", required=True)
    wait.add_argument("--timeout", type=float, default=60)
    wait.add_argument("--max-age", type=float, default=5, help="seconds a state may be old")
    wait.add_argument("--sentinels", default="")
    wait.add_argument("--redis", default="")
    wait.add_argument("--min-acks", type=int, default=0)
    wait.add_argument("--not-master")
    wait.add_argument("--master")
    wait.add_argument("--endpoint")
    wait.set_defaults(func=_wait)

    rep = commands.add_parser("report", help="read back and compute one variant")
    rep.add_argument("--events", required=True)
    rep.add_argument("--marks", required=True)
    rep.add_argument("--out", required=True)
    rep.add_argument("--lb-url", required=True)
    rep.add_argument("--workers", type=int, default=16)
    rep.set_defaults(func=_report)

    summ = commands.add_parser("summary", help="merge the variants into the report")
    summ.add_argument("--run-dir", required=True)
    summ.add_argument("--report-dir", required=True)
    summ.add_argument("--variants", required=True)
    summ.add_argument("--settings", default="")
    summ.set_defaults(func=_summary)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
