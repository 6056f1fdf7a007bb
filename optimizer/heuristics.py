"""An LP-guided placement: a better MIP start than greedy when capacity is tight.

Solve the LP relaxation of the built model, then place jobs one by one, capacity-aware:
jobs the LP already schedules integrally first, then the rest in EDF order; each job
takes its feasible (pod, start) or (pod, hours) with the largest LP value, ties and
leftovers by the greedy cost. Jobs none of whose LP choices fit fall back to the
greedy rule. The result is a feasible schedule (or None if some job cannot be placed)
that HiGHS receives as MIP start when it beats the greedy baseline.
"""

from __future__ import annotations

import highspy
import numpy as np

from optimizer.baselines import _pick_hours, _place, edf_order
from optimizer.highs_solve import apply_options
from optimizer.layout import block_starts, expand
from optimizer.linear import to_highs
from optimizer.model import BuiltModel
from optimizer.options import SolverOptions
from optimizer.precheck import CAPACITY_EPS_KW
from optimizer.schedule import Assignment

#: LP value above which a binary counts as "set" [-] (judgement).
LP_ONE = 1 - 1e-6


def lp_relaxation(built: BuiltModel, options: SolverOptions) -> np.ndarray | None:
    """Column values of the LP relaxation, or None if HiGHS finds none in time."""
    h = to_highs(built.model)
    n = built.model.record.n_cols
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kContinuous))
    apply_options(h, options)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.array(h.getSolution().col_value)


def lp_guided(built: BuiltModel, x_lp: np.ndarray) -> Assignment | None:
    """Capacity-aware placement following the LP relaxation (see the module doc)."""
    problem, layout, v = built.problem, built.layout, built.v
    jobs = problem.jobs
    cap_left = problem.job_capacity_kw.copy()
    grid_left = problem.grid_limit_kw - problem.base_facility_kw
    weight = problem.energy_weight_per_kwh[None, :] * problem.facility_factor
    # LP values per job: non-preemptible (pod, start, value); preemptible (pod, hour, value)
    cand: dict[int, list] = {}
    confident = np.zeros(len(jobs), dtype=bool)
    if len(layout.np_job):
        block, s = expand(layout.np_first, layout.np_count)
        val = x_lp[v["started"]]
        if v["formulation"] == "cumulative":
            prev = np.concatenate(([0.0], val[:-1]))
            prev[block_starts(layout.np_count)] = 0.0
            val = val - prev
        for b, ss, y in zip(block.tolist(), s.tolist(), val.tolist(), strict=True):
            if y > 1e-6:
                cand.setdefault(int(layout.np_job[b]), []).append((int(layout.np_pod[b]), ss, y))
                if y >= LP_ONE:
                    confident[layout.np_job[b]] = True
    if len(layout.pr_job):
        block, t = expand(layout.pr_first, layout.pr_count)
        val = x_lp[v["run"]]
        for b, hh, u in zip(block.tolist(), t.tolist(), val.tolist(), strict=True):
            if u > 1e-6:
                cand.setdefault(int(layout.pr_job[b]), []).append((int(layout.pr_pod[b]), hh, u))
    order = edf_order(problem)
    order = np.concatenate([order[confident[order]], order[~confident[order]]])
    parts = []
    for j in order:
        if jobs.soft[j]:
            continue
        placed = _place_from_lp(problem, j, cand.get(int(j), []), cap_left, grid_left, weight)
        if placed is None:
            placed = _place(problem, j, cap_left, grid_left, weight, "greedy")
        if placed is None:
            return None
        p, hours = placed
        cap_left[p, hours] -= jobs.power_kw[j]
        grid_left[hours] -= problem.facility_factor[p, hours] * jobs.power_kw[j]
        parts.append(Assignment(np.full(len(hours), j), np.full(len(hours), p), hours))
    return Assignment.concat(parts)


