"""LP bound with and without each cut family (docs/optimizer.md, "Bound").

    .venv/bin/python bench/bench_bound.py                        # default scenario
    .venv/bin/python bench/bench_bound.py --cases default 300x168 1000x720 --preemptible 0 1
    .venv/bin/python bench/bench_bound.py --nodes 200            # + HiGHS MILP, 200 nodes

For every case: the LP relaxation without cuts, with each cut family alone, with all
but one, and with all of them (``optimizer.model.CUT_FAMILIES``): rows, nonzeros, LP
bound, LP solve time (1 thread) and the bound's rise over no cuts. LP values are
deterministic; times depend on the machine's load (printed per row). ``--nodes N`` also
runs HiGHS's MILP from the greedy schedule with a node limit of N (deterministic with one
thread) and reports its dual bound. Cases as in bench/bench_optimizer.py (seed 1, 4 pods,
tightness 0.3, carbon price 50/t; "default" = tests/data/optimizer/default_scenario).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import bench_problem, load_average  # noqa: E402


def configurations() -> list[tuple[str, tuple[str, ...]]]:
    """(label, cut families): none, each alone, all but each, all."""
    from optimizer.model import CUT_FAMILIES

    names = tuple(CUT_FAMILIES)
    out = [("no cuts", ())]
    out += [(f"only {n}", (n,)) for n in names]
    if len(names) > 2:
        out += [(f"all but {n}", tuple(m for m in names if m != n)) for n in names]
    out.append(("all cuts", names))
    return out


def measure(problem, cuts: tuple[str, ...], nodes: int | None, start) -> dict:
    import highspy
    import numpy as np

    from optimizer import SolverOptions, build_model
    from optimizer.heuristics import lp_relaxation
    from optimizer.linear import to_highs
    from optimizer.model import model_objective, values_from_assignment

    tick = time.perf_counter()
    built = build_model(problem, cuts=cuts)
    build_s = time.perf_counter() - tick
    tick = time.perf_counter()
    x = lp_relaxation(built, SolverOptions(time_limit_s=300.0, threads=1))
    lp_s = time.perf_counter() - tick
    rec = built.model.record
    out = {"rows": rec.n_rows, "nnz": rec.nnz, "build_s": build_s, "lp_s": lp_s,
           "lp": model_objective(built, x) if x is not None else float("nan")}
    if nodes:
        h = to_highs(built.model)
        h.setOptionValue("threads", 1)
        h.setOptionValue("mip_max_nodes", int(nodes))
        h.setOptionValue("mip_rel_gap", 1e-6)
        if start is not None:
            x0 = values_from_assignment(built, start)
            h.setSolution(len(x0), np.arange(len(x0), dtype=np.int32), x0)
        tick = time.perf_counter()
        h.run()
        out["milp_s"] = time.perf_counter() - tick
        out["milp_bound"] = float(h.getInfo().mip_dual_bound)
        out["milp_obj"] = float(h.getInfo().objective_function_value)
        del highspy
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=["default"])
    parser.add_argument("--preemptible", nargs="*", type=float, default=[0.0, 1.0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--nodes", type=int, default=None, help="HiGHS MILP node limit")
    parser.add_argument("--only", nargs="*", help="labels of configurations to run")
    args = parser.parse_args(argv)
    from optimizer import greedy

    print("| case | cuts | rows | nnz | build s | LP s | LP bound | vs no cuts |"
          + (" MILP bound (nodes) | MILP s |" if args.nodes else "") + " load avg |")
    print("|---|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if args.nodes else "")
          + "---|")
    for case in args.cases:
        shares = [None] if case == "default" else args.preemptible
        for pre in shares:
            problem = bench_problem(case, pre or 0.0, args.seed)
            label = case if pre is None else f"{case} {'preemptible' if pre else 'non-preemptible'}"
            base = greedy(problem)
            start = base.assignment if base.status == "feasible" else None
            ref = None
            for name, cuts in configurations():
                if args.only and name not in args.only:
                    continue
                before = load_average()
                r = measure(problem, cuts, args.nodes, start)
                ref = r["lp"] if ref is None else ref
                line = (f"| {label} | {name} | {r['rows']:,} | {r['nnz']:,} | {r['build_s']:.2f} | "
                        f"{r['lp_s']:.2f} | {r['lp']:,.0f} | {(r['lp'] / ref - 1):+.3%} |")
                if args.nodes:
                    line += f" {r['milp_bound']:,.0f} | {r['milp_s']:.1f} |"
                print(line + f" {before} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
