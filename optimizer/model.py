"""Build the scheduling MILP as a Pyomo model; map schedules to and from its columns."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from optimizer import asset_constraints as A
from optimizer import constraints as C
from optimizer.assets import Dispatch
from optimizer.dispatch import net_simultaneous, optimal_dispatch
from optimizer.layout import Layout, block_starts, expand, make_layout
from optimizer.linear import add_columns, new_model, objective_vector, set_objective
from optimizer.metrics import facility_kw, monthly_peaks_kw
from optimizer.precheck import fits_alone
from optimizer.problem import Problem
from optimizer.result import ModelSize
from optimizer.schedule import Assignment, it_load_kw

#: The constraint families, in the order they are added (docs/optimizer.md).
FAMILIES = (
    C.add_it_load,
    C.add_single_start,
    C.add_pod_assignment,
    C.add_job_work,
    C.add_interruptions,
    C.add_pod_capacity,
    C.add_cooling_capacity,
    C.add_open_capacity,
    C.add_site_grid_limit,
    C.add_peak_demand,
)

#: Cut families (valid inequalities that only tighten the LP relaxation), by name, in the
#: order they are added; ``build_model(cuts=...)`` switches them (docs/optimizer.md,
#: "Bound", measures each).
CUT_FAMILIES = {
    "capacity_rounding": C.add_capacity_rounding,
    "pod_staircase": C.add_pod_staircase,
    "site_staircase": C.add_site_staircase,
}
#: The cut families a model gets when :func:`auto_cuts` chooses them (docs/optimizer.md,
#: "Bound": each measured).
DEFAULT_CUTS = ("capacity_rounding", "pod_staircase", "site_staircase")
#: Jobs are "coarse" when the median job power is at least this share of the median
#: room of the pods it may use [-] (measured: the cuts lift the default scenario's
#: bound by 1.47 % at shares 0.29-0.58 and the benchmark's 300 x 168 and 1000 x 720 by
#: < 0.01 % at 0.07-0.11, where the fluid LP is already tight; docs/optimizer.md).
COARSE_JOB_SHARE = 0.2
#: Largest model (start and run columns) that gets the cuts [-] (measured: they made
#: the LP 2-5 x slower: default scenario 7,400 columns 0.5 -> 1.9 s; 300 preemptible
#: jobs x 168 h, 32,800 columns, 4.4 -> 18.9 s, over its share of a 20 s limit).
MAX_CUT_COLUMNS = 20_000


def auto_cuts(problem: Problem, layout: Layout) -> tuple[str, ...]:
    """The cut families worth adding: :data:`DEFAULT_CUTS` for small models of coarse
    jobs (whole jobs cannot follow the rooms hour by hour, and the LP is cheap), else
    none (see :data:`COARSE_JOB_SHARE`, :data:`MAX_CUT_COLUMNS`)."""
    jobs = problem.jobs
    if not len(jobs) or layout.n_start_vars + layout.n_run_vars > MAX_CUT_COLUMNS:
        return ()
    room = problem.job_capacity_kw
    allowed = jobs.usable_pods()
    shares = []
    for p in range(len(problem.pods)):
        finite = room[p][np.isfinite(room[p]) & (room[p] > 0)]
        if allowed[:, p].any() and len(finite):
            shares.append(np.median(jobs.power_kw[allowed[:, p]]) / np.median(finite))
    return DEFAULT_CUTS if shares and np.median(shares) >= COARSE_JOB_SHARE else ()


@dataclass(frozen=True)
class BuiltModel:
    """A built Pyomo model with its variable layout and column arrays (data only)."""

    model: pyo.ConcreteModel
    problem: Problem
    layout: Layout
    v: dict
    build_s: float
    cuts: tuple = ()  # the cut families the model has


def _keys3(problem: Problem, job, pod, t) -> list:
    """(job id, pod name, hour) index tuples, built from whole arrays (no per-item
    indexing: 0.22 s -> ~0.03 s for the 58,000 starts of 1000 jobs x 720 h)."""
    ids = np.asarray(problem.jobs.ids, dtype=object)[np.asarray(job, dtype=np.int64)]
    pods = np.asarray(problem.pods, dtype=object)[np.asarray(pod, dtype=np.int64)]
    return list(zip(ids.tolist(), pods.tolist(), np.asarray(t).tolist(), strict=True))


def _start_upper(problem: Problem, layout: Layout) -> np.ndarray:
    """Upper bound of each start variable: 0 where the job cannot run alone."""
    block, s = expand(layout.np_first, layout.np_count)
    if not len(s):
        return np.ones(len(s))
    length = np.ceil(problem.jobs.required_h()[layout.np_job] - 1e-9).astype(np.int64)[block]
    var, t = expand(s, length)
    ok = fits_alone(problem, layout.np_job[block][var], layout.np_pod[block][var], t)
    return np.minimum.reduceat(ok.astype(float), block_starts(length))


def add_variables(model, problem: Problem, layout: Layout) -> dict:
    """Create every variable family; return their column arrays and helper indices.

    Start and run binaries are fixed to 0 (upper bound 0) where the job cannot run
    even alone (pod, cooling or grid room below its power in some hour it would
    cover): they could never be 1, and in the LP they would let a job run at a
    fraction of its power in hours it does not fit.
    """
    jobs, n_t = problem.jobs, problem.n_hours
    v: dict = {}
    block, s = expand(layout.np_first, layout.np_count)
    v["started"] = add_columns(model, "start", _keys3(
        problem, layout.np_job[block], layout.np_pod[block], s), 0.0,
        _start_upper(problem, layout), True)
    block, t = expand(layout.pr_first, layout.pr_count)
    v["run"] = add_columns(model, "run", _keys3(
        problem, layout.pr_job[block], layout.pr_pod[block], t), 0.0,
        fits_alone(problem, layout.pr_job[block], layout.pr_pod[block], t).astype(float), True)
    res_block, t = expand(layout.rs_first, layout.rs_count)
    v["resume_job"] = layout.rs_job[res_block]
    v["resume"] = add_columns(model, "resume", [
        (jobs.ids[j], int(h)) for j, h in zip(v["resume_job"], t, strict=True)], 0.0, 1.0, False)
    cb = np.flatnonzero(layout.pr_needs_choice)
    v["on_pod"] = add_columns(model, "on_pod", [
        (jobs.ids[j], problem.pods[p]) for j, p in zip(layout.pr_job[cb], layout.pr_pod[cb],
                                                       strict=True)], 0.0, 1.0, True)
    # pod-hours any job can touch
    keys = []
    if len(layout.np_job):
        length = np.ceil(jobs.required_h()[layout.np_job] - 1e-9).astype(np.int64)
        b, t = expand(layout.np_first, layout.np_count - 1 + length)
        keys.append(layout.np_pod[b] * n_t + t)
    if len(layout.pr_job):
        b, t = expand(layout.pr_first, layout.pr_count)
        keys.append(layout.pr_pod[b] * n_t + t)
    load_key = np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    v["load_key"] = load_key
    v["load_pod"], v["load_t"] = load_key // n_t, load_key % n_t
    v["load_keys"] = [(problem.pods[p], int(h)) for p, h in zip(v["load_pod"], v["load_t"],
                                                               strict=True)]
    v["it_load_kw"] = add_columns(model, "it_load_kw", v["load_keys"], 0.0, np.inf, False)
    C.add_peak_columns(model, problem, v)
    if problem.assets.active:
        A.add_asset_variables(model, problem, v)
    return v


def add_objective(model, problem: Problem, layout: Layout, v: dict) -> None:
    """``objective``: weighted energy of every hour, monthly peaks and deferred work.

    sum_t w_t (base_t + sum_p ff[p,t] it_load[p,t]) + sum_m demand[m] peak[m]
    + the deferral cost of soft jobs of a rolling window that do not start in it.
    """
    jobs = problem.jobs
    w = problem.energy_weight_per_kwh  # (S, T)
    if problem.assets.active:  # energy is bought as import (optimizer.asset_constraints)
        cols, coefs = map(list, zip(A.asset_objective_terms(problem, v), strict=True))
        constant = 0.0
    else:
        cols = [v["it_load_kw"]]
        coefs = [problem.pod_energy_weight[v["load_pod"], v["load_t"]]]
        constant = float((w * problem.base_facility_kw).sum())
    if len(v["peak_kw"]):
        cols.append(v["peak_kw"])
        coefs.append(problem.demand_weight_per_kw.ravel())
    if jobs.moves:  # a fleet: moving a job's data to another site
        move = problem.move_weight
        block, _ = expand(layout.np_first, layout.np_count)
        cols.append(v["started"])
        coefs.append(move[layout.np_job[block], layout.np_pod[block]])
        cb = np.flatnonzero(layout.pr_needs_choice)
        cols.append(v["on_pod"])
        coefs.append(move[layout.pr_job[cb], layout.pr_pod[cb]])
        single = np.flatnonzero(~layout.pr_needs_choice)  # one pod: a fixed cost
        constant += float(move[layout.pr_job[single], layout.pr_pod[single]].sum())
    soft_np = jobs.soft[layout.np_job]
    if soft_np.any():
        block, _ = expand(layout.np_first, layout.np_count)
        sel = soft_np[block]
        cols.append(v["started"][sel])
        coefs.append(-jobs.defer_cost[layout.np_job[block[sel]]])
        soft_jobs = np.unique(layout.np_job[soft_np])
        constant += float(jobs.defer_cost[soft_jobs].sum())
    set_objective(model, np.concatenate(cols), np.concatenate(coefs), constant)


def build_model(problem: Problem, cuts: tuple[str, ...] | str = "auto") -> BuiltModel:
    """Build the Pyomo model of ``problem`` (variables, every family, objective).

    Parameters
    ----------
    cuts : tuple of str or "auto"
        Names of the :data:`CUT_FAMILIES` to add (valid inequalities; () for none);
        "auto": :func:`auto_cuts`.
    """
    unknown = set() if cuts == "auto" else set(cuts) - set(CUT_FAMILIES)
    if unknown:
        raise ValueError(f"unknown cut families {sorted(unknown)}; known: {list(CUT_FAMILIES)}")
    tick = time.perf_counter()
    # Construction allocates ~10 objects per column and per nonzero term and frees none
    # of them, so each generation-2 collection it would trigger scans the whole growing
    # model for nothing: pausing the cyclic collector (as Pyomo's own writers do) halved
    # the build of 1000 jobs x 720 h (0.58 s -> 0.27 s warm; bench/README.md).
    with PauseGC():
        model = new_model()
        layout = make_layout(problem)
        v = add_variables(model, problem, layout)
        if cuts == "auto":
            cuts = auto_cuts(problem, layout)
        for family in FAMILIES:
            family(model, problem, layout, v)
        if problem.assets.active:
            for family in A.ASSET_FAMILIES:
                family(model, problem, layout, v)
        for name, family in CUT_FAMILIES.items():
            if name in cuts:
                family(model, problem, layout, v)
        add_objective(model, problem, layout, v)
    return BuiltModel(model, problem, layout, v, time.perf_counter() - tick, tuple(cuts))


def assignment_from_values(built: BuiltModel, x: np.ndarray) -> Assignment:
    """The schedule a column vector encodes (binaries rounded at 0.5)."""
    problem, layout, v = built.problem, built.layout, built.v
    parts = []
    if len(layout.np_job):
        started = x[v["started"]] > 0.5
        off = block_starts(layout.np_count)
        length = np.ceil(problem.jobs.required_h() - 1e-9).astype(np.int64)
        for b in range(len(layout.np_job)):
            seg = started[off[b] : off[b] + layout.np_count[b]]
            if not seg.any():
                continue
            s = layout.np_first[b] + int(np.argmax(seg))
            n = int(length[layout.np_job[b]])
            parts.append(Assignment(np.full(n, layout.np_job[b]), np.full(n, layout.np_pod[b]),
                                    np.arange(s, s + n)))
    if len(layout.pr_job):
        block, t = expand(layout.pr_first, layout.pr_count)
        on = x[v["run"]] > 0.5
        parts.append(Assignment(layout.pr_job[block][on], layout.pr_pod[block][on], t[on]))
    return Assignment.concat(parts)


def job_of_column(built: BuiltModel) -> np.ndarray:
    """Job position of every integer column (start, run, on_pod); -1 for the others."""
    layout, v = built.layout, built.v
    out = np.full(built.model.record.n_cols, -1, dtype=np.int64)
    if len(layout.np_job):
        block, _ = expand(layout.np_first, layout.np_count)
        out[v["started"]] = layout.np_job[block]
    if len(layout.pr_job):
        block, _ = expand(layout.pr_first, layout.pr_count)
        out[v["run"]] = layout.pr_job[block]
        out[v["on_pod"]] = layout.pr_job[np.flatnonzero(layout.pr_needs_choice)]
    return out


def values_from_assignment(built: BuiltModel, assignment: Assignment) -> np.ndarray:
    """A column vector encoding ``assignment`` (a MIP start), continuous parts derived."""
    problem, layout, v = built.problem, built.layout, built.v
    jobs = problem.jobs
    x = np.zeros(built.model.record.n_cols)
    first_hour: dict[tuple[int, int], int] = {}
    for j, p, t in zip(assignment.job.tolist(), assignment.pod.tolist(), assignment.t.tolist(),
                       strict=True):
        key = (j, p)
        first_hour[key] = min(first_hour.get(key, t), t)
    if len(layout.np_job):
        off = block_starts(layout.np_count)
        for b, (j, p) in enumerate(zip(layout.np_job.tolist(), layout.np_pod.tolist(),
                                       strict=True)):
            if (j, p) in first_hour:
                k = first_hour[(j, p)] - layout.np_first[b]
                x[v["started"][off[b] + k]] = 1.0
    run_on = np.zeros((len(jobs), len(problem.pods), problem.n_hours), dtype=bool) if len(
        layout.pr_job) else None
    if run_on is not None:
        pre = jobs.preemptible[assignment.job]
        run_on[assignment.job[pre], assignment.pod[pre], assignment.t[pre]] = True
        block, t = expand(layout.pr_first, layout.pr_count)
        vals = run_on[layout.pr_job[block], layout.pr_pod[block], t]
        x[v["run"]] = vals
        running = run_on.any(1)  # (J, T): the job runs at t on some pod
        res_block, t = expand(layout.rs_first, layout.rs_count)
        j = layout.rs_job[res_block]
        prev = np.where(t > layout.rs_first[res_block], running[j, np.maximum(t - 1, 0)],
                        jobs.running_before[j])
        starts = (running[j, t] & ~prev).astype(float)
        x[v["resume"]] = starts
        cb = np.flatnonzero(layout.pr_needs_choice)
        x[v["on_pod"]] = run_on[layout.pr_job[cb], layout.pr_pod[cb]].any(1)
    load = it_load_kw(problem, assignment)
    x[v["it_load_kw"]] = load[v["load_pod"], v["load_t"]]
    billed = facility_kw(problem, load)
    if problem.assets.active:  # the assets run as well as they can for this schedule
        dispatch = optimal_dispatch(problem, load)
        A.set_dispatch_values(problem, v, dispatch, x)
        billed = dispatch.grid_kw
    if len(v["peak_kw"]):
        x[v["peak_kw"]] = monthly_peaks_kw(problem, billed).ravel()
    C.cut_column_values(problem, layout, v, x)
    return x


def dispatch_of(built: BuiltModel, x: np.ndarray, assignment: Assignment | None = None):
    """The assets' :class:`optimizer.assets.Dispatch` a column vector encodes (import =
    facility when the problem has no assets)."""
    problem = built.problem
    if assignment is None:
        assignment = assignment_from_values(built, x)
    facility = facility_kw(problem, it_load_kw(problem, assignment))
    if not problem.assets.active:
        return Dispatch.without_assets(facility, len(problem.pods))
    return net_simultaneous(problem, A.dispatch_from_values(problem, built.v, x, facility))


def model_size(built: BuiltModel) -> ModelSize:
    """Columns, rows, nonzeros and integer columns of a built model."""
    rec = built.model.record
    binaries = int(np.concatenate(rec.col_integer).sum()) if rec.col_integer else 0
    return ModelSize(variables=rec.n_cols, rows=rec.n_rows, nonzeros=rec.nnz, binaries=binaries)


def model_objective(built: BuiltModel, x: np.ndarray) -> float:
    """Objective of a column vector in the model, its constant included [currency]."""
    return float(objective_vector(built.model) @ x + built.model.record.obj_constant)
