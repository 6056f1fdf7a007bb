"""A rolling run keeps its time limit (issue 14, item 3): the whole horizon's baselines
count inside it, no window runs HiGHS past it when a whole-horizon schedule exists to
fall back on, and once there is no time left to build another window the rest of the
horizon is placed by the better baseline."""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import numpy as np
import pytest

import optimizer.pipeline as pipeline_module
import optimizer.rolling as rolling_module
from optimizer import Objective, make_instance, prepare_problem, validate
from optimizer.options import DEFAULT_OPTIONS
from optimizer.solve import solve_prepared

pytestmark = pytest.mark.component


def _instance(n_jobs, n_hours, preemptible, tightness, seed=1):
    inst = make_instance(n_jobs, n_hours, seed=seed, preemptible_share=preemptible,
                         tightness=tightness)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods,
                              objective=Objective(carbon_price_per_t=50.0))
    return inst, problem


def _solve(problem, limit_s):
    options = replace(DEFAULT_OPTIONS, time_limit_s=limit_s, rolling="always")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve_prepared(problem, options)


def test_when_no_window_can_be_built_in_time_the_rest_is_placed_by_a_baseline(monkeypatch):
    inst, problem = _instance(60, 336, 0.5, 0.4)
    # every window after the first now "needs" more time than is left
    seen = []
    real = rolling_module.estimated_nonzeros

    def estimate(sub):
        seen.append(sub.n_hours)
        return real(sub) if len(seen) == 1 else 10**15
    monkeypatch.setattr(rolling_module, "estimated_nonzeros", estimate)
    result = _solve(problem, 30.0)
    windows = result.windows
    assert len(windows) == 2  # one solved window, then the rest of the horizon at once
    rest = windows[-1]
    assert rest.source in ("greedy", "asap") and rest.build_s == 0.0
    assert rest.termination == "time_limit" and np.isinf(rest.gap)
    assert validate(result.schedule, inst.jobs, inst.pods, inst.signals) == []
    assert set(result.schedule["job_id"]) == set(inst.jobs["job_id"])


def test_a_window_does_not_overrun_for_a_first_schedule_when_a_fallback_exists(monkeypatch):
    _, problem = _instance(40, 240, 0.5, 0.3)
    flags = []
    real = pipeline_module.run_stages

    def spy(*args, **kwargs):
        flags.append(kwargs.get("may_overrun", True))
        return real(*args, **kwargs)
    monkeypatch.setattr(rolling_module, "run_stages", spy)
    _solve(problem, 20.0)
    assert flags and not any(flags)  # the whole-horizon greedy is there to fall back on


def test_a_tight_rolling_run_ends_near_its_time_limit():
    """Measured before: 1,000 jobs x 720 h at tightness 0.7 with rolling forced and a
    10 s limit took 40-95 s (greedy's repair, then a 30 s first-schedule search in a
    window); now within the limit plus the result's finishing (~1 s here)."""
    _, problem = _instance(1000, 720, 0.5, 0.7)
    tick = time.perf_counter()
    result = _solve(problem, 10.0)
    wall = time.perf_counter() - tick
    assert wall < 10.0 * 1.5, f"{wall:.1f} s for a 10 s limit"
    assert np.isfinite(result.objective)


@pytest.mark.parametrize(("limit_s", "retry_s"), [(4.0, 4.0), (120.0, 30.0), (0.05, 1.0)])
def test_a_first_schedule_search_past_the_limit_takes_at_most_the_limit_again(
        monkeypatch, limit_s, retry_s):
    """With no schedule from any stage, HiGHS gets the limit again (at least MIN_MILP_S,
    at most FIRST_SOLUTION_S) for a first one: a run ends within twice its limit; and
    without one the failure is NoSolutionError saying to raise the limit."""
    from optimizer.highs_solve import SolveOutcome
    from optimizer.pipeline import NoSolutionError

    _, problem = _instance(20, 48, 0.0, 0.3)
    asked = []

    def no_schedule(built, options, start=None, first_solution=False):
        asked.append((options.time_limit_s, first_solution))
        return SolveOutcome("time_limit", False, None, np.inf, 0.0, np.inf, 0.0, 0.0, "none")

    def no_baseline(problem, *args, **kwargs):
        return replace(real_asap(problem), status="infeasible")

    real_asap = pipeline_module.asap
    monkeypatch.setattr(pipeline_module, "solve_direct", no_schedule)
    monkeypatch.setattr(pipeline_module, "asap", no_baseline)
    monkeypatch.setattr(pipeline_module, "greedy", no_baseline)
    options = replace(DEFAULT_OPTIONS, time_limit_s=limit_s, rolling="never")
    with pytest.raises(NoSolutionError, match="raise the time limit"):
        solve_prepared(problem, options)
    assert asked[-1] == (pytest.approx(retry_s), True)
