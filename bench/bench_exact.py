"""How far coolshift's schedule and bound are from the optimum, where HiGHS can prove it.

    .venv/bin/python bench/bench_exact.py --case small --milp-s 3600      # ~5 min here
    .venv/bin/python bench/bench_exact.py --case default --milp-s 3600    # an hour

Builds the case from the scenario library as a run does (``scenarios.run.preflight``):
"default" is the built-in default scenario (40 jobs, 3 pods, 168 h); "small" the same cut
to 72 h and 10 jobs (tests/component/test_scenario_run.py ``small()``). Then:

1. coolshift's pipeline with ``--solve-s`` seconds (1 thread): its schedule and bound;
2. the LP relaxation with the cut families (the bound coolshift reports when HiGHS's MILP
   gets no time);
3. HiGHS's MILP on the same model (with the cuts), 1 thread, from coolshift's schedule,
   ``mip_rel_gap`` 1e-6, for up to ``--milp-s`` seconds: its best schedule and bound.

When HiGHS proves its schedule optimal, the rows say how far coolshift's schedule is
above the optimum and how far the LP bound is below it (docs/optimizer.md, "Where the gap
stays open").
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import load_average  # noqa: E402


def case_problem(case: str):
    """The optimizer problem of a library case ("default" or "small")."""
    from scenarios.library import example_data
    from scenarios.loading import scenario_from_dict
    from scenarios.run import preflight
    from scenarios.schedules import problem_of

    data = example_data("default")
    if case == "small":
        data["horizon"]["hours"] = 72
        data["workload"]["generator"].update(count=10, slack_h=[6, 36], duration_h=[2, 12])
    elif case != "default":
        raise SystemExit(f"unknown case {case!r}: give default or small")
    return problem_of(preflight(scenario_from_dict(data), None).prepared)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="small", choices=["small", "default"])
    parser.add_argument("--solve-s", type=float, default=20.0, help="coolshift's time limit")
    parser.add_argument("--milp-s", type=float, default=3600.0, help="HiGHS's time limit")
    args = parser.parse_args(argv)

    import highspy
    import numpy as np

    from optimizer import SolverOptions, build_model
    from optimizer.heuristics import lp_relaxation
    from optimizer.linear import to_highs
    from optimizer.model import model_objective, values_from_assignment
    from optimizer.pipeline import run_stages

    print(f"case {args.case}; load {load_average()}", flush=True)
    problem = case_problem(args.case)
    tick = time.perf_counter()
    search = run_stages(problem, SolverOptions(time_limit_s=args.solve_s, threads=1),
                        time.perf_counter() + args.solve_s)
    print(f"coolshift {time.perf_counter() - tick:.1f} s: objective {search.objective:,.2f}, "
          f"bound {search.bound:,.2f}, gap {search.gap:.2%}", flush=True)
    built = build_model(problem)
    lp = model_objective(built, lp_relaxation(built, SolverOptions(time_limit_s=600, threads=1)))
    print(f"LP with the cut families: {lp:,.2f}", flush=True)
    h = to_highs(built.model)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(args.milp_s))
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.setOptionValue("output_flag", False)
    x0 = values_from_assignment(built, search.assignment())
    h.setSolution(len(x0), np.arange(len(x0), dtype=np.int32), x0)
    tick = time.perf_counter()
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    best, bound = float(info.objective_function_value), float(info.mip_dual_bound)
    print(f"HiGHS {time.perf_counter() - tick:.0f} s ({status}, {info.mip_node_count:,} nodes): "
          f"best {best:,.2f}, bound {bound:,.2f}; load {load_average()}", flush=True)
    proven = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    what = "the optimum" if proven else "HiGHS's best"
    print(f"coolshift's schedule is {search.objective / best - 1:+.3%} against {what}; "
          f"the LP bound {lp / best - 1:+.3%}; HiGHS's bound {bound / best - 1:+.3%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