def _fits(problem, j, p, hours, cap_left, grid_left) -> bool:
    power = problem.jobs.power_kw[j]
    return bool((cap_left[p, hours] >= power - CAPACITY_EPS_KW).all() and (
        problem.facility_factor[p, hours] * power <= grid_left[hours] + CAPACITY_EPS_KW).all())


def _place_from_lp(problem, j, cand, cap_left, grid_left, weight):
    jobs = problem.jobs
    if not cand:
        return None
    if not jobs.preemptible[j]:
        n = int(jobs.duration_h[j])
        for p, s, _ in sorted(cand, key=lambda c: (-c[2], weight[c[0], c[1]:c[1] + n].sum())):
            hours = np.arange(s, s + n)
            if _fits(problem, j, p, hours, cap_left, grid_left):
                return p, hours
        return None
    r, d, power = jobs.release[j], jobs.deadline[j], jobs.power_kw[j]
    by_pod: dict[int, dict[int, float]] = {}
    for p, hh, u in cand:
        by_pod.setdefault(p, {})[hh] = u
    for p in sorted(by_pod, key=lambda q: -sum(by_pod[q].values())):
        ok = cap_left[p, r:d] >= power - CAPACITY_EPS_KW
        ok &= problem.facility_factor[p, r:d] * power <= grid_left[r:d] + CAPACITY_EPS_KW
        free = np.flatnonzero(ok) + r
        lp = np.array([by_pod[p].get(int(h), 0.0) for h in free])
        order = free[np.lexsort((weight[p, free], -lp))]
        hours = _pick_hours(order, problem, j)
        if hours is not None:
            return p, hours
    return None



def improve(problem, assignment: Assignment, passes: int = 2) -> Assignment:
    """Local search: take each job out and put it back at its greedy-best placement.

    A move is kept only if the objective (energy, carbon and monthly peaks, evaluated
    exactly) decreases, so the result is never worse than ``assignment``.
    """
    from optimizer.metrics import facility_kw, monthly_peaks_kw

    jobs = problem.jobs
    n_j = len(jobs)
    placed: list = [None] * n_j
    a = assignment
    order = np.argsort(a.job, kind="stable")
    bounds = np.searchsorted(a.job[order], np.arange(n_j + 1))
    for j in range(n_j):
        sel = order[bounds[j] : bounds[j + 1]]
        if len(sel):
            placed[j] = (int(a.pod[sel[0]]), a.t[sel].copy())
    load = np.zeros((len(problem.pods), problem.n_hours))
    for j, pl in enumerate(placed):
        if pl is not None:
            load[pl[0], pl[1]] += jobs.power_kw[j]
    cap = problem.job_capacity_kw
    grid = problem.grid_limit_kw - problem.base_facility_kw
    weight = problem.energy_weight_per_kwh[None, :] * problem.facility_factor
    demand = problem.demand_weight_per_kw

    def objective_of(ld):
        fac = facility_kw(problem, ld)
        total = float(problem.energy_weight_per_kwh @ fac)
        if demand > 0:
            total += demand * float(monthly_peaks_kw(problem, fac).sum())
        return total

    current = objective_of(load)
    for _ in range(passes):
        changed = False
        for j in edf_order(problem):
            if placed[j] is None or jobs.soft[j]:
                continue
            p0, h0 = placed[j]
            power = jobs.power_kw[j]
            load[p0, h0] -= power
            cap_left = cap - load
            grid_left = grid - (problem.facility_factor * load).sum(0)
            cand = _place(problem, j, cap_left, grid_left, weight, "greedy")
            if cand is not None and (cand[0] != p0 or not np.array_equal(cand[1], h0)):
                load[cand[0], cand[1]] += power
                new = objective_of(load)
                if new < current - 1e-9 * max(1.0, abs(current)):
                    placed[j], current, changed = cand, new, True
                    continue
                load[cand[0], cand[1]] -= power
            load[p0, h0] += power
        if not changed:
            break
    parts = [Assignment(np.full(len(h), j), np.full(len(h), p), h)
             for j, pl in enumerate(placed) if pl is not None for p, h in [pl]]
    return Assignment.concat(parts)
