"""Hand-checkable cases, one per constraint family, each with its exact optimum.

Signals: carbon 0, facility factor 1 unless said; objective = sum price x kWh (+ demand).
Every returned schedule passes through the independent validator.
"""

from __future__ import annotations

import itertools
import time
import warnings

import highspy
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from optimizer import (
    InfeasibleError,
    Limits,
    Objective,
    Pods,
    SolverOptions,
    TimeLimitWarning,
    build_model,
    make_instance,
    pareto_front,
    prepare_problem,
    solve_problem,
    solve_rolling,
    solve_schedule,
    validate,
)
from tests.optimizer_cases import EXACT, T0, hours
from tests.tolerances import OPTIMIZER_OBJECTIVE_RTOL, ROLLING_VS_MONOLITHIC_RTOL


def signals(prices, ff=None, fixed=None):
    s = pd.DataFrame({"price_per_kwh": list(map(float, prices)), "carbon_g_per_kwh": 0.0},
                     index=hours(len(prices)))
    if ff is not None:
        s["facility_factor"] = ff
    if fixed is not None:
        s["fixed_overhead_kw"] = fixed
    return s


def job(job_id, r, d, dur, kw=100.0, pre=False, **extra):
    row = {"job_id": job_id, "release": T0 + pd.Timedelta(hours=r),
           "deadline": T0 + pd.Timedelta(hours=d), "duration_h": dur, "power_kw": kw,
           "preemptible": pre}
    row.update(extra)
    return row


def frame(values, n, names):
    arr = np.asarray(values, dtype=float)
    arr = np.broadcast_to(arr.T if arr.ndim == 2 else arr, (n, len(names))).copy()
    return pd.DataFrame(arr, index=hours(n), columns=list(names))


NO_LIMITS, PLAIN = Limits(), Objective()


def solve(jobs, sig, pods=None, limits=NO_LIMITS, objective=PLAIN, options=EXACT):
    jobs = pd.DataFrame(jobs)
    result = solve_schedule(jobs, sig, pods, limits, objective, options)
    assert validate(result.schedule, jobs, pods, sig, limits) == []
    return result


def run_hours(result, job_id):
    rows = result.schedule[result.schedule["job_id"] == job_id]
    return sorted(int((t - T0) / pd.Timedelta(hours=1)) for t in rows["timestamp"])


