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
  are moved out of every hour above it (into hours that stay below it); a coordinate
  descent on the targets of every site and month (:func:`lower_peaks`) finds the levels
  where energy and demand charge balance.

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
#: First step of :func:`lower_peaks`, as a share of the way from a peak to the
#: facility power without jobs: 1/24 (judgement: resolves the balance of energy and
#: demand charge well inside a 1 % gap; each step costs one shave and one site pass).
PEAK_STEPS = 24
#: Halvings of a peak's step before it is done (judgement: 6 halvings of one step is a
#: resolution of 1/1536 of the peak range).
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


def relocate_pass(problem: Problem, plan: Plan, limit_kw: np.ndarray, deadline_s: float,
                  site: int | None = None) -> bool:
    """Move every movable job (of ``site`` only, if given) to its best placement if that
    lowers the objective."""
    changed = False
    movable = movable_jobs(problem, plan)
    if site is not None:
        movable &= problem.pod_site[np.maximum(plan.pod, 0)] == site
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


def _peak_limits(problem: Problem, target_kw: np.ndarray) -> np.ndarray:
    """Each site's hourly limit (S, T) [kW]: its grid limit and its month's target."""
    return np.minimum(problem.grid_limit_kw.astype(float), target_kw[:, problem.month])


def shave(problem: Problem, plan: Plan, site: int, limit_kw: np.ndarray,
          deadline_s: float) -> bool:
    """Move jobs out of the hours where ``site`` is above its limit; True when none is left.

    The hour furthest above the limit goes first; of the jobs running there, the one
    whose best placement within ``limit_kw`` (every site's, (S, T) [kW]) costs least
    moves. False when no job there can go anywhere or at ``deadline_s``.
    """
    movable = movable_jobs(problem, plan)
    hours_of = plan.hours
    for _ in range(4 * len(problem.jobs) + 1):
        facility = plan.facility[site]
        over = np.flatnonzero(facility > limit_kw[site] + CAPACITY_EPS_KW)
        if not len(over):
            return True
        if time.perf_counter() > deadline_s:
            return False
        t = int(over[np.argmax(facility[over] - limit_kw[site, over])])
        on_site = problem.pod_site[np.maximum(plan.pod, 0)] == site
        here = [j for j in np.flatnonzero(movable & on_site) if np.any(hours_of[j] == t)]
        best = None
        for j in here:
            p0, h0 = int(plan.pod[j]), hours_of[j]
            plan.shift(problem, j, p0, h0, -1.0)
            peaks = monthly_peaks_kw(problem, plan.facility)
            cand = best_placement(problem, plan, j, limit_kw, peaks)
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


def _descend(problem: Problem, plan: Plan, target: np.ndarray, floor: np.ndarray,
             step_kw: float, peak: tuple[int, int], obj: float, deadline_s: float,
             first: bool):
    """Lower one peak's target and return the best lower-objective (plan, objective) on
    the way, or None (other sites keep only their grid limits: a job may move there when
    its exact cost, that site's peak rise included, is lowest).

    The first time: step by step from the present peak to the floor, and after the
    first level out of reach, :data:`PEAK_BISECTIONS` bisections between it and the
    last level reached, each from the last plan reached (which need not be better: the
    demand charge may pay only further down). Later: one step.
    """
    s, m = peak
    lowered = target.copy()
    reached, reached_kw, failed_kw, best = plan, target[s, m], floor[s, m], None

    def attempt(level_kw: float):
        nonlocal reached, reached_kw, failed_kw, best, obj
        trial = reached.copy()
        lowered[s, m] = level_kw
        limit = problem.grid_limit_kw.astype(float)
        limit[s] = _peak_limits(problem, lowered)[s]
        if not shave(problem, trial, s, limit, deadline_s):
            failed_kw = level_kw
            return False
        relocate_pass(problem, trial, limit, deadline_s, site=s)
        reached, reached_kw = trial, level_kw
        value = plan_objective(problem, trial)
        if value < obj - IMPROVE_RTOL * abs(obj):
            best, obj = (trial, value), value
        return True

    for k in range(1, (PEAK_STEPS if first else 1) + 1):
        level = max(target[s, m] - k * step_kw, floor[s, m])
        if not attempt(level) or level <= floor[s, m] + CAPACITY_EPS_KW:
            break
    if first:
        for _ in range(PEAK_BISECTIONS):
            if reached_kw - failed_kw <= CAPACITY_EPS_KW or time.perf_counter() > deadline_s:
                break
            attempt(0.5 * (reached_kw + failed_kw))
    return best


def lower_peaks(problem: Problem, plan: Plan, deadline_s: float) -> Plan:
    """Coordinate descent on the billed peaks, each site's month in turn (module doc).

    Every charged (site, month) peak has a target, at first its present peak. In turn,
    each target is lowered (:func:`_descend`: the site is shaved to it and only its own
    jobs are relocated below it; the first time step by step to the floor and then
    bisection, as for one site alone), and the best lower objective on the way is kept.
    When a peak went lower, the others get one more step each (their step halves when it
    does not pay; after :data:`PEAK_BISECTIONS` halvings, or at the floor, a peak is
    done): with one site and month this is the descent alone. Relocating only the shaved
    site's jobs is what makes it fast on a fleet (a 4-site fleet: the same objective in
    20 s as one pass over every job after every step in 60 s). Ends with a relocate pass
    under the final targets. Never worse than ``plan``.
    """
    weight = problem.demand_weight_per_kw
    floor = monthly_peaks_kw(problem, problem.base_facility_kw)
    target = monthly_peaks_kw(problem, plan.facility)
    step = (target - floor) / PEAK_STEPS
    smallest = step / 2 ** PEAK_BISECTIONS
    peaks = [(int(s), int(m)) for s, m in zip(*np.nonzero((weight > 0)
                                                           & (step > CAPACITY_EPS_KW)),
                                               strict=True)]
    obj = plan_objective(problem, plan)
    pending, first = list(peaks), set(peaks)
    while pending and time.perf_counter() < deadline_s:
        s, m = pending.pop(0)
        found = _descend(problem, plan, target, floor, step[s, m], (s, m), obj, deadline_s,
                         (s, m) in first)
        first.discard((s, m))
        if found is None:
            step[s, m] /= 2
            continue
        plan, obj = found
        target[s, m] = monthly_peaks_kw(problem, plan.facility)[s, m]
        # the others may now go lower: one more step each (this one too)
        pending += [peak for peak in peaks if peak not in pending and peak not in first
                    and step[peak] >= smallest[peak]
                    and target[peak] > floor[peak] + CAPACITY_EPS_KW]
    relocate_pass(problem, plan, _peak_limits(problem, target), deadline_s)
    return plan


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
        plan = lower_peaks(problem, plan, deadline)
        for _ in range(passes):
            if not relocate_pass(problem, plan, grid, deadline):
                break
    if plan_objective(problem, plan) > start_obj:  # cannot happen: every kept move lowers it
        return assignment
    return plan.assignment()
