"""Local search on a feasible schedule, judged by the exact objective.

A :class:`optimizer.plan.Plan` is a schedule being improved: each job's pod and hours, the pods' job
load and the facility power. Two moves, both keeping every limit:

* **relocate** (:func:`relocate_pass`): take one job out and put it back at its best
  placement by the exact change of the objective (energy and carbon of every hour, and
  the increase of each calendar month's peak times the demand charge). Non-preemptible
  jobs: every start on every allowed pod, vectorised. Preemptible jobs: the cheapest
  hours under the run limit (:func:`optimizer.placement.cheapest_hours`), once on the
  energy weight alone and once restricted to hours where the job does not raise its
  month's peak.
* **peak shaving** (:func:`shave`): with a demand charge, moving one job rarely lowers a
  month's peak, because other hours sit at the same level. Given a target level, jobs
  are moved out of every hour above it (into hours that stay below it); a descending
  sequence of targets (:func:`lower_peak`) finds the level where energy and demand
  charge balance.

A move is kept only when it lowers the objective (relocate) or is needed to reach the
target (shave, whose result is kept only if the objective is lower), so
:func:`improve` never returns a worse schedule than it gets. :mod:`optimizer.ruin`
builds a broader search (ruin and recreate) on the same moves.
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.baselines import _pick_hours, edf_order
from optimizer.metrics import monthly_peaks_kw
from optimizer.placement import cheapest_hours, contiguous, window_max, window_sums
from optimizer.plan import Plan
from optimizer.precheck import CAPACITY_EPS_KW
from optimizer.problem import Problem
from optimizer.schedule import Assignment

#: Relative objective decrease a move must bring to count (judgement: above rounding
#: noise of sums of ~1e6, far below any real saving).
IMPROVE_RTOL = 1e-10
#: Targets tried by :func:`lower_peak` between the current peak and the highest
#: facility power without jobs (judgement: 1/24 steps resolve the balance of energy and
#: demand charge well inside a 1 % gap; each step costs one shave and one pass).
PEAK_STEPS = 24
#: Bisection steps between the last reached and the first missed target (judgement:
#: 6 halvings of one step is a resolution of 1/1536 of the peak range).
PEAK_BISECTIONS = 6


def plan_objective(problem: Problem, plan: Plan) -> float:
    """Objective of the plan without the rolling horizon's deferral terms [currency]."""
    total = float((problem.energy_weight_per_kwh * plan.facility).sum())
    if problem.has_demand_charge:
        total += float((problem.demand_weight_per_kw
                        * monthly_peaks_kw(problem, plan.facility)).sum())
    if problem.jobs.moves:
        placed = np.flatnonzero(plan.pod >= 0)
        total += float(problem.move_weight[placed, plan.pod[placed]].sum())
    return total


def movable_jobs(problem: Problem, plan: Plan) -> np.ndarray:
    """Jobs the search may move: placed, and not soft (rolling windows)."""
    jobs = problem.jobs
    return (plan.pod >= 0) & ~jobs.soft


def _peak_rise_cost(problem: Problem, site: int, rise_kw: np.ndarray, t0: int,
                    length: int) -> np.ndarray:
    """Demand weight of the largest rise above the site's month's peak in each window,
    summed over months [currency]."""
    months = problem.month[t0 : t0 + len(rise_kw)]
    weight = problem.demand_weight_per_kw[site]
    if months[0] == months[-1]:
        return weight[months[0]] * window_max(rise_kw, length)
    total = np.zeros(len(rise_kw) - length + 1)
    for m in np.unique(months):
        total += weight[m] * window_max(np.where(months == m, rise_kw, 0.0), length)
    return total


def best_placement(problem: Problem, plan: Plan, j: int, limit_kw: np.ndarray,
                   peaks_kw: np.ndarray):
    """Best (delta objective, pod, hours) for job j, which must be out of ``plan``.

    ``limit_kw`` caps each site's facility power per hour (grid limit, or a peak
    target) (S, T); ``peaks_kw`` are the sites' month peaks without the job (S, M).
    None if nothing fits.
    """
    jobs = problem.jobs
    r, d, power = int(jobs.release[j]), int(jobs.deadline[j]), jobs.power_kw[j]
    pods = jobs.pods_of(j)
    charged = problem.demand_weight_per_kw.max(1) > 0
    move = problem.move_weight[j] if jobs.moves else np.zeros(len(problem.pods))
    best = None
    for p in pods:
        s = problem.pod_site[p]
        ff = problem.facility_factor[p, r:d]
        new_fac = plan.facility[s, r:d] + ff * power
        ok = problem.job_capacity_kw[p, r:d] - plan.load[p, r:d] >= power - CAPACITY_EPS_KW
        ok &= new_fac <= limit_kw[s, r:d] + CAPACITY_EPS_KW
        ok &= plan.open_room_kw(problem, j, p, r, d) >= power - CAPACITY_EPS_KW
        ok[: max(jobs.first_hour(j, p) - r, 0)] = False  # a fleet: its data are on the way
        cost = problem.energy_weight_per_kwh[s, r:d] * ff * power
        rise = (np.maximum(new_fac - peaks_kw[s, problem.month[r:d]], 0.0) if charged[s]
                else None)
        for hours in _candidates(problem, j, s, ok, cost, rise, r):
            if hours is None:
                continue
            delta = _delta(problem, s, hours, r, cost, rise) + float(move[p])
            if best is None or delta < best[0]:
                best = (delta, int(p), hours)
    return best


