"""Benchmark of fleet scheduling (issue 16, item 5): sites x jobs x hours within a time limit.

    .venv/bin/python bench/bench_fleet.py                          # the table in bench/README.md
    .venv/bin/python bench/bench_fleet.py --cases 8x1000x720 --time-limit 60
    .venv/bin/python bench/bench_fleet.py --lp 8x1000x720          # the LP bound and its time

Instances come from optimizer.instances.make_fleet_instance (2 pods per site, 30 %
baseline load, cooling losing 15 % at 15:00, fleet-wide tightness 0.3, China's regional
carbon factors in turn, facility factor 1.25 -> 1.10 from east to west, jobs from the
first half of the sites with 0.5-20 TB each, 3.75 kWh/TB, 0.25 h/TB) with a carbon price
of 50 per t and a 30 per kW-month demand charge at every site. Each row is solved by
optimizer.solve.solve_prepared within the time limit (the limit covers baselines, model
build, LP relaxation, heuristics and MILP); every schedule passes
optimizer.fleet_validate.validate_fleet. The load average is printed with every row (a shared
machine: times compare only at a low load).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import load_average  # noqa: E402

DEFAULT_CASES = ("2x200x168", "4x500x336", "8x1000x720")


def fleet_problem(case: str, preemptible: float, seed: int):
    from optimizer.fleet import prepare_fleet
    from optimizer.instances import make_fleet_instance
    from optimizer.options import Objective

    sites, jobs, hours = (int(x) for x in case.split("x"))
    table, fleet = make_fleet_instance(sites, jobs, hours, seed=seed,
                                       preemptible_share=preemptible)
    return table, fleet, prepare_fleet(table, fleet, Objective(carbon_price_per_t=50.0))


def run_case(case: str, preemptible: float, time_limit: float, seed: int) -> str:
    from optimizer.fleet_validate import validate_fleet
    from optimizer.options import SolverOptions
    from optimizer.solve import solve_prepared

    table, fleet, problem = fleet_problem(case, preemptible, seed)
    tick = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_prepared(problem, SolverOptions(time_limit_s=time_limit, rel_gap=1e-3))
    total = time.perf_counter() - tick
    broken = validate_fleet(result.schedule, table, fleet)
    if broken:
        raise SystemExit(f"{case}: schedule fails validation: {broken[0].detail}")
    home = min(b.metrics.objective for name, b in result.baselines.items() if b.metrics)
    lp = next((s for s in result.stages if s.stage == "lp"), None)
    sites, jobs, hours = case.split("x")
    return (f"| {sites} x {jobs} x {hours} | {preemptible:.0%} | {result.status} | "
            f"{total:.1f} | {result.gap:.2%} | {_bound_kind(lp)} "
            f"| {(home - result.objective) / home:+.2%} | {result.source} | "
            f"{result.rolling_reason.split(':')[0]} | {load_average()} |")


def _bound_kind(lp) -> str:
    """Which bound the LP stage left: the LP, a Lagrangian one or the solve-free one."""
    if lp is None:
        return "-"
    if lp.note == "solved":
        return "LP"
    return "Lagrangian" if "Lagrangian" in lp.note else "solve-free"


def lp_case(case: str, seed: int) -> str:
    import highspy
    import numpy as np

    from optimizer.linear import to_highs
    from optimizer.model import build_model

    _, _, problem = fleet_problem(case, 0.0, seed)
    tick = time.perf_counter()
    built = build_model(problem, cuts=())
    h = to_highs(built.model)
    n = built.model.record.n_cols
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kContinuous))
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.run()
    return (f"| {case} | {n:,} cols | LP {h.getInfo().objective_function_value:,.0f} | "
            f"{time.perf_counter() - tick:.1f} s | {load_average()} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="*", default=list(DEFAULT_CASES),
                        help="SITESxJOBSxHOURS")
    parser.add_argument("--time-limit", type=float, default=60.0, help="whole solve [s]")
    parser.add_argument("--preemptible", nargs="*", type=float, default=[0.0, 0.5])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lp", nargs="*", help="LP relaxation only, for these cases")
    args = parser.parse_args()
    if args.lp:
        print("| case | model | LP bound | LP time | load avg |\n|---|---|---|---|---|")
        for case in args.lp:
            print(lp_case(case, args.seed), flush=True)
        return
    print("| sites x jobs x hours | preemptible | status | total s | gap | bound | vs best "
          "baseline (ASAP / greedy over every site) | source | solved | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case in args.cases:
        for share in args.preemptible:
            print(run_case(case, share, args.time_limit, args.seed), flush=True)


if __name__ == "__main__":
    main()
