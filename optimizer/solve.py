"""Solve a scheduling problem: in one piece or rolling, within one time limit.

Entry point: :func:`solve_schedule` (tables in, :class:`ScheduleResult` out). It checks
the inputs, decides whether the horizon is solved in one piece or in rolling windows
(:func:`optimizer.rolling.rolling_decision`, a measured rule), and runs the stages of
:mod:`optimizer.pipeline` once (:func:`solve_problem`) or per window
(:func:`optimizer.rolling.solve_rolling`). ``SolverOptions.time_limit_s`` bounds all of
it, from the call to the result.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pandas as pd

from optimizer.assets import Assets
from optimizer.dispatch import final_dispatch
from optimizer.errors import InfeasibleError
from optimizer.metrics import evaluate
from optimizer.model import model_size
from optimizer.options import (
    DEFAULT_LIMITS,
    DEFAULT_OBJECTIVE,
    DEFAULT_OPTIONS,
    Limits,
    Objective,
    SolverOptions,
)
from optimizer.pipeline import NoSolutionError, run_stages
from optimizer.precheck import explain_infeasible_inputs
from optimizer.problem import Pods, Problem, prepare_problem
from optimizer.result import (
    STATUS_OPTIMAL,
    STATUS_TIME_LIMIT,
    BaselineSummary,
    ScheduleResult,
)
from optimizer.rolling import SignalsAt, rolling_decision, solve_rolling
from optimizer.schedule import load_frame, to_frame
from optimizer.search import work_deadline


class TimeLimitWarning(UserWarning):
    """A solve stopped at its time limit; the best schedule found is returned with its gap."""


def baseline_summary(problem: Problem, base) -> BaselineSummary:
    """:meth:`BaselineSummary.of` (the name scenarios use)."""
    return BaselineSummary.of(problem, base)


def solve_problem(problem: Problem, options: SolverOptions = DEFAULT_OPTIONS,
                  deadline_s: float | None = None, reason: str = "") -> ScheduleResult:
    """Solve a prepared problem in one piece (the stages of :mod:`optimizer.pipeline`).

    Parameters
    ----------
    problem : Problem
    options : SolverOptions
    deadline_s : float, optional
        ``time.perf_counter()`` value by which the search must stop (default:
        :func:`work_deadline`).
    reason : str
        Why the horizon is solved in one piece (kept in the result).
    """
    if deadline_s is None:
        deadline_s = work_deadline(options)
    explain_infeasible_inputs(problem)
    search = run_stages(problem, options, deadline_s)
    assignment = search.assignment()
    dispatch = final_dispatch(problem, assignment)
    metrics = evaluate(problem, assignment, dispatch)
    if search.proven:
        status = STATUS_OPTIMAL
    else:
        status = STATUS_TIME_LIMIT
        warnings.warn(
            f"the solve stopped at its time limit ({options.time_limit_s} s); returning the "
            f"best schedule found, relative gap {search.gap:.3g}",
            TimeLimitWarning,
            stacklevel=2,
        )
    build_s = search.built.build_s + search.handoff_s
    return ScheduleResult(
        schedule=to_frame(problem, assignment),
        it_load_kw=load_frame(problem, assignment),
        status=status,
        objective=metrics.objective,
        best_bound=search.bound,
        gap=search.gap,
        build_s=build_s,
        solve_s=sum(r.seconds for r in search.records) - search.handoff_s,
        metrics=metrics,
        source=search.source,
        baselines={name: BaselineSummary.of(problem, base)
                   for name, base in search.baselines.items()},
        model_size=model_size(search.built),
        stages=tuple(search.records),
        rolling_reason=reason,
        dispatch=dispatch if problem.assets.active else None,
    )


def solve_schedule(
    jobs: pd.DataFrame,
    signals: pd.DataFrame,
    pods: Pods | None = None,
    limits: Limits = DEFAULT_LIMITS,
    objective: Objective = DEFAULT_OBJECTIVE,
    options: SolverOptions = DEFAULT_OPTIONS,
    progress: Callable[[str], None] | None = None,
    signals_at: SignalsAt | None = None,
    assets: Assets | None = None,
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
        See :mod:`optimizer.options`. ``options.time_limit_s`` bounds the whole call.
    progress : callable, optional
        Called with a short text as the solve moves on (e.g. ``"window 3/8, 41 s left"``
        when rolling), for progress displays.
    signals_at : callable, optional
        Forecasts re-issued at each rolling window's start
        (:func:`optimizer.rolling.solve_rolling`); a horizon longer than one window then
        always rolls (a forecast is re-issued per window). ``signals`` are the plan at
        hour 0, the only one used when the horizon fits one window.
    assets : Assets, optional
        A battery, a cold tank and on-site generation co-optimised with the jobs
        (:mod:`optimizer.assets`); their hourly operation is ``result.dispatch``.

    Returns
    -------
    ScheduleResult
        ``rolling_reason`` says whether and why the horizon was solved in windows.

    Raises
    ------
    ScheduleInputError, InfeasibleError, NoSolutionError
    """
    deadline_s = work_deadline(options)
    problem = prepare_problem(jobs, signals, pods, limits, objective, assets)
    return solve_prepared(problem, options, progress, signals_at, deadline_s)


def solve_prepared(problem: Problem, options: SolverOptions = DEFAULT_OPTIONS,
                   progress: Callable[[str], None] | None = None,
                   signals_at: SignalsAt | None = None,
                   deadline_s: float | None = None) -> ScheduleResult:
    """:func:`solve_schedule` on a prepared problem: in one piece or rolling, as
    :func:`optimizer.rolling.rolling_decision` says, by ``deadline_s`` (default: now +
    the time limit)."""
    if deadline_s is None:
        deadline_s = work_deadline(options)
    roll, reason = rolling_decision(problem, options)
    if signals_at is not None and problem.n_hours > options.window_h:
        roll, reason = True, "rolling: forecasts are re-issued at each window's start"
    if roll:
        return solve_rolling(problem, options, progress, signals_at, deadline_s, reason)
    if progress is not None:
        progress(f"one piece ({problem.n_hours} h, {len(problem.jobs)} jobs)")
    return solve_problem(problem, options, deadline_s, reason)


__all__ = ["InfeasibleError", "NoSolutionError", "TimeLimitWarning", "solve_prepared",
           "solve_problem", "solve_schedule"]
