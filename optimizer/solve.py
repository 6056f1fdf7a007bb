"""Solve a scheduling problem: baselines, MILP warm-started from greedy, result.

Entry point: :func:`solve_schedule` (tables in, :class:`ScheduleResult` out). Horizons
longer than ``SolverOptions.window_h`` go to :func:`optimizer.rolling.solve_rolling`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimizer.baselines import BaselineResult, asap, greedy
from optimizer.errors import InfeasibleError
from optimizer.heuristics import lp_guided, lp_relaxation, rens, simple_bound
from optimizer.highs_solve import solve_direct, solve_pyomo
from optimizer.infeasibility import diagnose
from optimizer.linear import load_values, objective_vector, violated_rows
from optimizer.localsearch import assignment_of, improve, plan_of
from optimizer.metrics import evaluate
from optimizer.model import BuiltModel, assignment_from_values, build_model, values_from_assignment
from optimizer.options import (
    DEFAULT_LIMITS,
    DEFAULT_OBJECTIVE,
    DEFAULT_OPTIONS,
    Limits,
    Objective,
    SolverOptions,
)
from optimizer.precheck import explain_infeasible_inputs
from optimizer.problem import Pods, Problem, prepare_problem
from optimizer.result import (
    STATUS_OPTIMAL,
    STATUS_TIME_LIMIT,
    BaselineSummary,
    ScheduleResult,
)
from optimizer.ruin import ruin_and_recreate
from optimizer.schedule import Assignment, load_frame, to_frame

#: Shares of the time *left when each step starts* that the LP relaxation, each local
#: search (up to three starts), RENS and ruin and recreate may use; the MILP gets what
#: remains. The shares compound: if every step used its whole share, the MILP would be
#: left 0.5 x 0.8^3 x 0.4 x 0.15 = 1.5 % of the limit (below MIN_MILP_S it is skipped).
#: Deliberate (judgement, from the benchmark and default scenario: ruin and recreate
#: lowers the objective far more than HiGHS's branch and bound in the same time, and
#: on 1000 jobs x 720 h RENS closes the gap); most steps stop well before their share.
LOCAL_SEARCH_SHARE = 0.2
LP_SHARE = 0.5
RENS_SHARE = 0.6
SEARCH_SHARE = 0.85
#: Heuristics budget when there is no time limit [s] (judgement).
UNLIMITED_BUDGET_S = 30.0
#: Time for a first schedule when the time limit passed without any [s] (judgement:
#: HiGHS finds one in seconds on the benchmark's tightest rolling windows).
FIRST_SOLUTION_S = 30.0
#: Least time worth giving the MILP after the heuristics [s] (judgement: below this
#: HiGHS does not finish its presolve and root LP on the benchmark models).
MIN_MILP_S = 1.0


class NoSolutionError(RuntimeError):
    """HiGHS stopped (time limit) before finding any schedule and no baseline fits."""


class TimeLimitWarning(UserWarning):
    """A solve stopped at its time limit; the best schedule found is returned with its gap."""


@dataclass(frozen=True)
class Solved:
    """One MILP solve: the chosen assignment and HiGHS's figures (data only)."""

    assignment: Assignment
    termination: str
    model_objective: float
    bound: float
    gap: float
    build_s: float
    solve_s: float
    source: str
    size: dict


def model_objective(built: BuiltModel, x: np.ndarray) -> float:
    """Objective of a column vector in the model (includes the constant)."""
    return float(objective_vector(built.model) @ x + built.model.record.obj_constant)


def model_feasible(built: BuiltModel, x: np.ndarray) -> bool:
    """True when the column vector ``x`` meets every row and bound of the model.

    Heuristic schedules pass through this before they can be returned or used as a MIP
    start (:func:`optimizer.linear.violated_rows`); one that fails is dropped with a
    warning, as it points to a bug in the heuristic, not in the input.
    """
    broken = violated_rows(built.model, x)
    if broken:
        name, key, amount = broken[0]
        warnings.warn(f"a heuristic schedule broke {len(broken)} model row(s), e.g. {name}"
                      f"[{key}] by {amount:.3g}; it was not used", RuntimeWarning, stacklevel=3)
    return not broken


