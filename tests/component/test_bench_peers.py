"""The peers of bench/bench_peers.py solve coolshift's problem, not a neighbour of it.

* On a tiny capacity-coupled instance (preemptible jobs with interruption limits,
  cooling dip, prorated demand charge) the plain HiGHS formulation and coolshift reach
  the same optimum, and so does the CP-SAT model (within its documented rounding; skipped
  without ortools).
* The converter to coolshift's schedule table and the independent validator catch a
  broken schedule (a job split, moved out of its window, short of work, on two pods).
* A solver process that passes the bench's hard wall limit is killed and reported, not
  waited for.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from bench import bench_peers, peers
from optimizer import (
    Objective,
    SolverOptions,
    evaluate,
    make_instance,
    make_pods,
    prepare_problem,
    solve_problem,
    validate,
)
from optimizer.schedule import from_frame

RTOL = 1e-6


@pytest.fixture(scope="module")
def tiny():
    """8 jobs x 24 h on 2 pods of 700 kW (30 % baseline, cooling -15 % at 15:00), half
    the jobs preemptible (1-4 interruptions), 100-300 kW each: pod room binds."""
    inst = make_instance(8, 24, seed=4, n_pods=2, preemptible_share=0.5,
                         duration_h=(2, 6), slack_h=(2, 10), power_kw=(100, 300))
    pods = make_pods(inst.signals.index, inst.pods.names, 700.0, baseline_share=0.3,
                     cooling_dip=0.15, seed=4)
    inst = replace(inst, pods=pods)
    objective = Objective(carbon_price_per_t=50.0, demand_charge_per_kw=40.0)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods, objective=objective)
    return inst, problem


@pytest.fixture(scope="module")
def optimum(tiny):
    _, problem = tiny
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_problem(problem, SolverOptions(time_limit_s=30.0, rel_gap=1e-9))
    assert result.status == "optimal"
    return result


@pytest.fixture(scope="module")
def plain(tiny):
    _, problem = tiny
    return peers.solve_plain(problem, time_limit_s=30.0)


def _score(tiny, r: peers.PeerResult) -> tuple[float, list]:
    inst, problem = tiny
    table = peers.schedule_table(problem, r.job, r.pod, r.t)
    return (evaluate(problem, from_frame(problem, table)).objective,
            validate(table, inst.jobs, inst.pods, inst.signals))


def test_tiny_instance_couples_jobs(tiny, plain):
    """Capacity, interruption limits and the demand charge all matter here."""
    _inst, problem = tiny
    assert problem.jobs.preemptible.any() and (~problem.jobs.preemptible).any()
    assert (problem.jobs.max_starts[problem.jobs.preemptible] < 10).all()
    assert problem.has_demand_charge and problem.month_share[0] < 1  # prorated: 24 h of July
    loose = replace(problem, headroom_kw=np.full_like(problem.headroom_kw, 1e6),
                    cooling_headroom_kw=np.full_like(problem.headroom_kw, np.inf))
    free = peers.solve_plain(loose, time_limit_s=30.0)
    assert free.objective < plain.objective * (1 - 1e-2)  # pod room binds


def test_plain_highs_reaches_coolshift_optimum(tiny, optimum, plain):
    assert plain.status == "optimal"
    score, violations = _score(tiny, plain)
    assert violations == []
    assert score == pytest.approx(plain.objective, rel=RTOL)  # own objective = evaluate's
    assert score == pytest.approx(optimum.objective, rel=RTOL)
    assert plain.bound == pytest.approx(optimum.objective, rel=1e-4)


def test_cpsat_reaches_coolshift_optimum(tiny, optimum):
    pytest.importorskip("ortools")
    _, problem = tiny
    r = peers.solve_cpsat(problem, time_limit_s=30.0, workers=1)
    assert r.status == "optimal"
    score, violations = _score(tiny, r)
    assert violations == []
    rounding = peers.cpsat_rounding_bound(problem)
    assert rounding < 1e-4 * optimum.objective
    assert abs(r.objective - score) <= rounding
    assert score <= optimum.objective + 2 * rounding
    assert score >= optimum.objective * (1 - RTOL)


def test_converter_and_validate_catch_broken_schedules(tiny, plain):
    _, problem = tiny
    jobs = problem.jobs
    assert _score(tiny, plain)[1] == []
    job, pod, t = plain.job, plain.pod, plain.t
    np_job = int(np.flatnonzero(~jobs.preemptible & (jobs.deadline < problem.n_hours))[0])
    pre_job = int(np.flatnonzero(jobs.preemptible)[0])
    rows_np = np.flatnonzero(job == np_job)
    last = rows_np[np.argmax(t[rows_np])]
    first = rows_np[np.argmin(t[rows_np])]

    def kinds(j, p, h):
        return {v.kind for v in _score(tiny, peers.PeerResult(
            "x", 0.0, 0.0, 0.0, 0.0, 0.0, j, p, h))[1]}

    hole = t.copy()
    hole[last] += 1  # ..., end - 1, end + 1: two pieces
    assert "contiguity" in kinds(job, pod, hole)
    late = t.copy()
    late[rows_np] += jobs.deadline[np_job] - t[last]  # ends one hour after the deadline
    assert "window" in kinds(job, pod, late)
    short = np.flatnonzero(job != pre_job) if (job == pre_job).any() else np.arange(len(job))
    keep = np.concatenate([short, np.flatnonzero(job == pre_job)[1:]])
    assert "work" in kinds(job[keep], pod[keep], t[keep])
    other = pod.copy()
    allowed = np.flatnonzero(jobs.allowed[np_job])
    other[first] = allowed[allowed != pod[first]][0]
    assert "pod_split" in kinds(job, other, t)


def test_plain_model_refuses_what_it_does_not_model(tiny):
    _, problem = tiny
    jobs = replace(problem.jobs, overhead_h=np.where(problem.jobs.preemptible, 1.0, 0.0))
    with pytest.raises(peers.Unsupported):
        peers.build_plain(replace(problem, jobs=jobs))


def test_hard_wall_limit_kills_a_solver_process():
    args = SimpleNamespace(seed=1, tightness=0.7, time_limit=60.0)
    meta, arrays = bench_peers._subprocess("coolshift", "50x48", 0.5, args, 1, hard_s=0.5)
    assert arrays is None
    assert meta["status"].startswith("killed at the hard wall limit")
    assert meta["wall_s"] < 10
