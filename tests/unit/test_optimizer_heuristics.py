"""Baselines, placement and local search without a solver: exact checks on small cases.

* the run-limited cheapest-hours programme against brute force over every hour set;
* the repaired greedy never leaves a job unplaced where ASAP places them all (and on
  these tight instances the plain greedy rule does, so the repair is exercised), also
  when its work limit is reached;
* local search and ruin and recreate never return a worse schedule, and every schedule
  passes the independent validator;
* the solve-free lower bound is below every schedule found;
* a job that must go on running from a previous rolling window is placed before the
  others; one with a run to spare keeps its deadline order.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from optimizer import (
    Objective,
    Pods,
    asap,
    evaluate,
    greedy,
    make_instance,
    prepare_problem,
    validate,
)
from optimizer.baselines import _place_all
from optimizer.heuristics import simple_bound
from optimizer.localsearch import improve, plan_objective
from optimizer.placement import cheapest_hours
from optimizer.plan import Plan
from optimizer.ruin import ruin_and_recreate
from optimizer.schedule import to_frame
from tests.tolerances import OPTIMIZER_OBJECTIVE_RTOL


def need_h(work_h, overhead_h, runs):
    """Whole hours for the work in ``runs`` runs, each past the first adding the overhead
    (written out here, not optimizer.placement.runs_needed_h, which is under test)."""
    return math.ceil(work_h + overhead_h * (runs - 1) - 1e-9)


def brute_force_hours(cost, ok, work_h, overhead_h, max_runs):
    best = np.inf
    for size in range(1, len(cost) + 1):
        for hours in itertools.combinations(np.flatnonzero(ok), size):
            runs = 1 + int(np.sum(np.diff(hours) > 1))
            if runs <= max_runs and size >= need_h(work_h, overhead_h, runs):
                best = min(best, float(cost[list(hours)].sum()))
    return best


def test_cheapest_hours_matches_brute_force():
    rng = np.random.default_rng(7)
    for _ in range(150):
        n = int(rng.integers(3, 10))
        cost = rng.uniform(0.1, 5.0, n).round(2)
        ok = rng.random(n) < 0.8
        work = float(rng.integers(1, 5))
        overhead = float(rng.choice([0.0, 0.5, 1.0]))
        runs = int(rng.integers(1, 4))
        hours = cheapest_hours(cost, ok, work, overhead, runs)
        expected = brute_force_hours(cost, ok, work, overhead, runs)
        if not np.isfinite(expected):
            assert hours is None
            continue
        assert hours is not None and ok[hours].all()
        n_runs = 1 + int(np.sum(np.diff(hours) > 1))
        assert n_runs <= runs and len(hours) == need_h(work, overhead, n_runs)
        assert cost[hours].sum() == pytest.approx(expected, rel=OPTIMIZER_OBJECTIVE_RTOL)


def tight_instance(seed):
    """Few pods, big jobs, little slack: greedy's cheap windows crowd out later jobs."""
    return make_instance(14, 48, seed=seed, n_pods=2, preemptible_share=0.4, tightness=0.75,
                         duration_h=(3, 10), slack_h=(2, 10), power_kw=(150, 400),
                         restart_overhead_h=0.5)


def test_repaired_greedy_never_fails_where_asap_succeeds():
    plain_failures = 0
    for seed in range(60):
        inst = tight_instance(seed)
        problem = prepare_problem(inst.jobs, inst.signals, inst.pods)
        base_asap, base_greedy = asap(problem), greedy(problem)
        plain_failures += _place_all(problem, "greedy").status != "feasible"
        if base_asap.status == "feasible":
            assert base_greedy.status == "feasible", f"seed {seed}: {base_greedy.unplaced}"
        if base_greedy.status == "feasible":
            schedule = to_frame(problem, base_greedy.assignment)
            assert validate(schedule, inst.jobs, inst.pods, inst.signals) == []
    assert plain_failures >= 3  # the repair was needed on some of these instances


def energy_weight(problem, assignment) -> float:
    """The greedy rule's cost of a schedule: each job-hour's IT power times its pod's
    energy weight [currency]."""
    weight = problem.pod_energy_weight[assignment.pod, assignment.t]
    return float((problem.jobs.power_kw[assignment.job] * weight).sum())


@pytest.mark.parametrize("per_job", [0, 3])
def test_greedy_within_its_work_limit_places_every_job_asap_places(monkeypatch, per_job):
    """With the repairs' work spent (none at all, or a few placements per job), the jobs
    after greedy's safe prefix start from ASAP's placements and each moves once to its
    greedy placement: still every job placed and valid, and with no work at all never
    dearer by the greedy rule than ASAP (each move lowers or keeps its job's cost)."""
    monkeypatch.setattr("optimizer.baselines.REPAIR_PLACEMENTS_PER_JOB", per_job)
    limited = 0
    for seed in range(60):
        inst = tight_instance(seed)
        problem = prepare_problem(inst.jobs, inst.signals, inst.pods)
        base_asap, base_greedy = asap(problem), greedy(problem)
        if base_asap.status != "feasible":
            continue
        assert base_greedy.status == "feasible", f"seed {seed}: {base_greedy.unplaced}"
        schedule = to_frame(problem, base_greedy.assignment)
        assert validate(schedule, inst.jobs, inst.pods, inst.signals) == []
        if _place_all(problem, "greedy").status == "feasible":
            continue
        limited += 1
        if per_job == 0:
            assert energy_weight(problem, base_greedy.assignment) <= energy_weight(
                problem, base_asap.assignment) * (1 + 1e-12)
    assert limited >= 2  # the work limit was reached on some of these instances