def _gap(objective: float, bound: float) -> float:
    if not np.isfinite(bound):
        return float("inf")
    return abs(objective - bound) / max(abs(objective), 1e-9)


def optimise(problem: Problem, options: SolverOptions, warm: Assignment | None,
             others: tuple = (), warm_name: str = "greedy") -> Solved:
    """Build and solve the MILP of ``problem``; never worse than ``warm`` (if given).

    ``warm`` is a feasible baseline schedule named ``warm_name``; ``others`` are more
    feasible schedules the local search starts from (e.g. ASAP).

    With the "direct" interface and ``warm_start``: LP relaxation, heuristics
    (:func:`improve_start`) and, only if their best schedule is not yet within
    ``rel_gap`` of the LP bound, HiGHS's MILP from that schedule, all within
    ``time_limit_s``.

    Raises
    ------
    InfeasibleError
        With the conflicting hours and jobs (elastic relaxation).
    NoSolutionError
        When the time limit passes before any schedule is known.
    """
    tick = time.perf_counter()
    limit = options.time_limit_s
    deadline = tick + limit if limit is not None else np.inf
    built = build_model(problem)
    rec = built.model.record
    size = {"variables": rec.n_cols, "rows": rec.n_rows, "nonzeros": rec.nnz,
            "binaries": int(np.concatenate(rec.col_integer).sum()) if rec.col_integer else 0}
    start, start_name, lp_bound, heuristic_s, handoff_s = None, warm_name, -np.inf, 0.0, 0.0
    if warm is not None:
        start = values_from_assignment(built, warm)
        if not model_feasible(built, start):  # a baseline's bug must not become the answer
            start, warm = None, None
    direct = options.interface == "direct"
    if options.warm_start and direct:
        t = time.perf_counter()
        timing: dict = {}
        start, start_name, lp_bound = improve_start(built, options, warm, deadline, others,
                                                    timing, warm_name)
        handoff_s = timing.get("handoff_s", 0.0)
        heuristic_s = time.perf_counter() - t - handoff_s
        if start is not None and _gap(model_objective(built, start), lp_bound) <= options.rel_gap:
            return _solved(built, start, start_name, "optimal", lp_bound,
                           built.build_s + handoff_s, heuristic_s, size)
    remaining = deadline - time.perf_counter()
    if start is not None and direct and remaining < MIN_MILP_S:
        return _solved(built, start, start_name, "time_limit", lp_bound,
                       built.build_s + handoff_s, heuristic_s, size)
    milp_options = options if limit is None else replace(
        options, time_limit_s=max(remaining, MIN_MILP_S))
    if direct:
        outcome = solve_direct(built, milp_options, start if options.warm_start else None)
    else:
        outcome = solve_pyomo(built, milp_options)
    if direct and start is None and not outcome.has_solution and \
            outcome.termination == "time_limit":
        # no schedule at all yet (the baselines and heuristics found none): a window of a
        # rolling horizon cannot be skipped, so look for a first one with more time
        retry = replace(options, time_limit_s=max(FIRST_SOLUTION_S, 10 * (limit or 0.0)))
        extra = solve_direct(built, retry, None, first_solution=True)
        outcome = replace(extra, solve_s=outcome.solve_s + extra.solve_s,
                          load_s=outcome.load_s + extra.load_s)
    build_s = built.build_s + handoff_s + outcome.load_s
    if outcome.termination == "infeasible":
        raise diagnose(built, options)
    candidates = []
    if outcome.has_solution:
        candidates.append(("milp", outcome.values))
    if start is not None:
        candidates.append((start_name, start))
    if not candidates:
        raise NoSolutionError(
            f"HiGHS stopped ({outcome.detail}) after {outcome.solve_s:.1f} s without any "
            "schedule and the greedy baseline does not fit either; raise the time limit"
        )
    scored = [(model_objective(built, x), name, x) for name, x in candidates]
    _, source, x = min(scored, key=lambda s: (s[0], s[1] == "milp"))  # tie: the start
    if source == "milp" and outcome.has_solution:
        load_values(built.model, x)
    bound = max(outcome.bound, lp_bound) if np.isfinite(outcome.bound) else lp_bound
    termination = outcome.termination
    if termination != "optimal" and _gap(model_objective(built, x), bound) <= options.rel_gap:
        termination = "optimal"
    return _solved(built, x, source, termination, bound, build_s,
                   outcome.solve_s + heuristic_s, size)


