"""Pareto sweep of cost vs carbon by the epsilon-constraint method.

1. Minimise carbon (optionally with money as a tie-breaker, see TIE_BREAK) -> carbon_min.
2. Minimise cost -> carbon at the cost optimum, carbon_max.
3. For N-2 values eps between them: minimise cost s.t. carbon <= eps.

Cost is energy cost + demand charges (no carbon price); carbon is facility energy x
intensity [kg]. All points reuse one HiGHS model: only the objective and the bound of
the ``carbon_cap`` row change. MIP starts: the greedy (else ASAP) schedule for the carbon
optimum, which then starts the cost optimum and every capped point (it meets every cap).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from optimizer.baselines import asap, greedy
from optimizer.highs_solve import run_highs
from optimizer.linear import add_rows, objective_vector, to_highs
from optimizer.metrics import evaluate
from optimizer.model import assignment_from_values, build_model, values_from_assignment
from optimizer.options import DEFAULT_OPTIONS, SolverOptions
from optimizer.precheck import explain_infeasible_inputs
from optimizer.problem import Problem

#: Weight of money when minimising carbon [kg per currency unit]; 0: a tie-break made the
#: carbon solve much slower to prove (measured), so the clean end is carbon-optimal only.
TIE_BREAK = 0.0


def pareto_front(problem: Problem, n_points: int = 5,
                 options: SolverOptions = DEFAULT_OPTIONS) -> pd.DataFrame:
    """Cost-carbon trade-off curve.

    Returns
    -------
    DataFrame
        One row per point, cleanest first: eps_carbon_kg (the cap, NaN for the two
        end points), cost, carbon_kg, peak_kw, status ("optimal",
        "time_limit_feasible" or "infeasible"), gap.
    """
    if n_points < 2:
        raise ValueError("n_points must be >= 2")
    explain_infeasible_inputs(problem)
    money = problem.with_objective(replace(
        problem.objective, carbon_price_per_t=0.0, cost_weight=1.0, carbon_weight=0.0))
    # no cut families: every point goes straight to HiGHS's MILP with a short limit, and
    # the larger model left it no time to improve its start (measured on the tests' case)
    built = build_model(money, cuts=())
    v = built.v
    # carbon [kg] of the jobs' load: sum_t carbon_t / 1000 * sum_p ff[p,t] it_load[p,t]
    t, p = v["load_t"], v["load_pod"]
    carbon_coef = (problem.carbon_g_per_kwh[problem.pod_site[p], t] / 1e3
                   * problem.facility_factor[p, t])
    base_carbon = float((problem.carbon_g_per_kwh * problem.base_facility_kw).sum() / 1e3)
    add_rows(built.model, "carbon_cap", ["all"], np.zeros(len(t), dtype=np.int64),
             v["it_load_kw"], carbon_coef, -np.inf, 1e15)  # bound set per point
    cost_vec = objective_vector(built.model)
    carbon_vec = np.zeros_like(cost_vec)
    carbon_vec[v["it_load_kw"]] = carbon_coef
    h = to_highs(built.model)
    cap_row = built.model.record.n_rows - 1
    rows, previous, clean_x = [], _baseline_start(built, money), None

    def point(eps: float | None, minimise_carbon: bool):
        nonlocal previous
        cost = carbon_vec + TIE_BREAK * cost_vec if minimise_carbon else cost_vec
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        offset = base_carbon + TIE_BREAK * built.model.record.obj_constant if (
            minimise_carbon) else built.model.record.obj_constant
        h.changeObjectiveOffset(offset)
        upper = np.inf if eps is None else eps - base_carbon
        h.changeRowBounds(cap_row, -np.inf, upper)
        outcome = run_highs(h, options, previous)
        if not outcome.has_solution:
            rows.append({"eps_carbon_kg": eps, "cost": np.nan, "carbon_kg": np.nan,
                         "peak_kw": np.nan, "status": "infeasible", "gap": np.nan})
            return None
        previous = outcome.values
        m = evaluate(money, assignment_from_values(built, outcome.values))
        rows.append({"eps_carbon_kg": eps, "cost": m.cost, "carbon_kg": m.carbon_kg,
                     "peak_kw": m.peak_kw,
                     "status": "optimal" if outcome.termination == "optimal"
                     else "time_limit_feasible", "gap": outcome.gap})
        return m

    clean = point(None, True)
    clean_x = previous
    cheap_rows_before = len(rows)
    cheap = point(None, False)
    cheap_row = rows.pop(cheap_rows_before)
    if clean is not None and cheap is not None:
        for eps in np.linspace(clean.carbon_kg, cheap.carbon_kg, n_points)[1:-1]:
            previous = clean_x  # the cleanest schedule meets every cap: a valid start
            point(float(eps) * (1 + 1e-9), False)
    rows.append(cheap_row)
    frame = pd.DataFrame(rows)
    frame.loc[[0, len(frame) - 1], "eps_carbon_kg"] = np.nan
    return frame


def _baseline_start(built, problem: Problem) -> np.ndarray | None:
    """Column vector of the greedy (else ASAP) schedule: the first point's MIP start."""
    base = greedy(problem)
    if base.status != "feasible":  # ASAP only when greedy failed
        base = asap(problem)
    return values_from_assignment(built, base.assignment) if base.status == "feasible" else None
