"""One function per constraint family of the scheduling model.

Every function computes its rows as sparse triplets with numpy and adds one named,
indexed Pyomo ``Constraint`` through :func:`optimizer.linear.add_rows`. Hours ``t`` in
indices are positions on the problem's hour grid (0 = first hour). Variable blocks are
described in :mod:`optimizer.layout`; ``v`` is the dict of column arrays built by
:func:`optimizer.model.build_model`.
"""

from __future__ import annotations

import numpy as np

from optimizer.layout import Layout, block_starts, expand
from optimizer.linear import add_columns, add_rows
from optimizer.precheck import CAPACITY_EPS_KW
from optimizer.problem import UNLIMITED_STARTS, Problem

#: Keeps ``job_work``'s upper side strictly below the next whole hour (judgement:
#: far above HiGHS's 1e-7 feasibility tolerance, far below one hour).
WORK_UPPER_EPS_H = 1e-6


def _load_terms(problem: Problem, layout: Layout, v: dict):
    """Every (job, pod-hour key, column, power) term of the jobs' IT load: a
    non-preemptible job runs at t on p when one of its starts ``start[j,p,s]`` with
    t-L < s <= t is 1 (pulse form); a preemptible job when ``run[j,p,t]`` is 1."""
    jobs, n_t = problem.jobs, problem.n_hours
    parts_job, parts_key, parts_col = [], [], []
    if len(layout.np_job):
        length = np.ceil(jobs.required_h()[layout.np_job] - 1e-9).astype(np.int64)
        block, s = expand(layout.np_first, layout.np_count)
        rep = length[block]
        sb = np.repeat(block, rep)
        t = np.repeat(s, rep) + (np.arange(int(rep.sum())) - np.repeat(block_starts(rep), rep))
        parts_job.append(layout.np_job[sb])
        parts_key.append(layout.np_pod[sb] * n_t + t)
        parts_col.append(np.repeat(v["started"], rep))
    if len(layout.pr_job):
        block, t = expand(layout.pr_first, layout.pr_count)
        parts_job.append(layout.pr_job[block])
        parts_key.append(layout.pr_pod[block] * n_t + t)
        parts_col.append(v["run"])
    empty = np.zeros(0, dtype=np.int64)
    job = np.concatenate(parts_job) if parts_job else empty
    key = np.concatenate(parts_key) if parts_key else empty
    col = np.concatenate(parts_col) if parts_col else empty
    return job, key, col, jobs.power_kw[job]


