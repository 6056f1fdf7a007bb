"""A battery, a cold tank and on-site generation co-optimised with the jobs (issue 15).

Hand-checkable cases with exact optima, and properties: zero-sized assets change
nothing, adding an asset never raises the optimised objective, every dispatch passes the
independent validator (energy balance every hour, stores within bounds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import (
    Assets,
    Battery,
    ColdStorage,
    HeatReuse,
    Limits,
    Objective,
    Pods,
    SolverOptions,
    evaluate,
    make_instance,
    prepare_problem,
    solve_problem,
    solve_schedule,
    validate,
)
from optimizer.dispatch import optimal_dispatch, price_bands, rule_dispatch
from optimizer.schedule import it_load_kw
from tests.optimizer_cases import EXACT, T0, hours
from tests.tolerances import OPTIMIZER_OBJECTIVE_RTOL

pytestmark = pytest.mark.component


def signals(prices, carbon=0.0):
    return pd.DataFrame({"price_per_kwh": np.asarray(prices, dtype=float),
                         "carbon_g_per_kwh": carbon}, index=hours(len(prices)))


def pods(n, base_kw, capacity_kw=1000.0, name="hall"):
    base = np.broadcast_to(np.asarray(base_kw, dtype=float), (n,))
    return Pods(capacity_kw=pd.DataFrame({name: np.full(n, capacity_kw)}, index=hours(n)),
                baseline_kw=pd.DataFrame({name: base}, index=hours(n)))


def one_job(r=0, d=24, dur=1, kw=1.0, pre=False):
    return pd.DataFrame([{"job_id": "j", "release": T0 + pd.Timedelta(hours=r),
                          "deadline": T0 + pd.Timedelta(hours=d), "duration_h": dur,
                          "power_kw": kw, "preemptible": pre}])


PLAIN, NO_LIMITS = Objective(), Limits()


def solve(jobs, sig, pod, assets=None, objective=PLAIN, limits=NO_LIMITS, options=EXACT):
    result = solve_schedule(jobs, sig, pod, limits, objective, options, assets=assets)
    problem = prepare_problem(jobs, sig, pod, limits, objective, assets)
    dispatch = result.dispatch
    if dispatch is not None:
        assert validate(result.schedule, jobs, pod, sig, limits, problem.assets, dispatch) == []
    else:
        assert validate(result.schedule, jobs, pod, sig, limits) == []
    return result


def two_days_low_high():
    return np.tile(np.r_[np.full(12, 0.2), np.full(12, 1.0)], 2)


# ---------------------------------------------------------------------- battery


@pytest.mark.parametrize("rte, value", [
    (1.0, 2 * (1.0 - 0.2) * 100.0),  # price spread x usable energy, once a day
    (0.81, 2 * (100 * 0.9 * 1.0 - 100 / 0.9 * 0.2)),  # 90 % each way
])
def test_battery_arbitrage_value_is_spread_times_usable_energy(rte, value):
    prices = two_days_low_high()
    sig, pod, jobs = signals(prices), pods(48, 200.0), one_job()
    battery = Battery(energy_kwh=100.0, power_kw=100.0, round_trip_efficiency=rte,
                      initial_soc=0.0)
    plain = solve(jobs, sig, pod)
    stored = solve(jobs, sig, pod, Assets(battery=battery))
    assert plain.objective - stored.objective == pytest.approx(value, rel=1e-7)
    d = stored.dispatch
    valley, peak = prices < 0.5, prices > 0.5
    assert d.battery_charge_kw[peak].max() < 1e-6 and d.battery_discharge_kw[valley].max() < 1e-6
    assert stored.metrics.battery_throughput_kwh == pytest.approx(2 * 100 * np.sqrt(rte))


def test_battery_shaves_the_billed_peak():
    base = np.full(24, 100.0)
    base[12] = 300.0
    sig, pod, jobs = signals(np.full(24, 0.5)), pods(24, base), one_job(0, 6)
    objective = Objective(demand_charge_per_kw=40.0, billing="full_month")
    battery = Battery(energy_kwh=100.0, power_kw=200.0, round_trip_efficiency=1.0)
    plain = solve(jobs, sig, pod, objective=objective)
    stored = solve(jobs, sig, pod, Assets(battery=battery), objective=objective)
    # 100 kWh at hour 12 takes the peak from 300 to 200 kW; flat price, lossless: no
    # energy cost either way
    assert plain.metrics.peak_kw == pytest.approx(300.0)
    assert stored.metrics.peak_kw == pytest.approx(200.0)
    assert plain.objective - stored.objective == pytest.approx(40.0 * 100.0, rel=1e-7)


def test_no_simultaneous_charge_and_discharge_when_energy_pays():
    prices = np.r_[np.full(6, -0.5), np.full(6, 0.8), np.full(6, -0.2), np.full(6, 1.0)]
    sig, pod, jobs = signals(prices), pods(24, 50.0), one_job()
    battery = Battery(energy_kwh=80.0, power_kw=40.0, round_trip_efficiency=0.8)
    result = solve(jobs, sig, pod, Assets(battery=battery))
    d = result.dispatch
    assert not np.any((d.battery_charge_kw > 1e-6) & (d.battery_discharge_kw > 1e-6))
    # at negative prices the battery fills (and is paid to)
    assert d.battery_charge_kw[:6].sum() > 0


def test_battery_state_of_charge_stays_in_its_band():
    inst = make_instance(n_jobs=6, n_hours=36, n_pods=2, seed=3, preemptible_share=0.5, tightness=0.4)
    battery = Battery(energy_kwh=400.0, power_kw=150.0, min_soc=0.2, max_soc=0.9,
                      initial_soc=0.5, round_trip_efficiency=0.9)
    # the band holds for any feasible dispatch: a 0.1 % gap (about 1 s) instead of a
    # proof of optimality (about 8 s)
    result = solve(inst.jobs, inst.signals, inst.pods, Assets(battery=battery),
                   objective=Objective(carbon_price_per_t=50, demand_charge_per_kw=30),
                   options=SolverOptions(rel_gap=1e-3, time_limit_s=30))
    assert result.status == "optimal" and result.dispatch.rule == "optimised"
    soc = result.dispatch.battery_soc_kwh
    assert soc.min() >= 0.2 * 400 - 1e-6 and soc.max() <= 0.9 * 400 + 1e-6
    assert soc[-1] >= 0.5 * 400 - 1e-6


# ---------------------------------------------------------------------- on-site generation


def test_pv_surplus_is_curtailed_or_exported_and_pulls_jobs_into_sun():
    n = 24
    pv = np.zeros(n)
    pv[10:15] = 150.0
    sig, pod = signals(np.full(n, 1.0)), pods(n, 100.0)
    jobs = one_job(0, 24, dur=2, kw=50.0)
    curtail = solve(jobs, sig, pod, Assets(onsite_kw=pv))
    # the job runs in the sun, where its energy is free
    hours_run = sorted((curtail.schedule["timestamp"] - T0) / pd.Timedelta(hours=1))
    assert all(10 <= h < 15 for h in hours_run)
    assert curtail.objective == pytest.approx(100.0 * (n - 5), rel=1e-9)
    assert curtail.dispatch.export_kw.sum() == 0
    assert curtail.dispatch.curtailed_kw.sum() == pytest.approx(5 * 50.0 - 2 * 50.0)
    export = solve(jobs, sig, pod, Assets(onsite_kw=pv, export_price_per_kwh=np.full(n, 0.1)))
    assert export.metrics.export_revenue == pytest.approx(0.1 * (5 * 50.0 - 2 * 50.0))
    assert export.objective == pytest.approx(curtail.objective - 0.1 * 150.0, rel=1e-9)


def test_generation_lowers_carbon_of_import_only():
    n = 24
    pv = np.zeros(n)
    pv[8:16] = 40.0
    sig, pod, jobs = signals(np.full(n, 1.0), carbon=500.0), pods(n, 100.0), one_job()
    plain = solve(jobs, sig, pod)
    solar = solve(jobs, sig, pod, Assets(onsite_kw=pv))
    assert plain.metrics.carbon_kg - solar.metrics.carbon_kg == pytest.approx(
        8 * 40.0 * 0.5, rel=1e-9)
    assert solar.metrics.onsite_kwh == pytest.approx(320.0)
    assert solar.metrics.energy_kwh == pytest.approx(plain.metrics.energy_kwh)


# ---------------------------------------------------------------------- cold storage


def cold_tank(n, capacity=200.0, power=100.0, load=100.0, spare=300.0, loss=0.0, initial=0.0):
    """A tank whose chillers run at 0.2 kW/kW_th by night (hours 0-11 of each day) and
    0.35 (adding heat) / 0.3 (taking it off) by day."""
    day = (np.arange(n) % 24) >= 12
    charge = np.where(day, 0.35, 0.2)[None, :]
    discharge = np.where(day, 0.3, 0.2)[None, :]
    return ColdStorage(capacity_kwh_th=capacity, power_kw_th=power, loss_per_h=loss,
                       initial_soc=initial, serves=np.array([True]),
                       charge_kw_per_kw_th=charge,
                       discharge_kw_per_kw_th=discharge,
                       chiller_load_kw_th=np.full((1, n), load),
                       chiller_load_per_kw=np.full((1, n), 0.0),
                       chiller_spare_kw_th=np.full((1, n), spare))


def test_cold_tank_shifts_chiller_electricity_to_cheap_hours():
    prices = np.r_[np.full(12, 0.2), np.full(12, 1.0)]
    sig, pod, jobs = signals(prices), pods(24, 200.0), one_job()
    plain = solve(jobs, sig, pod)
    cold = solve(jobs, sig, pod, Assets(cold=cold_tank(24)))
    # 200 kWh_th made at night for 0.2 kW/kW_th (40 kWh at 0.2) saves 0.3 kW/kW_th by
    # day (60 kWh at 1.0)
    assert plain.objective - cold.objective == pytest.approx(60.0 - 8.0, rel=1e-7)
    d = cold.dispatch
    assert d.cold_soc_kwh_th[11] == pytest.approx(200.0)
    assert d.cold_discharge_kw_th[0, 12:].sum() == pytest.approx(200.0)
    assert d.cold_charge_kw_th[0, 12:].sum() == pytest.approx(0.0, abs=1e-6)


def test_cold_tank_cannot_discharge_more_than_the_chillers_remove():
    prices = np.r_[np.full(12, 0.2), np.full(12, 1.0)]
    sig, pod, jobs = signals(prices), pods(24, 200.0), one_job()
    cold = solve(jobs, sig, pod, Assets(cold=cold_tank(24, capacity=2000, power=500,
                                                       load=30.0)))
    assert cold.dispatch.cold_discharge_kw_th.max() <= 30.0 + 1e-6
    assert cold.dispatch.cold_discharge_kw_th[0, 12:].sum() == pytest.approx(12 * 30.0)


def test_charging_and_discharging_the_same_chillers_at_once_never_pays():
    # a locally concave plant curve: taking heat off saves more than adding it costs
    n = 24
    sig, pod, jobs = signals(np.full(n, 1.0)), pods(n, 200.0), one_job()
    tank = ColdStorage(capacity_kwh_th=100.0, power_kw_th=50.0, loss_per_h=0.0,
                       initial_soc=0.0, serves=np.array([True]),
                       charge_kw_per_kw_th=np.full((1, n), 0.2),
                       discharge_kw_per_kw_th=np.full((1, n), 0.3),
                       chiller_load_kw_th=np.full((1, n), 100.0),
                       chiller_load_per_kw=np.zeros((1, n)),
                       chiller_spare_kw_th=np.full((1, n), 300.0))
    plain = solve(jobs, sig, pod)
    cold = solve(jobs, sig, pod, Assets(cold=tank))
    assert cold.objective == pytest.approx(plain.objective, rel=1e-9)


def test_cold_tank_standing_loss_is_paid_for():
    prices = np.r_[np.full(12, 0.2), np.full(12, 1.0)]
    sig, pod, jobs = signals(prices), pods(24, 200.0), one_job()
    lossless = solve(jobs, sig, pod, Assets(cold=cold_tank(24)))
    lossy = solve(jobs, sig, pod, Assets(cold=cold_tank(24, loss=0.01)))
    assert lossy.objective > lossless.objective + 1e-6


# ---------------------------------------------------------------------- properties


def test_zero_sized_assets_give_exactly_todays_result():
    inst = make_instance(n_jobs=6, n_hours=36, n_pods=2, seed=5, preemptible_share=0.0, tightness=0.4)
    objective = Objective(carbon_price_per_t=50, demand_charge_per_kw=30)
    n = len(inst.signals)
    zero = Assets(battery=Battery(energy_kwh=0.0, power_kw=0.0), onsite_kw=np.zeros(n))
    plain = solve(inst.jobs, inst.signals, inst.pods, objective=objective)
    zeroed = solve(inst.jobs, inst.signals, inst.pods, zero, objective=objective)
    assert zeroed.objective == plain.objective
    assert zeroed.dispatch is None
    pd.testing.assert_frame_equal(zeroed.schedule, plain.schedule)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_adding_an_asset_never_raises_the_optimised_objective(seed):
    inst = make_instance(n_jobs=6, n_hours=36, n_pods=2, seed=seed, preemptible_share=0.0,
                         tightness=0.4)
    objective = Objective(carbon_price_per_t=50, demand_charge_per_kw=30)
    n = len(inst.signals)
    pv = 80.0 * np.clip(np.sin((np.arange(n) % 24 - 6) / 12 * np.pi), 0, None)
    plain = solve(inst.jobs, inst.signals, inst.pods, objective=objective)
    assert plain.status == "optimal"
    for assets in (Assets(battery=Battery(energy_kwh=300, power_kw=100)),
                   Assets(onsite_kw=pv),
                   Assets(battery=Battery(energy_kwh=300, power_kw=100), onsite_kw=pv,
                          export_price_per_kwh=np.full(n, 0.05))):
        result = solve(inst.jobs, inst.signals, inst.pods, assets, objective=objective)
        assert result.status == "optimal"
        assert result.objective <= plain.objective * (1 + OPTIMIZER_OBJECTIVE_RTOL)


def test_optimal_dispatch_of_a_fixed_schedule_matches_the_milp_when_jobs_cannot_move():
    # a job with no freedom: the MILP's value is the dispatch LP's on that schedule
    prices = two_days_low_high()
    sig, pod = signals(prices), pods(48, 200.0)
    jobs = one_job(20, 22, dur=2, kw=100.0)
    assets = Assets(battery=Battery(energy_kwh=100.0, power_kw=100.0))
    result = solve(jobs, sig, pod, assets)
    problem = prepare_problem(jobs, sig, pod, Limits(), Objective(), assets)
    load = np.zeros((1, 48))
    load[0, 20:22] = 100.0
    assert evaluate(problem, _assignment(problem, result)).objective == pytest.approx(
        result.objective, rel=1e-9)
    assert optimal_dispatch(problem, load).grid_kw == pytest.approx(result.dispatch.grid_kw)


def _assignment(problem, result):
    from optimizer.schedule import from_frame
    return from_frame(problem, result.schedule)


# ---------------------------------------------------------------------- baselines' rule


def test_rule_charges_in_valley_hours_discharges_in_peak_and_ends_full():
    prices = np.tile(np.r_[np.full(7, 0.3), np.full(9, 0.7), np.full(8, 1.2)], 3)
    sig, pod, jobs = signals(prices), pods(72, 300.0), one_job(0, 72, dur=5, kw=50.0)
    battery = Battery(energy_kwh=500.0, power_kw=200.0, round_trip_efficiency=0.9)
    assets = Assets(battery=battery, cold=cold_tank(72, capacity=300.0, power=100.0))
    problem = prepare_problem(jobs, sig, pod, Limits(), Objective(), assets)
    load = np.zeros((1, 72))
    d = rule_dispatch(problem, load)
    valley, peak = price_bands(problem)
    assert d.battery_charge_kw[~valley].max() < 1e-9
    assert d.battery_discharge_kw[~peak].max() < 1e-9
    assert d.battery_discharge_kw.sum() > 0 and d.cold_discharge_kw_th.sum() > 0
    assert d.battery_soc_kwh[-1] >= battery.initial_kwh - 1e-9
    from optimizer.validate import validate_dispatch
    facility = problem.base_facility_kw[0] + (problem.facility_factor * load).sum(0)
    assert validate_dispatch(facility, load, problem.assets, d, Limits(), problem.hours) == []
    # the optimised dispatch of the same schedule is never worse than the rule's
    rule = evaluate(problem, _empty(), d).objective
    best = evaluate(problem, _empty(), optimal_dispatch(problem, load)).objective
    assert best <= rule + 1e-6


@pytest.mark.parametrize("rte, cycles", [(0.9, True), (0.3, True), (0.2, False), (1e-9, False)])
def test_rule_cycles_the_battery_only_where_it_pays(rte, cycles):
    """Valley 0.3, peak 1.2: a cycle pays at 90 % and 30 % (1.2 x 0.3 > 0.3), not at 20 % or at
    1e-9 (the rule cycled daily whatever it lost, which the savings counted as won)."""
    prices = np.tile(np.r_[np.full(7, 0.3), np.full(9, 0.7), np.full(8, 1.2)], 3)
    sig, pod, jobs = signals(prices), pods(72, 300.0), one_job(0, 72, dur=5, kw=50.0)
    battery = Battery(energy_kwh=500.0, power_kw=200.0, round_trip_efficiency=rte,
                      initial_soc=0.5)
    problem = prepare_problem(jobs, sig, pod, Limits(), Objective(), Assets(battery=battery))
    d = rule_dispatch(problem, np.zeros((1, 72)))
    valley, _ = price_bands(problem)
    assert (d.battery_charge_kw[valley].sum() > 0) == cycles
    assert d.battery_soc_kwh[-1] >= battery.initial_kwh - 1e-6  # still ends as it began
    plain = evaluate(problem, _empty(), rule_dispatch(
        prepare_problem(jobs, sig, pod, Limits(), Objective()), np.zeros((1, 72)))).objective
    if not cycles:  # the rule's battery costs nothing it did not earn
        assert evaluate(problem, _empty(), d).objective <= plain + 1e-6


def test_rule_charging_does_not_lift_the_months_peak_and_exports_only_when_paid():
    n = 48
    prices = np.tile(np.r_[np.full(8, 0.3), np.full(8, 0.7), np.full(8, 1.2)], 2)
    base = np.full(n, 300.0)
    base[10] = 500.0  # the month's own peak, in a flat-price hour
    sig, pod, jobs = signals(prices), pods(n, base), one_job(0, n, dur=2, kw=10.0)
    battery = Battery(energy_kwh=4000.0, power_kw=1000.0, round_trip_efficiency=0.9,
                      initial_soc=0.2)
    demand = Objective(demand_charge_per_kw=40.0)
    problem = prepare_problem(jobs, sig, pod, Limits(), demand, Assets(battery=battery))
    d = rule_dispatch(problem, np.zeros((1, n)))
    assert d.battery_charge_kw.sum() > 0
    assert d.grid_kw.max() <= 500.0 + 1e-6  # charged under the peak, not at full power
    # without a demand charge the same battery charges at full power in the valley
    free = prepare_problem(jobs, sig, pod, Limits(), Objective(), Assets(battery=battery))
    assert rule_dispatch(free, np.zeros((1, n))).grid_kw.max() > 1000.0
    # surplus generation: exported where the export price is positive, curtailed where not
    pv = np.where(np.arange(n) % 24 < 12, 600.0, 0.0)
    paid = np.where(np.arange(n) < 24, 0.1, -0.05)
    gen = prepare_problem(jobs, sig, pod, Limits(), Objective(),
                          Assets(onsite_kw=pv, export_price_per_kwh=paid))
    g = rule_dispatch(gen, np.zeros((1, n)))
    assert g.export_kw[:24].sum() > 0 and g.export_kw[24:].sum() == 0
    assert g.curtailed_kw[24:].sum() == pytest.approx(np.maximum(pv - 300.0, 0)[24:].sum())


def test_rule_runs_the_tank_only_where_a_cycle_pays_and_under_the_months_peak():
    n = 48
    load = np.zeros((1, n))
    base = np.full(n, 300.0)
    base[30] = 400.0  # the month's own peak, in a day hour
    pod, jobs = pods(n, base), one_job(0, n, dur=2, kw=10.0)
    tank = cold_tank(n, capacity=3000.0, power=2000.0, spare=3000.0)
    # night 0.3, day 1.2: 0.2 kW/kW_th at night saves 0.3 by day, a cycle pays
    cheap_nights = signals(np.tile(np.r_[np.full(12, 0.3), np.full(12, 1.2)], 2))
    demand = Objective(demand_charge_per_kw=40.0)
    problem = prepare_problem(jobs, cheap_nights, pod, Limits(), demand, Assets(cold=tank))
    d = rule_dispatch(problem, load)
    assert d.cold_charge_kw_th.sum() > 0
    assert d.grid_kw.max() <= 400.0 + 1e-6  # charged under the month's own peak
    free = prepare_problem(jobs, cheap_nights, pod, Limits(), Objective(), Assets(cold=tank))
    assert rule_dispatch(free, load).grid_kw.max() > 400.0  # no demand charge: full rate
    # night 1.0, day 1.1: 0.2 x 1.0 to make it, 0.3 x 1.1 saved: pays. Night 1.0, day
    # 0.6: the day is the valley, 0.35 x 0.6 = 0.21 to make it against 0.2 x 1.0 = 0.20
    # saved at night: it does not pay (the rule cycled anyway)
    for day_price, pays in ((1.1, True), (0.6, False)):
        sig = signals(np.tile(np.r_[np.full(12, 1.0), np.full(12, day_price)], 2))
        tank_only = prepare_problem(jobs, sig, pod, Limits(), Objective(), Assets(cold=tank))
        valley, _ = price_bands(tank_only)
        charged = rule_dispatch(tank_only, load).cold_charge_kw_th[:, valley].sum()
        assert (charged > 0) == pays, day_price


def _empty():
    from optimizer.schedule import Assignment
    return Assignment.empty()


def test_baselines_report_their_rule_dispatch_and_pass_the_validator():
    inst = make_instance(n_jobs=6, n_hours=36, n_pods=2, seed=7, preemptible_share=0.3, tightness=0.4)
    n = len(inst.signals)
    assets = Assets(battery=Battery(energy_kwh=300, power_kw=100),
                    onsite_kw=60.0 * (np.arange(n) % 24 >= 10) * (np.arange(n) % 24 < 15))
    objective = Objective(demand_charge_per_kw=20)
    result = solve(inst.jobs, inst.signals, inst.pods, assets, objective=objective)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods, Limits(), objective, assets)
    for name, base in result.baselines.items():
        assert base.dispatch is not None and base.dispatch.rule == "rule", name
        assert validate(base.schedule, inst.jobs, inst.pods, inst.signals, Limits(),
                        problem.assets, base.dispatch) == []
        assert base.metrics.objective >= result.objective - 1e-6


# ---------------------------------------------------------------------- validator, rolling


def test_validator_catches_a_broken_energy_balance_and_store():
    prices = two_days_low_high()
    sig, pod, jobs = signals(prices), pods(48, 200.0), one_job()
    battery = Battery(energy_kwh=100.0, power_kw=100.0, initial_soc=0.0)
    result = solve(jobs, sig, pod, Assets(battery=battery))
    problem = prepare_problem(jobs, sig, pod, Limits(), Objective(), Assets(battery=battery))
    d = result.dispatch
    from dataclasses import replace
    broken = replace(d, grid_kw=d.grid_kw + np.r_[5.0, np.zeros(47)])
    kinds = {v.kind for v in validate(result.schedule, jobs, pod, sig, Limits(),
                                      problem.assets, broken)}
    assert kinds == {"energy_balance"}
    free = replace(d, battery_soc_kwh=d.battery_soc_kwh + 10.0)
    kinds = {v.kind for v in validate(result.schedule, jobs, pod, sig, Limits(),
                                      problem.assets, free)}
    assert kinds == {"battery"}


def test_rolling_with_assets_carries_the_stores_between_windows():
    inst = make_instance(n_jobs=8, n_hours=96, n_pods=2, seed=4, preemptible_share=0.0, tightness=0.4)
    n = len(inst.signals)
    assets = Assets(battery=Battery(energy_kwh=300, power_kw=100, initial_soc=0.3))
    objective = Objective(demand_charge_per_kw=20)
    options = SolverOptions(time_limit_s=60, window_h=48, step_h=24, rolling="always")
    result = solve(inst.jobs, inst.signals, inst.pods, assets, objective=objective,
                   options=options)
    assert result.windows and result.dispatch is not None
    assert len(result.dispatch.grid_kw) == n
    one = solve(inst.jobs, inst.signals, inst.pods, assets, objective=objective)
    assert result.objective >= one.objective - 1e-6


def test_one_piece_objective_equals_the_reported_metrics():
    inst = make_instance(n_jobs=6, n_hours=36, n_pods=2, seed=9, preemptible_share=0.5, tightness=0.4)
    n = len(inst.signals)
    assets = Assets(battery=Battery(energy_kwh=200, power_kw=80, degradation_cost_per_kwh=0.02),
                    onsite_kw=50.0 * (np.arange(n) % 24 >= 9) * (np.arange(n) % 24 < 16),
                    export_price_per_kwh=np.full(n, 0.03))
    objective = Objective(carbon_price_per_t=80, demand_charge_per_kw=25)
    problem = prepare_problem(inst.jobs, inst.signals, inst.pods, Limits(), objective, assets)
    result = solve_problem(problem, EXACT)
    m = result.metrics
    assert m.objective == pytest.approx(result.objective)
    assert m.cost == pytest.approx(m.energy_cost + m.demand_cost + m.battery_wear_cost)
    assert result.best_bound <= result.objective * (1 + 1e-6)
    load = it_load_kw(problem, _assignment(problem, result))
    assert load.sum() == pytest.approx(result.it_load_kw.to_numpy().sum())


# ---------------------------------------------------------------------- heat reuse


def heat(n, recoverable=100.0, per_kw=0.9, heat_pump=0.25, demand=80.0, price=0.3):
    def row(value):
        return np.broadcast_to(np.asarray(value, dtype=float), (n,)).astype(float)

    return HeatReuse(recoverable_kw_th=row(recoverable)[None, :],
                     recoverable_per_kw=row(per_kw)[None, :],
                     heat_pump_kw_per_kw_th=row(heat_pump)[None, :],
                     demand_kw_th=row(demand), price_per_kwh_th=row(price))


def test_heat_reuse_value_by_hand():
    n = 24
    sig, pod, jobs = signals(np.full(n, 0.5)), pods(n, 200.0), one_job()
    plain = solve(jobs, sig, pod)
    reuse = solve(jobs, sig, pod, Assets(heat=heat(n)))
    # 80 kW_th every hour at 0.3, lifted by a heat pump at 0.25 kW/kW_th bought at 0.5
    assert plain.objective - reuse.objective == pytest.approx(24 * 80 * (0.3 - 0.25 * 0.5))
    assert reuse.metrics.heat_reused_kwh_th == pytest.approx(24 * 80.0)
    assert reuse.metrics.energy_kwh - plain.metrics.energy_kwh == pytest.approx(24 * 80 * 0.25)


def test_heat_demand_pulls_a_job_to_the_hours_its_heat_is_wanted():
    n = 24
    demand = np.zeros(n)
    demand[18:22] = 200.0
    sig, pod = signals(np.full(n, 0.5)), pods(n, 200.0)
    jobs = one_job(0, 24, dur=4, kw=100.0)
    result = solve(jobs, sig, pod, Assets(heat=heat(n, recoverable=0.0, demand=demand)))
    run = sorted((result.schedule["timestamp"] - T0) / pd.Timedelta(hours=1))
    assert run == [18, 19, 20, 21]
    assert result.metrics.heat_reused_kwh_th == pytest.approx(4 * 90.0)


def test_heat_is_not_sold_where_the_heat_pump_costs_more_than_it_earns():
    n = 24
    sig, pod, jobs = signals(np.full(n, 2.0)), pods(n, 200.0), one_job()
    result = solve(jobs, sig, pod, Assets(heat=heat(n, price=0.3, heat_pump=0.25)))
    assert result.metrics.heat_reused_kwh_th == pytest.approx(0.0, abs=1e-6)


# ---------------------------------------------------------------------- savings by asset


def test_asset_operation_and_values_split_the_saving():
    from optimizer.levers import asset_operation_saving, asset_values
    from optimizer.schedule import Assignment

    prices = two_days_low_high()
    sig, pod, jobs = signals(prices, carbon=400.0), pods(48, 200.0), one_job()
    battery = Battery(energy_kwh=100.0, power_kw=100.0, round_trip_efficiency=1.0,
                      initial_soc=0.0)
    pv = np.zeros(48)
    pv[[10, 34]] = 50.0
    problem = prepare_problem(jobs, sig, pod, Limits(), Objective(), Assets(
        battery=battery, onsite_kw=pv))
    plan = Assignment(np.array([0]), np.array([0]), np.array([3]))
    values = asset_values(problem, plan)
    # the battery's arbitrage by hand: 100 kWh a day bought at 0.2, sold at 1.0
    assert values["battery"].cost == pytest.approx(2 * 0.8 * 100.0)
    # PV: 100 kWh of import (at 0.2) and 40 kg CO2 avoided
    assert values["onsite_generation"].cost == pytest.approx(100 * 0.2)
    assert values["onsite_generation"].carbon_kg == pytest.approx(100 * 0.4)
    # the rule already charges in the valley and discharges in the peak here: the optimal
    # operation saves nothing more
    assert asset_operation_saving(problem, plan).cost == pytest.approx(0.0, abs=1e-6)
    # a flat price has no peak band: the rule never shaves the billed peak, the optimum
    # takes 100 kW off it
    base = np.full(24, 100.0)
    base[12] = 300.0
    objective = Objective(demand_charge_per_kw=40.0, billing="full_month")
    problem = prepare_problem(one_job(0, 6), signals(np.full(24, 0.5)), pods(24, base),
                              Limits(), objective, Assets(battery=Battery(
                                  energy_kwh=100.0, power_kw=200.0, round_trip_efficiency=1.0)))
    assert asset_operation_saving(problem, plan).cost == pytest.approx(40.0 * 100.0)


@pytest.mark.parametrize("seed", range(6))
def test_rule_ends_every_store_at_its_end_state_with_scarce_chillers_and_losses(seed):
    rng = np.random.default_rng(seed)
    n = 72
    prices = np.tile(np.r_[np.full(7, 0.3), np.full(9, 0.7), np.full(8, 1.2)], 3)
    sig, pod, jobs = signals(prices), pods(n, 300.0), one_job(0, n, dur=5, kw=50.0)
    spare = rng.uniform(0.0, 120.0, n) * (rng.uniform(size=n) > 0.3)
    tank = ColdStorage(capacity_kwh_th=1200.0, power_kw_th=300.0, loss_per_h=0.002,
                       initial_soc=rng.uniform(0.2, 0.9), serves=np.array([True]),
                       charge_kw_per_kw_th=np.full((1, n), 0.25),
                       discharge_kw_per_kw_th=np.full((1, n), 0.2),
                       chiller_load_kw_th=np.full((1, n), 150.0),
                       chiller_load_per_kw=np.full((1, n), 1.0),
                       chiller_spare_kw_th=spare[None, :])
    battery = Battery(energy_kwh=800.0, power_kw=100.0, initial_soc=rng.uniform(0.2, 0.9))
    limits = Limits(grid_limit_kw=420.0)
    assets = Assets(battery=battery, cold=tank)
    problem = prepare_problem(jobs, sig, pod, limits, Objective(), assets)
    load = np.zeros((1, n))
    d = rule_dispatch(problem, load)
    from optimizer.validate import validate_dispatch
    facility = problem.base_facility_kw[0] + (problem.facility_factor * load).sum(0)
    assert validate_dispatch(facility, load, problem.assets, d, limits, problem.hours) == []
    assert d.cold_discharge_kw_th.sum() > 0 and d.battery_discharge_kw.sum() > 0


def test_rule_never_charges_the_tank_above_the_grid_limit():
    n = 48
    prices = np.tile(np.r_[np.full(8, 0.3), np.full(8, 0.7), np.full(8, 1.2)], 2)
    sig, pod, jobs = signals(prices), pods(n, 300.0), one_job(0, n, dur=2, kw=10.0)
    tank = cold_tank(n, capacity=2000.0, power=1000.0, spare=1000.0, initial=0.5)
    limits = Limits(grid_limit_kw=320.0)  # 20 kW of headroom over the baseline
    problem = prepare_problem(jobs, sig, pod, limits, Objective(), Assets(cold=tank))
    load = np.zeros((1, n))
    d = rule_dispatch(problem, load)
    from optimizer.validate import validate_dispatch
    assert validate_dispatch(problem.base_facility_kw[0], load, problem.assets, d, limits,
                             problem.hours) == []
    assert d.grid_kw.max() <= 320.0 + 1e-9 and d.cold_charge_kw_th.sum() > 0
