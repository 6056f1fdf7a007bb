"""Benchmark: 8 scenarios on 2 Dask workers vs serially (issue 4: >= 1.6x faster).

Run: ``.venv/bin/python bench/bench_batch.py``. Starts a real ``dask scheduler`` and two
``dask worker --nthreads 1`` processes on loopback, runs eight variants of the default
scenario (different job seeds) serially in this process and then on the cluster, checks
that both give the same KPIs, and prints a markdown table.
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
        data["name"] = f"default-seed{i}"
        data["horizon"]["hours"] = hours
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
            [str(dask), "worker", address, "--nthreads", "1", "--no-dashboard"], **quiet
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=8)
    parser.add_argument("--hours", type=int, default=168)
    parser.add_argument("--jobs", type=int, default=24)
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    scenarios = variants(args.scenarios, args.hours, args.jobs)
    print(f"load before: {open('/proc/loadavg').read().split()[:3]}, {os.cpu_count()} cores")
    t0 = time.perf_counter()
    serial = [run_scenario(s, time_limit_s=args.time_limit) for s in scenarios]
    serial_s = time.perf_counter() - t0
    address, procs = start_cluster(2)
    try:
        t0 = time.perf_counter()
        parallel = run_batch(scenarios, time_limit_s=args.time_limit, scheduler=address)
        dask_s = time.perf_counter() - t0
    finally:
        for p in procs:
            p.terminate()
    same = all(
        o.result is not None
        and abs(o.result.kpis["total_cost"] - r.kpis["total_cost"])
        <= 1e-6 * abs(r.kpis["total_cost"])
        for o, r in zip(parallel, serial, strict=True)
    )
    statuses = sorted({r.solver["status"] for r in serial})
    print()
    print(
        "| scenarios | hours x jobs | solver status | serial s | 2 Dask workers s | speed-up | same KPIs |"
    )
    print("|---:|---|---|---:|---:|---:|---|")
    print(
        f"| {len(scenarios)} | {args.hours} x {args.jobs} | {', '.join(statuses)} | {serial_s:.1f} | {dask_s:.1f} | {serial_s / dask_s:.2f}x | {'yes' if same else 'NO'} |"
    )


if __name__ == "__main__":
    main()
