"""The preemptible formulation and the solve pipeline against exact answers.

* On tiny instances (2 pods, 7 hours, a non-preemptible and two preemptible jobs with
  interruption limits, restart overhead and pod choice, coupled through pod capacity
  and demand charges) the MILP's optimum equals the best of every possible schedule,
  enumerated by brute force.
* The LP bound is strictly higher than before where a job cannot run alone in some
  pod-hours of its window (those binaries are now fixed to 0).
* The default scenario's optimizer input (tests/data/optimizer/default_scenario) solves
  within its time limit to the gap reached here and beats ASAP and greedy clearly.

Every schedule passes the independent validator.
"""

from __future__ import annotations

import itertools
import time
import warnings

import highspy
import numpy as np
import pandas as pd
import pytest

from optimizer import (
    Limits,
    Objective,
    Pods,
    SolverOptions,
    build_model,
    evaluate,
    prepare_problem,
    solve_schedule,
    validate,
)
from optimizer.heuristics import lp_relaxation
from optimizer.linear import to_highs
from optimizer.model import model_objective
from optimizer.placement import runs_needed_h
from optimizer.schedule import Assignment, it_load_kw
from tests.data.optimizer.default_scenario import load as load_default_scenario
from tests.optimizer_cases import EXACT, T0, hours
from tests.tolerances import (
    DEFAULT_SCENARIO_MAX_GAP,
    DEFAULT_SCENARIO_MIN_SAVING_VS_ASAP,
    DEFAULT_SCENARIO_MIN_SAVING_VS_GREEDY,
    OPTIMIZER_OBJECTIVE_RTOL,
)


def tiny_case(seed):
    rng = np.random.default_rng(seed)
    n = 7
    signals = pd.DataFrame({"price_per_kwh": rng.uniform(0.2, 1.5, n).round(2),
                            "carbon_g_per_kwh": 0.0}, index=hours(n))
    pods = Pods(
        capacity_kw=pd.DataFrame({"A": rng.choice([100.0, 200.0], n), "B": 200.0},
                                 index=hours(n)),
        facility_factor=pd.DataFrame({"A": rng.uniform(1.0, 1.5, n).round(2),
                                      "B": rng.uniform(1.0, 1.5, n).round(2)}, index=hours(n)),
    )
    def job(job_id, r, d, dur, kw, pre, **extra):
        return {"job_id": job_id, "release": T0 + pd.Timedelta(hours=r),
                "deadline": T0 + pd.Timedelta(hours=d), "duration_h": dur, "power_kw": kw,
                "preemptible": pre, **extra}
    jobs = pd.DataFrame([
        job("n", 0, 7, 2, 100.0, False, max_interruptions=pd.NA, restart_overhead_h=0.0),
        job("p1", 0, 7, 3, 100.0, True, max_interruptions=int(rng.integers(0, 2)),
            restart_overhead_h=float(rng.choice([0.0, 0.5]))),
        job("p2", int(rng.integers(0, 2)), 7, 2, 100.0, True, max_interruptions=pd.NA,
            restart_overhead_h=float(rng.choice([0.0, 1.0]))),
    ])
    jobs["max_interruptions"] = jobs["max_interruptions"].astype("Int64")
    objective = Objective(demand_charge_per_kw=float(rng.choice([0.0, 2.0])))
    return jobs, signals, pods, objective


def placements(problem, j):
    """Every (pod, hours) a job may take on its own terms (window, work, runs)."""
    jobs = problem.jobs
    window = range(int(jobs.release[j]), int(jobs.deadline[j]))
    out = []
    for p in np.flatnonzero(jobs.allowed[j]):
        for size in range(1, len(window) + 1):
            for chosen in itertools.combinations(window, size):
                runs = 1 + int(np.sum(np.diff(chosen) > 1))
                if not jobs.preemptible[j]:
                    ok = runs == 1 and size == jobs.duration_h[j]
                else:
                    ok = runs <= jobs.max_starts[j] and size == runs_needed_h(
                        jobs.duration_h[j], jobs.overhead_h[j], runs)
                if ok:
                    out.append((int(p), np.array(chosen)))
    return out


