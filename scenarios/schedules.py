"""The schedules of a run: the MILP (if asked) and the ASAP and greedy baselines on the
same data, each checked by the optimizer's independent validator, with the site's assets
(:mod:`scenarios.assets`) run alongside: optimised with the MILP, by the baselines'
documented rule (:func:`optimizer.dispatch.rule_dispatch`) with each baseline.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer import solve_schedule, validate
from optimizer.assets import Dispatch
from optimizer.baselines import asap, greedy
from optimizer.dispatch import optimal_dispatch, rule_dispatch
from optimizer.levers import (
    AssetSaving,
    LeverSavings,
    asset_operation_saving,
    asset_values,
    lever_savings,
)
from optimizer.problem import Problem, prepare_problem
from optimizer.schedule import from_frame
from optimizer.solve import baseline_summary

#: Columns of an empty schedule (a run without jobs).
SCHEDULE_COLUMNS = ["job_id", "pod", "timestamp", "power_kw"]


@dataclass
class Schedules:
    """What :func:`make_schedules` produced.

    Attributes
    ----------
    schedules : dict
        Name ("milp", "asap", "greedy") -> schedule table (job_id, pod, timestamp,
        power_kw [kW]).
    unplaced : dict
        Baseline rule -> the job ids it could not place (no saving is claimed against it).
    solver : dict
        The solver's summary, the warnings it gave and the validation counts.
    dispatches : dict
        Name -> the assets' hourly operation (:class:`optimizer.assets.Dispatch`); empty
        without assets.
    """

    schedules: dict[str, pd.DataFrame]
    unplaced: dict[str, list[str]]
    solver: dict
    dispatches: dict[str, Dispatch] = field(default_factory=dict)


def problem_of(prep) -> Problem:
    """The optimizer's problem of a run's prepared inputs (with its assets)."""
    return prepare_problem(prep.jobs, prep.signals, prep.pods, prep.limits, prep.objective,
                           prep.assets)


def make_schedules(prep, optimize: bool,
                   say: Callable[[str], None] = lambda text: None) -> Schedules:
    """The MILP (if asked) and both baselines, validated, with their asset dispatch.

    Parameters
    ----------
    prep : scenarios.run._Prepared
        The run's optimizer inputs (``prep.assets`` None without assets).
    optimize : bool
        False: baselines only.
    say : callable
        Progress.

    Raises
    ------
    RuntimeError
        A schedule or dispatch fails independent validation (a bug, never a result).
    """
    out = Schedules({}, {}, {"optimized": optimize})
    jobs, solver = prep.jobs, out.solver
    if len(jobs) and optimize:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = solve_schedule(
                jobs, prep.signals, prep.pods, prep.limits, prep.objective, prep.options,
                progress=lambda text: say(f"schedule: {text}"), assets=prep.assets,
            )
        solver.update(result.summary())
        solver["warnings"] = [str(w.message) for w in caught]
        out.schedules["milp"] = result.schedule
        if result.dispatch is not None:
            out.dispatches["milp"] = result.dispatch
        baselines = result.baselines
    elif len(jobs):  # baselines only, no MILP
        problem = problem_of(prep)
        baselines = {b.name: baseline_summary(problem, b) for b in (asap(problem), greedy(problem))}
        solver["status"] = "not optimized"
    else:
        solver["status"] = "no jobs"
        baselines = {}
        _without_jobs(prep, optimize, out)
    for name, base in baselines.items():
        out.schedules[name] = base.schedule
        if base.status != "feasible":
            out.unplaced[name] = list(base.unplaced)
        elif base.dispatch is not None:
            out.dispatches[name] = base.dispatch
    _validate(prep, out)
    return out


def _without_jobs(prep, optimize: bool, out: Schedules) -> None:
    """Empty schedules; with assets, their dispatch for the baseline load alone."""
    empty = pd.DataFrame(columns=SCHEDULE_COLUMNS)
    names = ("asap", "greedy", "milp") if optimize else ("asap", "greedy")
    out.schedules.update({name: empty for name in names})
    if prep.assets is None or not prep.assets.active:
        return
    problem = problem_of(prep)
    none = np.zeros((len(problem.pods), problem.n_hours))
    for name in names:
        out.dispatches[name] = (optimal_dispatch(problem, none) if name == "milp"
                                else rule_dispatch(problem, none))


def _validate(prep, out: Schedules) -> None:
    """Every schedule (and its dispatch) through the independent validator."""
    jobs = prep.jobs
    # the assets as the optimizer uses them (prepare_problem convexifies the tank's terms)
    problem_assets = prep.assets.convexified() if out.dispatches else None
    found = {}
    for name, sched in out.schedules.items():
        if name in out.unplaced:
            continue
        dispatch = out.dispatches.get(name)
        if dispatch is not None:
            found[name] = validate(sched, jobs, prep.pods, prep.signals, prep.limits,
                                   problem_assets, dispatch)
        else:
            found[name] = validate(sched, jobs, prep.pods, prep.signals, prep.limits) \
                if len(jobs) else []
    out.solver["validation"] = {name: len(v) for name, v in found.items()}
    for name, violations in found.items():
        if violations:
            detail = "; ".join(f"{v.kind}: {v.detail}" for v in violations[:5])
            raise RuntimeError(f"the {name} schedule fails independent validation: {detail}")


def levers_of(prep, schedules: dict, unplaced: dict, optimize: bool) -> LeverSavings | None:
    """The MILP's saving against ASAP split into placement, timing and peak, on the linear
    facility model without assets (None when there is no MILP schedule, no job, or ASAP
    could not place every job)."""
    if not optimize or not len(prep.jobs) or "asap" in unplaced:
        return None
    problem = prepare_problem(prep.jobs, prep.signals, prep.pods, prep.limits, prep.objective)
    return lever_savings(problem, from_frame(problem, schedules["asap"]),
                         from_frame(problem, schedules["milp"]))


def asset_parts(prep, schedules: dict, unplaced: dict, optimize: bool
                ) -> tuple[AssetSaving | None, dict[str, AssetSaving] | None]:
    """With assets, on the optimizer's linear model with them (docs/optimizer.md, "Savings
    by lever"): what running them optimally instead of by the rule saves for the MILP
    schedule (:func:`optimizer.levers.asset_operation_saving`; None where
    :func:`levers_of` gives no split), and what each asset is worth with that schedule
    (:func:`optimizer.levers.asset_values`; None without the MILP). Both None without
    assets."""
    if not optimize or prep.assets is None or not prep.assets.active or "milp" not in schedules:
        return None, None
    problem = problem_of(prep)
    plan = from_frame(problem, schedules["milp"])
    operation = None
    if len(prep.jobs) and "asap" not in unplaced:
        operation = asset_operation_saving(problem, plan)
    return operation, asset_values(problem, plan)
