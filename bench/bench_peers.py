"""coolshift against peers: plain HiGHS and OR-tools CP-SAT on the same instances.

    .venv/bin/python bench/bench_peers.py --time-limit 60     # the table in bench/README.md
    .venv/bin/python bench/bench_peers.py --quick             # 50 jobs x 48 h, 10 s (a test)
    .venv/bin/python bench/bench_peers.py --cases 200x168 --solvers coolshift highs
    .venv/bin/python bench/bench_peers.py --cpsat-workers 1 2 # also CP-SAT on 2 workers

Instances: ``optimizer.make_instance(jobs, hours, seed, preemptible_share, tightness)``
(4 pods, jobs allowed on 2, 30 % baseline load, cooling losing 15 % at 15:00, half the
jobs preemptible with 1-4 interruptions allowed), tightness 0.6 by default (pods near
full: the jobs' mean IT energy per hour is 60 % of the room the baseline leaves; at 0.7
no solver places every job of 200x168 in 20 s), carbon
price 50 per t and a demand charge of 40 per kW and month, prorated to the month's share
of hours in the horizon (``Problem.demand_weight_per_kw``).

Solvers, each in its own subprocess with a hard wall limit (default 3 x the time limit,
at least the limit + 120 s), killed if it passes it:

* ``coolshift``: ``optimizer.solve_schedule`` as a user calls it, with
  ``SolverOptions(time_limit_s=LIMIT)`` (defaults otherwise: rel_gap 1e-3, 1 thread).
  Whatever it does with long horizons (rolling or not) is what the product does.
* ``coolshift (whole)``: ``optimizer.solve_problem`` on the whole horizon, run only when
  ``coolshift`` rolled or was killed, so the table shows both.
* ``highs``: the straightforward time-indexed MILP of bench/peers.py, HiGHS default
  settings, threads=1, time_limit=LIMIT, no MIP start.
* ``cpsat``: the CP-SAT model of bench/peers.py, num_workers=1 (``--cpsat-workers``),
  max_time_in_seconds=LIMIT; skipped with a note if ortools is not installed
  (``pip install -e '.[bench]'``).

Every schedule is turned into coolshift's schedule table (``peers.schedule_table``),
checked by the independent ``optimizer.validate`` and scored by ``optimizer.evaluate`` on
the same Problem in this (parent) process: the objective column is that score, not the
solver's own number (the difference is shown as "own - score"). Gap = (score - the
solver's bound) / score. Ratios are against coolshift's row (its whole-horizon row when
the product row has no schedule). Wall s = in the solver's process, from the input tables
to the schedule (model build included; Python start and imports not). The load average
(1 min) before and after each run is printed with the row: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_CASES = ("200x168", "1000x720", "3000x720")
QUICK_CASE = "50x48"
QUICK_TIME_LIMIT_S = 10.0
#: Tightness of the instances [-] (make_instance: mean job energy per hour over free room).
TIGHTNESS = 0.6
#: Demand charge [currency / kW / month] (judgement: close to Shanghai's 44.8 CNY/kW).
DEMAND_CHARGE_PER_KW = 40.0
#: Carbon price [currency / t CO2].
CARBON_PRICE_PER_T = 50.0
SOLVERS = ("coolshift", "highs", "cpsat")


def instance(case: str, preemptible: float, seed: int, tightness: float = TIGHTNESS):
    """Instance tables and prepared Problem of a case "JOBSxHOURS".

    Returns
    -------
    (Instance, Objective, Problem)
    """
    from optimizer import Objective, make_instance, prepare_problem

    jobs, hours = (int(x) for x in case.split("x"))
    inst = make_instance(jobs, hours, seed=seed, preemptible_share=preemptible,
                         tightness=tightness)
    objective = Objective(carbon_price_per_t=CARBON_PRICE_PER_T,
                          demand_charge_per_kw=DEMAND_CHARGE_PER_KW)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods, objective=objective)
    return inst, objective, problem


def run_one(solver: str, case: str, preemptible: float, seed: int, tightness: float,
            time_limit: float, workers: int) -> tuple[dict, tuple[np.ndarray, ...]]:
    """Solve one case with one solver (in the current process).

    Returns
    -------
    meta : dict
        status, objective (the solver's own) [currency], bound [currency], gap [-],
        wall_s [s], build_s [s], size, note.
    arrays : (job, pod, t)
        The schedule's job-hours.
    """
    from optimizer import SolverOptions, prepare_problem, solve_problem, solve_schedule
    from optimizer.schedule import from_frame

    inst, objective, _ = instance(case, preemptible, seed, tightness)
    note = ""
    if solver.startswith("coolshift"):
        options = SolverOptions(time_limit_s=time_limit)

        def progress(text: str) -> None:
            print(f"progress {time.perf_counter() - tick:.1f} s: {text}", file=sys.stderr,
                  flush=True)

        tick = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if solver == "coolshift":
                result = solve_schedule(inst.jobs, inst.signals, inst.pods,
                                        objective=objective, options=options,
                                        progress=progress)
                problem = prepare_problem(inst.jobs, inst.signals, inst.pods,
                                          objective=objective)
            else:
                problem = prepare_problem(inst.jobs, inst.signals, inst.pods,
                                          objective=objective)
                result = solve_problem(problem, options)
        wall = time.perf_counter() - tick
        a = from_frame(problem, result.schedule)
        if result.windows:
            note = f"rolled: {len(result.windows)} windows x {time_limit:g} s"
        size = result.model_size
        size = size.as_dict() if hasattr(size, "as_dict") else dict(size)
        meta = {"status": result.status, "objective": result.objective,
                "bound": result.best_bound, "gap": result.gap, "wall_s": wall,
                "build_s": result.build_s, "size": size, "note": note,
                "source": result.source}
        return meta, (a.job, a.pod, a.t)
    from bench import peers

    tick = time.perf_counter()
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods, objective=objective)
    if solver == "highs":
        r = peers.solve_plain(problem, time_limit, threads=1)
    elif solver == "cpsat":
        r = peers.solve_cpsat(problem, time_limit, workers=workers)
        note = f"rounding <= {peers.cpsat_rounding_bound(problem):.3g}"
    else:
        raise ValueError(f"unknown solver {solver!r}")
    note = "; ".join(x for x in (f"build {r.build_s:.1f} s", note) if x)
    wall = time.perf_counter() - tick
    meta = {"status": r.status, "objective": r.objective, "bound": r.bound, "gap": r.gap,
            "wall_s": wall, "build_s": r.build_s, "size": r.size, "note": note, "source": ""}
    return meta, (r.job, r.pod, r.t)


def code_version() -> str:
    """Short commit of the repository, "+dirty" when optimizer/ has uncommitted changes
    (the coolshift rows run the working tree; others may change it during a run)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "optimizer"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "n/a"


def _subprocess(solver: str, case: str, pre: float, args, workers: int,
                hard_s: float) -> tuple[dict, tuple | None]:
    """One solve in a fresh process with a hard wall limit; (meta, arrays or None)."""
    with tempfile.TemporaryDirectory(prefix="bench_peers_") as tmp:
        out = Path(tmp) / "result"
        cmd = [sys.executable, __file__, "--one", solver, "--cases", case,
               "--preemptible", str(pre), "--seed", str(args.seed),
               "--tightness", str(args.tightness), "--time-limit", str(args.time_limit),
               "--cpsat-workers", str(workers), "--out", str(out)]
        tick = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=hard_s)
        except subprocess.TimeoutExpired as exc:
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            last = [ln for ln in err.splitlines() if ln.startswith("progress")]
            where = f", last {last[-1][len('progress '):]}" if last else ""
            return {"status": f"killed at the hard wall limit ({hard_s:g} s{where})",
                    "wall_s": time.perf_counter() - tick}, None
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines() or ["(no output)"]
            return {"status": f"error: {lines[-1][:200]}",
                    "wall_s": time.perf_counter() - tick}, None
        meta = json.loads(out.with_suffix(".json").read_text())
        data = np.load(out.with_suffix(".npz"))
        return meta, (data["job"], data["pod"], data["t"])


