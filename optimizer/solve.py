"""Solve a scheduling problem: baselines, MILP warm-started from greedy, result.

Entry point: :func:`solve_schedule` (tables in, :class:`ScheduleResult` out). Horizons
longer than ``SolverOptions.window_h`` go to :func:`optimizer.rolling.solve_rolling`.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.baselines import BaselineResult, asap, greedy
from optimizer.errors import InfeasibleError
from optimizer.heuristics import improve, lp_guided, lp_relaxation
from optimizer.highs_solve import solve_direct, solve_pyomo
from optimizer.infeasibility import diagnose
from optimizer.linear import load_values, objective_vector
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
from optimizer.schedule import Assignment, load_frame, to_frame


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


def optimise(problem: Problem, options: SolverOptions, warm: Assignment | None) -> Solved:
    """Build and solve the MILP of ``problem``; never worse than ``warm`` (if given).

    Raises
    ------
    InfeasibleError
        With the conflicting hours and jobs (elastic relaxation).
    NoSolutionError
        When the time limit passes before any schedule is known.
    """
    built = build_model(problem)
    rec = built.model.record
    size = {"variables": rec.n_cols, "rows": rec.n_rows, "nonzeros": rec.nnz,
            "binaries": int(np.concatenate(rec.col_integer).sum()) if rec.col_integer else 0}
    start, start_name, heuristic_s = None, "greedy", 0.0
    if warm is not None:
        start = values_from_assignment(built, warm)
    if options.warm_start and options.interface == "direct":
        tick = time.perf_counter()
        start, start_name = _best_start(built, options, start)
        heuristic_s = time.perf_counter() - tick
    if options.interface == "direct":
        outcome = solve_direct(built, options, start if options.warm_start else None)
    else:
        outcome = solve_pyomo(built, options)
    build_s = built.build_s + outcome.load_s
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
    best_obj, source, x = min(scored, key=lambda s: (s[0], s[1] != "milp"))
    if source == "milp" and outcome.has_solution:
        load_values(built.model, x)
    bound = outcome.bound
    gap = abs(best_obj - bound) / max(abs(best_obj), 1e-9) if np.isfinite(bound) else np.inf
    return Solved(
        assignment=assignment_from_values(built, x),
        termination=outcome.termination,
        model_objective=best_obj,
        bound=bound,
        gap=float(gap),
        build_s=build_s,
        solve_s=outcome.solve_s + heuristic_s,
        source=source,
        size=size,
    )


def _best_start(built: BuiltModel, options: SolverOptions,
                start: np.ndarray | None) -> tuple[np.ndarray | None, str]:
    """The better MIP start of the baseline and the LP-guided placement + local search."""
    x_lp = lp_relaxation(built, options)
    guided = lp_guided(built, x_lp) if x_lp is not None else None
    if guided is None:
        return start, "greedy"
    x = values_from_assignment(built, improve(built.problem, guided))
    if start is None or model_objective(built, x) < model_objective(built, start):
        return x, "lp_guided"
    return start, "greedy"


def baseline_summary(problem: Problem, base: BaselineResult) -> BaselineSummary:
    return BaselineSummary(name=base.name, status=base.status,
                           schedule=to_frame(problem, base.assignment), metrics=base.metrics,
                           unplaced=base.unplaced)


def first_feasible(*baselines: BaselineResult) -> Assignment | None:
    """The assignment of the first feasible baseline, or None."""
    for base in baselines:
        if base.status == "feasible":
            return base.assignment
    return None


def solve_problem(problem: Problem, options: SolverOptions = DEFAULT_OPTIONS) -> ScheduleResult:
    """Solve a prepared problem in one piece (baselines, warm start, MILP)."""
    explain_infeasible_inputs(problem)
    base_asap, base_greedy = asap(problem), greedy(problem)
    warm = first_feasible(base_greedy, base_asap)
    solved = optimise(problem, options, warm)
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

        return solve_rolling(problem, options)
    return solve_problem(problem, options)


__all__ = ["InfeasibleError", "NoSolutionError", "TimeLimitWarning", "solve_problem",
           "solve_schedule"]
