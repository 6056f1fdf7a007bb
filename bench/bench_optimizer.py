"""Benchmark of the scheduler on seeded, capacity-coupled instances.

    .venv/bin/python bench/bench_optimizer.py                  # the table in bench/README.md
    .venv/bin/python bench/bench_optimizer.py --cases 50x168   # one size
    .venv/bin/python bench/bench_optimizer.py --default        # default scenario's input
    .venv/bin/python bench/bench_optimizer.py --year           # 10,000 jobs x 8760 h, 150 s
    .venv/bin/python bench/bench_optimizer.py --lp 300x168     # LP bound and its solve time
    .venv/bin/python bench/bench_optimizer.py --ablation --cases 300x168  # each stage left out

Each case runs in a fresh subprocess so its peak memory (resource.getrusage ru_maxrss,
whole process, includes Python, Pyomo and HiGHS) is its own. Instances come from
optimizer.instances.make_instance (4 pods, jobs allowed on 2, 30 % baseline load,
cooling losing 15 % at 15:00, tightness 0.3) with carbon price 50 per t; "--default" is
the default scenario's optimizer input (tests/data/optimizer/default_scenario). The
time limit covers the whole solve (baselines, build, LP relaxation, heuristics, MILP;
rolling windows share it); whether a horizon rolls is optimizer.rolling.rolling_decision. The load average is printed with every row: the machine is
shared, and times are only comparable at a low load.
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

from bench.common import bench_problem, load_average  # noqa: E402

DEFAULT_CASES = ("50x168", "300x168", "1000x720")
#: Time limit of the whole year run [s] (issue 14: within 150 s non-preemptible, 200 s
#: preemptible; the limit covers the whole rolling solve).
YEAR_LIMIT_S = 150.0


def run_case(case: str, preemptible: float, time_limit: float, seed: int,
             stages: tuple | None = None) -> dict:
    from optimizer import SolverOptions
    from optimizer.rolling import window_count
    from optimizer.solve import solve_prepared

    tick = time.perf_counter()
    problem = bench_problem(case, preemptible, seed)
    prepare_s = time.perf_counter() - tick
    options = SolverOptions(time_limit_s=time_limit, rel_gap=1e-3, window_h=168, step_h=24,
                            **({} if stages is None else {"stages": stages}))
    tick = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_prepared(problem, options)
    total = time.perf_counter() - tick
    rolling = bool(result.windows)
    base = {k: v.metrics.objective if v.metrics else float("nan")
            for k, v in result.baselines.items()}
    return {
        "case": case, "preemptible": preemptible, "status": result.status,
        "build_s": result.build_s, "solve_s": result.solve_s, "total_s": total,
        "prepare_s": prepare_s, "gap": result.gap,
        "max_window_gap": max((w.gap for w in result.windows), default=result.gap),
        "horizon_gap": result.gap, "bound": result.best_bound,
        "objective": result.objective, "greedy": base["greedy"], "asap": base["asap"],
        "greedy_status": result.baselines["greedy"].status, "size": result.model_size.as_dict(),
        "source": result.source, "windows": len(result.windows),
        "windows_planned": window_count(problem.n_hours, options.window_h, options.step_h)
        if rolling else 0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rolling": result.rolling_reason,
        "stages": [[r.stage, r.seconds, r.objective, r.bound, r.improved] for r in result.stages],
    }


def lp_case(case: str, preemptible: float, seed: int) -> dict:
    """LP relaxation of the built model: value, solve time and model size."""
    from optimizer import SolverOptions, build_model, greedy
    from optimizer.heuristics import lp_relaxation
    from optimizer.model import model_objective

    problem = bench_problem(case, preemptible, seed)
    built = build_model(problem)
    tick = time.perf_counter()
    x = lp_relaxation(built, SolverOptions(time_limit_s=120.0))
    lp_s = time.perf_counter() - tick
    base = greedy(problem)
    rec = built.model.record
    return {"case": case, "preemptible": preemptible, "lp_s": lp_s,
            "lp": model_objective(built, x) if x is not None else float("nan"),
            "greedy": base.metrics.objective if base.metrics else float("nan"),
            "size": [rec.n_cols, rec.n_rows, rec.nnz]}


def _row(r: dict, label: str) -> str:
    size = r["size"]
    greedy = (f"{(r['objective'] / r['greedy'] - 1):+.3%}" if r["greedy_status"] == "feasible"
              else "greedy infeasible")
    return (f"| {r['case']} | {label} | {r['status']} | {size.get('variables', 0):,} / "
            f"{size.get('rows', 0):,} / {size.get('nonzeros', 0):,} | {r['build_s']:.2f} | "
            f"{r['solve_s']:.2f} | {r['total_s']:.2f} | {r['peak_rss_mb']:.0f} | {r['gap']:.3%} | "
            f"{greedy} | {(r['objective'] / r['asap'] - 1):+.3%} | {r['source']} |")


def _subprocess(args: list[str]) -> dict | str:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        return f"error: {proc.stderr.strip().splitlines()[-1]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ablation(args, time_limit: float, labels: dict) -> int:
    """Objective and gap with every stage, and with each heuristic stage left out."""
    from optimizer.options import STAGE_NAMES

    optional = [s for s in STAGE_NAMES if s not in ("baselines", "milp")]
    variants = [("all stages", STAGE_NAMES)] + [
        (f"without {s}", tuple(x for x in STAGE_NAMES if x != s)) for s in optional] + [
        ("baselines + MILP only", ("baselines", "milp"))]
    cases = [("default", None)] if args.default else [
        (c, p) for c in args.cases for p in args.preemptible]
    print("| case | jobs | stages | objective | vs all stages | gap | source | total s | "
          "load avg |")
    print("|---|---|---|---|---|---|---|---|---|")
    for case, pre in cases:
        label = "default scenario" if pre is None else labels.get(pre, str(pre))
        reference = None
        for name, stages in variants:
            before = load_average()
            r = _subprocess(["--one", f"{case},{pre or 0.0}", "--time-limit", str(time_limit),
                             "--seed", str(args.seed), "--stages", ",".join(stages)])
            if isinstance(r, str):
                print(f"| {case} | {label} | {name} | {r} |", flush=True)
                continue
            reference = reference if reference is not None else r["objective"]
            print(f"| {case} | {label} | {name} | {r['objective']:,.1f} | "
                  f"{r['objective'] / reference - 1:+.3%} | {r['gap']:.3%} | {r['source']} | "
                  f"{r['total_s']:.1f} | {before} |", flush=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(DEFAULT_CASES),
                        help="JOBSxHOURS, e.g. 300x168")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="of the whole solve (rolling windows share it) [s]; default 20, "
                             f"{YEAR_LIMIT_S:g} with --year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", action="store_true", help="10,000 jobs x 8760 h rolling")
    parser.add_argument("--default", action="store_true", help="default scenario's input")
    parser.add_argument("--lp", nargs="*", help="LP relaxation only, for these cases")
    parser.add_argument("--preemptible", nargs="*", type=float, default=[0.0, 1.0],
                        help="preemptible shares to run (0 and 1)")
    parser.add_argument("--ablation", action="store_true",
                        help="each heuristic stage left out in turn (what each is worth)")
    parser.add_argument("--stages", help=argparse.SUPPRESS)  # internal: comma-separated
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: CASE,PRE
    parser.add_argument("--one-lp", help=argparse.SUPPRESS)  # internal: CASE,PRE
    args = parser.parse_args(argv)
    time_limit = args.time_limit
    if time_limit is None:
        time_limit = YEAR_LIMIT_S if args.year else 20.0
    if args.one:
        case, pre = args.one.split(",")
        stages = tuple(args.stages.split(",")) if args.stages else None
        print(json.dumps(run_case(case, float(pre), time_limit, args.seed, stages)))
        return 0
    if args.one_lp:
        case, pre = args.one_lp.split(",")
        print(json.dumps(lp_case(case, float(pre), args.seed)))
        return 0
    labels = {0.0: "non-preemptible", 1.0: "preemptible"}
    if args.lp is not None:
        print("| jobs x hours | jobs | vars / rows / nnz | LP s | LP bound | greedy | "
              "greedy vs LP | load avg |")
        print("|---|---|---|---|---|---|---|---|")
        for case in args.lp:
            for pre in args.preemptible:
                r = _subprocess(["--one-lp", f"{case},{pre}", "--seed", str(args.seed)])
                if isinstance(r, str):
                    print(f"| {case} | {labels.get(pre, pre)} | {r} |")
                    continue
                n = r["size"]
                print(f"| {case} | {labels.get(pre, pre)} | {n[0]:,} / {n[1]:,} / {n[2]:,} | "
                      f"{r['lp_s']:.2f} | {r['lp']:,.0f} | {r['greedy']:,.0f} | "
                      f"{(r['greedy'] - r['lp']) / r['greedy']:.3%} | {load_average()} |", flush=True)
        return 0
    if args.ablation:
        return _ablation(args, time_limit, labels)
    if args.default:
        runs = [("default", None)]
    elif args.year:
        runs = [("10000x8760", pre) for pre in args.preemptible]
    else:
        runs = [(case, pre) for case in args.cases for pre in args.preemptible]
    print("| jobs x hours | jobs | status | vars / rows / nnz | build s | solve s | total s "
          "| peak RSS MB | gap | vs greedy | vs ASAP | source | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case, pre in runs:
        label = "default scenario" if pre is None else labels.get(pre, str(pre))
        before = load_average()
        r = _subprocess(["--one", f"{case},{pre or 0.0}", "--time-limit", str(time_limit),
                         "--seed", str(args.seed)])
        if isinstance(r, str):
            print(f"| {case} | {label} | {r} |", flush=True)
            continue
        if r["windows_planned"]:  # a stranded rolling run solves fewer windows
            label += (f" (rolling, {r['windows']} of {r['windows_planned']} windows solved in "
                      f"{time_limit:g} s; max window gap {r['max_window_gap']:.2%})")
        print(_row(r, label) + f" {before} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