def _solved(built: BuiltModel, x: np.ndarray, source: str, termination: str, bound: float,
            build_s: float, solve_s: float, size: dict) -> Solved:
    objective = model_objective(built, x)
    return Solved(
        assignment=assignment_from_values(built, x),
        termination=termination,
        model_objective=objective,
        bound=float(bound),
        gap=float(_gap(objective, bound)),
        build_s=build_s,
        solve_s=solve_s,
        source=source,
        size=size,
    )


def improve_start(built: BuiltModel, options: SolverOptions, warm: Assignment | None,
                  deadline_s: float, others: tuple = (), timing: dict | None = None,
                  warm_name: str = "greedy") -> tuple[np.ndarray | None, str, float]:
    """The best schedule the heuristics find before the MILP, and the LP bound.

    1. LP relaxation (its value is the lower bound);
    2. LP-guided placement; local search (:func:`optimizer.localsearch.improve`) from it,
       from the baseline ``warm`` and from ``others``;
    3. if not yet within ``rel_gap`` of the LP bound: RENS (few fractional jobs), then
       ruin and recreate for a share of the time left.

    Returns
    -------
    (array or None, str, float)
        Column vector of the best schedule, its source, and the LP bound (the weaker
        :func:`optimizer.heuristics.simple_bound` if the LP did not finish).
    """
    problem = built.problem
    now = time.perf_counter
    x_lp = lp_relaxation(built, options, None if np.isinf(deadline_s) else LP_SHARE * (
        deadline_s - now()), timing)
    lp_bound = model_objective(built, x_lp) if x_lp is not None else simple_bound(problem)
    guided = lp_guided(built, x_lp) if x_lp is not None else None
    found = []  # (objective, source, column vector)
    starts = [(warm_name, warm), ("lp_guided", guided)] + [("asap", a) for a in others]
    for name, a in starts:
        if a is None:
            continue
        x_start = values_from_assignment(built, a)
        if name != warm_name and not model_feasible(built, x_start):  # warm: checked
            continue
        x = values_from_assignment(built, improve(problem, a, _budget(deadline_s,
                                                                      LOCAL_SEARCH_SHARE)))
        obj_start, obj = model_objective(built, x_start), model_objective(built, x)
        if obj < obj_start and model_feasible(built, x):
            found.append((obj, "local_search", x))
        else:
            found.append((obj_start, name, x_start))
    if not found:
        return None, warm_name, lp_bound
    obj, source, x_best = min(found, key=lambda f: f[0])
    if _gap(obj, lp_bound) > options.rel_gap and guided is not None:
        x = rens(built, x_lp, values_from_assignment(built, guided),
                 _budget(deadline_s, RENS_SHARE), options.threads, timing)
        if x is not None and model_objective(built, x) < obj and model_feasible(built, x):
            obj, source, x_best = model_objective(built, x), "rens", x
    if _gap(obj, lp_bound) > options.rel_gap:
        target = lp_bound / (1 - options.rel_gap) if lp_bound > 0 else -np.inf
        plan = ruin_and_recreate(problem, plan_of(problem, assignment_from_values(
            built, x_best)), now() + _budget(deadline_s, SEARCH_SHARE), target=target)
        x = values_from_assignment(built, assignment_of(plan))
        if model_objective(built, x) < obj - 1e-9 * abs(obj) and model_feasible(built, x):
            obj, source, x_best = model_objective(built, x), "local_search", x
    return x_best, source, lp_bound


def _budget(deadline_s: float, share: float) -> float:
    """A share of the time left before the deadline [s] (capped without a deadline)."""
    if np.isinf(deadline_s):
        return share * UNLIMITED_BUDGET_S
    return max(share * (deadline_s - time.perf_counter()), 0.0)


def baseline_summary(problem: Problem, base: BaselineResult) -> BaselineSummary:
    return BaselineSummary(name=base.name, status=base.status,
                           schedule=to_frame(problem, base.assignment), metrics=base.metrics,
                           unplaced=base.unplaced)


