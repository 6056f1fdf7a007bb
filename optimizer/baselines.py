"""Capacity-aware baseline schedules on the same data as the MILP: ASAP and greedy.

Jobs are placed one by one in EDF order (deadline, then release, then input order);
each placement respects what earlier jobs left of pod, cooling and grid room.

* ASAP: each job starts as early as possible, on the first allowed pod with room.
* Greedy (carbon/price-aware): non-preemptible jobs take the feasible window with the
  lowest objective weight (energy price + carbon price x intensity, times the pod's
  facility factor); preemptible jobs take the k cheapest feasible hours (k grows with
  the restart overhead of the runs it creates); if that needs more runs than allowed,
  the cheapest contiguous window. Demand charges are not looked at (the hourly
  weight is the rule, as in the anchors of reference/scheduling.md).

Soft jobs of a rolling window (deadline beyond the window) are left to later windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.metrics import Metrics, evaluate
from optimizer.precheck import CAPACITY_EPS_KW, runs_of
from optimizer.problem import Problem
from optimizer.schedule import Assignment


@dataclass(frozen=True)
class BaselineResult:
    """A baseline schedule: ``status`` is "feasible" or "infeasible" (jobs unplaced)."""

    name: str
    status: str
    assignment: Assignment
    unplaced: tuple[str, ...]
    metrics: Metrics | None


def edf_order(problem: Problem) -> np.ndarray:
    """Job positions in earliest-deadline-first order (ties: release, input order)."""
    jobs = problem.jobs
    return np.lexsort((np.arange(len(jobs)), jobs.release, jobs.deadline))


def _count_new_starts(hours: np.ndarray, release: int, running_before: bool) -> int:
    mask = np.zeros(int(hours.max()) + 2 - release, dtype=bool)
    mask[hours - release] = True
    runs = len(runs_of(mask))
    continues = running_before and mask[0]
    return runs - int(continues)


def _pick_hours(order_hours: np.ndarray, problem: Problem, j: int) -> np.ndarray | None:
    """First k hours of ``order_hours`` meeting the work with overhead, or None."""
    jobs = problem.jobs
    base = jobs.duration_h[j] - jobs.done_h[j]
    k = int(np.ceil(base - 1e-9))
    for _ in range(64):
        if k > len(order_hours):
            return None
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        hours = np.sort(order_hours[:k])
        new = _count_new_starts(hours, jobs.release[j], bool(jobs.running_before[j]))
        total = jobs.starts_done[j] + new
        if total > jobs.max_starts[j]:
            return None
        need = base + jobs.overhead_h[j] * max(total - 1, 0)
        if k >= need - 1e-9:
            return hours
        k = int(np.ceil(need - 1e-9))
    return None


def _contiguous(ok: np.ndarray, length: int) -> np.ndarray:
    """Bool per start s: ok[s:s+length] all True (len(ok) - length + 1 entries)."""
    if length <= 0 or length > len(ok):
        return np.zeros(max(len(ok) - length + 1, 0), dtype=bool)
    c = np.concatenate(([0], np.cumsum(ok)))
    return (c[length:] - c[:-length]) == length


def _place(problem: Problem, j: int, cap_left, grid_left, weight, rule: str):
    """Best (pod, hours) for job j under the rule, or None."""
    jobs = problem.jobs
    r, d, power = jobs.release[j], jobs.deadline[j], jobs.power_kw[j]
    pods = np.flatnonzero(jobs.allowed[j])
    if jobs.pinned_pod[j] >= 0:
        pods = np.array([jobs.pinned_pod[j]])
    best = None  # (key, pod, hours)
    for p in pods:
        ok = cap_left[p, r:d] >= power - CAPACITY_EPS_KW
        ok &= problem.facility_factor[p, r:d] * power <= grid_left[r:d] + CAPACITY_EPS_KW
        cost = weight[p, r:d] * power
        candidates = []
        if jobs.preemptible[j]:
            free = np.flatnonzero(ok)
            order = free if rule == "asap" else free[np.argsort(cost[free], kind="stable")]
            hours = _pick_hours(order + r, problem, j)
            if hours is not None:
                candidates.append(hours)
            else:  # one new run, contiguous
                extra = 0 if jobs.starts_done[j] == 0 else jobs.starts_done[j]
                if jobs.starts_done[j] + 1 <= jobs.max_starts[j]:
                    n = int(np.ceil(jobs.duration_h[j] - jobs.done_h[j]
                                    + jobs.overhead_h[j] * extra - 1e-9))
                    candidates.append(_window(ok, cost, n, rule, r))
        else:
            n = int(jobs.duration_h[j])
            candidates.append(_window(ok, cost, n, rule, r))
        for hours in candidates:
            if hours is None:
                continue
            key = (int(hours.min()) if len(hours) else r) if rule == "asap" else float(
                cost[hours - r].sum())
            if best is None or key < best[0] - 1e-12:
                best = (key, p, hours)
    return None if best is None else (best[1], best[2])


def _window(ok, cost, n, rule, r):
    fits = _contiguous(ok, n)
    starts = np.flatnonzero(fits)
    if not len(starts):
        return None
    if rule == "asap":
        s = starts[0]
    else:
        c = np.concatenate(([0.0], np.cumsum(cost)))
        window_cost = c[starts + n] - c[starts]
        s = starts[int(np.argmin(window_cost))]
    return np.arange(s, s + n) + r


def place_jobs(problem: Problem, rule: str) -> BaselineResult:
    """Place every hard job in EDF order by ``rule`` ("asap" or "greedy")."""
    if rule not in ("asap", "greedy"):
        raise ValueError(f"unknown baseline rule {rule!r}")
    jobs = problem.jobs
    cap_left = problem.job_capacity_kw.copy()
    grid_left = problem.grid_limit_kw - problem.base_facility_kw
    weight = problem.energy_weight_per_kwh[None, :] * problem.facility_factor
    parts, unplaced = [], []
    for j in edf_order(problem):
        if jobs.soft[j]:
            continue
        placed = _place(problem, j, cap_left, grid_left, weight, rule)
        if placed is None:
            unplaced.append(jobs.ids[j])
            continue
        p, hours = placed
        cap_left[p, hours] -= jobs.power_kw[j]
        grid_left[hours] -= problem.facility_factor[p, hours] * jobs.power_kw[j]
        parts.append(Assignment(np.full(len(hours), j), np.full(len(hours), p), hours))
    assignment = Assignment.concat(parts)
    feasible = not unplaced
    return BaselineResult(
        name=rule,
        status="feasible" if feasible else "infeasible",
        assignment=assignment,
        unplaced=tuple(unplaced),
        metrics=evaluate(problem, assignment) if feasible else None,
    )


def asap(problem: Problem) -> BaselineResult:
    """ASAP baseline: every job as early as possible (EDF order, capacity-aware)."""
    return place_jobs(problem, "asap")


def greedy(problem: Problem) -> BaselineResult:
    """Carbon/price-greedy baseline (EDF order, capacity-aware); see the module doc."""
    return place_jobs(problem, "greedy")