def add_it_load(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``it_load[pod, t]``: it_load_kw[pod, t] = sum of job power running on the pod
    (:func:`_load_terms`: L nonzeros per non-preemptible job and hour)."""
    _, key, col, coef = _load_terms(problem, layout, v)
    row = np.searchsorted(v["load_key"], key)
    n_rows = len(v["load_key"])
    rows = np.concatenate([np.arange(n_rows), row])
    cols = np.concatenate([v["it_load_kw"], col])
    coefs = np.concatenate([np.ones(n_rows), -coef])
    add_rows(model, "it_load", v["load_keys"], rows, cols, coefs, 0.0, 0.0)


def add_open_capacity(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``open_capacity[pod, t]``: the load of jobs moved to a pod from another site <=
    its site's open share of the pod's job capacity (less moved load already committed)
    [kW]; only at sites that open less than all of it (a fleet's ``open_share``)."""
    if not problem.has_open_limit:
        return
    n_t = problem.n_hours
    job, key, col, coef = _load_terms(problem, layout, v)
    pod = key // n_t
    room = problem.open_room_kw
    keep = problem.is_moved(job, pod) & np.isfinite(room[pod, key % n_t])
    if not keep.any():
        return
    row_keys, row = np.unique(key[keep], return_inverse=True)
    p, t = row_keys // n_t, row_keys % n_t
    add_rows(model, "open_capacity", [(problem.pods[a], int(b)) for a, b in zip(p, t, strict=True)],
             row, col[keep], coef[keep], -np.inf, room[p, t])


def add_single_start(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``single_start[job]`` for non-preemptible jobs.

    Each job starts exactly once over all its allowed pods and start hours (at most once
    for soft jobs of a rolling window): sum_{p,s} start[j,p,s] = 1.
    """
    jobs = problem.jobs
    if not len(layout.np_job):
        return
    last_rows = np.repeat(np.arange(len(layout.np_job)), layout.np_count)
    job_list = np.unique(layout.np_job)
    row = np.searchsorted(job_list, layout.np_job)[last_rows]
    keys = [jobs.ids[j] for j in job_list]
    lower = np.where(jobs.soft[job_list], 0.0, 1.0)
    add_rows(model, "single_start", keys, row, v["started"], np.ones(len(v["started"])), lower,
             1.0)


def _run_by_job(layout: Layout, v: dict):
    """Every run variable with its job and hour: (job, t, column)."""
    block, t = expand(layout.pr_first, layout.pr_count)
    return layout.pr_job[block], t, v["run"]


def add_pod_assignment(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``pod_choice[job]``, ``pod_work_cap[job, pod]`` and ``job_hour[job, t]``.

    For preemptible jobs with several allowed pods (non-preemptible jobs choose their pod
    through ``single_start``). With z = on_pod[j,p]:

    * one pod: sum_p z = 1;
    * no hours on a pod that is not chosen: sum_t run[j,p,t] <= max_h x z, max_h = the
      most hours the job can run (its work with every allowed restart's overhead, + 1).
      (The per-pod lower side, sum_t run[j,p,t] >= work x z, left the LP bound unchanged
      on the benchmark and default scenario and made the LP slower; it is not added.);
    * ``job_hour``: it runs on at most one pod in each hour, sum_p run[j,p,t] <= 1.
      Implied once z is integral; it is there for the LP, which otherwise does half of
      the work on each of two pods in the same cheap hours. It gives the LP bound of the
      variable upper bounds run[j,p,t] <= z on the benchmark instances with one row
      per job-hour instead of one per job-pod-hour (those rows made the root LP 30 x
      slower; docs/optimizer.md).
    """
    jobs, n_t = problem.jobs, problem.n_hours
    choice = layout.pr_needs_choice
    if not choice.any():
        return
    blocks = np.flatnonzero(choice)
    job_list = np.unique(layout.pr_job[blocks])
    row = np.searchsorted(job_list, layout.pr_job[blocks])
    z = v["on_pod"]
    add_rows(model, "pod_choice", [jobs.ids[j] for j in job_list], row, z,
             np.ones(len(z)), 1.0, 1.0)
    col0 = v["run"][block_starts(layout.pr_count)][blocks]
    row, offset = expand(np.zeros(len(blocks), dtype=np.int64), layout.pr_count[blocks])
    cols = col0[row] + offset
    j = layout.pr_job[blocks]
    keys = [(jobs.ids[a], problem.pods[b]) for a, b in zip(j, layout.pr_pod[blocks],
                                                           strict=True)]
    n = len(blocks)
    runs_left = np.minimum(jobs.max_starts[j] - jobs.starts_done[j], (layout.pr_count[blocks]
                                                                       + 1) // 2)
    max_h = np.minimum(jobs.required_h()[j] + jobs.overhead_h[j] * np.maximum(runs_left, 0)
                       + 1, layout.pr_count[blocks])
    both_rows = np.concatenate([row, np.arange(n)])
    both_cols = np.concatenate([cols, z])
    ones = np.ones(len(cols))
    add_rows(model, "pod_work_cap", keys, both_rows, both_cols,
             np.concatenate([ones, -max_h]), -np.inf, 0.0)
    block, t = expand(layout.pr_first, layout.pr_count)
    sel = choice[block]
    key = layout.pr_job[block[sel]] * n_t + t[sel]
    unique_key, row = np.unique(key, return_inverse=True)
    keys = [(jobs.ids[k // n_t], int(k % n_t)) for k in unique_key.tolist()]
    add_rows(model, "job_hour", keys, row, v["run"][sel], np.ones(int(sel.sum())), -np.inf,
             1.0)


def add_job_work(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``job_work[job]`` and ``job_work_cap[job]`` for preemptible jobs.

    Work hours run = duration + restart overhead x resumes, i.e. with the job's run starts
    ``resume[j, t]``: need <= sum_{p,t} run - overhead x sum_t resume < need + 1, need =
    duration - done + overhead x (starts done - 1).
    """
    jobs = problem.jobs
    if not len(layout.pr_job):
        return
    job_list = np.unique(layout.pr_job)
    job, _, run = _run_by_job(layout, v)
    rows = [np.searchsorted(job_list, job)]
    cols = [run]
    coefs = [np.ones(len(run))]
    if len(v["resume"]):
        rj = v["resume_job"]
        rows.append(np.searchsorted(job_list, rj))
        cols.append(v["resume"])
        coefs.append(-jobs.overhead_h[rj])
    need = (jobs.duration_h - jobs.done_h + jobs.overhead_h * (jobs.starts_done - 1))[job_list]
    keys = [jobs.ids[j] for j in job_list]
    row, col, coef = (np.concatenate(a) for a in (rows, cols, coefs))
    add_rows(model, "job_work_cap", keys, row, col, coef, -np.inf,
             need + 1 - WORK_UPPER_EPS_H)
    add_rows(model, "job_work", keys, row, col, coef, need, np.inf)


def add_interruptions(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``resume_detect[job, t]``, ``interruptions[job]`` and ``first_run[job]``.

    For preemptible jobs with limited interruptions or a restart overhead. A run starts
    at t when the job runs at t (on any pod) and did not at t-1:
    resume[j,t] >= sum_p run[j,p,t] - sum_p run[j,p,t-1] (at the window's first hour the
    job counts as running before if it was, on its pinned pod). Counting starts per job,
    not per pod, keeps the LP easy: per-pod start rows next to a fractional pod choice
    made the root LP of 300 jobs x 168 h take > 30 s instead of < 1 s (docs/optimizer.md).
    The number of runs is at most max_interruptions + 1, minus runs already started. A
    job not running just
    before starts at least once, sum_t resume >= 1 (valid; the LP then pays the first
    run's overhead).
    """
    jobs, n_t = problem.jobs, problem.n_hours
    if not len(v["resume"]):
        return
    res_block, t = expand(layout.rs_first, layout.rs_count)
    n = len(t)
    row_of = np.full(len(jobs) * n_t, -1, dtype=np.int64)
    row_of[layout.rs_job[res_block] * n_t + t] = np.arange(n)
    job, hour, run = _run_by_job(layout, v)
    now = row_of[job * n_t + hour]
    keep = now >= 0
    nxt = np.full(len(hour), -1, dtype=np.int64)  # row of the same job's next hour
    inside = hour + 1 < n_t
    nxt[inside] = row_of[job[inside] * n_t + hour[inside] + 1]
    later = nxt >= 0
    rows = np.concatenate([np.arange(n), now[keep], nxt[later]])
    cols = np.concatenate([v["resume"], run[keep], run[later]])
    coefs = np.concatenate([np.ones(n), -np.ones(int(keep.sum())), np.ones(int(later.sum()))])
    first = t == layout.rs_first[res_block]
    lower = np.zeros(n)
    lower[first] = -jobs.running_before[layout.rs_job].astype(float)
    keys = [(jobs.ids[j], int(h)) for j, h in zip(layout.rs_job[res_block], t, strict=True)]
    add_rows(model, "resume_detect", keys, rows, cols, coefs, lower, np.inf)
    rs = layout.rs_job
    row = np.repeat(np.arange(len(rs)), layout.rs_count)
    limited = np.flatnonzero(jobs.max_starts[rs] < UNLIMITED_STARTS)
    if len(limited):
        cap = (jobs.max_starts - jobs.starts_done)[rs[limited]]
        sel = np.isin(row, limited)
        add_rows(model, "interruptions", [jobs.ids[j] for j in rs[limited]],
                 np.searchsorted(limited, row[sel]), v["resume"][sel],
                 np.ones(int(sel.sum())), -np.inf, np.maximum(cap, 0).astype(float))
    fresh = np.flatnonzero(~jobs.running_before[rs])
    if len(fresh):
        sel = np.isin(row, fresh)
        add_rows(model, "first_run", [jobs.ids[j] for j in rs[fresh]],
                 np.searchsorted(fresh, row[sel]), v["resume"][sel],
                 np.ones(int(sel.sum())), 1.0, np.inf)


def add_pod_capacity(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``pod_capacity[pod, t]``: it_load_kw <= pod IT capacity - baseline [kW]."""
    p, t = v["load_pod"], v["load_t"]
    cap = problem.headroom_kw[p, t]
    sel = np.flatnonzero(np.isfinite(cap))
    keys = [v["load_keys"][i] for i in sel]
    add_rows(model, "pod_capacity", keys, np.arange(len(sel)), v["it_load_kw"][sel],
             np.ones(len(sel)), -np.inf, cap[sel])


def add_cooling_capacity(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``cooling_capacity[pod, t]``: it_load_kw <= cooling capacity - baseline [kW].

    Only pod-hours where cooling is tighter than the pod's IT capacity get a row (the
    other rows could never bind).
    """
    p, t = v["load_pod"], v["load_t"]
    cool = problem.cooling_headroom_kw[p, t]
    sel = np.flatnonzero(np.isfinite(cool) & (cool < problem.headroom_kw[p, t]))
    keys = [v["load_keys"][i] for i in sel]
    add_rows(model, "cooling_capacity", keys, np.arange(len(sel)), v["it_load_kw"][sel],
             np.ones(len(sel)), -np.inf, cool[sel])


def _facility_rows(problem: Problem, v: dict, site: int, hours: np.ndarray):
    """Triplets of sum over the site's pods of facility_factor[p,t] * it_load_kw[p,t]
    for the given hours of ``site``."""
    t = v["load_t"]
    sel = np.isin(t, hours) & (problem.pod_site[v["load_pod"]] == site)
    rows = np.searchsorted(hours, t[sel])
    coefs = problem.facility_factor[v["load_pod"][sel], t[sel]]
    return rows, v["it_load_kw"][sel], coefs


def _site_hour_keys(problem: Problem, site: int, hours: np.ndarray) -> list:
    """Row keys of a site's hourly rows: the hour, and in a fleet (site, hour)."""
    if problem.is_fleet:
        return [(problem.sites[site], int(h)) for h in hours]
    return [int(h) for h in hours]


def add_peak_columns(model, problem: Problem, v: dict) -> None:
    """``peak_kw[month]`` (a fleet: ``peak_kw[site, month]``): the billed peak of each
    site and month [kW], flattened site-major (only with a demand charge).

    Lower bound: the committed peak of a rolling horizon, and without assets the highest
    facility power without jobs (with assets, import can be below it: 0).
    """
    if not problem.has_demand_charge:
        v["peak_kw"] = np.zeros(0, dtype=np.int64)
        return
    n_m = len(problem.month_labels)
    floor = np.full((problem.n_sites, n_m), -np.inf)
    if problem.assets.active:
        floor[:] = 0.0
    else:
        for s in range(problem.n_sites):
            np.maximum.at(floor[s], problem.month, problem.base_facility_kw[s])
    floor = np.maximum(floor, problem.peak_floor_kw)
    keys = (list(problem.month_labels) if not problem.is_fleet else
            [(site, m) for site in problem.sites for m in problem.month_labels])
    v["peak_kw"] = add_columns(model, "peak_kw", keys, floor.ravel(), np.inf, False)


def add_site_grid_limit(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``site_grid_limit[t]`` (a fleet: ``[site, t]``): a site's facility power <= its
    grid limit [kW] (hours jobs can touch).

    With assets the limit applies to the grid import, as the upper bound of its column
    ``grid_kw[t]`` (:mod:`optimizer.asset_constraints`): no rows here.
    """
    if problem.assets.active:
        return
    parts = []
    for s in range(problem.n_sites):
        hours = np.unique(v["load_t"][problem.pod_site[v["load_pod"]] == s])
        hours = hours[np.isfinite(problem.grid_limit_kw[s, hours])]
        if len(hours):
            rows, cols, coefs = _facility_rows(problem, v, s, hours)
            upper = problem.grid_limit_kw[s, hours] - problem.base_facility_kw[s, hours]
            parts.append((_site_hour_keys(problem, s, hours), rows, cols, coefs, upper))
    _add_site_rows(model, "site_grid_limit", parts)


def _add_site_rows(model, name: str, parts: list) -> None:
    """One indexed constraint from per-site (keys, rows, cols, coefs, upper) parts."""
    if not parts:
        return
    keys, rows, cols, coefs, upper, offset = [], [], [], [], [], 0
    for k, r, c, f, u in parts:
        keys += k
        rows.append(r + offset)
        cols.append(c)
        coefs.append(f)
        upper.append(u)
        offset += len(k)
    add_rows(model, name, keys, np.concatenate(rows), np.concatenate(cols),
             np.concatenate(coefs), -np.inf, np.concatenate(upper))


def add_peak_demand(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``peak_demand[t]`` (a fleet: ``[site, t]``): a site's facility power at t <=
    peak_kw[site, month of t] [kW], for sites with a demand charge.

    Only hours jobs can touch get a row; the other hours (and a rolling horizon's
    committed peak) enter as the lower bound of ``peak_kw``. With assets the peak is that
    of the grid import: ``grid_kw[t] <= peak_kw[month of t]`` in every hour (a battery
    or a tank can move the peak to any hour).
    """
    if not len(v["peak_kw"]):
        return
    if problem.assets.active:
        n_t = problem.n_hours
        add_rows(model, "peak_demand", list(range(n_t)), np.concatenate([np.arange(n_t)] * 2),
                 np.concatenate([v["grid_kw"], v["peak_kw"][problem.month]]),
                 np.concatenate([np.ones(n_t), -np.ones(n_t)]), -np.inf, 0.0)
        return
    n_m = len(problem.month_labels)
    charged = problem.demand_weight_per_kw.max(1) > 0
    parts = []
    for s in np.flatnonzero(charged):
        hours = np.unique(v["load_t"][problem.pod_site[v["load_pod"]] == s])
        if not len(hours):
            continue
        rows, cols, coefs = _facility_rows(problem, v, s, hours)
        n = len(hours)
        parts.append((_site_hour_keys(problem, s, hours), np.concatenate([rows, np.arange(n)]),
                      np.concatenate([cols, v["peak_kw"][s * n_m + problem.month[hours]]]),
                      np.concatenate([coefs, -np.ones(n)]), -problem.base_facility_kw[s, hours]))
    _add_site_rows(model, "peak_demand", parts)


# --- Cuts: valid inequalities that tighten the LP relaxation (docs/optimizer.md, "Bound").
# They cut off no integer schedule; each is switchable (optimizer.model.CUT_FAMILIES).

#: How far back from an hour t the staircase cuts look for the last start before t [h]
#: (measured on the default scenario's LP: bound 174,252 with 4, 174,389 with 8 and the
#: same with 16 while the rows grow with it; docs/optimizer.md, "Bound").
STAIRCASE_LOOKBACK_H = 8
#: Coefficients and room differences below this are dropped [kW] (judgement: far below
#: any job's power, far above rounding noise).
CUT_EPS_KW = 1e-6


def job_room_kw(problem: Problem) -> np.ndarray:
    """IT power jobs can use per pod and hour, rounded down to what whole jobs can fill
    [kW] (P, T); inf where unlimited.

    When every job power allowed on pod p is a whole number of kW, any set of jobs there
    draws a multiple of g_p = gcd of those powers, so a load <= room is also <= g_p x
    floor(room / g_p) (a Chvatal-Gomory rounding of the capacity row). The room gets
    ``CAPACITY_EPS_KW`` before rounding: a schedule the heuristics accept within that
    tolerance stays feasible.
    """
    room = problem.job_capacity_kw.astype(float).copy()
    power = problem.jobs.power_kw
    allowed = problem.jobs.usable_pods()
    if not len(power) or np.any(np.abs(power - np.round(power)) > 1e-9):
        return room
    whole = np.round(power).astype(np.int64)
    for p in range(room.shape[0]):
        on_p = whole[allowed[:, p]]
        g = int(np.gcd.reduce(on_p)) if len(on_p) else 0
        if g > 0:
            finite = np.isfinite(room[p])
            room[p, finite] = g * np.floor((room[p, finite] + CAPACITY_EPS_KW) / g)
    return room


def add_capacity_rounding(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``capacity_rounded[pod, t]``: it_load_kw <= g_p x floor(room / g_p) [kW].

    See :func:`job_room_kw` (room = pod and cooling room; g_p = gcd of the whole-kW job
    powers allowed on the pod). Valid: whole jobs draw a multiple of g_p. Rows only where
    the rounding tightens the capacity row. Default scenario (powers in steps of 10 kW):
    LP bound +0.19 %.
    """
    p, t = v["load_pod"], v["load_t"]
    room = problem.job_capacity_kw[p, t]
    rounded = job_room_kw(problem)[p, t]
    sel = np.flatnonzero(np.isfinite(rounded) & (rounded < room - CUT_EPS_KW))
    if not len(sel):
        return
    keys = [v["load_keys"][i] for i in sel]
    add_rows(model, "capacity_rounded", keys, np.arange(len(sel)), v["it_load_kw"][sel],
             np.ones(len(sel)), -np.inf, rounded[sel])


def _pod_starts(model, problem: Problem, layout: Layout, v: dict) -> None:
    """Columns ``pod_starts[pod, t]``: how many jobs start (or resume) on the pod at t.

    pod_starts[p,t] = sum_j start[j,p,t] + sum_j run_start[j,p,t] (``pod_starts_def``),
    with, for preemptible jobs, run_start[j,p,t] >= run[j,p,t] - run[j,p,t-1]
    (``run_start_detect``) and, for jobs with run-start variables, sum_p run_start[j,p,t]
    <= resume[j,t] (``run_start_tie``). In an integer schedule a job runs on one pod, so
    its runs starting on p at t are exactly the ones the job's resume counts, and
    run_start = max(run_t - run_{t-1}, 0) meets every row: the columns cut off nothing.
    The tie makes these starts cost restart overhead in the LP (without it the LP
    swaps jobs hour by hour for free and the staircase cuts gain nothing: measured).
    Added once, by the first cut family that needs them.
    """
    if "pod_starts" in v:
        return
    jobs, n_t = problem.jobs, problem.n_hours
    run_start = np.zeros(0, dtype=np.int64)
    if len(layout.pr_job):
        block, t = expand(layout.pr_first, layout.pr_count)
        job, pod = layout.pr_job[block], layout.pr_pod[block]
        keys = list(zip(np.asarray(jobs.ids, dtype=object)[job].tolist(),
                        np.asarray(problem.pods, dtype=object)[pod].tolist(), t.tolist(),
                        strict=True))
        run_start = add_columns(model, "run_start", keys, 0.0, 1.0, False)
        n = len(t)
        later = t > layout.pr_first[block]
        rows = np.concatenate([np.arange(n), np.arange(n), np.flatnonzero(later)])
        cols = np.concatenate([run_start, v["run"], v["run"][np.flatnonzero(later) - 1]])
        coefs = np.concatenate([np.ones(n), -np.ones(n), np.ones(int(later.sum()))])
        lower = np.where(~later & jobs.running_before[job], -1.0, 0.0)
        add_rows(model, "run_start_detect", keys, rows, cols, coefs, lower, np.inf)
        if len(v["resume"]):
            res_block, rt = expand(layout.rs_first, layout.rs_count)
            res_key = layout.rs_job[res_block] * n_t + rt
            order = np.argsort(res_key)
            pos = np.searchsorted(res_key[order], job * n_t + t)
            pos = np.minimum(pos, len(order) - 1)
            has = res_key[order][pos] == job * n_t + t
            if has.any():
                row = pos[has]
                n_res = len(res_key)
                add_rows(model, "run_start_tie",
                         [(jobs.ids[k // n_t], int(k % n_t)) for k in res_key[order].tolist()],
                         np.concatenate([row, np.arange(n_res)]),
                         np.concatenate([run_start[has], v["resume"][order]]),
                         np.concatenate([np.ones(int(has.sum())), -np.ones(n_res)]),
                         -np.inf, 0.0)
    v["run_start"] = run_start
    n_keys = len(v["load_key"])
    v["pod_starts"] = add_columns(model, "pod_starts", v["load_keys"], 0.0, np.inf, False)
    rows, cols = [np.arange(n_keys)], [v["pod_starts"]]
    coefs = [np.ones(n_keys)]
    if len(layout.np_job):
        block, s = expand(layout.np_first, layout.np_count)
        rows.append(np.searchsorted(v["load_key"], layout.np_pod[block] * n_t + s))
        cols.append(v["started"])
        coefs.append(-np.ones(len(s)))
    if len(run_start):
        block, t = expand(layout.pr_first, layout.pr_count)
        rows.append(np.searchsorted(v["load_key"], layout.pr_pod[block] * n_t + t))
        cols.append(run_start)
        coefs.append(-np.ones(len(t)))
    add_rows(model, "pod_starts_def", v["load_keys"], np.concatenate(rows),
             np.concatenate(cols), np.concatenate(coefs), 0.0, 0.0)


def cut_column_values(problem: Problem, layout: Layout, v: dict, x: np.ndarray) -> None:
    """Fill the cut families' own columns of ``x`` from its start and run values.

    run_start = max(run_t - run_{t-1}, 0) (at a window's first hour max(run - running
    before, 0)); pod_starts = starts + run starts on the pod at that hour.
    """
    if "pod_starts" not in v:
        return
    n_t = problem.n_hours
    total = np.zeros(len(v["load_key"]))
    if len(layout.np_job):
        block, s = expand(layout.np_first, layout.np_count)
        np.add.at(total, np.searchsorted(v["load_key"], layout.np_pod[block] * n_t + s),
                  x[v["started"]])
    if len(v["run_start"]):
        block, t = expand(layout.pr_first, layout.pr_count)
        run = x[v["run"]]
        prev = np.where(t > layout.pr_first[block], np.concatenate(([0.0], run[:-1])),
                        problem.jobs.running_before[layout.pr_job[block]].astype(float))
        starts = np.maximum(run - prev, 0.0)
        x[v["run_start"]] = starts
        np.add.at(total, np.searchsorted(v["load_key"], layout.pr_pod[block] * n_t + t), starts)
    x[v["pod_starts"]] = total


def add_pod_staircase(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``pod_staircase[pod, t, t0]``: a pod's load can rise only where a job starts on it.

    Let r_t be the pod's room for jobs (:func:`job_room_kw`; 0 in hours no job can
    touch), t0 < t, and S_u = pod_starts[p,u]. Then

        it_load[p,t] <= r_t0 + sum_{u=t0+1..t} (min(r_u..r_t) - r_t0)^+ x S_u.

    Valid: let t* be the latest hour at which a job running on p at t started its current
    run (non-preemptible jobs run without a break, a preemptible job's run is unbroken
    from its start to t). Every job running at t also runs at every hour of [t*, t], so
    load_t <= min(r_t*..r_t). If t* <= t0 this gives load_t <= r_t0 (every term >= 0);
    otherwise S_t* >= 1 and its coefficient makes up the difference. Only pairs with
    r_t0 < r_t give rows (otherwise the pod capacity row is tighter), for t - t0 <=
    ``STAIRCASE_LOOKBACK_H``.

    Why: rooms rise through the night as the baseline falls; the LP follows them hour by
    hour with small fractions of jobs starting or resuming, whole jobs cannot (each
    start adds >= 50 kW on the default scenario). With preemptible jobs held to their
    resume count (``run_start_tie``), the default scenario's LP bound rises by 1.2 %.
    """
    if not len(v["load_key"]):
        return
    _pod_starts(model, problem, layout, v)
    n_t, n_p = problem.n_hours, len(problem.pods)
    room = np.zeros((n_p, n_t))
    room[v["load_pod"], v["load_t"]] = job_room_kw(problem)[v["load_pod"], v["load_t"]]
    col_of = np.full((n_p, n_t), -1, dtype=np.int64)
    col_of[v["load_pod"], v["load_t"]] = np.arange(len(v["load_key"]))
    keys, rows, cols, coefs, upper = [], [], [], [], []
    n_rows = 0
    for k in range(1, STAIRCASE_LOOKBACK_H + 1):
        p, t = v["load_pod"], v["load_t"]
        ok = t - k >= 0
        p, t = p[ok], t[ok]
        t0 = t - k
        r0, rt = room[p, t0], room[p, t]
        ok = np.isfinite(rt) & (r0 < rt - CUT_EPS_KW)
        p, t, t0, r0 = p[ok], t[ok], t0[ok], r0[ok]
        if not len(p):
            continue
        row = n_rows + np.arange(len(p))
        rows.append(row)
        cols.append(v["it_load_kw"][col_of[p, t]])
        coefs.append(np.ones(len(p)))
        low = np.full(len(p), np.inf)
        for i in range(k):  # u = t - i, low = min(r_u..r_t)
            u = t - i
            low = np.minimum(low, room[p, u])
            c = low - r0
            has = (c > CUT_EPS_KW) & (col_of[p, u] >= 0)
            rows.append(row[has])
            cols.append(v["pod_starts"][col_of[p[has], u[has]]])
            coefs.append(-c[has])
        upper.append(r0)
        keys.extend(zip(np.asarray(problem.pods, dtype=object)[p].tolist(), t.tolist(),
                        t0.tolist(), strict=True))
        n_rows += len(p)
    if n_rows:
        add_rows(model, "pod_staircase", keys, np.concatenate(rows), np.concatenate(cols),
                 np.concatenate(coefs), -np.inf, np.concatenate(upper))


def add_site_staircase(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``site_staircase[t, t0]``: facility power rises under the month's peak only where a
    job starts somewhere.

    With F_t = sum_p ff[p,t] it_load[p,t], P the month's peak, b_t the base facility
    power, rho = max(1, max_p ff[p,t] / ff[p,t0]), P_lb the peak's lower bound and
    S_u = sum_p pod_starts[p,u], for t0 < t in the same month:

        F_t - rho P - c sum_{u=t0+1..t} S_u <= -rho b_t0,
        c = (1 - rho) P_lb + rho b_t0 - b_t   (rows only where c > 0).

    Valid: if no job starts on any pod in (t0, t], every pod runs at t a subset of its
    jobs at t0, so F_t <= rho F_t0 <= rho (P - b_t0). Otherwise sum S >= 1 and the
    right-hand side is >= rho P + (1 - rho) P_lb - b_t >= P - b_t >= F_t (rho >= 1,
    P >= P_lb). The facility's room under the peak rises at night as the baseline falls
    (the pod version is :func:`add_pod_staircase`).
    """
    if not len(v["peak_kw"]) or not len(v["load_key"]) or problem.assets.active:
        return  # with assets the peak is on import, which a battery can move: not valid
    if problem.is_fleet:
        return  # written for one site's peak (a fleet's sites: not derived here)
    _pod_starts(model, problem, layout, v)
    n_t, n_p = problem.n_hours, len(problem.pods)
    base, ff, month = problem.base_facility_kw[0], problem.facility_factor, problem.month
    floor = np.full(len(problem.month_labels), -np.inf)
    np.maximum.at(floor, month, base)
    floor = np.maximum(floor, problem.peak_floor_kw[0])
    col_of = np.full((n_p, n_t), -1, dtype=np.int64)
    col_of[v["load_pod"], v["load_t"]] = np.arange(len(v["load_key"]))
    hours = np.unique(v["load_t"])
    keys, rows, cols, coefs, upper = [], [], [], [], []
    n_rows = 0
    for k in range(1, STAIRCASE_LOOKBACK_H + 1):
        t = hours[hours - k >= 0]
        t0 = t - k
        t, t0 = t[month[t] == month[t0]], t0[month[t] == month[t0]]
        rho = np.maximum(1.0, (ff[:, t] / ff[:, t0]).max(0))
        c = (1 - rho) * floor[month[t]] + rho * base[t0] - base[t]
        ok = c > CUT_EPS_KW
        t, t0, rho, c = t[ok], t0[ok], rho[ok], c[ok]
        if not len(t):
            continue
        row = n_rows + np.arange(len(t))
        for q in range(n_p):
            has = col_of[q, t] >= 0
            rows.append(row[has])
            cols.append(v["it_load_kw"][col_of[q, t[has]]])
            coefs.append(ff[q, t[has]])
            for i in range(k):
                u = t - i
                has = col_of[q, u] >= 0
                rows.append(row[has])
                cols.append(v["pod_starts"][col_of[q, u[has]]])
                coefs.append(-c[has])
        rows.append(row)
        cols.append(v["peak_kw"][month[t]])
        coefs.append(-rho)
        upper.append(-rho * base[t0])
        keys.extend(zip(t.tolist(), t0.tolist(), strict=True))
        n_rows += len(t)
    if n_rows:
        add_rows(model, "site_staircase", keys, np.concatenate(rows), np.concatenate(cols),
                 np.concatenate(coefs), -np.inf, np.concatenate(upper))
