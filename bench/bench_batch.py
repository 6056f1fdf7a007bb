"""Benchmark: 8 scenarios on 2 Dask workers vs serially (issue 4: >= 1.6x faster).

Run: ``.venv/bin/python bench/bench_batch.py``. Starts a real ``dask scheduler`` and two
``dask worker --nthreads 1`` processes on loopback and runs two batches of eight
variants of the default scenario (different job seeds), each serially in this process
and then on the cluster, and prints a markdown table:

* ``year``: a whole year (8760 h, 1000 jobs) without the MILP (thermal year, baselines,
  re-simulation, KPIs). Deterministic, so the cluster's KPIs must equal the serial ones.
* ``week``: one week (168 h, 40 jobs) with the MILP at a time limit per scenario, as a
  user's sweep runs. Time-limited heuristics depend on timing, so the KPIs may differ
  slightly; the table gives the largest relative difference in total cost.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from scenarios.batch import run_batch
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.run import run_scenario


def variants(n: int, hours: int, jobs: int) -> list:
    out = []
    for i in range(n):
        data = example_data("default")
        data["name"] = f"default-{hours}h-seed{i}"
        data["horizon"]["hours"] = hours
        if hours > 24 * 365 - 24:
            data["horizon"]["start"] = "2023-01-01T00:00:00"
        data["workload"]["generator"].update(seed=1000 + i, count=jobs)
        out.append(scenario_from_dict(data))
    return out


def start_cluster(workers: int):
    dask = Path(sys.executable).with_name("dask")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen(
            [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **quiet,
        )
    ]
    procs += [
        subprocess.Popen(
            [str(dask), "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
            **quiet,
        )
        for _ in range(workers)
    ]
    from distributed import Client

    for _ in range(120):
        try:
            with Client(address, timeout="2s") as client:
                if len(client.scheduler_info()["workers"]) == workers:
                    return address, procs
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("cluster did not start")


def compare(name: str, scenarios: list, optimize: bool, time_limit: float, address: str):
    """Serial, then on the cluster; one table row."""
    load = open("/proc/loadavg").read().split()[0]
    t0 = time.perf_counter()
    serial = [run_scenario(s, optimize, time_limit) for s in scenarios]
    serial_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    parallel = run_batch(scenarios, optimize, time_limit, scheduler=address)
    dask_s = time.perf_counter() - t0
    errors = [o.error for o in parallel if o.error]
    if errors:
        raise RuntimeError(f"{len(errors)} scenario(s) failed on the cluster: {errors[0]}")
    diff = max(abs(o.result.kpis["total_cost"] - r.kpis["total_cost"]) / abs(r.kpis["total_cost"])
               for o, r in zip(parallel, serial, strict=True))
    statuses = sorted({r.solver["status"] for r in serial})
    s0 = scenarios[0]
    return (f"| {name} | {len(scenarios)} | {s0.horizon.hours} h x "
            f"{s0.workload.generator.count} jobs | {'MILP, ' + format(time_limit, 'g') + ' s limit' if optimize else 'no MILP'} "
            f"| {', '.join(statuses)} | {serial_s:.1f} | {dask_s:.1f} | {serial_s / dask_s:.2f}x "
            f"| {diff:.2e} | {load} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--only", choices=("year", "week"), default=None)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    address, procs = start_cluster(2)
    rows = []
    try:
        if args.only in (None, "year"):
            rows.append(compare("year", variants(args.scenarios, 8760, 1000), False,
                                args.time_limit, address))
            print(rows[-1], flush=True)
        if args.only in (None, "week"):
            rows.append(compare("week", variants(args.scenarios, 168, 40), True,
                                args.time_limit, address))
            print(rows[-1], flush=True)
    finally:  # workers without a nanny: no child process outlives the benchmark
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    print()
    print("| batch | scenarios | horizon x jobs | schedule | solver status | serial s "
          "| 2 Dask workers s | speed-up | max rel. diff. total cost | load before |")
    print("|---|---:|---|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
