"""Schedules from the LP relaxation: LP-guided placement and a RENS sub-MILP.

* :func:`lp_relaxation` solves the relaxation once; its value is a valid lower bound
  (the solve can stop without any MILP when a schedule is within the gap of it).
* :func:`lp_guided` places jobs one by one, capacity-aware: jobs the LP already
  schedules integrally first, then the rest in EDF order; each job takes its feasible
  (pod, start) or (pod, hours) with the largest LP value, ties and leftovers by the
  greedy cost. Jobs none of whose LP choices fit fall back to the greedy rule. The
  result is a feasible schedule or None if some job cannot be placed.
* :func:`rens` (relaxation-enforced neighbourhood search): every job the LP schedules
  integrally stays exactly there, the others are free, and that sub-MILP goes to HiGHS
  with a short time limit. On 1000 jobs x 720 h the LP leaves 80 of the jobs
  fractional, and the sub-MILP's optimum (8-10 s) is 0.054 % above the LP bound where
  LP-guided placement + local search reach 0.105 %.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from optimizer.baselines import _pick_hours, _place, edf_order
from optimizer.highs_solve import apply_options
from optimizer.layout import expand
from optimizer.linear import to_highs
from optimizer.metrics import monthly_peaks_kw
from optimizer.model import BuiltModel, job_of_column
from optimizer.options import SolverOptions
from optimizer.placement import window_sums
from optimizer.plan import Plan
from optimizer.precheck import CAPACITY_EPS_KW
from optimizer.schedule import Assignment

#: LP value above which a binary counts as "set", below which as "unset" [-]
#: (judgement: far above HiGHS's 1e-7 tolerances).
LP_ONE = 1 - 1e-6
LP_ZERO = 1e-6
#: RENS runs only when at most this share of the jobs is fractional in the LP
#: (judgement: with more, the sub-MILP is nearly the whole MILP).
RENS_MAX_FRACTIONAL_SHARE = 0.3
#: Relative gap of the RENS sub-MILP (judgement: finer than any requested gap).
RENS_GAP = 1e-5


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


def lp_guided(built: BuiltModel, x_lp: np.ndarray) -> Assignment | None:
    """Capacity-aware placement following the LP relaxation (see the module doc)."""
    problem, layout, v = built.problem, built.layout, built.v
    jobs = problem.jobs
    plan = Plan.empty(problem)
    weight = problem.energy_weight_per_kwh[None, :] * problem.facility_factor
    # LP values per job: non-preemptible (pod, start, value); preemptible (pod, hour, value)
    cand: dict[int, list] = {}
    confident = np.zeros(len(jobs), dtype=bool)
    if len(layout.np_job):
        block, s = expand(layout.np_first, layout.np_count)
        val = x_lp[v["started"]]
        for b, ss, y in zip(block.tolist(), s.tolist(), val.tolist(), strict=True):
            if y > LP_ZERO:
                cand.setdefault(int(layout.np_job[b]), []).append((int(layout.np_pod[b]), ss, y))
                if y >= LP_ONE:
                    confident[layout.np_job[b]] = True
    if len(layout.pr_job):
        block, t = expand(layout.pr_first, layout.pr_count)
        val = x_lp[v["run"]]
        for b, hh, u in zip(block.tolist(), t.tolist(), val.tolist(), strict=True):
            if u > LP_ZERO:
                cand.setdefault(int(layout.pr_job[b]), []).append((int(layout.pr_pod[b]), hh, u))
    order = edf_order(problem)
    order = np.concatenate([order[confident[order]], order[~confident[order]]])
    for j in order:
        if jobs.soft[j]:
            continue
        placed = _place_from_lp(problem, j, cand.get(int(j), []), plan, weight)
        if placed is None:
            placed = _place(problem, j, plan, "greedy")
        if placed is None:
            return None
        plan.place(problem, j, placed[0], placed[1])
    return plan.assignment()


def _fits(problem, j, p, hours, plan: Plan) -> bool:
    power = problem.jobs.power_kw[j]
    start, end = int(hours[0]), int(hours[-1]) + 1
    return bool((plan.pod_room_kw(problem, p, start, end) >= power - CAPACITY_EPS_KW).all() and (
        problem.facility_factor[p, start:end] * power
        <= plan.grid_room_kw(problem, start, end) + CAPACITY_EPS_KW).all())


def _place_from_lp(problem, j, cand, plan: Plan, weight: np.ndarray):
    jobs = problem.jobs
    if not cand:
        return None
    if not jobs.preemptible[j]:
        n = int(jobs.duration_h[j])
        for p, s, _ in sorted(cand, key=lambda c: (-c[2], weight[c[0], c[1]:c[1] + n].sum())):
            hours = np.arange(s, s + n)
            if _fits(problem, j, p, hours, plan):
                return p, hours
        return None
    r, d, power = jobs.release[j], jobs.deadline[j], jobs.power_kw[j]
    by_pod: dict[int, dict[int, float]] = {}
    for p, hh, u in cand:
        by_pod.setdefault(p, {})[hh] = u
    for p in sorted(by_pod, key=lambda q: -sum(by_pod[q].values())):
        ok = plan.pod_room_kw(problem, p, r, d) >= power - CAPACITY_EPS_KW
        ok &= problem.facility_factor[p, r:d] * power <= plan.grid_room_kw(problem, r, d) + \
            CAPACITY_EPS_KW
        free = np.flatnonzero(ok) + r
        lp = np.array([by_pod[p].get(int(h), 0.0) for h in free])
        order = free[np.lexsort((weight[p, free], -lp))]
        hours = _pick_hours(order, problem, j)
        if hours is not None:
            return p, hours
    return None




def rens(built: BuiltModel, x_lp: np.ndarray, start: np.ndarray | None, time_limit_s: float,
         threads: int = 1, timing: dict | None = None) -> np.ndarray | None:
    """Best schedule with the LP's integral jobs fixed (see the module doc), or None.

    ``start`` (a column vector) is passed as MIP start when it agrees with the fixings
    (the LP-guided placement does: it places the integral jobs first, where the LP has
    them).
    """
    owner = job_of_column(built)
    integer = np.flatnonzero(owner >= 0)
    xi = x_lp[integer]
    fractional = (xi > LP_ZERO) & (xi < LP_ONE)
    free_jobs = np.unique(owner[integer][fractional])
    n_jobs = int((~built.problem.jobs.soft).sum())
    if not len(free_jobs) or len(free_jobs) > RENS_MAX_FRACTIONAL_SHARE * n_jobs:
        return None
    fixed = ~np.isin(owner[integer], free_jobs)
    value = np.round(xi)
    h = _load(built, timing)
    h.setOptionValue("mip_rel_gap", RENS_GAP)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    cols = integer.astype(np.int32)
    h.changeColsBounds(len(cols), cols, np.where(fixed, value, 0.0), np.where(fixed, value, 1.0))
    if start is not None and np.all(np.abs(start[integer][fixed] - value[fixed]) < 1e-6):
        h.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    return np.array(h.getSolution().col_value)


def simple_bound(problem) -> float:
    """A lower bound on the objective that needs no solve [currency].

    Energy of the fixed load, plus each job alone at its cheapest place (best window
    on its best pod for a non-preemptible job, its cheapest work hours for a preemptible
    one, or its deferral cost if that is less for a soft job), plus each month's demand
    charge on the highest facility power without jobs. Used when the LP relaxation does
    not finish in time.
    """
    jobs = problem.jobs
    total = float(problem.energy_weight_per_kwh @ problem.base_facility_kw)
    weight = problem.energy_weight_per_kwh[None, :] * problem.facility_factor
    need_h = np.ceil(jobs.required_h() - 1e-9).astype(np.int64)
    for j in range(len(jobs)):
        r, d, power = int(jobs.release[j]), int(jobs.deadline[j]), jobs.power_kw[j]
        pods = jobs.pods_of(j)
        need = int(need_h[j])
        best = np.inf
        for p in pods:
            cost = weight[p, r:d] * power
            if not len(cost) or need > len(cost):
                continue
            elif jobs.preemptible[j]:
                ranked = np.sort(cost)
                value = ranked[:need].sum() + np.minimum(ranked[need:], 0.0).sum()
            else:
                value = window_sums(cost, need).min() if need > 0 else 0.0
            best = min(best, float(value))
        if jobs.soft[j] and not jobs.preemptible[j]:
            best = min(best, float(jobs.defer_cost[j]))
        total += best if np.isfinite(best) else 0.0
    if problem.has_demand_charge:
        total += float(problem.demand_weight_per_kw @ monthly_peaks_kw(
            problem, problem.base_facility_kw))
    return total
