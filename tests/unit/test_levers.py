"""The saving against a baseline split into placement, timing and peak (optimizer.levers)."""

import numpy as np
import pandas as pd
import pytest

from optimizer import Objective, Pods, asap, evaluate, greedy, make_instance, prepare_problem
from optimizer.levers import lever_savings
from optimizer.schedule import Assignment

pytestmark = pytest.mark.unit


def _two_pods(ff=(1.4, 1.1), prices=(1.0, 1.0, 0.5, 0.5), demand=0.0):
    hours = pd.date_range("2025-07-01", periods=len(prices), freq="h", tz="Asia/Shanghai")
    signals = pd.DataFrame({"price_per_kwh": prices, "carbon_g_per_kwh": 500.0}, index=hours)
    pods = Pods(capacity_kw=pd.DataFrame({"air": 1000.0, "liquid": 1000.0}, index=hours),
                facility_factor=pd.DataFrame({"air": ff[0], "liquid": ff[1]}, index=hours))
    jobs = pd.DataFrame([{"job_id": "j", "release": hours[0], "deadline": hours[-1]
                          + pd.Timedelta(hours=1), "duration_h": 2, "power_kw": 100.0,
                          "preemptible": False}])
    return prepare_problem(jobs, signals, pods, objective=Objective(
        demand_charge_per_kw=demand, billing="full_month"))


def _at(pod: int, start: int) -> Assignment:
    return Assignment(np.zeros(2, dtype=np.int64), np.full(2, pod), np.arange(start, start + 2))


def test_a_move_of_hall_only_is_all_placement():
    problem = _two_pods()
    levers = lever_savings(problem, _at(0, 0), _at(1, 0))
    # 100 kW x 2 h x price 1 x (1.4 - 1.1)
    assert levers.cost_placement == pytest.approx(60.0)
    assert levers.cost_timing == pytest.approx(0.0, abs=1e-9)
    assert levers.carbon_placement_kg == pytest.approx(100 * 2 * 0.5 * 0.3)


def test_a_move_of_hours_only_is_all_timing():
    problem = _two_pods()
    levers = lever_savings(problem, _at(0, 0), _at(0, 2))
    assert levers.cost_timing == pytest.approx(100 * 2 * 0.5 * 1.4)
    assert levers.cost_placement == pytest.approx(0.0, abs=1e-9)
    assert levers.carbon_timing_kg == pytest.approx(0.0, abs=1e-9)  # carbon is flat


def test_both_moves_split_symmetrically_and_add_up():
    problem = _two_pods()
    levers = lever_savings(problem, _at(0, 0), _at(1, 2))
    # hall first then hours: 60 + 2 x 100 x 0.5 x 1.1 = 60 + 110; hours first: 140 + 30
    assert levers.cost_placement == pytest.approx((60 + 30) / 2)
    assert levers.cost_timing == pytest.approx((110 + 140) / 2)
    assert levers.cost_total == pytest.approx(
        evaluate(problem, _at(0, 0)).cost - evaluate(problem, _at(1, 2)).cost)
    back = lever_savings(problem, _at(1, 2), _at(0, 0))
    assert back.cost_placement == pytest.approx(-levers.cost_placement)
    assert back.cost_timing == pytest.approx(-levers.cost_timing)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_levers_close_on_the_linear_models_saving(seed):
    inst = make_instance(25, 72, seed=seed, n_pods=3, preemptible_share=0.5, tightness=0.5)
    hours = inst.signals.index
    ff = pd.DataFrame({n: 1.05 + 0.15 * i for i, n in enumerate(inst.pods.names)}, index=hours)
    pods = Pods(capacity_kw=inst.pods.capacity_kw, baseline_kw=inst.pods.baseline_kw,
                facility_factor=ff)
    problem = prepare_problem(inst.jobs, inst.signals, pods, objective=Objective(
        carbon_price_per_t=50.0, demand_charge_per_kw=30.0))
    base, plan = asap(problem), greedy(problem)
    levers = lever_savings(problem, base.assignment, plan.assignment)
    assert levers.cost_total == pytest.approx(base.metrics.cost - plan.metrics.cost, rel=1e-9)
    assert levers.carbon_total_kg == pytest.approx(
        base.metrics.carbon_kg - plan.metrics.carbon_kg, rel=1e-9)
    assert levers.cost_peak == pytest.approx(
        base.metrics.demand_cost - plan.metrics.demand_cost, rel=1e-9)


def test_a_job_missing_from_one_schedule_is_refused():
    problem = _two_pods()
    with pytest.raises(ValueError, match="only one schedule"):
        lever_savings(problem, _at(0, 0), Assignment.empty())
