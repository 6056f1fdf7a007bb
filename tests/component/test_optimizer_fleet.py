"""A fleet of sites in the optimizer (issue 16): jobs move across sites as well as hours.

Checked by hand-built cases: a one-site fleet is the single-site problem; free transfers
and a high carbon price send work to the cleanest site with room; residency and
home-only latency keep jobs home; a moved job waits for its data; the validator catches
each fleet rule from the raw inputs.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from optimizer import Limits, Objective, Pods, SolverOptions, asap, greedy, prepare_problem
from optimizer.errors import ScheduleInputError
from optimizer.fleet import (
    Network,
    Site,
    at_home,
    moved_jobs,
    pod_name,
    prepare_fleet,
)
from optimizer.fleet_validate import validate_fleet
from optimizer.instances import hourly_index, make_instance
from optimizer.metrics import evaluate
from optimizer.model import build_model
from optimizer.schedule import to_frame
from optimizer.solve import solve_prepared, solve_problem

pytestmark = pytest.mark.component

FREE = Network(energy_kwh_per_tb=0.0, cost_per_tb=0.0, transfer_h_per_tb=0.0)


def _solve(problem, seconds=20.0, gap=1e-6):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve_prepared(problem, SolverOptions(time_limit_s=seconds, rel_gap=gap))


def _flat_site(name: str, hours, carbon: float, capacity_kw: float = 1000.0,
               price: float = 0.5, ff: float = 1.2) -> Site:
    signals = pd.DataFrame({"price_per_kwh": price, "carbon_g_per_kwh": carbon}, index=hours)
    frame = pd.DataFrame({"hall": capacity_kw}, index=hours)
    pods = Pods(capacity_kw=frame, facility_factor=pd.DataFrame({"hall": ff}, index=hours))
    return Site(name, signals, pods)


def _jobs(n: int, hours, home: str, power_kw: float = 100.0, duration_h: int = 4,
          **extra) -> pd.DataFrame:
    table = pd.DataFrame({
        "job_id": [f"j{i}" for i in range(n)],
        "release": hours[0], "deadline": hours[-1] + pd.Timedelta(hours=1),
        "duration_h": duration_h, "power_kw": power_kw, "preemptible": False, "home": home,
    })
    for column, values in extra.items():
        table[column] = values
    return table


def test_one_site_fleet_is_the_single_site_problem():
    inst = make_instance(10, 36, seed=5, n_pods=2, preemptible_share=0.0, tightness=0.5)
    objective = Objective(carbon_price_per_t=80.0, demand_charge_per_kw=30.0)
    limits = Limits(grid_limit_kw=5000.0)
    single = prepare_problem(inst.jobs, inst.signals, inst.pods, limits, objective)
    fleet = prepare_fleet(inst.jobs, [Site("only", inst.signals, inst.pods, limits, 30.0)],
                          objective, FREE)
    assert fleet.pods == tuple(pod_name("only", p) for p in single.pods)
    for name in ("headroom_kw", "cooling_headroom_kw", "facility_factor", "base_facility_kw",
                 "grid_limit_kw", "price_per_kwh", "carbon_g_per_kwh", "demand_weight_per_kw"):
        np.testing.assert_array_equal(getattr(fleet, name), getattr(single, name), err_msg=name)
    np.testing.assert_array_equal(fleet.jobs.allowed, single.jobs.allowed)
    # the same MILP, solved to optimality: the same optimum
    a, b = _solve(single), _solve(fleet)
    assert a.status == b.status == "optimal"
    assert b.objective == pytest.approx(a.objective, rel=1e-6)
    size_a, size_b = build_model(single).model, build_model(fleet).model
    assert size_a.record.n_rows == size_b.record.n_rows


def test_free_transfers_and_a_high_carbon_price_send_work_to_the_cleanest_site_with_room():
    hours = hourly_index(24)
    sites = [_flat_site("east", hours, 600.0), _flat_site("mid", hours, 400.0),
             _flat_site("west", hours, 100.0, capacity_kw=300.0)]
    jobs = _jobs(10, hours, "east", duration_h=12)  # 12,000 kWh of IT work
    problem = prepare_fleet(jobs, sites, Objective(carbon_price_per_t=1000.0), FREE)
    result = _solve(problem)
    assert result.status == "optimal"
    assert validate_fleet(result.schedule, jobs, sites, FREE) == []
    site = result.schedule["pod"].str.split("/").str[0]
    load = result.schedule.assign(site=site).groupby(["site", "timestamp"])["power_kw"].sum()
    # west (cleanest, 300 kW) is full every hour: 6 of the 10 jobs (3 at a time, twice);
    # the other 4 go to the next cleanest; nothing stays at the dirtiest home
    assert load["west"].max() == pytest.approx(300.0)
    assert load["west"].sum() == pytest.approx(300.0 * 24)
    assert set(site) == {"west", "mid"}
    pod = np.full(len(jobs), -1)
    for j, p in zip(result.schedule["job_id"], result.schedule["pod"], strict=True):
        pod[int(j[1:])] = problem.pods.index(p)
    assert moved_jobs(problem, pod).all()


def test_residency_and_home_only_latency_keep_jobs_home():
    hours = hourly_index(24)
    sites = [_flat_site("east", hours, 600.0), _flat_site("west", hours, 50.0)]
    jobs = _jobs(6, hours, "east", sites=["east", "east|west", "", "east", "", ""],
                 latency=["batch", "batch", " Interactive", "", "batch", "batch"])
    problem = prepare_fleet(jobs, sites, Objective(carbon_price_per_t=1000.0), FREE)
    result = _solve(problem)
    assert validate_fleet(result.schedule, jobs, sites, FREE) == []
    where = result.schedule.groupby("job_id")["pod"].first().str.split("/").str[0]
    assert where["j0"] == where["j2"] == where["j3"] == "east"  # residency, interactive
    assert where["j1"] == where["j4"] == where["j5"] == "west"  # free to move: they do


def test_a_moved_job_waits_for_its_data_and_pays_to_move_it():
    hours = hourly_index(24)
    price = np.where(np.arange(24) < 6, 0.1, 1.0)  # the cheap hours are the first six
    west = _flat_site("west", hours, 100.0)
    west.signals["price_per_kwh"] = price
    sites = [_flat_site("east", hours, 100.0), west]
    network = Network(energy_kwh_per_tb=10.0, cost_per_tb=2.0, transfer_h_per_tb=0.5)
    jobs = _jobs(1, hours, "east", duration_h=3, data_tb=[4.0])  # 2 h to move
    problem = prepare_fleet(jobs, sites, Objective(), network)
    assert problem.jobs.arrival.tolist() == [[0, 2]]
    assert problem.jobs.move_kwh.tolist() == [[0.0, 40.0]]
    # 20 kWh at each end at the mean price of each site, plus 4 TB x 2
    expected = 8.0 + 20.0 * 0.5 + 20.0 * price.mean()
    assert problem.jobs.move_cost[0, 1] == pytest.approx(expected)
    result = _solve(problem)
    rows = result.schedule
    assert (rows["pod"] == "west/hall").all()
    assert rows["timestamp"].min() == hours[2]  # cheap hours 2-4, after the data arrive
    assert result.metrics.energy_kwh == pytest.approx(3 * 100 * 1.2 + 40.0)
    assert validate_fleet(rows, jobs, sites, network) == []
    early = rows.assign(timestamp=rows["timestamp"] - pd.Timedelta(hours=2))
    kinds = {v.kind for v in validate_fleet(early, jobs, sites, network)}
    assert "window" in kinds


def test_validate_fleet_flags_the_fleet_rules():
    hours = hourly_index(12)
    sites = [_flat_site("east", hours, 600.0), _flat_site("west", hours, 50.0)]
    jobs = _jobs(2, hours, "east", duration_h=2, sites=["east", ""])
    good = pd.DataFrame({"job_id": ["j0", "j0", "j1", "j1"],
                         "pod": ["east/hall"] * 2 + ["west/hall"] * 2,
                         "timestamp": [hours[0], hours[1], hours[0], hours[1]],
                         "power_kw": 100.0})
    assert validate_fleet(good, jobs, sites, FREE) == []
    resident_out = good.assign(pod=["west/hall"] * 4)
    assert "site_not_allowed" in {v.kind for v in validate_fleet(resident_out, jobs, sites,
                                                                 FREE)}
    split = good.assign(pod=["east/hall", "east/hall", "east/hall", "west/hall"])
    assert "site_split" in {v.kind for v in validate_fleet(split, jobs, sites, FREE)}
    lost = good[good["job_id"] == "j0"]
    assert "work" in {v.kind for v in validate_fleet(lost, jobs, sites, FREE)}
    nowhere = good.assign(pod=["mars/hall"] * 4)
    assert "unknown_site" in {v.kind for v in validate_fleet(nowhere, jobs, sites, FREE)}
    over = pd.concat([good.assign(job_id=f"k{i}") for i in range(11)])
    many = pd.concat([jobs.assign(job_id=jobs["job_id"].str.replace("j", f"k{i}"))
                      for i in range(11)])
    over["job_id"] = [f"{a}{b}" for a, b in zip(over["job_id"], ["0", "0", "1", "1"] * 11,
                                                   strict=True)]
    kinds = {v.kind for v in validate_fleet(over, many, sites, FREE)}
    assert "pod_capacity" in kinds  # 11 x 100 kW on a 1,000 kW hall


def test_home_baselines_stay_home_and_the_fleet_schedule_is_never_worse():
    inst = make_instance(10, 36, seed=7, n_pods=2, tightness=0.5)
    hours = inst.signals.index
    clean = inst.signals.assign(carbon_g_per_kwh=inst.signals["carbon_g_per_kwh"] * 0.2)
    sites = [Site("east", inst.signals, inst.pods, demand_charge_per_kw=40.0),
             Site("west", clean, inst.pods, demand_charge_per_kw=20.0)]
    jobs = inst.jobs.drop(columns="pods").assign(home="east", data_tb=1.0)
    problem = prepare_fleet(jobs, sites, Objective(carbon_price_per_t=200.0), Network())
    home = at_home(problem)
    for rule in (asap, greedy):
        base = rule(home)
        assert base.status == "feasible"
        assert (problem.pod_site[base.assignment.pod] == 0).all()
        frame = to_frame(problem, base.assignment)
        assert validate_fleet(frame, jobs, sites) == []
    result = _solve(problem, seconds=5, gap=1e-3)
    assert validate_fleet(result.schedule, jobs, sites) == []
    at_home_best = min(evaluate(problem, rule(home).assignment).objective
                       for rule in (asap, greedy))
    assert result.objective <= at_home_best + 1e-6
    assert result.best_bound <= result.objective + 1e-6
    assert len(hours) == problem.n_hours


def test_a_fleet_rolls_like_a_site():
    inst = make_instance(24, 72, seed=3, n_pods=2, tightness=0.5)
    sites = [Site("east", inst.signals, inst.pods),
             Site("west", inst.signals.assign(carbon_g_per_kwh=50.0), inst.pods,
                  open_share=0.6)]  # committed moved load counts against later windows
    jobs = inst.jobs.drop(columns="pods").assign(home="east")
    problem = prepare_fleet(jobs, sites, Objective(carbon_price_per_t=300.0), FREE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_prepared(problem, SolverOptions(time_limit_s=6, rolling="always",
                                                       window_h=48, step_h=24))
    assert result.windows
    assert validate_fleet(result.schedule, jobs, sites, FREE) == []
    assert result.schedule["pod"].str.startswith("west/").mean() > 0.3


@pytest.mark.parametrize(("column", "value", "match"), [
    ("home", "mars", "column 'home'.*not one site"),
    ("sites", "west|mars", "column 'sites'.*unknown site"),
    ("sites", "west", "home 'east' is not among its allowed sites"),
    ("data_tb", "-1", "column 'data_tb'.*>= 0"),
    ("pods", "nowhere", "column 'pods'.*unknown pod"),
])
def test_bad_fleet_job_fields_are_named(column, value, match):
    hours = hourly_index(12)
    sites = [_flat_site("east", hours, 600.0), _flat_site("west", hours, 50.0)]
    jobs = _jobs(2, hours, "east", duration_h=2)
    jobs[column] = [None, value]
    with pytest.raises(ScheduleInputError, match=match):
        prepare_fleet(jobs, sites)


def test_sites_on_different_hours_are_refused():
    sites = [_flat_site("east", hourly_index(12), 600.0),
             _flat_site("west", hourly_index(13), 50.0)]
    with pytest.raises(ScheduleInputError, match="site 'west': its hours differ"):
        prepare_fleet(_jobs(1, hourly_index(12), "east", duration_h=2), sites)
    with pytest.raises(ScheduleInputError, match="site names must be unique"):
        prepare_fleet(_jobs(1, hourly_index(12), "east", duration_h=2),
                      [sites[0], sites[0]])


def test_solve_problem_reports_a_bound_for_a_fleet():
    hours = hourly_index(24)
    sites = [_flat_site("east", hours, 600.0), _flat_site("west", hours, 50.0)]
    problem = prepare_fleet(_jobs(4, hours, "east"), sites, Objective(carbon_price_per_t=100.0),
                            FREE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solve_problem(problem, SolverOptions(time_limit_s=10))
    assert np.isfinite(result.best_bound)
    assert result.gap <= 1e-4


def test_a_fleet_whose_jobs_stay_home_solves_site_by_site_as_one():
    from concurrent.futures import ProcessPoolExecutor

    from optimizer.fleet_solve import decomposes, solve_by_site

    inst = make_instance(10, 36, seed=11, n_pods=2, preemptible_share=0.0, tightness=0.5)
    hours = inst.signals.index
    sites = [Site("east", inst.signals, inst.pods, demand_charge_per_kw=40.0),
             Site("west", inst.signals.assign(carbon_g_per_kwh=80.0), inst.pods,
                  demand_charge_per_kw=20.0),
             _flat_site("idle", hours, 300.0)]  # no job is at home there
    jobs = inst.jobs.drop(columns="pods").assign(
        home=["east", "west"] * 5, sites=["east", "west"] * 5)
    problem = prepare_fleet(jobs, sites, Objective(carbon_price_per_t=100.0), FREE)
    assert decomposes(problem)
    options = SolverOptions(time_limit_s=30, rel_gap=1e-6)
    whole = _solve(problem)
    with ProcessPoolExecutor(2) as pool:
        parts = solve_by_site(problem, options, pool.map, workers=2)
    assert whole.status == parts.status == "optimal"
    assert parts.objective == pytest.approx(whole.objective, rel=1e-6)
    assert parts.best_bound <= parts.objective + 1e-6
    assert parts.best_bound == pytest.approx(whole.objective, rel=1e-5)
    assert validate_fleet(parts.schedule, jobs, sites, FREE) == []
    assert "by site" in parts.rolling_reason
    moving = prepare_fleet(jobs.drop(columns="sites"), sites, Objective(), FREE)
    assert not decomposes(moving)


def test_an_open_share_caps_moved_work_and_the_validator_checks_it():
    hours = hourly_index(24)
    east = _flat_site("east", hours, 600.0)
    west = replace(_flat_site("west", hours, 50.0), open_share=0.25)  # 250 of 1,000 kW
    jobs = _jobs(8, hours, "east", duration_h=12)
    west_jobs = _jobs(2, hours, "west", duration_h=24, power_kw=300.0).assign(
        job_id=["w0", "w1"])
    table = pd.concat([jobs, west_jobs], ignore_index=True)
    problem = prepare_fleet(table, [east, west], Objective(carbon_price_per_t=1000.0), FREE)
    result = _solve(problem)
    assert result.status == "optimal"
    sched = result.schedule.assign(site=result.schedule["pod"].str.split("/").str[0])
    moved = sched[(sched["site"] == "west") & sched["job_id"].str.startswith("j")]
    per_hour = moved.groupby("timestamp")["power_kw"].sum()
    assert per_hour.max() <= 250.0 + 1e-6  # 2 moved jobs at most, 200 kW
    assert per_hour.max() == pytest.approx(200.0)  # and the clean site's share is used
    home = sched[sched["job_id"].str.startswith("w")]
    assert (home["site"] == "west").all()  # home work may use the whole hall (600 kW)
    assert validate_fleet(result.schedule, table, [east, west], FREE) == []
    # four jobs moved at once break the share: the validator says so
    crowded = pd.DataFrame({"job_id": [f"j{i}" for i in range(4)], "pod": "west/hall",
                            "timestamp": hours[0], "power_kw": 100.0})
    kinds = {v.kind for v in validate_fleet(crowded, table, [east, west], FREE)}
    assert "open_share" in kinds
    # greedy keeps the share too
    for rule in (asap, greedy):
        base = to_frame(problem, rule(problem).assignment)
        assert "open_share" not in {v.kind for v in validate_fleet(base, table, [east, west],
                                                                   FREE)}


def test_an_infeasible_fleet_names_the_site_whose_grid_limit_is_short():
    from optimizer.errors import InfeasibleError

    hours = hourly_index(12)
    signals = pd.DataFrame({"price_per_kwh": 1.0, "carbon_g_per_kwh": 500.0}, index=hours)
    sites = [Site(n, signals, None, Limits(grid_limit_kw=150.0)) for n in ("a", "b")]
    jobs = _jobs(4, hours, "a", duration_h=4).assign(
        deadline=hours[0] + pd.Timedelta(hours=4), home=["a", "a", "b", "b"])
    problem = prepare_fleet(jobs, sites, network=FREE)
    with pytest.raises(InfeasibleError, match="the grid limit of site 'a' is short by 50 kW"):
        _solve(problem, seconds=10)


def test_lowering_peaks_runs_stacked_jobs_one_after_another_at_one_site():
    """Four 100 kW x 2 h jobs stacked in hours 0-1 at one site of two, flat price and
    carbon, the same demand charge at both: the cheapest schedule runs them one after
    the other at one site (peaks 100 and 0 kW; any job at the other site adds a second
    100 kW peak). lower_peaks gets there from the stacked plan, without moving the peak
    to the other site, and the plan stays within every limit."""
    from optimizer.localsearch import lower_peaks, plan_objective
    from optimizer.metrics import monthly_peaks_kw
    from optimizer.plan import Plan
    from optimizer.schedule import Assignment

    hours = hourly_index(8)
    sites = [replace(_flat_site(name, hours, 500.0, ff=1.0), demand_charge_per_kw=30.0)
             for name in ("east", "west")]
    jobs = _jobs(4, hours, "east", duration_h=2)
    problem = prepare_fleet(jobs, sites, Objective(), FREE)
    east = int(np.flatnonzero(problem.pod_site == 0)[0])
    stacked = Assignment(np.repeat(np.arange(4), 2), np.full(8, east), np.tile([0, 1], 4))
    start = Plan.of(problem, stacked)
    np.testing.assert_allclose(monthly_peaks_kw(problem, start.facility)[:, 0], [400.0, 0.0])
    plan = lower_peaks(problem, start.copy(), time.perf_counter() + 30)
    np.testing.assert_allclose(monthly_peaks_kw(problem, plan.facility)[:, 0], [100.0, 0.0])
    assert plan_objective(problem, plan) < plan_objective(problem, start)
    assert validate_fleet(to_frame(problem, plan.assignment()), jobs, sites) == []


def test_lowering_peaks_on_a_fleet_lowers_the_cost_and_stays_valid():
    """From both baselines of a 3-site fleet, lower_peaks itself (not improve, which
    would hand back its start if it were worse) lowers the objective and the billed
    peaks, and its schedule passes the fleet validator."""
    from optimizer.instances import make_fleet_instance
    from optimizer.localsearch import lower_peaks, plan_objective
    from optimizer.metrics import monthly_peaks_kw
    from optimizer.plan import Plan

    jobs, sites = make_fleet_instance(3, 40, 72, seed=2)
    problem = prepare_fleet(jobs, sites, Objective(carbon_price_per_t=50.0))
    for rule in (asap, greedy):
        base = rule(problem)
        assert base.status == "feasible"
        start = Plan.of(problem, base.assignment)
        plan = lower_peaks(problem, start.copy(), time.perf_counter() + 20)
        assert plan_objective(problem, plan) < plan_objective(problem, start) - 1.0
        assert (monthly_peaks_kw(problem, plan.facility).sum()
                < monthly_peaks_kw(problem, start.facility).sum())
        assert validate_fleet(to_frame(problem, plan.assignment()), jobs, sites) == []
