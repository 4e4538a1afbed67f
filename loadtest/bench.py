"""Scaling bench: throughput of the fixed /work endpoint at 1, 2 and 4 app instances.

For each count the stack is redeployed through the roles (site.yml --tags app,nginx with
escala_app_instances_per_host), closed-loop locust users drive /work?ms=DELAY through the
load balancer, and the measured rate is set beside Little's-law bound
instances x workers x threads / delay. At the smallest count the same load, and a
CPU-bound request (/work?ms=0), go to its instances via the LB and straight to them (the
users spread evenly over them), in alternating rounds: the ratio of the two rates is the
LB's overhead. The CPU of the machine, of
locust, of the LB's and the app's hosts and of each gunicorn worker is measured over
every run, to name what saturated. The inventory's own instance count is deployed again
at the end, whatever happened.

    python -m loadtest.bench --inventory inventories/bench/hosts.yml   (or `make bench`)

Writes reports/bench/latest.json, reports/bench/latest.png and, per run, locust's CSVs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from loadtest import cpu, metrics
from loadtest.inventory import DEFAULT_INVENTORY, ROOT, Stack, direct_targets, load_stack, tool

WORK_LOCUSTFILE = ROOT / "loadtest" / "work_locustfile.py"
# What one deploy (site.yml --tags app,nginx) and one locust run may take at most.
DEPLOY_TIMEOUT_S = 300
RUN_OVERHEAD_S = 20


@dataclass
class Run:
    name: str
    target: str  # "lb" or "direct"
    path: str
    instances: int
    users: int
    stats: metrics.Stats | None = None
    cores: dict[str, float] = field(default_factory=dict)
    saturated: list[str] = field(default_factory=list)
    exit_code: int | None = None
    cpu_ms_per_request: float | None = None
    # Cores of each gunicorn worker, instance by instance, and the busiest one's share.
    worker_cores: list[list[float]] = field(default_factory=list)
    busiest_worker_share: float | None = None


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.monotonic()
    stack = load_stack(args.inventory)
    lb_url = (args.url or stack.lb_url).rstrip("/")
    if args.direct_url:
        stack = dataclasses.replace(stack, direct_instance_url=args.direct_url, pair_lb_url=lb_url)
    pair_lb_url = (stack.pair_lb_url or lb_url).rstrip("/")
    # The LB-overhead runs go at the smallest count, when the bench can reach its instances.
    pair_count = min(args.counts)
    pair_targets = direct_targets(stack, pair_count)
    if not pair_targets:
        print(
            f"bench: cannot reach the {pair_count * len(stack.app_hosts)} instance(s) of the "
            "smallest count without the LB: the LB-overhead runs are skipped"
        )
    if not lb_url:
        raise SystemExit(f"bench: no URL: set escala_lb_url in {args.inventory} or pass --url")
    out = ROOT / args.out
    runs_dir = out / "runs"
    shutil.rmtree(runs_dir, ignore_errors=True)
    runs_dir.mkdir(parents=True)

    slots_per_instance = stack.gunicorn_workers * stack.gunicorn_threads
    delay_s = args.delay_ms / 1000
    work_path = f"/work?ms={args.delay_ms}"
    fast_path = "/work?ms=0"
    hosts = len(stack.app_hosts)
    # The inventory's own count is deployed last, so that it needs no extra deploy.
    order = sorted(args.counts, key=lambda n: (n == stack.instances_per_host, n))
    print(
        f"bench: {lb_url}, per-host instance counts {order} on {hosts} app host(s), "
        f"{stack.gunicorn_workers} workers x {stack.gunicorn_threads} threads per instance, "
        f"{work_path}, {args.users_per_slot:g} users per slot, {args.duration_s} s per run",
        flush=True,
    )

    containers = _container_ids(stack)
    runs: list[Run] = []
    deployed: int | None = None
    failed = False
    try:
        for per_host in order:
            _check_budget(started, args.budget_s, per_host)
            _deploy(stack.inventory, per_host, runs_dir)
            deployed = per_host
            instances = per_host * hosts
            _check_instances(lb_url, instances)
            slots = instances * slots_per_instance
            users = math.ceil(args.users_per_slot * slots)
            plan = [Run(f"lb-work-{instances}", "lb", work_path, instances, users)]
            if per_host == pair_count and pair_targets:
                # The same instances via the LB and directly, in alternating short rounds:
                # whatever else loads the machine then weighs on both alike.
                fast_users = args.fast_users * instances
                n = instances
                for i in range(1, args.pair_rounds + 1):
                    plan += [
                        Run(f"lb-pair-work-{n}.{i}", "lb", work_path, n, users),
                        Run(f"direct-pair-work-{n}.{i}", "direct", work_path, n, users),
                        Run(f"lb-pair-fast-{n}.{i}", "lb", fast_path, n, fast_users),
                        Run(f"direct-pair-fast-{n}.{i}", "direct", fast_path, n, fast_users),
                    ]
            for run in plan:
                targets: list[str] = []
                url = lb_url
                if "-pair-" in run.name:
                    url = pair_lb_url
                    if run.target == "direct":
                        targets = pair_targets
                        url = targets[0]
                seconds = args.pair_duration_s if "-pair-" in run.name else args.duration_s
                _measure(run, url, targets, seconds, args.spawn_per_instance, runs_dir, containers)
                run.saturated = metrics.saturation(
                    run.cores,
                    machine_cores=cpu.cpu_count(),
                    generator_processes=1,
                    lb_cores=cpu.cpu_count() if "lb" in run.cores else None,
                    worker_max=run.cores.get("app_worker_max"),
                    worker_share=run.busiest_worker_share,
                    workers_per_instance=stack.gunicorn_workers,
                    worker_cores=run.worker_cores,
                    threads=stack.gunicorn_threads,
                    slots=slots if run.path == work_path else None,
                    throughput_rps=run.stats.rps if run.stats else None,
                    delay_s=delay_s,
                    p50_ms=run.stats.p50_ms if run.stats else None,
                )
                runs.append(run)
                _print_run(run)
    except (subprocess.SubprocessError, OSError, RuntimeError, requests.RequestException) as exc:
        print(f"bench: stopped: {exc}", file=sys.stderr)
        failed = True
    finally:
        restored = deployed == stack.instances_per_host
        if not restored:
            print(f"bench: deploying the inventory's {stack.instances_per_host} instance(s)")
            try:
                _deploy(stack.inventory, None, runs_dir)
                restored = True
            except (subprocess.SubprocessError, OSError, RuntimeError) as exc:
                print(f"bench: could not restore the inventory's count: {exc}", file=sys.stderr)
                failed = True

    report = _report(
        args, stack, lb_url, (pair_lb_url, pair_targets), runs, slots_per_instance, delay_s
    )
    report["duration_s"] = round(time.monotonic() - started)
    report["restored_inventory_instances"] = restored
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    _plot(report, out / "latest.png")
    # Earlier runs stay beside the latest, for comparing runs on a shared machine.
    stamp = report["measured_at"].replace(":", "")[:17]
    for suffix in ("json", "png"):
        if (out / f"latest.{suffix}").exists():
            shutil.copy(out / f"latest.{suffix}", out / f"bench-{stamp}.{suffix}")
    print()
    print(_summary(report))
    print(f"\nbench: wrote {out / 'latest.json'} and {out / 'latest.png'}")
    bad_runs = [r.name for r in runs if r.stats is None or r.stats.failures or r.exit_code]
    if bad_runs:
        print(f"bench: runs with failed requests or errors: {bad_runs}", file=sys.stderr)
    return 1 if failed or bad_runs else 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest.bench", description=__doc__)
    parser.add_argument("--inventory", default=DEFAULT_INVENTORY)
    parser.add_argument("--url", help="the load balancer (default: the inventory's escala_lb_url)")
    parser.add_argument(
        "--direct-url",
        help="one app instance, bypassing the LB (default: escala_direct_instance_url)",
    )
    parser.add_argument(
        "--counts",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 2, 4],
        help="app instances per host to bench, e.g. 1,2,4",
    )
    # 400 ms keeps the bound at 4 instances at 160 rps: the whole path costs about 2 ms
    # of CPU per request, and a shared 2-core machine may leave the bench half a core.
    # At 100 ms (640 rps) the machine's CPU, not the slots, would set the rate.
    parser.add_argument("--delay-ms", type=int, default=400, help="work per request")
    parser.add_argument(
        "--users-per-slot",
        type=float,
        default=3.0,
        help="closed-loop users per gunicorn slot (gthread spreads connections unevenly "
        "over an instance's workers: fewer users leave slots idle)",
    )
    # Limitation: gthread workers accept new connections unevenly, and a burst of them may
    # all land in one worker, whose partner's threads then idle; starting users gradually
    # avoids that here, the app does not; fix: cap connections per worker in gunicorn.conf.py.
    parser.add_argument(
        "--spawn-per-instance",
        type=float,
        default=8,
        help="users started per second and instance: gthread workers that get a burst of "
        "new connections at once may keep all of them in one worker",
    )
    parser.add_argument(
        "--fast-users", type=int, default=16, help="users per instance of the /work?ms=0 runs"
    )
    parser.add_argument(
        "--pair-rounds", type=int, default=3, help="LB/direct rounds of the LB-overhead runs"
    )
    parser.add_argument("--pair-duration-s", type=int, default=6, help="seconds of each")
    parser.add_argument("--duration-s", type=int, default=12, help="measured seconds per run")
    parser.add_argument("--budget-s", type=int, default=360, help="stop starting new steps after")
    parser.add_argument("--out", default="reports/bench")
    return parser.parse_args(argv)


def _check_budget(started: float, budget_s: int, per_host: int) -> None:
    if time.monotonic() - started > budget_s:
        raise RuntimeError(f"time budget of {budget_s} s spent before the run at {per_host}")


def _deploy(inventory: str, per_host: int | None, runs_dir: Path) -> None:
    """Deploy the app and the LB through the roles; None: the inventory's own count."""
    command = [tool("ansible-playbook"), "-i", inventory, "site.yml", "--tags", "app,nginx"]
    if per_host is not None:
        command += ["-e", f"escala_app_instances_per_host={per_host}"]
    label = per_host if per_host is not None else "inventory"
    log = runs_dir / f"deploy-{label}.log"
    began = time.monotonic()
    with open(log, "w") as handle:
        done = subprocess.run(
            command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, timeout=DEPLOY_TIMEOUT_S
        )
    if done.returncode != 0:
        raise RuntimeError(f"deploy with {label} instance(s) per host failed; see {log}")
    print(f"bench: deployed {label} instance(s) per host in {time.monotonic() - began:.0f} s")