def test_pod_capacity_forces_a_shift():
    sig = signals([1, 2, 3])
    jobs = [job("a", 0, 3, 1), job("b", 0, 3, 1)]
    free = solve(jobs, sig)
    assert free.objective == pytest.approx(200.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    pods = Pods(capacity_kw=frame(100.0, 3, ["p"]))
    tight = solve(jobs, sig, pods)
    assert tight.objective == pytest.approx(100 * 1 + 100 * 2, rel=OPTIMIZER_OBJECTIVE_RTOL)
    assert sorted(run_hours(tight, "a") + run_hours(tight, "b")) == [0, 1]


def test_cooling_capacity_shrinking_in_a_hot_hour_binds():
    sig = signals([1, 2, 3])
    pods = Pods(capacity_kw=frame(200.0, 3, ["p"]),
                cooling_capacity_kw=frame([[50, 200, 200]], 3, ["p"]))
    result = solve([job("a", 0, 3, 1)], sig, pods)
    assert run_hours(result, "a") == [1]
    assert result.objective == pytest.approx(200.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    model = build_model(prepare_problem(pd.DataFrame([job("a", 0, 3, 1)]), sig, pods)).model
    assert [k for k in model.cooling_capacity] == [("p", 0)]  # only where cooling is tighter


def test_site_grid_limit_binds_on_facility_power():
    sig = signals([1, 2, 3], ff=1.5)
    pods = Pods(capacity_kw=frame(np.inf, 3, ["p1", "p2"]))
    jobs = [job("a", 0, 3, 1, pods="p1"), job("b", 0, 3, 1, pods="p2")]
    free = solve(jobs, sig, pods)
    assert free.objective == pytest.approx(1.5 * 200, rel=OPTIMIZER_OBJECTIVE_RTOL)
    limited = solve(jobs, sig, pods, Limits(grid_limit_kw=150.0))
    assert limited.objective == pytest.approx(1.5 * (100 + 200), rel=OPTIMIZER_OBJECTIVE_RTOL)
    assert limited.peak_kw == pytest.approx(150.0)


def test_demand_charge_flattens_the_peak():
    sig = signals([1.0, 1.1])
    jobs = [job("a", 0, 2, 1), job("b", 0, 2, 1)]
    energy_only = solve(jobs, sig)
    assert energy_only.peak_kw == pytest.approx(200.0)
    # whole-month billing keeps the arithmetic plain (prorating scales the charge)
    charged = solve(jobs, sig, objective=Objective(demand_charge_per_kw=10.0,
                                                   billing="full_month"))
    # both at hour 0: 200 + 10 x 200 = 2200; split: 100 + 110 + 10 x 100 = 1210
    assert charged.objective == pytest.approx(1210.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    assert charged.peak_kw == pytest.approx(100.0)
    assert charged.best_bound == pytest.approx(1210.0, rel=1e-6)


def _month_end_case():
    """One preemptible 2 h job of 100 kW over 4 flat-price hours, 2 in July and 2 in August."""
    idx = pd.date_range("2025-07-31T22:00", periods=4, freq="h", tz="Asia/Shanghai")
    sig = pd.DataFrame({"price_per_kwh": [1.0, 1.0, 1.0, 1.0], "carbon_g_per_kwh": 0.0},
                       index=idx)
    jobs = pd.DataFrame([{"job_id": "a", "release": idx[0], "deadline": idx[-1] + pd.Timedelta(
        hours=1), "duration_h": 2, "power_kw": 100.0, "preemptible": True}])
    return jobs, sig


def test_demand_charge_is_per_calendar_month():
    jobs, sig = _month_end_case()
    result = solve_schedule(jobs, sig, objective=Objective(demand_charge_per_kw=1.0,
                                                           billing="full_month"),
                            options=EXACT)
    # any 2 hours cost 200 of energy; 2 hours in one month -> peak 100 there, 0 in the
    # other month = 100; one hour in each month -> 100 + 100 = 200
    assert result.objective == pytest.approx(300.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    months = {t.month for t in result.schedule["timestamp"]}
    assert len(months) == 1


def test_interruption_limit():
    sig = signals([1, 5, 1, 5, 2])
    free = solve([job("a", 0, 5, 2, pre=True)], sig)
    assert run_hours(free, "a") == [0, 2]
    assert free.objective == pytest.approx(200.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    once = solve([job("a", 0, 5, 2, pre=True, max_interruptions=0)], sig)
    assert once.objective == pytest.approx(600.0, rel=OPTIMIZER_OBJECTIVE_RTOL)


@pytest.mark.parametrize("overhead", [0.5, 1.0])
def test_restart_overhead(overhead):
    sig = signals([1, 9, 9, 1, 2, 9])
    free = solve([job("a", 0, 6, 2, pre=True)], sig)
    assert run_hours(free, "a") == [0, 3]
    paid = solve([job("a", 0, 6, 2, pre=True, restart_overhead_h=overhead)], sig)
    # two runs need 2 + overhead -> 3 h: {0},{3,4} = 400; one run {3,4} = 300
    assert run_hours(paid, "a") == [3, 4]
    assert paid.objective == pytest.approx(300.0, rel=OPTIMIZER_OBJECTIVE_RTOL)


def test_pod_choice_by_facility_factor_and_allowed_pods():
    sig = signals([1, 2])
    pods = Pods(capacity_kw=frame(np.inf, 2, ["A", "B"]),
                facility_factor=pd.DataFrame({"A": [2.0, 2.0], "B": [1.0, 1.0]}, index=hours(2)))
    best = solve([job("j", 0, 2, 1)], sig, pods)
    assert set(best.schedule["pod"]) == {"B"}
    assert best.objective == pytest.approx(100.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    only_a = solve([job("j", 0, 2, 1, pods="A")], sig, pods)
    assert only_a.objective == pytest.approx(200.0, rel=OPTIMIZER_OBJECTIVE_RTOL)


def test_preemptible_job_never_splits_across_pods():
    sig = signals([1, 1, 5, 5])
    pods = Pods(capacity_kw=frame(100.0, 4, ["A", "B"]),
                baseline_kw=pd.DataFrame({"A": [0, 100, 0, 0], "B": [100, 0, 0, 0]},
                                         index=hours(4), dtype=float))
    result = solve([job("j", 0, 4, 2, pre=True)], sig, pods)
    # baseline energy 100 + 100 kWh at price 1 = 200 in any schedule; the job split
    # A@0 + B@1 would add 200; on one pod the best is 1 + 5 -> 600
    assert result.schedule["pod"].nunique() == 1
    assert result.objective == pytest.approx(200.0 + 600.0, rel=OPTIMIZER_OBJECTIVE_RTOL)


def test_solver_infeasibility_names_hours_and_jobs():
    sig = signals([1, 2, 3, 4])
    pods = Pods(capacity_kw=frame(100.0, 4, ["p"]))
    jobs = pd.DataFrame([job("a", 0, 2, 1), job("b", 0, 2, 1), job("c", 0, 2, 1),
                         job("free", 2, 4, 1)])
    with pytest.raises(InfeasibleError) as info:
        solve_schedule(jobs, sig, pods, options=EXACT)
    assert set(info.value.jobs) >= {"a", "b", "c"} and "free" not in info.value.jobs
    assert set(info.value.hours) <= {T0, T0 + pd.Timedelta(hours=1)} and info.value.hours
    assert "pod 'p' IT capacity" in str(info.value)


@pytest.fixture(scope="module")
def coupled():
    inst = make_instance(16, 72, seed=11, n_pods=3, preemptible_share=0.5, tightness=0.3,
                         restart_overhead_h=1.0)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods,
                              objective=Objective(carbon_price_per_t=80))
    return inst, problem


@pytest.fixture(scope="module")
def coupled_solved(coupled):
    """The coupled instance solved to a 1e-6 gap through each interface: one solve per
    interface serves both tests below (each solved it again before)."""
    _, problem = coupled
    return {interface: solve_problem(problem, SolverOptions(rel_gap=1e-6, time_limit_s=30,
                                                            interface=interface))
            for interface in ("direct", "pyomo")}


def test_milp_never_worse_than_greedy_and_valid(coupled, coupled_solved):
    inst, _ = coupled
    for result in coupled_solved.values():
        assert validate(result.schedule, inst.jobs, inst.pods, inst.signals) == []
        greedy = result.baselines["greedy"]
        if greedy.status == "feasible":
            assert validate(greedy.schedule, inst.jobs, inst.pods, inst.signals) == []
            assert result.objective <= greedy.metrics.objective * (1 + 1e-9)
        assert validate(result.baselines["asap"].schedule, inst.jobs, inst.pods,
                        inst.signals) == []
        assert result.best_bound <= result.objective * (1 + 1e-9)
        assert 0 <= result.gap <= 1e-3 + 1e-9 or result.status == "time_limit_feasible"


def test_pyomo_interface_and_direct_agree(coupled_solved):
    a, b = coupled_solved["direct"], coupled_solved["pyomo"]
    assert a.objective == pytest.approx(b.objective, rel=1e-5)


def _every_family_model():
    """A small model with every row family: pulse and run binaries, pod choice, restart
    overhead, grid limit and demand charge."""
    inst = make_instance(6, 30, seed=3, n_pods=2, preemptible_share=0.5, tightness=0.3,
                         restart_overhead_h=0.5)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods, Limits(grid_limit_kw=1e6),
                              Objective(demand_charge_per_kw=3.0))
    return build_model(problem)


def test_recorded_matrix_is_pyomos_own_standard_form():
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    built = _every_family_model()
    from optimizer.linear import stacked_matrix

    ours, _, _ = stacked_matrix(built.model)
    repn = LinearStandardFormCompiler().write(built.model, mixed_form=True, set_sense=None)
    position = {id(v): i for i, v in enumerate(built.model.record.variables)}
    cols = [position[id(v)] for v in repn.columns]
    theirs = repn.A.toarray()
    # rebuild theirs in our column order and compare row by row as sets
    full = np.zeros((theirs.shape[0], ours.shape[1]))
    full[:, cols] = theirs
    dense = ours.toarray()
    mine = {tuple(np.round(r, 9)) for r in dense}
    pyomo_rows = {tuple(np.round(r, 9)) for r in full} | {tuple(np.round(-r, 9)) for r in full}
    assert mine <= pyomo_rows
    assert dense.shape[0] <= theirs.shape[0] <= 2 * dense.shape[0]
    from optimizer.linear import objective_vector

    cost = np.zeros(ours.shape[1])
    cost[cols] = np.asarray(repn.c.todense()).ravel()
    assert np.allclose(cost, objective_vector(built.model))


def test_highs_holds_exactly_the_recorded_model():
    # to_highs passes raw arrays (row-wise matrix, int32 integrality): a wrong format
    # flag, start array or integrality code would load a different model silently
    from optimizer.linear import objective_vector, stacked_matrix, to_highs

    built = _every_family_model()
    rec = built.model.record
    lp = to_highs(built.model).getLp()
    ours, lower, upper = stacked_matrix(built.model)
    a = lp.a_matrix_
    kind = sp.csc_matrix if a.format_ == highspy.MatrixFormat.kColwise else sp.csr_matrix
    held = kind((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)),
                shape=(lp.num_row_, lp.num_col_))
    assert (held != ours).nnz == 0
    assert np.array_equal(np.asarray(lp.row_lower_), lower)
    assert np.array_equal(np.asarray(lp.row_upper_), upper)
    assert np.array_equal(np.asarray(lp.col_lower_), np.concatenate(rec.col_lower))
    assert np.array_equal(np.asarray(lp.col_upper_), np.concatenate(rec.col_upper))
    assert np.array_equal(np.asarray(lp.col_cost_), objective_vector(built.model))
    assert lp.offset_ == rec.obj_constant
    integer = [t == highspy.HighsVarType.kInteger for t in lp.integrality_]
    assert integer == np.concatenate(rec.col_integer).tolist()
    assert 0 < sum(integer) < len(integer)


def test_time_limited_solve_returns_incumbent_with_gap_and_warns():
    inst = make_instance(120, 168, seed=2, n_pods=4, preemptible_share=0.5, tightness=0.6)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods,
                              objective=Objective(carbon_price_per_t=50, demand_charge_per_kw=8))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = solve_problem(problem, SolverOptions(time_limit_s=0.5, rel_gap=0.0))
    assert result.status == "time_limit_feasible"
    assert any(issubclass(w.category, TimeLimitWarning) for w in caught)
    assert result.gap > 0 and np.isfinite(result.best_bound)
    assert validate(result.schedule, inst.jobs, inst.pods, inst.signals) == []


def test_pareto_front_trades_cost_for_carbon():
    # 6 jobs: each point solves to optimality in well under a second (8 jobs waited on
    # the 3 s limit at every point)
    inst = make_instance(6, 48, seed=4, n_pods=2, preemptible_share=0.5, tightness=0.3)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods)
    front = pareto_front(problem, n_points=3, options=SolverOptions(rel_gap=1e-3,
                                                                   time_limit_s=3))
    assert set(front["status"]) <= {"optimal", "time_limit_feasible"}
    clean, middle, cheap = (front.iloc[i] for i in range(3))
    assert middle["carbon_kg"] <= middle["eps_carbon_kg"] * (1 + 1e-6)
    assert clean["carbon_kg"] < cheap["carbon_kg"]
    assert cheap["cost"] <= min(clean["cost"], middle["cost"]) * (1 + 1e-3)


def test_rolling_month_within_one_percent_of_monolithic():
    inst = make_instance(60, 720, seed=3, n_pods=4, preemptible_share=0.5, tightness=0.3,
                         restart_overhead_h=0.5)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods,
                              objective=Objective(carbon_price_per_t=50))
    mono = solve_problem(problem, SolverOptions(time_limit_s=60))
    said = []
    tick = time.perf_counter()
    rolling = solve_rolling(problem, SolverOptions(time_limit_s=20), progress=said.append)
    wall_s = time.perf_counter() - tick
    assert rolling.status in ("rolling_optimal", "rolling_time_limit_feasible")
    assert len(rolling.windows) > 20
    # progress names every window out of the right total, (720 - 168) / 24 + 1 = 24, and
    # the time left of the one limit the windows share
    assert [text.split(",")[0] for text in said] == [f"window {k}/24" for k in range(1, 25)]
    left = [float(text.split(", ")[1].split(" s left")[0]) for text in said]
    assert left[0] <= 20 and all(b <= a for a, b in itertools.pairwise(left))
    # the whole rolling solve keeps to the limit (whole-horizon baselines and the
    # result's tables after the last window: a little over)
    assert wall_s < 20 * 1.25
    assert all(w.budget_s <= 20 for w in rolling.windows)
    for result in (mono, rolling):
        assert validate(result.schedule, inst.jobs, inst.pods, inst.signals) == []
    assert rolling.objective <= mono.objective * (1 + ROLLING_VS_MONOLITHIC_RTOL)