@pytest.mark.parametrize("demand_charge", [0.0, 30.0])
def test_local_search_is_never_worse_and_valid(demand_charge):
    objective = Objective(carbon_price_per_t=40.0, demand_charge_per_kw=demand_charge)
    for seed in range(6):
        inst = make_instance(24, 96, seed=seed, n_pods=3, preemptible_share=0.5,
                             tightness=0.5, restart_overhead_h=1.0)
        problem = prepare_problem(inst.jobs, inst.signals, inst.pods, objective=objective)
        start = asap(problem).assignment
        before = evaluate(problem, start).objective
        local = improve(problem, start, time_budget_s=5.0)
        plan = ruin_and_recreate(problem, Plan.of(problem, local), time.perf_counter() + 0.3,
                                 seed=seed)
        searched = plan.assignment()
        after_local = evaluate(problem, local).objective
        after = evaluate(problem, searched).objective
        assert after <= after_local * (1 + 1e-12) and after_local <= before * (1 + 1e-12)
        assert after < before  # ASAP is never locally optimal on these instances
        assert plan_objective(problem, plan) == pytest.approx(after, rel=1e-9)
        for a in (local, searched):
            schedule = to_frame(problem, a)
            assert validate(schedule, inst.jobs, inst.pods, inst.signals) == []
        assert simple_bound(problem) <= after


def test_simple_bound_is_exact_for_one_job_per_pod_and_no_coupling():
    # a single non-preemptible job without limits: the bound is its best window
    inst = make_instance(1, 48, seed=3, n_pods=1, preemptible_share=0.0, tightness=0.1)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods)
    best = greedy(problem)
    assert simple_bound(problem) == pytest.approx(best.metrics.objective,
                                                  rel=OPTIMIZER_OBJECTIVE_RTOL)


def _window_after_a_run(n_hours: int, rows: list[dict]):
    """A rolling window on one 100 kW pod at a flat price whose first job ("a") ran just
    before it: 2 h done, one run started, pinned to the pod."""
    idx = pd.date_range("2025-07-01", periods=n_hours, freq="h", tz="Asia/Shanghai")
    signals = pd.DataFrame({"price_per_kwh": 1.0, "carbon_g_per_kwh": 0.0}, index=idx)
    pods = Pods(capacity_kw=pd.DataFrame({"p": 100.0}, index=idx))
    jobs = pd.DataFrame([{"release": idx[0], "power_kw": 100.0, **row} for row in rows])
    jobs["deadline"] = [idx[0] + pd.Timedelta(hours=h) for h in jobs.pop("deadline_h")]
    problem = prepare_problem(jobs, signals, pods)
    state = replace(problem.jobs, done_h=np.array([2.0, 0.0]), starts_done=np.array([1, 0]),
                    running_before=np.array([True, False]), pinned_pod=np.array([0, -1]))
    return replace(problem, jobs=state)


def test_baselines_let_a_running_job_go_on_first():
    # A rolling window: job "a" ran just before it, has no run left and 2 h of work, so
    # it must run at hours 0-1 on its pod. Job "b" has the earlier deadline; placed first
    # (plain EDF) it took hours 0-1 and left "a" no room (seen in the year benchmark).
    problem = _window_after_a_run(6, [
        {"job_id": "a", "deadline_h": 6, "duration_h": 4, "preemptible": True,
         "max_interruptions": 0},
        {"job_id": "b", "deadline_h": 5, "duration_h": 2, "preemptible": False,
         "max_interruptions": None},
    ])
    for base in (asap(problem), greedy(problem)):
        assert base.status == "feasible", base.unplaced
        a = base.assignment
        assert sorted(a.t[a.job == 0].tolist()) == [0, 1]


def test_baselines_keep_a_running_job_with_a_run_to_spare_in_deadline_order():
    # A rolling window: job "a" ran just before it but may still resume twice, and is due
    # at hour 8; job "b" is due at hour 3 and needs hours 0-2 of the only pod. Before the
    # fix every running job came first, "a" took hours 0-3 and left "b" no room, so ASAP,
    # greedy (and LP-guided placement) failed on a feasible window (seen stranding a
    # rolling run of 2000 preemptible jobs x 2000 h: window 38, seed 4).
    problem = _window_after_a_run(8, [
        {"job_id": "a", "deadline_h": 8, "duration_h": 6, "preemptible": True,
         "max_interruptions": 2},
        {"job_id": "b", "deadline_h": 3, "duration_h": 3, "preemptible": True,
         "max_interruptions": 0},
    ])
    for base in (asap(problem), greedy(problem)):
        assert base.status == "feasible", (base.name, base.unplaced)
        a = base.assignment
        assert sorted(a.t[a.job == 1].tolist()) == [0, 1, 2]
        assert sorted(a.t[a.job == 0].tolist()) == [3, 4, 5, 6]


