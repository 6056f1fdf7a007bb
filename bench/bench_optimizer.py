"""Benchmark of the scheduler on seeded, capacity-coupled instances.

    .venv/bin/python bench/bench_optimizer.py                 # the table in bench/README.md
    .venv/bin/python bench/bench_optimizer.py --cases 50x168  # one size
    .venv/bin/python bench/bench_optimizer.py --year          # 10,000 jobs x 8760 h, rolling

Each case runs in a fresh subprocess so its peak memory (resource.getrusage ru_maxrss,
whole process, includes Python, Pyomo and HiGHS) is its own. Instances come from
optimizer.instances.make_instance (4 pods, jobs allowed on 2, 30 % baseline load,
cooling losing 15 % at 15:00, tightness 0.3) with carbon price 50 per t.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_CASES = ("50x168", "300x168", "1000x720")


def run_case(jobs: int, hours: int, preemptible: float, time_limit: float, seed: int) -> dict:
    from optimizer import Objective, SolverOptions, make_instance, prepare_problem, solve_problem
    from optimizer.rolling import solve_rolling

    inst = make_instance(jobs, hours, seed=seed, preemptible_share=preemptible, tightness=0.3)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods,
                              objective=Objective(carbon_price_per_t=50.0))
    options = SolverOptions(time_limit_s=time_limit, rel_gap=1e-3, window_h=168, step_h=24)
    tick = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hours > 1000:
            result = solve_rolling(problem, options)
        else:
            result = solve_problem(problem, options)
    total = time.perf_counter() - tick
    base = {k: v.metrics.objective if v.metrics else float("nan")
            for k, v in result.baselines.items()}
    return {
        "jobs": jobs, "hours": hours, "preemptible": preemptible, "status": result.status,
        "build_s": result.build_s, "solve_s": result.solve_s, "total_s": total,
        "gap": result.gap, "objective": result.objective, "greedy": base["greedy"],
        "asap": base["asap"], "size": result.model_size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(DEFAULT_CASES),
                        help="JOBSxHOURS, e.g. 300x168")
    parser.add_argument("--time-limit", type=float, default=20.0, help="per HiGHS solve [s]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", action="store_true", help="10,000 jobs x 8760 h rolling")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: JOBS,HOURS,PRE
    args = parser.parse_args(argv)
    if args.one:
        jobs, hours, pre = args.one.split(",")
        print(json.dumps(run_case(int(jobs), int(hours), float(pre), args.time_limit,
                                  args.seed)))
        return 0
    cases = ["10000x8760"] if args.year else args.cases
    print("| jobs x hours | jobs | status | vars / rows / nnz | build s | solve s | total s "
          "| peak RSS MB | gap | vs greedy | vs ASAP |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for case in cases:
        jobs, hours = (int(x) for x in case.split("x"))
        for pre, label in ((0.0, "non-preemptible"), (1.0, "preemptible")):
            proc = subprocess.run([sys.executable, __file__, "--one", f"{jobs},{hours},{pre}",
                                   "--time-limit", str(args.time_limit), "--seed",
                                   str(args.seed)], capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"| {case} | {label} | error: {proc.stderr.strip().splitlines()[-1]} |")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            size = r["size"]
            print(f"| {case} | {label} | {r['status']} | {size.get('variables', 0):,} / "
                  f"{size.get('rows', 0):,} / {size.get('nonzeros', 0):,} | {r['build_s']:.2f} | "
                  f"{r['solve_s']:.2f} | {r['total_s']:.2f} | {r['peak_rss_mb']:.0f} | "
                  f"{r['gap']:.3%} | {(r['objective'] / r['greedy'] - 1):+.3%} | "
                  f"{(r['objective'] / r['asap'] - 1):+.3%} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
