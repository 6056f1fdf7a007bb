"""When a horizon rolls: only when one piece would not fit (issue 14), and the run says so."""

from __future__ import annotations

import time
import warnings

import pytest

import optimizer.rolling as rolling_module
from optimizer import Objective, SolverOptions, build_model, make_instance, prepare_problem
from optimizer.rolling import estimated_nonzeros, rolling_decision
from optimizer.solve import solve_prepared

pytestmark = pytest.mark.component


def _problem(n_jobs: int, n_hours: int, preemptible: float, seed: int = 1):
    inst = make_instance(n_jobs, n_hours, seed=seed, preemptible_share=preemptible,
                         tightness=0.3)
    return prepare_problem(inst.jobs, inst.signals, inst.pods,
                           objective=Objective(carbon_price_per_t=50.0, demand_charge_per_kw=20.0))


@pytest.mark.parametrize("case", [(50, 168, 0.0), (50, 168, 1.0), (120, 336, 0.5),
                                  (200, 168, 0.0), (60, 720, 1.0)])
def test_the_estimate_of_nonzeros_is_within_a_quarter_of_the_built_model(case):
    problem = _problem(*case)
    # the base model: cut families apply only to small models (optimizer.model)
    built = build_model(problem, cuts=()).model.record.nnz
    assert estimated_nonzeros(problem) == pytest.approx(built, rel=0.25)


def test_a_horizon_that_fits_is_solved_in_one_piece_even_past_one_window():
    problem = _problem(40, 336, 0.5)
    roll, reason = rolling_decision(problem, SolverOptions(time_limit_s=60))
    assert not roll and reason.startswith("one piece") and "fits the time limit" in reason
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_prepared(problem, SolverOptions(time_limit_s=5))
    assert result.windows == () and result.rolling_reason.startswith("one piece")
    assert result.summary()["rolling"] == result.rolling_reason


def test_it_rolls_when_the_build_would_eat_the_time_limit_and_says_so():
    """Windows that do not overlap build no more than the whole horizon: it rolls."""
    problem = _problem(40, 336, 0.5)
    options = SolverOptions(time_limit_s=0.05, window_h=168, step_h=168)
    roll, reason = rolling_decision(problem, options)
    assert roll and "of the 0.05 s limit" in reason and "its 2 windows" in reason
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_prepared(problem, options)
    assert result.rolling_reason == reason and result.source in ("rolling", "greedy", "asap")
    # how far it gets in 0.05 s depends on the machine; whatever was not solved when the
    # time ran out is one record saying which baseline placed it, with no build
    assert 1 <= len(result.windows) <= 2
    assert result.windows[0].start.startswith("2025-07-01T00:00")
    for record in result.windows:  # a record with no model built is a baseline's
        assert record.size.nonzeros > 0 or (record.source in ("greedy", "asap")
                                            and record.build_s == 0.0)


def test_it_stays_in_one_piece_when_overlapping_windows_would_build_more():
    """The default windows overlap (168 h windows every 24 h build each hour ~7 times):
    rolling would not save build time, so a slow build alone does not make it roll."""
    problem = _problem(40, 336, 0.5)
    roll, reason = rolling_decision(problem, SolverOptions(time_limit_s=0.05))
    assert not roll and reason.startswith("one piece: ") and "overlapping" in reason


def test_it_rolls_when_memory_would_not_suffice(monkeypatch):
    problem = _problem(40, 336, 0.5)
    monkeypatch.setattr(rolling_module, "MEMORY_BUDGET_BYTES", 1e8)
    roll, reason = rolling_decision(problem, SolverOptions(time_limit_s=None))
    assert roll and "GB budget" in reason


def test_always_and_never_override_and_a_short_horizon_never_rolls():
    problem = _problem(20, 336, 0.5)
    assert rolling_decision(problem, SolverOptions(rolling="always"))[0]
    assert not rolling_decision(problem, SolverOptions(rolling="never", time_limit_s=0.01))[0]
    short = _problem(20, 120, 0.5)
    roll, reason = rolling_decision(short, SolverOptions(rolling="always", time_limit_s=0.01))
    assert not roll and "fits one window" in reason


def test_the_time_limit_bounds_a_whole_one_piece_solve():
    problem = _problem(300, 168, 1.0)
    tick = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_prepared(problem, SolverOptions(time_limit_s=4))
    wall = time.perf_counter() - tick
    # baselines, build, LP, heuristics and MILP all inside the limit (result tables after)
    assert wall < 4 * 1.3 + 1.0
    assert sum(s.seconds for s in result.stages) < 4 * 1.3
    assert result.stages[0].stage == "baselines"
