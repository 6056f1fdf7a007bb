"""The cut families (optimizer.model.CUT_FAMILIES) are valid and do what their math says.

* On small random instances (two pods whose room rises and falls hour by hour,
  non-preemptible and preemptible jobs with interruption limits, restart overhead and
  pod choice, a demand charge) the MILP optimum is the same with and without the cuts,
  and the optimal schedule of the model without cuts meets every row of the model with
  them: the cuts cut off no integer schedule.
* On cases built for them the LP bound rises by exactly the amount the math gives.
"""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
import pytest

from optimizer import Objective, Pods, build_model, prepare_problem
from optimizer.heuristics import lp_relaxation
from optimizer.linear import objective_vector, to_highs, violated_rows
from optimizer.model import CUT_FAMILIES, assignment_from_values, values_from_assignment
from tests.optimizer_cases import EXACT, T0, hours
from tests.tolerances import OPTIMIZER_OBJECTIVE_RTOL


def random_case(seed):
    rng = np.random.default_rng(seed)
    n = 12
    signals = pd.DataFrame({"price_per_kwh": rng.choice([0.3, 0.7, 1.2], n),
                            "carbon_g_per_kwh": rng.uniform(300, 600, n).round()},
                           index=hours(n))
    pods = Pods(
        capacity_kw=pd.DataFrame({"A": rng.uniform(150, 260, n).round(1),
                                  "B": rng.uniform(200, 330, n).round(1)}, index=hours(n)),
        baseline_kw=pd.DataFrame({"A": rng.uniform(0, 60, n).round(1),
                                  "B": rng.uniform(0, 60, n).round(1)}, index=hours(n)),
        facility_factor=pd.DataFrame({"A": rng.uniform(1.1, 1.5, n).round(2),
                                      "B": rng.uniform(1.05, 1.3, n).round(2)}, index=hours(n)),
    )
    rows = []
    for k in range(5):
        r = int(rng.integers(0, 5))
        d = int(rng.integers(r + 5, n + 1))
        pre = bool(k % 2)
        rows.append({"job_id": f"j{k}", "release": T0 + pd.Timedelta(hours=r),
                     "deadline": T0 + pd.Timedelta(hours=d),
                     "duration_h": int(rng.integers(2, 5)),
                     "power_kw": float(rng.choice([50, 80, 90, 120, 150])), "preemptible": pre,
                     "max_interruptions": int(rng.integers(0, 3)) if pre else pd.NA,
                     "restart_overhead_h": float(rng.choice([0.0, 1.0])) if pre else 0.0})
    jobs = pd.DataFrame(rows)
    jobs["max_interruptions"] = jobs["max_interruptions"].astype("Int64")
    objective = Objective(carbon_price_per_t=60.0, demand_charge_per_kw=float(
        rng.choice([0.0, 5.0, 40.0])))
    return prepare_problem(jobs, signals, pods, objective=objective)


def model_objective(built, x):
    return float(objective_vector(built.model) @ x + built.model.record.obj_constant)


def milp_optimum(built):
    h = to_highs(built.model)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", 60.0)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value, np.array(h.getSolution().col_value)


def lp_bound(problem, cuts):
    built = build_model(problem, cuts=cuts)
    return model_objective(built, lp_relaxation(built, EXACT))


@pytest.mark.parametrize("seed", range(8))
def test_cuts_cut_off_no_integer_schedule(seed):
    problem = random_case(seed)
    plain = build_model(problem, cuts=())
    cut = build_model(problem, cuts=tuple(CUT_FAMILIES))
    assert cut.model.record.n_rows > plain.model.record.n_rows  # the cuts are there
    value, x = milp_optimum(plain)
    # the optimal schedule without cuts meets every row of the model with them
    schedule = assignment_from_values(plain, x)
    x_cut = values_from_assignment(cut, schedule)
    assert violated_rows(cut.model, x_cut) == []
    assert model_objective(cut, x_cut) == pytest.approx(value, rel=OPTIMIZER_OBJECTIVE_RTOL)
    value_cut, _ = milp_optimum(cut)
    assert value_cut == pytest.approx(value, rel=OPTIMIZER_OBJECTIVE_RTOL)
    # and the LP bound never falls
    assert lp_bound(problem, tuple(CUT_FAMILIES)) >= lp_bound(problem, ()) * (1 - 1e-9)


def one_pod(capacity, price, jobs):
    n = len(price)
    signals = pd.DataFrame({"price_per_kwh": price, "carbon_g_per_kwh": 0.0}, index=hours(n))
    pods = Pods(capacity_kw=pd.DataFrame({"A": capacity}, index=hours(n)))
    table = pd.DataFrame([{"job_id": j, "release": T0 + pd.Timedelta(hours=r),
                           "deadline": T0 + pd.Timedelta(hours=d), "duration_h": dur,
                           "power_kw": kw, "preemptible": False}
                          for j, r, d, dur, kw in jobs])
    return prepare_problem(table, signals, pods)