def brute_force_optimum(problem):
    cap = problem.job_capacity_kw
    best = np.inf
    per_job = [placements(problem, j) for j in range(len(problem.jobs))]
    for combo in itertools.product(*per_job):
        a = Assignment.concat([Assignment(np.full(len(h), j), np.full(len(h), p), h)
                               for j, (p, h) in enumerate(combo)])
        if (it_load_kw(problem, a) > cap + 1e-9).any():
            continue
        best = min(best, evaluate(problem, a).objective)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_milp_equals_brute_force_on_tiny_preemptible_cases(seed):
    jobs, signals, pods, objective = tiny_case(seed)
    problem = prepare_problem(jobs, signals, pods, objective=objective)
    expected = brute_force_optimum(problem)
    result = solve_schedule(jobs, signals, pods, Limits(), objective, EXACT)
    assert validate(result.schedule, jobs, pods, signals) == []
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, rel=OPTIMIZER_OBJECTIVE_RTOL)


def test_lp_bound_is_higher_where_a_job_does_not_fit_alone():
    # Pod A has 50 kW free in the cheap hours 0-3 and room for the 100 kW job only in the
    # dear hours 4-5; pod B (facility factor 3) has room always. Optimum: B at 0-1 =
    # 3 x 100 x (1 + 1) = 600. Before, run[j,A,t] existed at 0-3 and the LP ran the job
    # at half power there with on_pod A = B = 1/2: 4 h x 50 kW x price 1 = 200.
    n = 6
    signals = pd.DataFrame({"price_per_kwh": [1.0, 1, 1, 1, 5, 5], "carbon_g_per_kwh": 0.0},
                           index=hours(n))
    pods = Pods(capacity_kw=pd.DataFrame({"A": [50.0, 50, 50, 50, 100, 100], "B": 100.0},
                                         index=hours(n)),
                facility_factor=pd.DataFrame({"A": 1.0, "B": 3.0}, index=hours(n)))
    jobs = pd.DataFrame([{"job_id": "j", "release": T0, "deadline": T0 + pd.Timedelta(hours=n),
                          "duration_h": 2, "power_kw": 100.0, "preemptible": True}])
    problem = prepare_problem(jobs, signals, pods)
    # no cut families: the capacity rounding alone (room 50 < one 100 kW job) would
    # also give 600 with the binaries free (tests/component/test_optimizer_cuts.py)
    built = build_model(problem, cuts=())
    bound = model_objective(built, lp_relaxation(built, EXACT))
    assert bound == pytest.approx(600.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    # the same LP with those binaries free again (the formulation before): bound 200
    h = to_highs(built.model)
    n_cols = built.model.record.n_cols
    h.changeColsIntegrality(n_cols, np.arange(n_cols, dtype=np.int32),
                            np.full(n_cols, highspy.HighsVarType.kContinuous))
    run = built.v["run"].astype(np.int32)
    h.changeColsBounds(len(run), run, np.zeros(len(run)), np.ones(len(run)))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(200.0, rel=1e-6)
    result = solve_schedule(jobs, signals, pods, options=EXACT)
    assert result.objective == pytest.approx(600.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    assert validate(result.schedule, jobs, pods, signals) == []


def test_default_scenario_beats_asap_and_greedy_within_its_time_limit():
    case = load_default_scenario()
    time_limit = 20.0
    options = SolverOptions(time_limit_s=time_limit, rel_gap=case["options"].rel_gap)
    tick = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_schedule(case["jobs"], case["signals"], case["pods"], case["limits"],
                                case["objective"], options)
    wall = time.perf_counter() - tick
    assert validate(result.schedule, case["jobs"], case["pods"], case["signals"],
                    case["limits"]) == []
    asap_obj = result.baselines["asap"].metrics.objective
    greedy = result.baselines["greedy"]
    assert greedy.status == "feasible"  # the repaired greedy places every job here
    assert validate(greedy.schedule, case["jobs"], case["pods"], case["signals"],
                    case["limits"]) == []
    assert result.objective <= asap_obj * (1 - DEFAULT_SCENARIO_MIN_SAVING_VS_ASAP)
    assert result.objective <= greedy.metrics.objective * (
        1 - DEFAULT_SCENARIO_MIN_SAVING_VS_GREEDY)
    assert result.best_bound <= result.objective
    assert result.gap <= DEFAULT_SCENARIO_MAX_GAP
    assert result.build_s + result.solve_s <= time_limit + 1.0
    assert wall <= time_limit + 5.0  # + baselines and input checks