def score(inst, problem, arrays) -> dict:
    """Validate and evaluate a schedule (job-hour arrays) on the instance."""
    from bench import peers
    from optimizer import evaluate, validate
    from optimizer.schedule import from_frame

    table = peers.schedule_table(problem, *arrays)
    violations = validate(table, inst.jobs, inst.pods, inst.signals)
    metrics = evaluate(problem, from_frame(problem, table))
    return {"score": metrics.objective, "violations": violations}


def _fmt(x: float, spec: str = ",.0f") -> str:
    return "-" if x is None or not np.isfinite(x) else format(x, spec)


def _size(size: dict) -> str:
    if not size:
        return "-"
    if "literals" in size:
        return f"{size['literals']:,} lit / {size['intervals']:,} iv / {size['peak_terms']:,} pk"
    cols = size.get("columns", size.get("variables", 0))
    return f"{cols:,} / {size.get('rows', 0):,} / {size.get('nonzeros', 0):,}"


HEADER = ("| solver | status | objective | bound | gap | wall s | obj / coolshift | "
          "bound / coolshift | gap - coolshift | time / coolshift | valid | own - score | "
          "size | note | load 1 min before -> after |")
RULE = "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|---|"


def bench_case(case: str, pre: float, args, solvers: list[str], ortools: bool) -> list[dict]:
    """Run every solver on one case and print its table; the rows as dicts."""
    inst, _, problem = instance(case, pre, args.seed, args.tightness)
    hard = args.hard_limit or max(3 * args.time_limit, args.time_limit + 120)
    print(f"\n### {case}, preemptible share {pre:g}, seed {args.seed}, tightness "
          f"{args.tightness:g}, time limit {args.time_limit:g} s, hard wall limit {hard:g} s\n")
    print(HEADER)
    print(RULE, flush=True)
    runs = []
    for solver in solvers:
        if solver == "cpsat":
            runs.extend(("cpsat", w) for w in args.cpsat_workers)
        else:
            runs.append((solver, 1))
    rows: list[dict] = []
    pending = list(runs)
    while pending:
        solver, workers = pending.pop(0)
        label = solver if solver != "cpsat" else f"cpsat ({workers} worker{'s' * (workers > 1)})"
        if solver == "cpsat" and not ortools:
            rows.append({"label": label, "status": "skipped: ortools not installed "
                         "(pip install -e '.[bench]')", "skipped": True})
            _print_row(rows[-1], rows)
            continue
        before = _load()
        version = code_version() if solver.startswith("coolshift") else ""
        meta, arrays = _subprocess(solver, case, pre, args, workers, hard)
        row = {"label": label, **meta, "load": f"{before} -> {_load()}"}
        if version:
            row["note"] = "; ".join(x for x in (row.get("note"), f"code {version}") if x)
        if arrays is not None:
            row.update(score(inst, problem, arrays) if len(arrays[0]) else
                       {"score": float("nan"), "violations": []})
        rows.append(row)
        _print_row(row, rows)
        if solver == "coolshift" and (meta["status"].startswith("killed")
                                      or meta.get("note", "").startswith("rolled")):
            pending.insert(0, ("coolshift (whole)", 1))
    return rows


