"""Bounds: the LP relaxation and a bound that needs no solve.

* :func:`lp_relaxation` solves the relaxation once; its value is a valid lower bound
  (the solve can stop without any MILP when a schedule is within the gap of it).
* :func:`simple_bound`: each job alone at its cheapest place, for when the LP does not
  finish in time.

(An LP-guided placement and a RENS sub-MILP from the LP lived here until issue 14: left
out in turn on the default scenario and the benchmark instances, neither improved the
returned schedule; docs/optimizer.md, "What each stage is worth".)
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from optimizer.highs_solve import apply_options
from optimizer.linear import to_highs
from optimizer.metrics import monthly_peaks_kw
from optimizer.model import BuiltModel
from optimizer.options import SolverOptions
from optimizer.placement import window_sums


def lp_relaxation(built: BuiltModel, options: SolverOptions, time_limit_s: float | None = None,
                  timing: dict | None = None) -> np.ndarray | None:
    """Column values of the LP relaxation, or None if HiGHS finds none in time.

    Models with run-start rows (preemptible jobs with limited interruptions or restart
    overhead) go to the interior-point solver IPX: their LPs are highly degenerate, and
    dual simplex took 4 s on the default scenario and > 20 s on 300 preemptible jobs x
    168 h where IPX takes 1.3 s and 6.4 s; the others to dual simplex, which is faster
    there (2.5 s vs 5 s on 1000 jobs x 720 h; docs/optimizer.md). ``timing["handoff_s"]``
    accumulates the time spent loading the model into HiGHS.
    """
    h = _load(built, timing)
    n = built.model.record.n_cols
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kContinuous))
    apply_options(h, options)
    if len(built.v["resume"]):
        h.setOptionValue("solver", "ipx")
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.array(h.getSolution().col_value)


def _load(built: BuiltModel, timing: dict | None):
    tick = time.perf_counter()
    h = to_highs(built.model)
    if timing is not None:
        timing["handoff_s"] = timing.get("handoff_s", 0.0) + time.perf_counter() - tick
    return h


def simple_bound(problem) -> float:
    """A lower bound on the objective that needs no solve [currency].

    Energy of the fixed load, plus each job alone at its cheapest place (best window
    on its best pod for a non-preemptible job, its cheapest work hours for a preemptible
    one, or its deferral cost if that is less for a soft job), plus each month's demand
    charge on the highest facility power without jobs. Used when the LP relaxation does
    not finish in time. With assets: -inf (a battery or a tank can lower the cost of
    any hour below its facility energy's; the LP and the MILP give the bound).
    """
    if problem.assets.active:
        return float("-inf")
    jobs = problem.jobs
    total = float((problem.energy_weight_per_kwh * problem.base_facility_kw).sum())
    weight = problem.pod_energy_weight
    move = problem.move_weight
    need_h = np.ceil(jobs.required_h() - 1e-9).astype(np.int64)
    for j in range(len(jobs)):
        d, power = int(jobs.deadline[j]), jobs.power_kw[j]
        pods = jobs.pods_of(j)
        need = int(need_h[j])
        best = np.inf
        for p in pods:
            r = jobs.first_hour(j, p)
            cost = weight[p, r:d] * power
            if not len(cost) or need > len(cost):
                continue
            elif jobs.preemptible[j]:
                ranked = np.sort(cost)
                value = ranked[:need].sum() + np.minimum(ranked[need:], 0.0).sum()
            else:
                value = window_sums(cost, need).min() if need > 0 else 0.0
            best = min(best, float(value) + float(move[j, p]))
        if jobs.soft[j] and not jobs.preemptible[j]:
            best = min(best, float(jobs.defer_cost[j]))
        total += best if np.isfinite(best) else 0.0
    if problem.has_demand_charge:
        total += float((problem.demand_weight_per_kw * monthly_peaks_kw(
            problem, problem.base_facility_kw)).sum())
    return total