def _second_window_fails(monkeypatch, error: Exception):
    """A 240 h instance whose rolling solve raises ``error`` in its second window's
    stages (counted in the returned list: clear it to start again)."""
    import optimizer.rolling as rolling_module

    inst = make_instance(20, 240, seed=4, n_pods=2, preemptible_share=0.5, tightness=0.3)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods)
    real, calls = rolling_module.run_stages, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(rolling_module, "run_stages", failing)
    return inst, problem, calls


def test_a_rolling_window_without_a_schedule_falls_back_to_the_whole_horizon_baseline(
        monkeypatch):
    # seen on a built-in scenario under CI load at 2 s per window: one window's MILP found
    # nothing in time; the run must return a valid schedule, not fail
    import optimizer.rolling as rolling_module

    inst, problem, _ = _second_window_fails(
        monkeypatch, rolling_module.NoSolutionError("no schedule in time (test)"))
    with pytest.warns(UserWarning, match="returning the whole-horizon (greedy|asap) schedule"):
        result = solve_rolling(problem, SolverOptions(time_limit_s=2))
    assert result.status == "rolling_time_limit_feasible"
    assert result.source in ("greedy", "asap")
    assert validate(result.schedule, inst.jobs, inst.pods, inst.signals) == []


def test_a_window_the_commitments_make_infeasible_is_stranded_not_infeasible(monkeypatch):
    """A window proven infeasible given the hours committed before it does not mean the
    horizon is (a 336 h run stopped with exit 3 'no schedule meets every deadline' where
    one piece found a schedule): the whole-horizon baseline is the answer if it fits,
    else "no schedule found" (exit 4) saying to solve in one piece."""
    import optimizer.rolling as rolling_module
    from optimizer.errors import InfeasibleError

    inst, problem, calls = _second_window_fails(
        monkeypatch, InfeasibleError("pod 'p0' IT capacity is short by 8 kW (test)"))
    with pytest.warns(UserWarning, match="window 2/.*given the hours the windows before"):
        result = solve_rolling(problem, SolverOptions(time_limit_s=2))
    assert result.source in ("greedy", "asap")
    assert validate(result.schedule, inst.jobs, inst.pods, inst.signals) == []
    # no whole-horizon baseline either: no schedule found, with the way out
    monkeypatch.setattr(rolling_module, "preferred_baseline", lambda baselines: None)
    calls.clear()
    with pytest.raises(rolling_module.NoSolutionError, match='rolling = "never"'):
        solve_rolling(problem, SolverOptions(time_limit_s=2))
    # the first window, with nothing committed before it, relaxes the whole horizon: its
    # infeasibility is the horizon's (exit 3), not a stranded window
    calls[:] = [1]
    with pytest.raises(InfeasibleError, match="short by 8 kW"):
        solve_rolling(problem, SolverOptions(time_limit_s=2))