def _candidates(problem: Problem, j: int, site: int, ok, cost, rise, r):
    """Candidate hour sets (absolute hours) for job j on one pod."""
    jobs = problem.jobs
    if not jobs.preemptible[j]:
        n = int(jobs.duration_h[j])
        fits = contiguous(ok, n)
        if not fits.any():
            return
        score = window_sums(cost, n)
        if rise is not None:
            score = score + _peak_rise_cost(problem, site, rise, r, n)
        s = int(np.argmin(np.where(fits, score, np.inf)))
        yield np.arange(s, s + n) + r
        return
    stateful = jobs.starts_done[j] > 0 or jobs.running_before[j] or jobs.done_h[j] > 0
    if stateful:
        free = np.flatnonzero(ok)
        yield _pick_hours(free[np.argsort(cost[free], kind="stable")] + r, problem, j)
        return
    args = (jobs.duration_h[j], jobs.overhead_h[j], int(jobs.max_starts[j]))
    hours = cheapest_hours(cost, ok, *args)
    yield None if hours is None else hours + r
    if rise is not None and hours is not None and (rise[hours] > 0).any():
        flat = cheapest_hours(cost, ok & (rise <= 0), *args)
        yield None if flat is None else flat + r


def _delta(problem, site, hours, r, cost, rise) -> float:
    rel = hours - r
    delta = float(cost[rel].sum())
    if rise is not None and len(rel):
        demand = problem.demand_weight_per_kw[site]
        months = problem.month[hours]
        for m in np.unique(months):
            delta += demand[m] * float(rise[rel[months == m]].max())
    return delta


def relocate_pass(problem: Problem, plan: Plan, limit_kw: np.ndarray, deadline_s: float) -> bool:
    """Move every movable job to its best placement if that lowers the objective."""
    changed = False
    movable = movable_jobs(problem, plan)
    for j in edf_order(problem):
        if not movable[j] or time.perf_counter() > deadline_s:
            continue
        p0, h0 = int(plan.pod[j]), plan.hours[j]
        plan.shift(problem, j, p0, h0, -1.0)
        peaks = monthly_peaks_kw(problem, plan.facility)
        cand = best_placement(problem, plan, j, limit_kw, peaks)
        current = _current_delta(problem, plan, j, p0, h0, peaks)
        scale = IMPROVE_RTOL * max(1.0, abs(float((problem.energy_weight_per_kwh
                                                   * plan.facility).sum())))
        if cand is not None and cand[0] < current - scale:
            _, p1, h1 = cand
            plan.pod[j], plan.hours[j] = p1, h1
            plan.shift(problem, j, p1, h1, 1.0)
            changed = True
        else:
            plan.shift(problem, j, p0, h0, 1.0)
    return changed


def _current_delta(problem, plan, j, p, hours, peaks) -> float:
    power = problem.jobs.power_kw[j]
    s = problem.pod_site[p]
    ff = problem.facility_factor[p, hours]
    delta = float((problem.energy_weight_per_kwh[s, hours] * ff * power).sum())
    if problem.jobs.moves:
        delta += float(problem.move_weight[j, p])
    demand = problem.demand_weight_per_kw[s]
    if demand.max() > 0 and len(hours):
        rise = np.maximum(plan.facility[s, hours] + ff * power
                          - peaks[s, problem.month[hours]], 0.0)
        months = problem.month[hours]
        for m in np.unique(months):
            delta += demand[m] * float(rise[months == m].max())
    return delta


def site_target(problem: Problem, site: int, target_kw: float) -> np.ndarray:
    """Each site's limit on facility power (S, T) [kW]: its grid limit, and at
    ``site`` no more than ``target_kw``."""
    limit = problem.grid_limit_kw.astype(float)
    limit[site] = np.minimum(limit[site], target_kw)
    return limit