def _reference(rows: list[dict]) -> dict | None:
    for label in ("coolshift", "coolshift (whole)"):
        for r in rows:
            if r["label"] == label and np.isfinite(r.get("score", np.nan)):
                return r
    return None


def _print_row(row: dict, rows: list[dict]) -> None:
    if "score" not in row:
        print(f"| {row['label']} | {row['status']} | - | - | - | "
              f"{_fmt(row.get('wall_s'), '.1f')} | - | - | - | - | - | - | - | - | "
              f"{row.get('load', '-')} |", flush=True)
        return
    s = row["score"]
    bound = row["bound"] if row["bound"] is not None else -np.inf
    gap = (s - bound) / abs(s) if np.isfinite(s) and np.isfinite(bound) else np.inf
    row["score_gap"] = gap
    ref = _reference(rows)
    ratio = bratio = dgap = tratio = "-"
    if ref is not None:
        if np.isfinite(s):
            ratio = f"{s / ref['score']:.4f}"
        ref_bound = ref["bound"] if ref["bound"] is not None else -np.inf
        if np.isfinite(bound) and np.isfinite(ref_bound) and ref_bound > 0:
            bratio = f"{bound / ref_bound:.4f}"
        if np.isfinite(gap) and np.isfinite(ref.get("score_gap", np.inf)):
            dgap = f"{(gap - ref['score_gap']) * 100:+.2f} pp"
        tratio = f"{row['wall_s'] / ref['wall_s']:.2f}"
    valid = "yes" if not row["violations"] else (
        f"NO: {len(row['violations'])} ({row['violations'][0].kind})")
    own = row["objective"]
    diff = own - s if own is not None and np.isfinite(s) else np.nan
    note = "; ".join(x for x in (row.get("source") and f"source {row['source']}",
                                 row.get("note")) if x)
    print(f"| {row['label']} | {row['status']} | {_fmt(s)} | {_fmt(bound)} | "
          f"{_fmt(gap * 100, '.2f')} % | {row['wall_s']:.1f} | {ratio} | {bratio} | {dgap} | "
          f"{tratio} | "
          f"{valid} | {_fmt(diff, '.2f')} | {_size(row.get('size'))} | {note or '-'} | "
          f"{row['load']} |", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=None, help="JOBSxHOURS, e.g. 200x168")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_CASE} at {QUICK_TIME_LIMIT_S:g} s (a test)")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="each solver's time limit [s]; default 60 (--quick: 10)")
    parser.add_argument("--hard-limit", type=float, default=None,
                        help="hard wall limit per solver process [s]; default 3 x the "
                             "time limit, at least the limit + 120")
    parser.add_argument("--preemptible", nargs="*", type=float, default=[0.5],
                        help="preemptible shares (one table each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tightness", type=float, default=TIGHTNESS)
    parser.add_argument("--solvers", nargs="*", default=list(SOLVERS), choices=SOLVERS)
    parser.add_argument("--cpsat-workers", nargs="*", type=int, default=[1])
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: solver name
    parser.add_argument("--out", help=argparse.SUPPRESS)  # internal: result file stem
    args = parser.parse_args(argv)
    if args.time_limit is None:
        args.time_limit = QUICK_TIME_LIMIT_S if args.quick else 60.0
    cases = args.cases or ([QUICK_CASE] if args.quick else list(DEFAULT_CASES))
    if args.one:
        meta, arrays = run_one(args.one, cases[0], args.preemptible[0], args.seed,
                               args.tightness, args.time_limit, args.cpsat_workers[0])
        out = Path(args.out)
        np.savez(out.with_suffix(".npz"), job=arrays[0], pod=arrays[1], t=arrays[2])
        out.with_suffix(".json").write_text(json.dumps(meta, default=float))
        return 0
    try:
        import ortools  # noqa: F401

        ortools_ok = True
    except ImportError:
        ortools_ok = False
        print("ortools is not installed: the CP-SAT column is skipped "
              "(pip install -e '.[bench]' or pip install ortools)")
    import platform

    print(f"date {time.strftime('%Y-%m-%d %H:%M %Z')}; machine {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load {Path('/proc/loadavg').read_text().strip() if os.path.exists('/proc/loadavg') else 'n/a'}")
    print(f"code {code_version()}")
    print("command: " + " ".join([".venv/bin/python", "bench/bench_peers.py",
                                  *(argv if argv is not None else sys.argv[1:])]))
    tick = time.perf_counter()
    for case in cases:
        for pre in args.preemptible:
            bench_case(case, pre, args, args.solvers, ortools_ok)
    print(f"\ntotal bench wall time {time.perf_counter() - tick:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
