"""Pure computations of the load test and the bench: read locust's CSVs, compare with bounds.

Nothing here touches the network or the lab, so tests/loadtest checks it with given numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Fraction of a resource's capacity from which the report calls it saturated.
SATURATED = 0.9
# A worker's rate is estimated from its share of the CPU, which is a few per cent off:
# only a worker below this fraction of its slots' rate is called idle.
WORKER_IDLE = 0.75


@dataclass(frozen=True)
class Stats:
    """The aggregated row of a locust run: counts, rate and latency percentiles (ms)."""

    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    average_ms: float
    max_ms: float


def read_stats(stats_csv: Path | str, name: str = "Aggregated") -> Stats:
    """The row `name` (by default the total) of a locust `<prefix>_stats.csv`."""
    with open(stats_csv, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == name:
                return Stats(
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    rps=float(row["Requests/s"]),
                    p50_ms=_number(row["50%"]),
                    p95_ms=_number(row["95%"]),
                    p99_ms=_number(row["99%"]),
                    average_ms=_number(row["Average Response Time"]),
                    max_ms=_number(row["Max Response Time"]),
                )
    raise ValueError(f"{stats_csv} has no row named {name!r}")


def _number(text: str) -> float:
    # locust writes N/A for a percentile of a run without requests.
    return float("nan") if text in ("", "N/A") else float(text)


def little_bound_rps(instances: int, workers: int, threads: int, delay_s: float) -> float:
    """Little's law: at most instances x workers x threads requests of `delay_s` at a time."""
    if delay_s <= 0:
        raise ValueError("delay_s must be positive")
    return instances * workers * threads / delay_s


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def efficiency(throughputs: Mapping[int, float]) -> dict[int, float | None]:
    """Throughput per instance at k instances over that of the smallest run.

    With a run at 1 instance this is throughput(k) / (k x throughput(1)); 1.0 means that
    every added instance brings as much as the first.
    """
    if not throughputs:
        return {}
    base_k = min(throughputs)
    base = throughputs[base_k] / base_k
    return {k: ratio(rps / k, base) for k, rps in throughputs.items()}


def busiest_worker_share(worker_cores: Sequence[Sequence[float]]) -> float | None:
    """The largest share of its instance's work that one gunicorn worker did, by CPU.

    `worker_cores` lists the cores of each worker, instance by instance. Every request of
    the bench costs a worker about the same CPU, so the share is that of the requests.
    """
    totals = [sum(workers) for workers in worker_cores]
    # Instances that served next to nothing (the others, in a run at one instance) and
    # whose CPU is noise are left out.
    busy = [
        w
        for w, total in zip(worker_cores, totals, strict=True)
        if total > 0.1 * max(totals, default=0)
    ]
    shares = [max(workers) / sum(workers) for workers in busy if sum(workers) > 0]
    return max(shares) if shares else None


def saturation(
    cores: Mapping[str, float],
    *,
    machine_cores: int,
    generator_processes: int,
    lb_cores: float | None = None,
    worker_max: float | None = None,
    worker_share: float | None = None,
    workers_per_instance: int = 1,
    worker_cores: Sequence[Sequence[float]] = (),
    threads: int | None = None,
    slots: int | None = None,
    throughput_rps: float | None = None,
    delay_s: float | None = None,
    p50_ms: float | None = None,
) -> list[str]:
    """Which measured resources were at their limit during a run, each with its numbers.

    `cores` holds mean cores used by "machine", "generator" and "lb" (any may be
    missing); `lb_cores` is what the load balancer may use (its host's cores), and
    `worker_max` the busiest gunicorn worker's cores (one at most: the GIL) and
    `worker_share` the busiest worker's share of its instance's work. With `slots`, the
    run had a fixed delay per request: each worker's rate, estimated from its share of
    the CPU (`worker_cores`, instance by instance), is set beside its `threads` / delay.
    """
    found = []
    machine = cores.get("machine")
    if machine is not None and machine >= SATURATED * machine_cores:
        found.append(f"machine CPU: {machine:.2f} of {machine_cores} cores busy")
    generator = cores.get("generator")
    if generator is not None and generator >= SATURATED * generator_processes:
        found.append(
            f"load generator: locust used {generator:.2f} cores in "
            f"{generator_processes} process(es)"
        )
    lb = cores.get("lb")
    if lb is not None and lb_cores and lb >= SATURATED * lb_cores:
        found.append(f"NGINX: its host used {lb:.2f} of {lb_cores:g} cores")
    if worker_max is not None and worker_max >= SATURATED:
        found.append(f"a gunicorn worker: {worker_max:.2f} core (one process, one core at most)")
    idle = _idle_worker(worker_cores, throughput_rps, threads, delay_s) if slots else None
    if idle is not None:
        rate, capacity, share = idle
        found.append(
            f"gunicorn slots idle in one worker: it served {rate:.1f} of its {capacity:.0f} "
            f"req/s ({100 * share:.0f} % of its instance's work, by CPU)"
        )
    elif worker_share is not None and workers_per_instance > 1 and not slots:
        if worker_share >= 1.5 / workers_per_instance:
            found.append(
                f"gunicorn workers unbalanced: one worker did {100 * worker_share:.0f} % of its "
                f"instance's work (by CPU)"
            )
    if slots and throughput_rps is not None and delay_s and p50_ms is not None:
        busy = throughput_rps * delay_s  # Little's law: mean requests in service
        if busy >= SATURATED * slots and p50_ms > 1000 * delay_s * 1.1:
            found.append(
                f"gunicorn slots: {busy:.0f} of {slots} busy on average, p50 {p50_ms:.0f} ms "
                f"for {1000 * delay_s:.0f} ms of work (requests queue for a slot)"
            )
    return found


def _idle_worker(
    worker_cores: Sequence[Sequence[float]],
    throughput_rps: float | None,
    threads: int | None,
    delay_s: float | None,
) -> tuple[float, float, float] | None:
    """(rate, capacity, share) of the least busy worker if it left its slots idle.

    Instances behind the LB share the rate equally (least_conn); each worker's part of its
    instance's rate is its part of the instance's CPU.
    """
    if not threads or not delay_s or not throughput_rps:
        return None
    totals = [sum(w) for w in worker_cores]
    busy = [
        w for w, t in zip(worker_cores, totals, strict=True) if t > 0.1 * max(totals, default=0)
    ]
    if not busy:
        return None
    per_instance = throughput_rps / len(busy)
    capacity = threads / delay_s
    share = min(min(w) / sum(w) for w in busy)
    rate = share * per_instance
    return (rate, capacity, share) if rate < WORKER_IDLE * capacity else None


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table, right-aligned numbers, for the terminal and the README."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells)
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)
