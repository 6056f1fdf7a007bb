"""Model build, LP relaxation and memory against model size: the rates behind the rolling rule.

    .venv/bin/python bench/bench_rolling_rule.py                 # the table in bench/README.md
    .venv/bin/python bench/bench_rolling_rule.py --cases 200x168  # one size

optimizer.rolling.rolling_decision rolls a horizon only when its one-piece model would not
fit the time limit or memory, judged from the model's estimated nonzeros and the build
time and memory per nonzero measured here. Each case runs in a fresh subprocess so its
peak memory (resource.getrusage ru_maxrss: Python, Pyomo and HiGHS) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import load_average  # noqa: E402

DEFAULT_CASES = ("200x168", "1000x720", "3000x720", "2000x2000")


def measure(case: str, preemptible: float) -> dict:
    from optimizer import Objective, SolverOptions, build_model, make_instance, prepare_problem
    from optimizer.heuristics import lp_relaxation
    from optimizer.rolling import estimated_nonzeros

    n_jobs, n_hours = (int(x) for x in case.split("x"))
    inst = make_instance(n_jobs, n_hours, seed=1, preemptible_share=preemptible, tightness=0.3)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods, objective=Objective(
        carbon_price_per_t=50.0, demand_charge_per_kw=20.0))
    tick = time.perf_counter()
    built = build_model(problem)
    build_s = time.perf_counter() - tick
    tick = time.perf_counter()
    x = lp_relaxation(built, SolverOptions(time_limit_s=600.0))
    lp_s = time.perf_counter() - tick
    return {"case": case, "preemptible": preemptible, "nonzeros": built.model.record.nnz,
            "estimated": estimated_nonzeros(problem), "build_s": build_s, "lp_s": lp_s,
            "lp_solved": x is not None,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(DEFAULT_CASES))
    parser.add_argument("--preemptible", nargs="*", type=float, default=[0.0, 1.0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        case, pre = args.one.split(",")
        print(json.dumps(measure(case, float(pre))))
        return 0
    print("| jobs x hours | preemptible | nonzeros | estimated | build s | build us/nnz | LP s "
          "| peak RSS MB | kB/nnz above 250 MB | load avg |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for case in args.cases:
        for pre in args.preemptible:
            load = load_average()
            proc = subprocess.run([sys.executable, __file__, "--one", f"{case},{pre}"],
                                  capture_output=True, text=True)
            if proc.returncode:
                print(f"| {case} | {pre:g} | error: {proc.stderr.strip().splitlines()[-1]} |")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"| {case} | {pre:g} | {r['nonzeros']:,} | {r['estimated']:,} | "
                  f"{r['build_s']:.2f} | {1e6 * r['build_s'] / r['nonzeros']:.2f} | "
                  f"{r['lp_s']:.2f}{'' if r['lp_solved'] else ' (not solved)'} | "
                  f"{r['rss_mb']:.0f} | {(r['rss_mb'] - 250) * 1024 / r['nonzeros']:.2f} | "
                  f"{load} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
