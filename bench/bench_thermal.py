"""Benchmark: a full year for 3 pods of 1,000 racks each (issue 2: <= 0.5 s wall).

Run: ``.venv/bin/python bench/bench_thermal.py`` (or ``make bench``). Prints a markdown
table of wall times (median of repeats, weather already loaded and cached, as in a
scenario run) for the site simulation and for the scheduler coefficients (3 simulations
per pod).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from thermal.coefficients import scheduler_coefficients
from thermal.facility import Pod
from thermal.simulate import simulate_site
from thermal.weather import load_climate


def _median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            return next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--racks", type=int, default=1000)
    args = parser.parse_args()
    pods = [
        Pod("air", "air", args.racks, 30, utilisation=0.8),
        Pod("cold_plate", "cold_plate", args.racks, 50, utilisation=0.8),
        Pod("immersion", "immersion", args.racks, 50, utilisation=0.8),
    ]
    print(f"machine: {_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print()
    print("| climate | hours | pods x racks | simulate_site s | scheduler_coefficients s |")
    print("|---|---:|---|---:|---:|")
    for climate in ("greensboro", "miami", "beijing"):
        weather = load_climate(climate)
        sim_s = _median_seconds(lambda w=weather: simulate_site(w, pods), args.repeats)
        coef_s = _median_seconds(lambda w=weather: scheduler_coefficients(w, pods), args.repeats)
        print(f"| {climate} | {len(weather)} | 3 x {args.racks} | {sim_s:.3f} | {coef_s:.3f} |")


if __name__ == "__main__":
    main()