def _check_instances(lb_url: str, expected: int) -> None:
    """The LB must reach exactly the deployed instances, or the bench measures something else."""
    seen: set[str] = set()
    with requests.Session() as session:
        for _ in range(10 * expected):
            response = session.get(f"{lb_url}/info", timeout=10)
            response.raise_for_status()
            seen.add(response.json()["instance"])
            if len(seen) > expected:
                break
    if len(seen) != expected:
        raise RuntimeError(f"expected {expected} instance(s) behind the LB, saw {sorted(seen)}")


def _container_ids(stack: Stack) -> dict[str, list[str]]:
    """Lab host containers of the lb, app and redis groups, for their CPU counters."""
    groups: dict[str, list[str]] = {}
    for group, name in (("lb", "lb"), ("app", "app"), ("redis", "redis")):
        names = [stack.lab_containers[h] for h in stack.groups[group] if h in stack.lab_containers]
        if not names:
            continue
        found = subprocess.run(
            ["docker", "inspect", "-f", "{{.Id}}", *names],
            capture_output=True,
            text=True,
        )
        if found.returncode == 0:
            groups[name] = found.stdout.split()
    return groups


def _measure(
    run: Run,
    url: str,
    targets: list[str],
    duration_s: int,
    spawn_per_instance: float,
    runs_dir: Path,
    containers: dict[str, list[str]],
) -> None:
    # The stats are reset once every user has started.
    spawn_rate = spawn_per_instance * run.instances
    spawn_s = math.ceil(run.users / spawn_rate)
    prefix = runs_dir / run.name
    command = [
        tool("locust"),
        "-f",
        str(WORK_LOCUSTFILE),
        "--headless",
        "--host",
        url,
        "--users",
        str(run.users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{spawn_s + duration_s}s",
        "--reset-stats",
        "--only-summary",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    env = dict(os.environ, ESCALA_BENCH_PATH=run.path, ESCALA_BENCH_TARGETS=",".join(targets))
    port = str(urlsplit(url).port or 80)
    with open(f"{prefix}.log", "w") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            # CPU is measured over the steady part: after spawning, before the end.
            time.sleep(spawn_s + 1)
            pids = {
                "generator": cpu.descendants(locust.pid),
                "port_proxy": cpu.pids_with_args("docker-proxy", ["-host-port", port]),
            }
            # Each gunicorn process of the app hosts on its own: one busy worker is a
            # limit (one core, the GIL) long before the host's cores are.
            workers = [
                pid
                for container_id in containers.get("app", [])
                for pid in cpu.pids_in_container("gunicorn", container_id)
            ]
            parents = {pid: cpu.parent_pid(pid) for pid in workers}
            pids |= {f"worker:{pid}": [pid] for pid in workers}
            pids["app_gunicorn"] = workers
            # NGINX's own processes: the rest of its host's CPU is the engine around it.
            pids["lb_nginx"] = [
                pid
                for container_id in containers.get("lb", [])
                for pid in cpu.pids_in_container("nginx", container_id)
            ]
            before = cpu.snapshot(pids, containers)
            time.sleep(max(duration_s - 2, 1))
            after = cpu.snapshot(pids, containers)
            run.exit_code = locust.wait(timeout=duration_s + RUN_OVERHEAD_S)
        finally:
            if locust.poll() is None:
                locust.kill()
                locust.wait()
    used = cpu.cores_used(before, after)
    run.cores = {k: round(v, 3) for k, v in used.items() if not k.startswith("worker:")}
    # A gunicorn master is the parent of its instance's workers.
    by_master: dict[int | None, list[float]] = {}
    for pid, master in parents.items():
        if master in parents:
            by_master.setdefault(master, []).append(used.get(f"worker:{pid}", 0.0))
    run.worker_cores = [
        sorted((round(c, 3) for c in cores), reverse=True) for cores in by_master.values()
    ]
    run.busiest_worker_share = _round(metrics.busiest_worker_share(run.worker_cores))
    if run.worker_cores:
        run.cores["app_worker_max"] = max(max(cores) for cores in run.worker_cores)
    ours = sum(run.cores.get(k, 0.0) for k in ("generator", "port_proxy", "lb", "app", "redis"))
    run.cores["others"] = round(max(run.cores["machine"] - ours, 0.0), 3)
    stats_csv = Path(f"{prefix}_stats.csv")
    if stats_csv.exists():
        run.stats = metrics.read_stats(stats_csv)
        # CPU the whole path (locust, port proxy, lab hosts) spent per request.
        run.cpu_ms_per_request = _round(metrics.ratio(1000 * ours, run.stats.rps))


def _print_run(run: Run) -> None:
    stats = run.stats
    text = (
        "no stats"
        if stats is None
        else (f"{stats.rps:.1f} req/s, p50 {stats.p50_ms:.0f} ms, {stats.failures} failures")
    )
    cores = ", ".join(f"{k} {v:.2f}" for k, v in run.cores.items())
    print(f"bench: {run.name} ({run.users} users, {run.path}): {text}; cores: {cores}", flush=True)


def _report(
    args: argparse.Namespace,
    stack: Stack,
    lb_url: str,
    pair_urls: tuple[str, list[str]],
    runs: list[Run],
    slots_per_instance: int,
    delay_s: float,
) -> dict[str, Any]:
    scaling = sorted((r for r in runs if r.name.startswith("lb-work-") and r.stats), key=_count)
    throughputs = {r.instances: r.stats.rps for r in scaling if r.stats}
    bounds = {
        k: metrics.little_bound_rps(k, stack.gunicorn_workers, stack.gunicorn_threads, delay_s)
        for k in throughputs
    }
    efficiency = metrics.efficiency(throughputs)

    by_name = {r.name: r for r in runs if r.stats}
    pair_instances = min((r.instances for r in runs if "-pair-" in r.name), default=0)

    def round_ratios(kind: str, value: Callable[[Run, Run], float | None]) -> list[float]:
        """value(lb run, direct run) of each LB/direct round; the two runs of a round are
        back to back, so whatever else loads the machine weighs on both alike."""
        found = []
        for i in range(1, args.pair_rounds + 1):
            lb, direct = (
                by_name.get(f"lb-pair-{kind}-{pair_instances}.{i}"),
                by_name.get(f"direct-pair-{kind}-{pair_instances}.{i}"),
            )
            if lb and direct and (ratio := value(lb, direct)) is not None:
                found.append(round(ratio, 3))
        return found

    def rps_ratio(lb: Run, direct: Run) -> float | None:
        return metrics.ratio(
            lb.stats.rps if lb.stats else None, direct.stats.rps if direct.stats else None
        )

    def cpu_ratio(lb: Run, direct: Run) -> float | None:
        # CPU per request of the direct path over that of the LB path.
        return metrics.ratio(direct.cpu_ms_per_request, lb.cpu_ms_per_request)

    fast_rounds = round_ratios("fast", rps_ratio)
    work_rounds = round_ratios("work", rps_ratio)
    cpu_rounds = round_ratios("fast", cpu_ratio)
    lb_overhead_fast = _median(fast_rounds)
    lb_overhead_work = _median(work_rounds)
    lb_overhead_cpu = _median(cpu_rounds)
    ratios = {k: metrics.ratio(throughputs[k], bounds[k]) for k in throughputs}
    largest = max(throughputs, default=None)
    targets = {
        "ratio_to_bound >= 0.9 at every count": bool(ratios)
        and all(r is not None and r >= 0.9 for r in ratios.values()),
        "efficiency >= 0.9 at the largest count": largest is not None
        and (efficiency.get(largest) or 0) >= 0.9,
        "lb_overhead_ratio >= 0.9": lb_overhead_fast is not None and lb_overhead_fast >= 0.9,
    }
    return {
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": cpu.machine_facts(),
        "stack": {
            "inventory": stack.inventory,
            "lb_url": lb_url,
            "pair_lb_url": pair_urls[0] if pair_urls[1] else None,
            "pair_direct_urls": pair_urls[1],
            "pair_instances": pair_instances or None,
            "app_hosts": len(stack.app_hosts),
            "gunicorn_workers": stack.gunicorn_workers,
            "gunicorn_threads": stack.gunicorn_threads,
            "inventory_instances_per_host": stack.instances_per_host,
        },
        "settings": {
            "work_path": f"/work?ms={args.delay_ms}",
            "delay_ms": args.delay_ms,
            "users_per_slot": args.users_per_slot,
            "spawn_per_instance": args.spawn_per_instance,
            "fast_path": "/work?ms=0",
            "fast_users": args.fast_users,
            "pair_rounds": args.pair_rounds,
            "pair_duration_s": args.pair_duration_s,
            "duration_s": args.duration_s,
        },
        "instances": list(throughputs),
        "users": [r.users for r in scaling],
        "throughput_rps": [round(v, 1) for v in throughputs.values()],
        "bound_rps": [round(bounds[k], 1) for k in throughputs],
        "ratio_to_bound": [_round(ratios[k]) for k in throughputs],
        "p50_ms": [r.stats.p50_ms for r in scaling if r.stats],
        "p95_ms": [r.stats.p95_ms for r in scaling if r.stats],
        "p99_ms": [r.stats.p99_ms for r in scaling if r.stats],
        "failures": [r.stats.failures for r in scaling if r.stats],
        "efficiency": [_round(efficiency[k]) for k in throughputs],
        "lb_overhead_ratio": _round(lb_overhead_fast),
        "lb_overhead_ratio_work": _round(lb_overhead_work),
        "lb_overhead_ratio_per_cpu": _round(lb_overhead_cpu),
        # The ratio of each round, whose median the three figures above are.
        "lb_overhead_rounds": {"fast": fast_rounds, "work": work_rounds, "per_cpu": cpu_rounds},
        "targets": targets,
        "saturated": {r.name: r.saturated for r in runs},
        "runs": [
            asdict(r) | {"slots": r.instances * slots_per_instance}
            for r in sorted(runs, key=lambda r: (r.instances, r.name))
        ],
    }


def _count(run: Run) -> int:
    return run.instances


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _summary(report: dict[str, Any]) -> str:
    by_name = {r["name"]: r for r in report["runs"]}
    rows = []
    for i, k in enumerate(report["instances"]):
        cores = by_name[f"lb-work-{k}"]["cores"]
        rows.append(
            [
                k,
                report["users"][i],
                report["throughput_rps"][i],
                report["bound_rps"][i],
                report["ratio_to_bound"][i],
                report["efficiency"][i],
                report["p50_ms"][i],
                report["p95_ms"][i],
                report["failures"][i],
                cores.get("machine"),
                cores.get("generator"),
                cores.get("lb"),
                cores.get("app"),
                by_name[f"lb-work-{k}"]["busiest_worker_share"],
                cores.get("others"),
            ]
        )
    headers = [
        "inst",
        "users",
        "req/s",
        "bound",
        "ratio",
        "effic",
        "p50 ms",
        "p95 ms",
        "fail",
        "cpu all",
        "locust",
        "lb host",
        "app host",
        "top wkr",
        "others",
    ]
    lines = [
        f"{report['settings']['work_path']} through {report['stack']['lb_url']}, "
        f"{report['measured_at']}, {report['machine']['cores']} cores "
        f"(cpu columns: mean cores busy)",
        metrics.table(headers, rows),
        "",
    ]
    pairs = [r for r in report["runs"] if "-pair-" in r["name"] and r["stats"]]
    for run in sorted(pairs, key=lambda r: (r["path"], r["name"].split(".")[-1])):
        lines.append(
            f"  {run['name']:>16}: {run['stats']['rps']:7.1f} req/s, p50 "
            f"{run['stats']['p50_ms']:.0f} ms, {run['cpu_ms_per_request']} ms CPU/request, "
            f"cores: all {run['cores'].get('machine', 0):.2f}, others "
            f"{run['cores'].get('others', 0):.2f}, lb host {run['cores'].get('lb', 0):.2f} "
            f"(nginx {run['cores'].get('lb_nginx', 0):.2f}), app host "
            f"{run['cores'].get('app', 0):.2f}, locust {run['cores'].get('generator', 0):.2f}, "
            f"top worker share {run['busiest_worker_share']}"
        )
    if pairs:
        lines.append(
            f"LB overhead at {report['stack']['pair_instances']} instance(s) (median over rounds "
            f"of req/s via LB / direct): "
            f"/work?ms=0 lb_overhead_ratio {report['lb_overhead_ratio']} "
            f"{report['lb_overhead_rounds']['fast']} (per CPU spent "
            f"{report['lb_overhead_ratio_per_cpu']} {report['lb_overhead_rounds']['per_cpu']}); "
            f"{report['settings']['work_path']} {report['lb_overhead_ratio_work']} "
            f"{report['lb_overhead_rounds']['work']}"
        )
    lines.append("")
    for target, met in report["targets"].items():
        lines.append(f"target {target}: {'met' if met else 'MISSED'}")
    for name, found in report["saturated"].items():
        if found:
            lines.append(f"saturated in {name}: " + "; ".join(found))
    return "\n".join(lines)


def _plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    instances = report["instances"]
    if not instances:
        return
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    ax.plot(instances, report["bound_rps"], "k--", label="Little's-law bound")
    ax.fill_between(
        instances,
        [0.9 * b for b in report["bound_rps"]],
        report["bound_rps"],
        color="0.85",
        label="90 % to 100 % of the bound",
    )
    ax.plot(instances, report["throughput_rps"], "o-", color="tab:blue", label="measured via LB")
    for k, rps, ratio in zip(
        instances, report["throughput_rps"], report["ratio_to_bound"], strict=True
    ):
        ax.annotate(
            f"{rps:.0f} req/s ({ratio:.2f})",
            (k, rps),
            textcoords="offset points",
            xytext=(6, -14),
            fontsize=8,
        )
    ax.set_xticks(instances)
    ax.margins(x=0.15)
    ax.set_xlabel("app instances")
    ax.set_ylabel("requests per second")
    ax.set_ylim(bottom=0)
    stack, settings = report["stack"], report["settings"]
    ax.set_title(
        f"escala: {settings['work_path']}, {stack['gunicorn_workers']} workers x "
        f"{stack['gunicorn_threads']} threads per instance\n{report['measured_at']}, "
        f"{report['machine']['cores']} cores, {report['machine']['os']}",
        fontsize=9,
    )
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