def test_capacity_rounding_lifts_the_bound_to_whole_jobs():
    # three 50 kW one-hour jobs, 105 kW of room at price 1, the rest at price 10. The LP
    # runs 105 kW in the cheap hour: 105 + 45 x 10 = 555. Whole jobs fill 100 (gcd 50):
    # 100 + 50 x 10 = 600, the optimum; the rise is (105 - 100) x (10 - 1) = 45.
    problem = one_pod([105.0, 1000.0], [1.0, 10.0],
                      [(f"j{k}", 0, 2, 1, 50.0) for k in range(3)])
    assert lp_bound(problem, ()) == pytest.approx(555.0, rel=1e-6)
    assert lp_bound(problem, ("capacity_rounding",)) == pytest.approx(600.0, rel=1e-6)


def test_pod_staircase_lifts_the_bound_by_the_fraction_of_a_start():
    # Room 100 kW at hour 0, 150 kW at hour 1 (price 1), 1000 kW at hour 2 (price 10).
    # j1 (100 kW, 2 h) must run at hours 0-1; j2 (90 kW, 1 h) may start at 1 or 2.
    # Whole jobs: j2 does not fit beside j1 at hour 1 (190 > 150): 2 x 100 + 90 x 10 =
    # 1100. The LP starts 5/9 of j2 at hour 1 (50 kW): 200 + 50 + 40 x 10 = 650. The
    # staircase row (t0 = 0, t = 1): load_1 <= 100 + (150 - 100) x starts_1 =
    # 100 + 50 y while load_1 = 100 + 90 y, so y = 0 and the bound is 1100 (+450).
    # Powers 100 and 90 (gcd 10) and rooms in tens: the rounding changes nothing here.
    problem = one_pod([100.0, 150.0, 1000.0], [1.0, 1.0, 10.0],
                      [("j1", 0, 2, 2, 100.0), ("j2", 1, 3, 1, 90.0)])
    assert lp_bound(problem, ()) == pytest.approx(650.0, rel=1e-6)
    assert lp_bound(problem, ("capacity_rounding",)) == pytest.approx(650.0, rel=1e-6)
    assert lp_bound(problem, ("pod_staircase",)) == pytest.approx(1100.0, rel=1e-6)


def test_site_staircase_lifts_the_bound_by_the_peak_a_start_needs():
    # One pod without a binding capacity, site base power 100, 50, 0 kW at hours 0-2
    # (prices 1, 1, 10), demand charge 30 per kW (whole month). j1 (100 kW, 2 h) runs at
    # hours 0-1, so the peak is >= 200; j2 (90 kW, 1 h) starts at 1 or 2.
    # Whole jobs: j2 at 1 costs 200 + 240 + 30 x 240 = 7640, at 2: 200 + 150 + 900 +
    # 30 x 200 = 7250 (the optimum). The LP starts y = 5/9 of j2 at hour 1, which keeps
    # the facility at 200 kW: 200 + 200 + 400 + 6000 = 6800. The staircase row (t0 = 0,
    # t = 1; rho = 1, c = b_0 - b_1 = 50): F_1 <= P - 100 + 50 y with F_1 = 100 + 90 y,
    # so P >= 200 + 40 y; the LP's cost 1250 - 810 y + 30 x (200 + 40 y) rises with y:
    # y = 0 and the bound is 7250 (+450).
    n = 3
    signals = pd.DataFrame({"price_per_kwh": [1.0, 1.0, 10.0], "carbon_g_per_kwh": 0.0,
                            "fixed_overhead_kw": [100.0, 50.0, 0.0]}, index=hours(n))
    pods = Pods(capacity_kw=pd.DataFrame({"A": 10_000.0}, index=hours(n)))
    table = pd.DataFrame([{"job_id": j, "release": T0 + pd.Timedelta(hours=r),
                           "deadline": T0 + pd.Timedelta(hours=d), "duration_h": dur,
                           "power_kw": kw, "preemptible": False}
                          for j, r, d, dur, kw in [("j1", 0, 2, 2, 100.0),
                                                   ("j2", 1, 3, 1, 90.0)]])
    problem = prepare_problem(table, signals, pods, objective=Objective(
        demand_charge_per_kw=30.0, billing="full_month"))
    assert problem.demand_weight_per_kw[0, 0] == pytest.approx(30.0)
    assert lp_bound(problem, ()) == pytest.approx(6800.0, rel=1e-6)
    assert lp_bound(problem, ("capacity_rounding", "pod_staircase")) == pytest.approx(
        6800.0, rel=1e-6)
    assert lp_bound(problem, ("site_staircase",)) == pytest.approx(7250.0, rel=1e-6)