def shave(problem: Problem, plan: Plan, site: int, target_kw: float,
          deadline_s: float) -> bool:
    """Move jobs out of hours above ``target_kw`` facility power at ``site``; True when
    none is left."""
    limit = site_target(problem, site, target_kw)
    movable = movable_jobs(problem, plan)
    hours_of = plan.hours
    for _ in range(4 * len(problem.jobs) + 1):
        facility = plan.facility[site]
        over = np.flatnonzero(facility > limit[site] + CAPACITY_EPS_KW)
        if not len(over):
            return True
        if time.perf_counter() > deadline_s:
            return False
        t = int(over[np.argmax(facility[over])])
        on_site = problem.pod_site[np.maximum(plan.pod, 0)] == site
        here = [j for j in np.flatnonzero(movable & on_site) if np.any(hours_of[j] == t)]
        best = None
        for j in here:
            p0, h0 = int(plan.pod[j]), hours_of[j]
            plan.shift(problem, j, p0, h0, -1.0)
            peaks = monthly_peaks_kw(problem, plan.facility)
            cand = best_placement(problem, plan, j, limit, peaks)
            if cand is not None:
                extra = cand[0] - _current_delta(problem, plan, j, p0, h0, peaks)
                if best is None or extra < best[0]:
                    best = (extra, j, cand[1], cand[2])
            plan.shift(problem, j, p0, h0, 1.0)
        if best is None:
            return False
        _, j, p1, h1 = best
        plan.shift(problem, j, int(plan.pod[j]), hours_of[j], -1.0)
        plan.pod[j], hours_of[j] = p1, h1
        plan.shift(problem, j, p1, h1, 1.0)
    return False


def lower_peak(problem: Problem, plan: Plan, deadline_s: float) -> Plan:
    """Best plan over a descending sequence of peak targets at each site with a demand
    charge, one site after the other (see the module doc)."""
    for site in np.flatnonzero(problem.demand_weight_per_kw.max(1) > 0):
        plan = _lower_site_peak(problem, plan, int(site), deadline_s)
    return plan


def _lower_site_peak(problem: Problem, plan: Plan, site: int, deadline_s: float) -> Plan:
    """Targets step down from the site's current peak towards its highest facility
    power without jobs; after the first target that cannot be reached, bisection
    between it and the last reached one (each step from the last reached plan)."""
    best, best_obj = plan, plan_objective(problem, plan)
    floor = float(problem.base_facility_kw[site].max())
    top = float(plan.facility[site].max())
    if not top > floor + CAPACITY_EPS_KW:
        return plan
    reached, reached_kw, failed_kw = plan.copy(), top, floor
    for target in np.linspace(top, floor, PEAK_STEPS + 1)[1:]:
        trial = reached.copy()
        if not _reach(problem, trial, site, target, deadline_s):
            failed_kw = target
            break
        reached, reached_kw = trial, target
        obj = plan_objective(problem, trial)
        if obj < best_obj:
            best, best_obj = trial.copy(), obj
    for _ in range(PEAK_BISECTIONS):
        if time.perf_counter() > deadline_s:
            break
        target = 0.5 * (reached_kw + failed_kw)
        trial = reached.copy()
        if _reach(problem, trial, site, target, deadline_s):
            reached, reached_kw = trial, target
            obj = plan_objective(problem, trial)
            if obj < best_obj:
                best, best_obj = trial.copy(), obj
        else:
            failed_kw = target
    return best


def _reach(problem: Problem, plan: Plan, site: int, target_kw: float,
           deadline_s: float) -> bool:
    """Shave ``site`` to ``target_kw`` and tidy up below it; False if the target is out
    of reach."""
    if time.perf_counter() > deadline_s or not shave(problem, plan, site, target_kw,
                                                     deadline_s):
        return False
    relocate_pass(problem, plan, site_target(problem, site, target_kw), deadline_s)
    return True


def improve(problem: Problem, assignment: Assignment, time_budget_s: float = 5.0,
            passes: int = 3) -> Assignment:
    """Local search from ``assignment`` (never worse; see the module doc).

    Parameters
    ----------
    time_budget_s : float
        Wall-clock budget [s]; the search stops at the first move after it.
    passes : int
        Most relocate passes after each peak step.
    """
    deadline = time.perf_counter() + time_budget_s
    plan = Plan.of(problem, assignment)
    start_obj = plan_objective(problem, plan)
    grid = problem.grid_limit_kw.astype(float)
    for _ in range(passes):
        if not relocate_pass(problem, plan, grid, deadline):
            break
    if problem.has_demand_charge:
        plan = lower_peak(problem, plan, deadline)
        for _ in range(passes):
            if not relocate_pass(problem, plan, grid, deadline):
                break
    if plan_objective(problem, plan) > start_obj:  # cannot happen: every kept move lowers it
        return assignment
    return plan.assignment()

