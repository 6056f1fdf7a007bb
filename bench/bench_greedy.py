"""Greedy baseline's repair: time and objective with and without its work limit.

    .venv/bin/python bench/bench_greedy.py                       # 200x168, 1000x720, 3000x720
    .venv/bin/python bench/bench_greedy.py --unlimited           # + the repair without limit

Instances: ``optimizer.make_instance(jobs, hours, seed=1, preemptible_share, tightness)``
(4 pods, jobs allowed on 2) with carbon price 50/t, at tightness 0.6 and 0.7 where
greedy's cheap windows leave later jobs no room. For each: ASAP's and greedy's
objective and time, and greedy's saving against ASAP; with ``--unlimited`` also greedy
with ``optimizer.baselines.REPAIR_PLACEMENTS_PER_JOB`` set beyond reach (the repair as
it was before the limit). Times are wall clock on this machine (load printed).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import load_average  # noqa: E402


def timed(fn, *args):
    tick = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - tick


def objective(base) -> str:
    return f"{base.metrics.objective:,.0f}" if base.metrics is not None else base.status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["200x168", "1000x720", "3000x720"])
    parser.add_argument("--preemptible", nargs="+", type=float, default=[0.0, 0.5, 1.0])
    parser.add_argument("--tightness", nargs="+", type=float, default=[0.6, 0.7])
    parser.add_argument("--unlimited", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import optimizer.baselines as baselines
    from optimizer import Objective, make_instance, prepare_problem

    limit = baselines.REPAIR_PLACEMENTS_PER_JOB
    head = "| case | preemptible | tightness | ASAP | s | greedy | s | vs ASAP |"
    if args.unlimited:
        head += " greedy, no limit | s |"
    print(f"load {load_average()}; REPAIR_PLACEMENTS_PER_JOB = {limit}\n")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for case, pre, tight in itertools.product(args.cases, args.preemptible, args.tightness):
        n_jobs, n_hours = (int(v) for v in case.split("x"))
        inst = make_instance(n_jobs, n_hours, 1, preemptible_share=pre, tightness=tight)
        problem = prepare_problem(inst.jobs, inst.signals, inst.pods,
                                  objective=Objective(carbon_price_per_t=50.0))
        base_asap, asap_s = timed(baselines.asap, problem)
        base_greedy, greedy_s = timed(baselines.greedy, problem)
        saving = "-"
        if base_asap.metrics is not None and base_greedy.metrics is not None:
            saving = f"{1 - base_greedy.metrics.objective / base_asap.metrics.objective:+.2%}"
        row = (f"| {case} | {pre:g} | {tight:g} | {objective(base_asap)} | {asap_s:.1f} | "
               f"{objective(base_greedy)} | {greedy_s:.1f} | {saving} |")
        if args.unlimited:
            baselines.REPAIR_PLACEMENTS_PER_JOB = 10**9
            try:
                full, full_s = timed(baselines.greedy, problem)
            finally:
                baselines.REPAIR_PLACEMENTS_PER_JOB = limit
            row += f" {objective(full)} | {full_s:.1f} |"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
