"""A fleet solved site by site, where it decomposes (issue 16, item 5).

When no job may leave its home site (residency, home-only latency, or a fleet of sites
that share nothing), the fleet's MILP falls apart into one problem per site: a job's
variables, rows and objective terms touch only its home site's pods, and every site-level
row (peak, grid limit) only that site's. Each site is then solved alone, as one task of
``map_sites`` (in turn, in local worker processes or on a Dask cluster), and the results
add up: the schedule is the union, the objective and the bound are the sums (a sum of
valid bounds of independent minimisations bounds their sum), the status is optimal only
when every site's is.

When jobs may move, the problem does not decompose (which site a job runs at couples the
sites' capacities and peaks); it is solved as one (:func:`optimizer.solve.solve_prepared`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from optimizer.baselines import asap, greedy
from optimizer.fleet import pod_name
from optimizer.metrics import evaluate
from optimizer.options import SolverOptions
from optimizer.problem import Problem
from optimizer.result import (
    STATUS_OPTIMAL,
    STATUS_TIME_LIMIT,
    BaselineSummary,
    ModelSize,
    ScheduleResult,
)
from optimizer.schedule import Assignment, from_frame, load_frame, to_frame

#: How sites' tasks are run: ``map_sites(function, items) -> list`` in the items' order
#: (the built-in ``map`` in turn; a process pool's or a Dask client's map in parallel).
SiteMap = Callable[[Callable, Sequence], Sequence]
#: Job-pod columns of JobArrays (sliced by pod as well as by job).
_JOB_POD_FIELDS = ("allowed", "arrival", "move_cost", "move_kg", "move_kwh")


def decomposes(problem: Problem) -> bool:
    """Whether every job may run at its home site only (then the sites are independent)."""
    jobs = problem.jobs
    away = problem.pod_site[None, :] != jobs.home_site[:, None]
    return problem.is_fleet and not bool((jobs.usable_pods() & away).any())


def site_problem(problem: Problem, k: int) -> Problem:
    """Site ``k`` alone: its pods (plain names), its home jobs, its rows of every
    site-level array."""
    pods = np.flatnonzero(problem.pod_site == k)
    jobs = problem.jobs
    mine = jobs.take(np.flatnonzero(jobs.home_site == k))
    mine = replace(mine, **{name: getattr(mine, name)[:, pods] for name in _JOB_POD_FIELDS},
                   pinned_pod=np.where(mine.pinned_pod >= 0,
                                       np.searchsorted(pods, mine.pinned_pod), -1),
                   home_site=np.zeros(len(mine), dtype=np.int64))
    prefix = f"{problem.sites[k]}/"
    rows = slice(k, k + 1)
    return replace(
        problem,
        pods=tuple(problem.pods[p].removeprefix(prefix) for p in pods),
        jobs=mine,
        headroom_kw=problem.headroom_kw[pods],
        cooling_headroom_kw=problem.cooling_headroom_kw[pods],
        facility_factor=problem.facility_factor[pods],
        base_facility_kw=problem.base_facility_kw[rows],
        grid_limit_kw=problem.grid_limit_kw[rows],
        price_per_kwh=problem.price_per_kwh[rows],
        carbon_g_per_kwh=problem.carbon_g_per_kwh[rows],
        peak_floor_kw=problem.peak_floor_kw[rows],
        sites=(problem.sites[k],),
        pod_site=np.zeros(len(pods), dtype=np.int64),
        site_demand_charge_per_kw=problem.demand_charge_per_kw[rows],
        open_capacity_kw=None,  # its jobs are all at home
    )


def _solve_one(task: tuple[Problem, SolverOptions]) -> ScheduleResult:
    """One site's solve (a top-level function: worker processes import it)."""
    import warnings

    from optimizer.solve import solve_prepared

    problem, options = task
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the combined result carries the status and gap
        return solve_prepared(problem, options)


def solve_by_site(problem: Problem, options: SolverOptions, map_sites: SiteMap = map,
                  workers: int = 1) -> ScheduleResult:
    """Solve a fleet that :func:`decomposes` site by site; the combined result.

    Parameters
    ----------
    options : SolverOptions
        ``time_limit_s`` bounds the whole: each site with jobs gets ``time_limit_s x
        workers / sites with jobs`` (at most the whole), as the tasks run ``workers`` at a
        time.
    map_sites : callable
        How the tasks run (:data:`SiteMap`).
    workers : int
        How many tasks ``map_sites`` runs at once.
    """
    tick = time.perf_counter()
    n = problem.n_sites
    parts = [site_problem(problem, k) for k in range(n)]
    busy = [k for k in range(n) if len(parts[k].jobs)]  # a site without jobs: its cost
    limit = options.time_limit_s
    if limit is not None and busy:
        limit = limit * min(max(workers, 1), len(busy)) / len(busy)
    site_options = replace(options, time_limit_s=limit)
    results = list(map_sites(_solve_one, [(parts[k], site_options) for k in busy]))
    frames = []
    for k, result in zip(busy, results, strict=True):
        frame = result.schedule.copy()
        frame["pod"] = [pod_name(problem.sites[k], p) for p in frame["pod"].astype(str)]
        frames.append(frame)
    schedule = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    assignment = from_frame(problem, schedule) if len(schedule) else Assignment.concat([])
    metrics = evaluate(problem, assignment)
    idle = sum(evaluate(parts[k], Assignment.concat([])).objective
               for k in range(n) if k not in busy)
    bound = float(sum(r.best_bound for r in results)) + idle
    objective = metrics.objective
    gap = max(objective - bound, 0.0) / max(abs(objective), 1e-9)
    optimal = all(r.status == STATUS_OPTIMAL for r in results)
    size = ModelSize()
    for r in results:
        size = size + r.model_size
    return ScheduleResult(
        schedule=to_frame(problem, assignment),
        it_load_kw=load_frame(problem, assignment),
        status=STATUS_OPTIMAL if optimal else STATUS_TIME_LIMIT,
        objective=objective,
        best_bound=bound,
        gap=gap,
        build_s=float(sum(r.build_s for r in results)),
        solve_s=time.perf_counter() - tick,
        metrics=metrics,
        source="by_site",
        baselines={b.name: BaselineSummary.of(problem, b)
                   for b in (asap(problem), greedy(problem))},
        model_size=size,
        windows=tuple(w for r in results for w in r.windows),
        rolling_reason=(f"by site: no job may leave its home site, so each of the {n} sites "
                        f"was solved alone ({workers} at a time)"),
    )