def test_a_window_job_with_all_work_done_still_runs_its_owed_restart_hours():
    # A rolling window: job "a" (3 runs started, 1 h overhead per resume) has done all
    # 4 h of work but owes 2 h of restart overhead. Before the fix the baselines and the
    # local search gave it no hours (its work was "done"), the window's schedule left
    # the job unfinished and the next window found its deadline in the past.
    idx = pd.date_range("2025-07-01", periods=6, freq="h", tz="Asia/Shanghai")
    signals = pd.DataFrame({"price_per_kwh": [3.0, 1.0, 2.0, 1.0, 5.0, 5.0],
                            "carbon_g_per_kwh": 0.0}, index=idx)
    pods = Pods(capacity_kw=pd.DataFrame({"p": 100.0}, index=idx))
    jobs = pd.DataFrame([
        {"job_id": "a", "release": idx[0], "deadline": idx[0] + pd.Timedelta(hours=6),
         "duration_h": 4, "power_kw": 100.0, "preemptible": True, "max_interruptions": 3,
         "restart_overhead_h": 1.0},
    ])
    problem = prepare_problem(jobs, signals, pods)
    state = replace(problem.jobs, done_h=np.array([4.0]), starts_done=np.array([3]),
                    running_before=np.array([True]), pinned_pod=np.array([0]))
    problem = replace(problem, jobs=state)
    assert problem.jobs.required_h()[0] == 2.0
    for base in (asap(problem), greedy(problem)):
        assert base.status == "feasible", base.unplaced
        hours = sorted(base.assignment.t.tolist())
        # continuing at hour 0 adds no run (2 h owed); a later start adds a 4th run (3 h)
        assert hours == [0, 1] or (len(hours) >= 3 and hours[0] > 0), (base.name, hours)
    # every schedule meets the model's rows (work with owed overhead, runs, capacity)
    from optimizer.linear import violated_rows
    from optimizer.model import build_model, values_from_assignment

    built = build_model(problem)
    local = improve(problem, greedy(problem).assignment, time_budget_s=1.0)
    for a in (asap(problem).assignment, greedy(problem).assignment, local):
        assert violated_rows(built.model, values_from_assignment(built, a)) == []


def test_greedy_runs_no_hour_past_the_work_and_restarts_it_needs():
    """Growing a preemptible job's hours to pay for restarts can join its runs; the
    hours then to spare were kept (greensboro: a 20 h job with 1 h overhead ran 23 h in
    2 runs), which the model's job_work_cap row refuses, so the schedule could not
    seed the search. Over instances with restart overheads and fragmented cheap hours,
    every baseline and local-search schedule meets every model row."""
    from optimizer.linear import violated_rows
    from optimizer.model import build_model, values_from_assignment

    checked = 0
    for seed in range(12):
        inst = make_instance(10, 72, seed=seed, n_pods=2, preemptible_share=1.0,
                             tightness=0.5, duration_h=(6, 20), slack_h=(10, 40),
                             restart_overhead_h=1.0)
        problem = prepare_problem(inst.jobs, inst.signals, inst.pods)
        built = build_model(problem)
        for base in (asap(problem), greedy(problem)):
            if base.status != "feasible":
                continue
            checked += 1
            x = values_from_assignment(built, base.assignment)
            assert violated_rows(built.model, x) == [], (seed, base.name)
            a = base.assignment
            for j in np.unique(a.job):  # no job runs an hour it does not need
                hours = np.sort(a.t[a.job == j])
                runs = 1 + int(np.sum(np.diff(hours) > 1))
                work = problem.jobs.duration_h[j] + problem.jobs.overhead_h[j] * (runs - 1)
                assert len(hours) < work + 1, (seed, base.name, j, len(hours), runs)
    assert checked >= 12


def test_the_model_check_catches_a_schedule_missing_a_job():
    from optimizer.linear import violated_rows
    from optimizer.model import build_model, values_from_assignment
    from optimizer.schedule import Assignment

    inst = make_instance(8, 48, seed=5, n_pods=2, preemptible_share=0.5, tightness=0.3)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods)
    built = build_model(problem)
    good = greedy(problem).assignment
    assert violated_rows(built.model, values_from_assignment(built, good)) == []
    keep = good.job != good.job[0]
    broken = violated_rows(built.model, values_from_assignment(
        built, Assignment(good.job[keep], good.pod[keep], good.t[keep])))
    assert broken and broken[0][2] > 0
