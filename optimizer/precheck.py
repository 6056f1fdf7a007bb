"""Explain infeasible input before any solve.

Checks that need no optimisation: the baseline alone breaks a limit; a job's window is
shorter than its work; no allowed pod can host a job on its own (power above the pod's
room, the cooling's room or the grid's room in too many hours of its window).
"""

from __future__ import annotations

import numpy as np

from optimizer.errors import InfeasibleError
from optimizer.problem import Problem

#: Slack on capacity comparisons [kW] (judgement: far below any real job power, far above
#: floating-point noise on sums of kW).
CAPACITY_EPS_KW = 1e-6


def room_holds(capacity_kw, facility_factor, grid_room_kw, power_kw) -> np.ndarray:
    """Whether a job of ``power_kw`` fits alone: the pod's (and cooling's) room holds it
    and so does the grid's room for its facility power (arrays broadcast) [kW]."""
    return (capacity_kw >= power_kw - CAPACITY_EPS_KW) & (
        facility_factor * power_kw <= grid_room_kw + CAPACITY_EPS_KW)


def site_grid_room_kw(problem: Problem) -> np.ndarray:
    """Facility power each pod's site can add under its grid limit, without jobs [kW]
    (P, T)."""
    room = problem.grid_limit_kw - problem.base_facility_kw  # (S, T)
    return room[problem.pod_site]


def fits_alone(problem: Problem, job: np.ndarray, pod: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Whether each job could run at hour t on the pod with no other job there (and,
    in a fleet, its data have reached the pod's site: t >= arrival)."""
    site = problem.pod_site[pod]
    fits = room_holds(problem.job_capacity_kw[pod, t], problem.facility_factor[pod, t],
                      problem.grid_limit_kw[site, t] - problem.base_facility_kw[site, t],
                      problem.jobs.power_kw[job]) & (t >= problem.jobs.arrival[job, pod])
    if problem.has_open_limit:  # a moved job within its host site's open share
        open_room = problem.open_room_kw[pod, t]
        fits &= ~problem.is_moved(job, pod) | (
            problem.jobs.power_kw[job] <= open_room + CAPACITY_EPS_KW)
    return fits


def host_mask(problem: Problem, j: int) -> np.ndarray:
    """Hours each pod could host job ``j`` alone (P, T) bool: :func:`room_holds` on the
    job's usable pods inside its window."""
    jobs = problem.jobs
    room = room_holds(problem.job_capacity_kw, problem.facility_factor,
                      site_grid_room_kw(problem), jobs.power_kw[j])
    if problem.has_open_limit:
        moved = problem.is_moved(j, np.arange(len(problem.pods)))[:, None]
        room &= ~moved | (jobs.power_kw[j] <= problem.open_room_kw + CAPACITY_EPS_KW)
    usable = np.zeros(len(problem.pods), dtype=bool)
    usable[jobs.pods_of(j)] = True
    t = np.arange(problem.n_hours)
    window = (t[None, :] >= np.maximum(jobs.release[j], jobs.arrival[j])[:, None]) & (
        t[None, :] < jobs.deadline[j])
    return room & usable[:, None] & window


def runs_of(mask: np.ndarray) -> list[int]:
    """Lengths of the runs of True in a 1-D bool array [h]."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(edges[1::2] - edges[0::2])


def can_host_alone(problem: Problem, j: int, mask: np.ndarray | None = None) -> bool:
    """Whether job ``j`` fits on one allowed pod when no other job runs."""
    jobs = problem.jobs
    mask = host_mask(problem, j) if mask is None else mask
    need = jobs.required_h()[j]
    if jobs.soft[j]:
        return True  # may defer all its work past the grid
    for p in range(mask.shape[0]):
        runs = sorted(runs_of(mask[p]), reverse=True)
        if not runs:
            continue
        if not jobs.preemptible[j]:
            if runs[0] >= need - 1e-9:
                return True
            continue
        first_is_continuation = jobs.running_before[j] and mask[p, jobs.release[j]]
        limit = int(min(jobs.max_starts[j] - jobs.starts_done[j] + first_is_continuation,
                        len(runs)))
        for m in range(1, limit + 1):
            extra = m - 1 if first_is_continuation else m - (1 if jobs.starts_done[j] == 0 else 0)
            if sum(runs[:m]) >= need + jobs.overhead_h[j] * max(extra, 0) - 1e-9:
                return True
        if first_is_continuation and need <= 1e-9:
            return True
    return need <= 1e-9


def explain_infeasible_inputs(problem: Problem) -> None:
    """Raise :class:`InfeasibleError` for conflicts visible without solving.

    Raises
    ------
    InfeasibleError
        Naming the jobs (and hours) at fault; several jobs are listed together.
    """
    hours = problem.hours
    bad_pod = np.argwhere(problem.headroom_kw < -CAPACITY_EPS_KW)
    if bad_pod.size:
        p, t = bad_pod[0]
        raise InfeasibleError(
            f"pod '{problem.pods[p]}' baseline load exceeds its capacity at {hours[t].isoformat()} "
            f"({bad_pod.shape[0]} pod-hours in all), before any job runs",
            hours=sorted({hours[t] for _, t in bad_pod}),
        )
    bad_cool = np.argwhere(problem.cooling_headroom_kw < -CAPACITY_EPS_KW)
    if bad_cool.size:
        p, t = bad_cool[0]
        raise InfeasibleError(
            f"pod '{problem.pods[p]}' baseline load exceeds its cooling capacity at "
            f"{hours[t].isoformat()} ({bad_cool.shape[0]} pod-hours in all), before any job runs",
            hours=sorted({hours[t] for _, t in bad_cool}),
        )
    over = problem.base_facility_kw > problem.grid_limit_kw + CAPACITY_EPS_KW  # (S, T)
    if over.any():
        site, first = np.argwhere(over)[0]
        bad_grid = np.flatnonzero(over[site])
        where = f"site '{problem.sites[site]}': " if problem.is_fleet else ""
        raise InfeasibleError(
            f"{where}facility power without jobs exceeds the grid limit at "
            f"{hours[first].isoformat()} ({bad_grid.size} hours in all)",
            hours=[hours[t] for t in bad_grid],
        )
    jobs = problem.jobs
    window = jobs.deadline - jobs.release
    short = np.flatnonzero(~jobs.soft & (window < jobs.required_h() - 1e-9))
    if short.size:
        names = [jobs.ids[j] for j in short]
        j = short[0]
        raise InfeasibleError(
            f"job(s) {_list(names)}: window shorter than the work (job '{jobs.ids[j]}' needs "
            f"{jobs.required_h()[j]:g} h between {hours[jobs.release[j]].isoformat()} and "
            f"its deadline, {window[j]} h away); move the deadline or shorten the job",
            jobs=names,
        )
    homeless = [j for j in range(len(jobs)) if not can_host_alone(problem, j)]
    if homeless:
        names = [jobs.ids[j] for j in homeless]
        j = homeless[0]
        raise InfeasibleError(
            f"job(s) {_list(names)}: no allowed pod can host the job even alone (job "
            f"'{jobs.ids[j]}' needs {jobs.power_kw[j]:g} kW for {jobs.required_h()[j]:g} h; "
            "pod, cooling or grid room is smaller in too many hours of its window)",
            jobs=names,
            hours=list(hours[jobs.release[j] : jobs.deadline[j]]),
        )


def _list(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