def preferred_baseline(base_greedy: BaselineResult,
                       base_asap: BaselineResult) -> BaselineResult | None:
    """Greedy if it placed every job, else ASAP if it did, else None."""
    for base in (base_greedy, base_asap):
        if base.status == "feasible":
            return base
    return None


def optimise_from_baselines(problem: Problem, options: SolverOptions,
                            base_greedy: BaselineResult, base_asap: BaselineResult) -> Solved:
    """:func:`optimise` started from the preferred baseline; the local search also starts
    from ASAP when both are feasible."""
    warm = preferred_baseline(base_greedy, base_asap)
    if warm is None:
        return optimise(problem, options, None)
    others = (base_asap.assignment,) if warm is base_greedy and \
        base_asap.status == "feasible" else ()
    return optimise(problem, options, warm.assignment, others, warm.name)


def solve_problem(problem: Problem, options: SolverOptions = DEFAULT_OPTIONS) -> ScheduleResult:
    """Solve a prepared problem in one piece (baselines, warm start, MILP)."""
    explain_infeasible_inputs(problem)
    base_asap, base_greedy = asap(problem), greedy(problem)
    solved = optimise_from_baselines(problem, options, base_greedy, base_asap)
    metrics = evaluate(problem, solved.assignment)
    if solved.termination == "optimal":
        status = STATUS_OPTIMAL
    else:
        status = STATUS_TIME_LIMIT
        warnings.warn(
            f"HiGHS stopped at the time limit ({options.time_limit_s} s); returning the best "
            f"schedule found, relative gap {solved.gap:.3g}",
            TimeLimitWarning,
            stacklevel=2,
        )
    return ScheduleResult(
        schedule=to_frame(problem, solved.assignment),
        it_load_kw=load_frame(problem, solved.assignment),
        status=status,
        objective=metrics.objective,
        best_bound=solved.bound,
        gap=solved.gap,
        build_s=solved.build_s,
        solve_s=solved.solve_s,
        metrics=metrics,
        source=solved.source,
        baselines={"asap": baseline_summary(problem, base_asap),
                   "greedy": baseline_summary(problem, base_greedy)},
        model_size=solved.size,
    )


def solve_schedule(
    jobs: pd.DataFrame,
    signals: pd.DataFrame,
    pods: Pods | None = None,
    limits: Limits = DEFAULT_LIMITS,
    objective: Objective = DEFAULT_OBJECTIVE,
    options: SolverOptions = DEFAULT_OPTIONS,
    progress: Callable[[str], None] | None = None,
    signals_at: Callable[[int], tuple[np.ndarray, np.ndarray]] | None = None,
) -> ScheduleResult:
    """Schedule jobs against hourly signals and pod capacities.

    Parameters
    ----------
    jobs : DataFrame
        See :func:`optimizer.problem.parse_jobs`.
    signals : DataFrame
        Hourly price [currency/kWh], carbon [g/kWh], optional site-wide
        facility_factor [-] and fixed_overhead_kw [kW].
    pods : Pods or None
        Pod capacities [kW]; None for one unlimited pod ``main``.
    limits, objective, options
        See :mod:`optimizer.options`.
    progress : callable, optional
        Called with a short text as the solve moves on (e.g. ``"window 3/8"`` when
        rolling), for progress displays.
    signals_at : callable, optional
        Forecasts re-issued at each rolling window's start
        (:func:`optimizer.rolling.solve_rolling`); ``signals`` are then the plan at hour 0,
        the only one used when the horizon is solved in one piece.

    Returns
    -------
    ScheduleResult
        Horizons longer than ``options.window_h`` are solved rolling.

    Raises
    ------
    ScheduleInputError, InfeasibleError, NoSolutionError
    """
    problem = prepare_problem(jobs, signals, pods, limits, objective)
    if problem.n_hours > options.window_h:
        from optimizer.rolling import solve_rolling

        return solve_rolling(problem, options, progress, signals_at)
    if progress is not None:
        progress(f"MILP ({problem.n_hours} h, {len(problem.jobs)} jobs)")
    return solve_problem(problem, options)


__all__ = ["InfeasibleError", "NoSolutionError", "TimeLimitWarning", "solve_problem",
           "solve_schedule"]
