"""The bench's and the load test's arithmetic, on given numbers: no load is sent."""

from __future__ import annotations

import pytest

from loadtest import cpu, metrics

STATS_CSV = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,\
80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,/work?ms=200,1170,0,600,598.2,201,812,40.0,78.0,0.0,600,610,620,650,700,810,810,\
812,812,812,812
,Aggregated,1170,2,600,598.2,201,812,40.0,78.0,0.1,600,610,620,650,700,810,810,812,812,812,812
"""


def test_read_stats_takes_the_aggregated_row(tmp_path):
    path = tmp_path / "run_stats.csv"
    path.write_text(STATS_CSV)

    stats = metrics.read_stats(path)

    assert stats == metrics.Stats(
        requests=1170,
        failures=2,
        rps=78.0,
        p50_ms=600,
        p95_ms=810,
        p99_ms=812,
        average_ms=598.2,
        max_ms=812,
    )


def test_read_stats_refuses_a_file_without_the_row(tmp_path):
    path = tmp_path / "run_stats.csv"
    path.write_text(STATS_CSV.splitlines()[0] + "\n")

    with pytest.raises(ValueError, match="Aggregated"):
        metrics.read_stats(path)


def test_little_bound_is_slots_over_delay():
    # 4 instances x 2 workers x 8 threads = 64 requests in service, 5 per second each.
    assert metrics.little_bound_rps(4, 2, 8, 0.2) == pytest.approx(320)
    assert metrics.little_bound_rps(1, 2, 8, 0.1) == pytest.approx(160)
    with pytest.raises(ValueError):
        metrics.little_bound_rps(1, 2, 8, 0)


def test_ratio_handles_missing_numbers():
    assert metrics.ratio(72, 80) == pytest.approx(0.9)
    assert metrics.ratio(None, 80) is None
    assert metrics.ratio(72, None) is None
    assert metrics.ratio(72, 0) is None


def test_efficiency_compares_each_instance_with_the_first():
    eff = metrics.efficiency({1: 78.0, 2: 150.0, 4: 280.8})

    assert eff[1] == pytest.approx(1.0)
    assert eff[2] == pytest.approx(150 / 156)
    assert eff[4] == pytest.approx(0.9)


def test_efficiency_without_one_instance_starts_from_the_smallest_run():
    # Two app hosts: 1 per host is 2 instances, the smallest run.
    eff = metrics.efficiency({2: 160.0, 4: 300.0, 8: 640.0})

    assert eff == {2: pytest.approx(1.0), 4: pytest.approx(0.9375), 8: pytest.approx(1.0)}
    assert metrics.efficiency({}) == {}


def test_saturation_names_each_resource_at_its_limit():
    found = metrics.saturation(
        {"machine": 1.95, "generator": 0.97, "lb": 1.9},
        machine_cores=2,
        generator_processes=1,
        lb_cores=2,
        worker_max=0.99,
        slots=16,
        throughput_rps=78,
        delay_s=0.2,
        p50_ms=600,
    )

    assert [line.split(":")[0] for line in found] == [
        "machine CPU",
        "load generator",
        "NGINX",
        "a gunicorn worker",
        "gunicorn slots",
    ]
    assert "16 of 16 busy" in found[-1]


def test_saturation_is_silent_below_the_limits():
    found = metrics.saturation(
        {"machine": 0.6, "generator": 0.05, "lb": 0.03},
        machine_cores=2,
        generator_processes=1,
        lb_cores=2,
        worker_max=0.2,
        slots=16,
        # Slots busy, but no request waited for one: not saturated.
        throughput_rps=79,
        delay_s=0.2,
        p50_ms=205,
    )

    assert found == []


def test_cores_used_divides_cpu_seconds_by_wall_time(monkeypatch):
    monkeypatch.setattr(cpu, "cpu_count", lambda: 2)
    before = cpu.Snapshot(
        wall_s=10.0,
        machine_busy_s=100.0,
        machine_total_s=400.0,
        groups={"generator": 5.0, "lb": 1.0},
    )
    after = cpu.Snapshot(
        wall_s=20.0,
        machine_busy_s=115.0,
        machine_total_s=420.0,
        groups={"generator": 6.5, "lb": 3.0, "late": 1.0},
    )

    used = cpu.cores_used(before, after)

    assert used["generator"] == pytest.approx(0.15)
    assert used["lb"] == pytest.approx(0.2)
    # 15 of 20 CPU seconds busy on 2 cores.
    assert used["machine"] == pytest.approx(1.5)
    assert "late" not in used


def test_table_aligns_columns_and_marks_missing_values():
    text = metrics.table(["inst", "req/s"], [[1, 78.04], [4, 312.4], [8, None]])

    assert text.splitlines() == [
        "inst  req/s",
        "----  -----",
        "   1  78.04",
        "   4    312",
        "   8      -",
    ]


def test_busiest_worker_share_ignores_instances_that_served_nothing():
    # One instance behind a direct run: its partner instance only shows noise.
    assert metrics.busiest_worker_share([[0.045, 0.002], [0.001, 0.0]]) == pytest.approx(
        0.045 / 0.047
    )
    assert metrics.busiest_worker_share([[0.04, 0.04], [0.05, 0.03]]) == pytest.approx(0.625)
    assert metrics.busiest_worker_share([[0.0, 0.0]]) is None
    assert metrics.busiest_worker_share([]) is None


def test_saturation_flags_a_worker_doing_the_work_of_two():
    found = metrics.saturation(
        {"machine": 0.5},
        machine_cores=2,
        generator_processes=1,
        worker_share=0.96,
        workers_per_instance=2,
    )
    balanced = metrics.saturation(
        {"machine": 0.5},
        machine_cores=2,
        generator_processes=1,
        worker_share=0.55,
        workers_per_instance=2,
    )

    assert found == [
        "gunicorn workers unbalanced: one worker did 96 % of its instance's work (by CPU)"
    ]
    assert balanced == []


def test_saturation_finds_a_worker_whose_slots_idled():
    # One instance at 29 req/s of its 40 (2 workers x 8 threads, 400 ms): the second
    # worker did 32 % of the work, 9.3 req/s of the 20 its 8 threads could serve.
    found = metrics.saturation(
        {"machine": 1.0},
        machine_cores=2,
        generator_processes=1,
        worker_cores=[[0.034, 0.016], [0.001, 0.0]],
        threads=8,
        slots=16,
        throughput_rps=29,
        delay_s=0.4,
        p50_ms=2000,
    )

    assert found == [
        "gunicorn slots idle in one worker: it served 9.3 of its 20 req/s "
        "(32 % of its instance's work, by CPU)"
    ]


def test_saturation_leaves_nearly_even_workers_alone():
    found = metrics.saturation(
        {"machine": 1.0},
        machine_cores=2,
        generator_processes=1,
        worker_cores=[[0.027, 0.022]],
        threads=8,
        slots=16,
        throughput_rps=39,
        delay_s=0.4,
        p50_ms=1200,
    )

    assert found == [
        "gunicorn slots: 16 of 16 busy on average, p50 1200 ms for 400 ms of work "
        "(requests queue for a slot)"
    ]
