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
from optimizer.linear import add_rows
from optimizer.problem import UNLIMITED_STARTS, Problem

#: Keeps ``job_work``'s upper side strictly below the next whole hour (judgement:
#: far above HiGHS's 1e-7 feasibility tolerance, far below one hour).
WORK_UPPER_EPS_H = 1e-6


def add_it_load(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``it_load[pod, t]``: it_load_kw[pod, t] = sum of job power running on the pod.

    Pulse form (default): a non-preemptible job is running at t on p when one of its
    starts ``start[j,p,s]`` with t-L < s <= t is 1 (L nonzeros per job and hour).
    Cumulative form: ``started[j,p,s]`` is 1 if the job started on p at or before s;
    it runs at t exactly when ``started[j,p,min(t, last)] - started[j,p,t-L]`` is 1 (two
    nonzeros per job and hour, but one ``start_order`` row per start variable).
    """
    jobs, n_t = problem.jobs, problem.n_hours
    parts_key, parts_col, parts_coef = [], [], []
    if len(layout.np_job) and v["formulation"] == "pulse":
        # start[j,p,s] counts in every hour s .. s+L-1
        length = np.ceil(jobs.required_h()[layout.np_job] - 1e-9).astype(np.int64)
        block, s = expand(layout.np_first, layout.np_count)
        rep = length[block]
        col = np.repeat(v["started"], rep)
        sb = np.repeat(block, rep)
        t = np.repeat(s, rep) + (np.arange(int(rep.sum())) - np.repeat(block_starts(rep), rep))
        parts_key.append(layout.np_pod[sb] * n_t + t)
        parts_col.append(col)
        parts_coef.append(jobs.power_kw[layout.np_job][sb])
    elif len(layout.np_job):
        length = np.ceil(jobs.required_h()[layout.np_job] - 1e-9).astype(np.int64)
        span = layout.np_count - 1 + length  # hours the job may occupy
        block, t = expand(layout.np_first, span)
        col0 = v["started"][block_starts(layout.np_count)]
        power = jobs.power_kw[layout.np_job]
        pos = np.minimum(t - layout.np_first[block], layout.np_count[block] - 1)
        parts_key.append(layout.np_pod[block] * n_t + t)
        parts_col.append(col0[block] + pos)
        parts_coef.append(power[block])
        back = t - length[block] - layout.np_first[block]
        has = back >= 0
        parts_key.append((layout.np_pod[block] * n_t + t)[has])
        parts_col.append((col0[block] + back)[has])
        parts_coef.append(-power[block][has])
    if len(layout.pr_job):
        block, t = expand(layout.pr_first, layout.pr_count)
        parts_key.append(layout.pr_pod[block] * n_t + t)
        parts_col.append(v["run"])
        parts_coef.append(jobs.power_kw[layout.pr_job][block])
    key = np.concatenate(parts_key) if parts_key else np.zeros(0, dtype=np.int64)
    col = np.concatenate(parts_col) if parts_col else np.zeros(0, dtype=np.int64)
    coef = np.concatenate(parts_coef) if parts_coef else np.zeros(0)
    row = np.searchsorted(v["load_key"], key)
    n_rows = len(v["load_key"])
    rows = np.concatenate([np.arange(n_rows), row])
    cols = np.concatenate([v["it_load_kw"], col])
    coefs = np.concatenate([np.ones(n_rows), -coef])
    add_rows(model, "it_load", v["load_keys"], rows, cols, coefs, 0.0, 0.0)


def add_single_start(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``single_start[job]`` (and ``start_order[job, pod, s]``) for non-preemptible jobs.

    Each job starts exactly once over all its allowed pods and start hours (at most
    once for soft jobs of a rolling window): pulse form sum_{p,s} start[j,p,s] = 1;
    cumulative form sum_p started[j,p,last] = 1 with the cumulative start
    non-decreasing in s: started[s] - started[s-1] >= 0.
    """
    jobs = problem.jobs
    if not len(layout.np_job):
        return
    starts = block_starts(layout.np_count)
    if v["formulation"] == "pulse":
        last_rows = np.repeat(np.arange(len(layout.np_job)), layout.np_count)
        last = v["started"]
    else:
        last_rows = np.arange(len(layout.np_job))
        last = v["started"][starts + layout.np_count - 1]
    job_list = np.unique(layout.np_job)
    row = np.searchsorted(job_list, layout.np_job)[last_rows]
    keys = [jobs.ids[j] for j in job_list]
    upper = np.ones(len(job_list))
    lower = np.where(jobs.soft[job_list], 0.0, 1.0)
    add_rows(model, "single_start", keys, row, last, np.ones(len(last)), lower, upper)
    if v["formulation"] == "pulse":
        return
    block, s = expand(layout.np_first, layout.np_count)
    later = s > layout.np_first[block]
    cols = v["started"][later]
    n = len(cols)
    if n:
        keys = [(jobs.ids[j], problem.pods[p], int(t)) for j, p, t in zip(
            layout.np_job[block[later]], layout.np_pod[block[later]], s[later], strict=True)]
        rows = np.concatenate([np.arange(n), np.arange(n)])
        add_rows(model, "start_order", keys, rows, np.concatenate([cols, cols - 1]),
                 np.concatenate([np.ones(n), -np.ones(n)]), 0.0, np.inf)


def add_pod_assignment(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``pod_choice[job]`` and ``pod_assignment[job, pod, t]`` for preemptible jobs.

    A preemptible job with several allowed pods runs on exactly one (at most one for
    soft jobs): sum_p on_pod[j,p] = 1 and run[j,p,t] <= on_pod[j,p]. (Non-preemptible jobs
    choose their pod through ``single_start``.)
    """
    jobs = problem.jobs
    choice = layout.pr_needs_choice
    if not choice.any():
        return
    blocks = np.flatnonzero(choice)
    job_list = np.unique(layout.pr_job[blocks])
    row = np.searchsorted(job_list, layout.pr_job[blocks])
    x = v["on_pod"]
    lower = np.where(jobs.soft[job_list], 0.0, 1.0)
    add_rows(model, "pod_choice", [jobs.ids[j] for j in job_list], row, x,
             np.ones(len(x)), lower, 1.0)
    x_of_block = np.full(len(layout.pr_job), -1, dtype=np.int64)
    x_of_block[blocks] = x
    block, t = expand(layout.pr_first, layout.pr_count)
    sel = choice[block]
    run = v["run"][sel]
    n = len(run)
    keys = [(jobs.ids[j], problem.pods[p], int(h)) for j, p, h in zip(
        layout.pr_job[block[sel]], layout.pr_pod[block[sel]], t[sel], strict=True)]
    rows = np.concatenate([np.arange(n), np.arange(n)])
    cols = np.concatenate([run, x_of_block[block[sel]]])
    add_rows(model, "pod_assignment", keys, rows, cols,
             np.concatenate([np.ones(n), -np.ones(n)]), -np.inf, 0.0)


def add_job_work(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``job_work[job]`` for preemptible jobs (non-preemptible work is built into the start).

    Work hours run = duration + restart overhead x resumes, i.e. with runs counted by
    the resume indicators: need <= sum run - overhead x sum resume < need + 1, where
    need = duration - done + overhead x (starts done - 1). A soft job (rolling window)
    may fall short by ``shortfall_h``. ``job_work_min[job]`` (sum run >= duration -
    done) keeps a job whose overhead exceeds its duration from "finishing" without
    running.
    """
    jobs = problem.jobs
    if not len(layout.pr_job):
        return
    job_list = np.unique(layout.pr_job)
    block, _ = expand(layout.pr_first, layout.pr_count)
    rows = [np.searchsorted(job_list, layout.pr_job[block])]
    cols = [v["run"]]
    coefs = [np.ones(len(v["run"]))]
    if len(v["resume"]):
        rj = v["resume_job"]
        rows.append(np.searchsorted(job_list, rj))
        cols.append(v["resume"])
        coefs.append(-jobs.overhead_h[rj])
    need = (jobs.duration_h - jobs.done_h + jobs.overhead_h * (jobs.starts_done - 1))[job_list]
    soft = jobs.soft[job_list]
    if soft.any():
        rows.append(np.flatnonzero(soft))
        cols.append(v["shortfall_h"][job_list[soft]])
        coefs.append(np.ones(int(soft.sum())))
    keys = [jobs.ids[j] for j in job_list]
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    coef = np.concatenate(coefs)
    upper = need + 1 - WORK_UPPER_EPS_H
    if soft.any():  # the upper side must not count the shortfall
        keep = ~np.isin(col, v["shortfall_h"])
        add_rows(model, "job_work", keys, row, col, coef, need, np.inf)
        add_rows(model, "job_work_cap", keys, row[keep], col[keep], coef[keep], -np.inf, upper)
    else:
        add_rows(model, "job_work", keys, row, col, coef, need, upper)
    fresh = (jobs.overhead_h[job_list] > 0) & (jobs.starts_done[job_list] == 0) & ~soft
    if fresh.any():
        sel = np.isin(layout.pr_job[block], job_list[fresh])
        sub = job_list[fresh]
        add_rows(model, "job_work_min", [jobs.ids[j] for j in sub],
                 np.searchsorted(sub, layout.pr_job[block][sel]), v["run"][sel],
                 np.ones(int(sel.sum())), (jobs.duration_h - jobs.done_h)[sub], np.inf)


def add_interruptions(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``resume_detect[job, pod, t]`` and ``interruptions[job]`` for preemptible jobs.

    resume[t] >= run[t] - run[t-1] (at the window's first hour, run[t-1] is 1 for a job
    that was running just before, on its pinned pod), and the number of runs is at most
    max_interruptions + 1 (minus runs already started; a soft job keeps one run in
    reserve to finish after the window).
    """
    jobs = problem.jobs
    if not len(v["resume"]):
        return
    rb = v["resume_block"]
    res_block, t = expand(layout.pr_first[rb], layout.pr_count[rb])
    block = rb[res_block]
    run_col0 = v["run"][block_starts(layout.pr_count)]
    run_now = run_col0[block] + (t - layout.pr_first[block])
    n = len(t)
    first = t == layout.pr_first[block]
    keys = [(jobs.ids[j], problem.pods[p], int(h)) for j, p, h in zip(
        layout.pr_job[block], layout.pr_pod[block], t, strict=True)]
    rows = [np.arange(n), np.arange(n), np.flatnonzero(~first)]
    cols = [v["resume"], run_now, run_now[~first] - 1]
    coefs = [np.ones(n), -np.ones(n), np.ones(int((~first).sum()))]
    lower = np.zeros(n)
    lower[first] = -jobs.running_before[layout.pr_job[block[first]]].astype(float)
    add_rows(model, "resume_detect", keys, np.concatenate(rows), np.concatenate(cols),
             np.concatenate(coefs), lower, np.inf)
    job_of = layout.pr_job[block]
    limited = np.unique(job_of[jobs.max_starts[job_of] < UNLIMITED_STARTS])
    if len(limited):
        sel = np.isin(job_of, limited)
        cap = (jobs.max_starts - jobs.starts_done - jobs.soft.astype(np.int64))[limited]
        cap = np.maximum(cap, 0)
        add_rows(model, "interruptions", [jobs.ids[j] for j in limited],
                 np.searchsorted(limited, job_of[sel]), v["resume"][sel],
                 np.ones(int(sel.sum())), -np.inf, cap.astype(float))


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


def _facility_rows(problem: Problem, v: dict, hours: np.ndarray):
    """Triplets of sum_p facility_factor[p,t] * it_load_kw[p,t] for the given hours."""
    t = v["load_t"]
    sel = np.isin(t, hours)
    rows = np.searchsorted(hours, t[sel])
    coefs = problem.facility_factor[v["load_pod"][sel], t[sel]]
    return rows, v["it_load_kw"][sel], coefs


def add_site_grid_limit(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``site_grid_limit[t]``: facility power <= grid limit [kW] (hours jobs can touch)."""
    hours = np.unique(v["load_t"])
    hours = hours[np.isfinite(problem.grid_limit_kw[hours])]
    if not len(hours):
        return
    rows, cols, coefs = _facility_rows(problem, v, hours)
    upper = problem.grid_limit_kw[hours] - problem.base_facility_kw[hours]
    add_rows(model, "site_grid_limit", [int(h) for h in hours], rows, cols, coefs, -np.inf, upper)


def add_peak_demand(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``peak_demand[t]``: facility power at t <= peak_kw[month of t] [kW].

    Only hours jobs can touch get a row; the other hours (and a rolling horizon's
    committed peak) enter as the lower bound of ``peak_kw``.
    """
    if not len(v["peak_kw"]):
        return
    hours = np.unique(v["load_t"])
    if not len(hours):
        return
    rows, cols, coefs = _facility_rows(problem, v, hours)
    n = len(hours)
    rows = np.concatenate([rows, np.arange(n)])
    cols = np.concatenate([cols, v["peak_kw"][problem.month[hours]]])
    coefs = np.concatenate([coefs, -np.ones(n)])
    add_rows(model, "peak_demand", [int(h) for h in hours], rows, cols, coefs, -np.inf,
             -problem.base_facility_kw[hours])