def test_a_rolling_window_without_a_baseline_starts_from_the_previous_plan(monkeypatch):
    # A year of preemptible jobs stranded at a window where ASAP and greedy placed no full
    # schedule and HiGHS found none in time. The previous window's plan, with the jobs
    # new to the window placed around it, is then the start; here both baselines of every
    # window after the first are made to fail.
    import optimizer.pipeline as pipeline_module
    import optimizer.rolling as rolling_module
    from optimizer.baselines import BaselineResult
    from optimizer.rolling import window_count
    from optimizer.schedule import Assignment

    inst = make_instance(24, 240, seed=4, n_pods=2, preemptible_share=0.5, tightness=0.3)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods)
    windows_seen = []

    def failing(real):
        def rule(sub):
            if sub.n_hours == problem.n_hours or not windows_seen:
                return real(sub)  # the whole horizon and the first window: the real rule
            return BaselineResult(real.__name__, "infeasible", Assignment.empty(),
                                  (sub.jobs.ids[0],), None)
        return rule

    starts = []
    real_stages = rolling_module.run_stages

    def spy(sub, options, deadline_s, carried=None, **kwargs):
        search = real_stages(sub, options, deadline_s, carried, **kwargs)
        windows_seen.append(sub.hours[0])
        starts.append(search.starts[0][0] if search.starts else None)
        return search

    for module in (rolling_module, pipeline_module):
        monkeypatch.setattr(module, "greedy", failing(module.greedy))
        monkeypatch.setattr(module, "asap", failing(module.asap))
    monkeypatch.setattr(rolling_module, "run_stages", spy)
    options = SolverOptions(time_limit_s=2, window_h=72, step_h=24)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = solve_rolling(problem, options)
    assert not [w for w in caught if "found no schedule" in str(w.message)]  # not stranded
    assert len(result.windows) == window_count(problem.n_hours, 72, 24) == len(starts)
    assert starts[0] in ("greedy", "asap")
    assert set(starts[1:]) == {"carried"}
    assert validate(result.schedule, inst.jobs, inst.pods, inst.signals) == []


def test_prorated_demand_charge_weights_each_month_by_its_share():
    # 2 h of July (of 744) and 2 h of August (of 744): each month's peak is charged
    # 2/744 of the monthly rate; 744 per kW per month makes the weight exactly 2 per kW
    jobs, sig = _month_end_case()
    result = solve_schedule(jobs, sig, objective=Objective(demand_charge_per_kw=744.0),
                            options=EXACT)
    # energy 200; both hours in one month: 2 x 100 = 200 of demand charge; split: 400
    assert result.objective == pytest.approx(400.0, rel=OPTIMIZER_OBJECTIVE_RTOL)
    assert result.metrics.demand_cost == pytest.approx(200.0, rel=1e-9)
    assert len({t.month for t in result.schedule["timestamp"]}) == 1
