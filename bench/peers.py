"""Peers of coolshift's scheduler, for bench/bench_peers.py: the same problem written
straightforwardly for plain HiGHS (highspy) and for Google OR-tools CP-SAT, and the
converter of any solver's job-hours to coolshift's schedule table.

Both models are written here from :class:`optimizer.problem.Problem`'s arrays (the
checked inputs every solver shares), not from coolshift's model code, so that they
optimise exactly the objective :func:`optimizer.evaluate` scores:

    sum_t w_t * F_t + sum_m demand_weight[m] * peak[m],
    F_t = base_facility_kw[t] + sum_p ff[p,t] * it_load[p,t]

with ``w = problem.energy_weight_per_kwh[0]`` [currency / kWh] and ``demand_weight =
problem.demand_weight_per_kw[0]`` [currency / kW] (the month's demand charge prorated to its
share of hours in the horizon).

Plain HiGHS ("textbook" time-indexed MILP, no warm start, no heuristics of coolshift):

* non-preemptible job j: start binaries x[j,p,s] for every allowed pod p and start s
  with the job inside its window, sum_{p,s} x = 1;
* preemptible job j: pod binaries z[j,p] (sum_p z = 1) and run binaries y[j,p,t] in the
  window, sum_t y[j,p,t] = duration x z[j,p] (work on the chosen pod, none elsewhere);
  with an interruption limit, start indicators u[j,t] in [0, 1],
  u[j,t] >= sum_p y[j,p,t] - sum_p y[j,p,t-1] (y before the release counts 0) and
  sum_t u[j,t] <= max_interruptions + 1;
* it_load[p,t] (continuous, bounded by min(pod, cooling) room) = sum of the powers of
  the jobs running on p at t; facility rows F_t <= grid limit (if any) and F_t <=
  peak[month(t)] in months with a demand charge.

Not modelled (and refused, :class:`Unsupported`): restart overhead and the rolling
horizon's state (work done, pinned pods, soft jobs, committed peaks). The benchmark's
instances have none of them.

CP-SAT (where it fits, integer data):

* non-preemptible job j: per allowed pod an optional fixed-size interval (start var,
  duration, presence b[j,p]), sum_p b = 1, and start literals x[j,p,s] (sum_s x = b,
  start = sum_s s x) that carry the job's energy cost;
* preemptible job j: pod literals b[j,p], run literals y[j,p,t] with a one-hour optional
  interval each, sum_t y[j,p,t] = duration x b[j,p], start literals u[j,t] as above;
* pod and cooling room: one ``add_cumulative`` per pod over those intervals; the room
  varies by hour, so fixed intervals fill the difference to the pod's largest room;
* peak: an integer var per month with a demand charge, >= facility power every hour;
* integer scaling: powers in units of 1/k kW (k the least of 1, 10, 100, 1000 making every
  job power whole; then the room floor(room x k) is exact, as loads are whole units);
  facility power in units of 1/PEAK_UNITS_PER_KW kW (coefficients rounded to whole
  units; base load rounded up); objective in units of 1/OBJECTIVE_UNITS_PER_CURRENCY.
  :func:`cpsat_rounding_bound` bounds the difference between CP-SAT's objective and the
  exact one; the benchmark scores every schedule with :func:`optimizer.evaluate` anyway.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.problem import UNLIMITED_STARTS, Problem

#: Facility power units per kW in the CP-SAT model (10 W).
PEAK_UNITS_PER_KW = 100
#: Objective units per currency unit in the CP-SAT model (1e-6 of a currency unit).
OBJECTIVE_UNITS_PER_CURRENCY = 1_000_000
#: Candidate scalings of job powers to whole units in CP-SAT [units / kW].
POWER_SCALES = (1, 10, 100, 1000)


class Unsupported(ValueError):
    """The problem uses a feature a peer model does not write ("does not fit")."""


@dataclass(frozen=True)
class PeerResult:
    """One peer solve.

    Attributes
    ----------
    status : str
        "optimal", "time_limit" (schedule found, limit reached), "no_solution",
        "infeasible" or the solver's own word.
    objective : float
        The solver's own objective of its schedule, constant included [currency]; NaN
        without a schedule.
    bound : float
        The solver's proven lower bound [currency]; -inf if none.
    gap : float
        (objective - bound) / objective [-].
    build_s, solve_s : float
        Model construction [s]; the solver's run and reading the schedule back [s].
    job, pod, t : ndarray of int
        The schedule's job-hours (job position, pod position, hour position).
    size : dict
        Columns, rows / constraints and nonzeros / terms of the model.
    """

    status: str
    objective: float
    bound: float
    gap: float
    build_s: float
    solve_s: float
    job: np.ndarray
    pod: np.ndarray
    t: np.ndarray
    size: dict = field(default_factory=dict)

    @property
    def has_schedule(self) -> bool:
        return bool(np.isfinite(self.objective))


def _gap(objective: float, bound: float) -> float:
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("inf")
    return (objective - bound) / max(abs(objective), 1e-9)


def check_supported(problem: Problem) -> None:
    """Raise :class:`Unsupported` for what the peer models do not write."""
    jobs = problem.jobs
    if np.any(jobs.overhead_h > 0):
        raise Unsupported("restart overhead is not modelled by the peers")
    if (np.any(jobs.done_h > 0) or np.any(jobs.starts_done > 0) or np.any(jobs.running_before)
            or np.any(jobs.pinned_pod >= 0) or np.any(jobs.soft)
            or np.any(np.isfinite(problem.peak_floor_kw[0]))):
        raise Unsupported("rolling-horizon state is not modelled by the peers")
    if problem.is_fleet:
        raise Unsupported("a fleet of sites is not modelled by the peers")


def schedule_table(problem: Problem, job: np.ndarray, pod: np.ndarray,
                   t: np.ndarray) -> pd.DataFrame:
    """coolshift's schedule table from job-hours (written here, not coolshift's own).

    Parameters
    ----------
    job, pod, t : array of int
        Job position, pod position and hour position of every job-hour.

    Returns
    -------
    DataFrame
        job_id, pod, timestamp (start of the hour), power_kw [kW]; one row per job-hour,
        the format :func:`optimizer.validate` checks.
    """
    job, pod, t = (np.asarray(a, dtype=np.int64) for a in (job, pod, t))
    for name, a, n in (("job", job, len(problem.jobs)), ("pod", pod, len(problem.pods)),
                       ("hour", t, problem.n_hours)):
        if len(a) and (a.min() < 0 or a.max() >= n):
            raise ValueError(f"schedule has a {name} position outside 0..{n - 1}")
    order = np.lexsort((t, job))
    job, pod, t = job[order], pod[order], t[order]
    return pd.DataFrame({
        "job_id": [problem.jobs.ids[j] for j in job],
        "pod": [problem.pods[p] for p in pod],
        "timestamp": problem.hours[t],
        "power_kw": problem.jobs.power_kw[job].astype(float),
    })


# ----------------------------------------------------------------------------- plain HiGHS


class _Matrix:
    """Columns and rows of a MILP collected as arrays (COO triplets)."""

    def __init__(self) -> None:
        self.cost: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.integer: list[np.ndarray] = []
        self.n_cols = 0
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.n_rows = 0

    def cols(self, n: int, cost=0.0, lower=0.0, upper=1.0, integer=True) -> np.ndarray:
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)))
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)))
        self.integer.append(np.full(n, int(integer), dtype=np.int32))
        first = self.n_cols
        self.n_cols += n
        return np.arange(first, first + n)

    def rows(self, n: int, lower=-np.inf, upper=np.inf) -> np.ndarray:
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)))
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)))
        first = self.n_rows
        self.n_rows += n
        return np.arange(first, first + n)

    def terms(self, r, c, v) -> None:
        r, c = np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64)
        self.r.append(r)
        self.c.append(c)
        self.v.append(np.broadcast_to(np.asarray(v, dtype=float), r.shape))

    def csr(self):
        import scipy.sparse as sp

        cat = lambda parts, dtype: (np.concatenate(parts).astype(dtype) if parts  # noqa: E731
                                    else np.zeros(0, dtype=dtype))
        a = sp.csr_matrix((cat(self.v, float), (cat(self.r, np.int64), cat(self.c, np.int64))),
                          shape=(self.n_rows, self.n_cols))
        a.sum_duplicates()
        return a, cat(self.cost, float), cat(self.lower, float), cat(self.upper, float), \
            cat(self.integer, np.int32), cat(self.row_lower, float), cat(self.row_upper, float)


@dataclass(frozen=True)
class PlainModel:
    """The plain MILP's arrays and where each job's columns are.

    ``np_cols[j]`` = (pods, starts, columns) of a non-preemptible job; ``pre_cols[j]`` =
    (pods, hours, columns) of a preemptible job's run binaries.
    """

    matrix: _Matrix
    constant: float
    np_cols: dict
    pre_cols: dict
    durations: np.ndarray


def build_plain(problem: Problem) -> PlainModel:
    """The straightforward time-indexed MILP of ``problem`` (module doc)."""
    check_supported(problem)
    jobs, n_pods, n_t = problem.jobs, len(problem.pods), problem.n_hours
    m = _Matrix()
    room = np.minimum(problem.headroom_kw, problem.cooling_headroom_kw)  # (P, T) [kW]
    weight = problem.energy_weight_per_kwh[0]
    ff = problem.facility_factor
    load = m.cols(n_pods * n_t, cost=(weight[None, :] * ff).ravel(), lower=0.0,
                  upper=room.ravel(), integer=False).reshape(n_pods, n_t)
    load_row = m.rows(n_pods * n_t, 0.0, 0.0).reshape(n_pods, n_t)
    m.terms(load_row.ravel(), load.ravel(), 1.0)
    np_cols, pre_cols = {}, {}
    for j in range(len(jobs)):
        r, d, dur = int(jobs.release[j]), int(jobs.deadline[j]), int(jobs.duration_h[j])
        power = float(jobs.power_kw[j])
        pods = np.flatnonzero(jobs.allowed[j])
        if not jobs.preemptible[j]:
            starts = np.arange(r, d - dur + 1)
            pp = np.repeat(pods, len(starts))
            ss = np.tile(starts, len(pods))
            x = m.cols(len(ss))
            np_cols[j] = (pp, ss, x)
            one = m.rows(1, 1.0, 1.0)
            m.terms(np.full(len(x), one[0]), x, 1.0)
            k = np.arange(dur)
            m.terms(load_row[np.repeat(pp, dur), (ss[:, None] + k[None, :]).ravel()],
                    np.repeat(x, dur), -power)
            continue
        hours = np.arange(r, d)
        z = m.cols(len(pods))
        one = m.rows(1, 1.0, 1.0)
        m.terms(np.full(len(z), one[0]), z, 1.0)
        pp = np.repeat(pods, len(hours))
        tt = np.tile(hours, len(pods))
        y = m.cols(len(tt))
        pre_cols[j] = (pp, tt, y)
        m.terms(load_row[pp, tt], y, -power)
        work = m.rows(len(pods), 0.0, 0.0)
        m.terms(np.repeat(work, len(hours)), y, 1.0)
        m.terms(work, z, -float(dur))
        limit = int(jobs.max_starts[j])
        if limit < UNLIMITED_STARTS and limit < (len(hours) + 1) // 2:
            u = m.cols(len(hours), integer=False)
            detect = m.rows(len(hours), 0.0, np.inf)
            m.terms(detect, u, 1.0)
            pos = tt - r
            m.terms(detect[pos], y, -1.0)
            later = pos + 1 < len(hours)
            m.terms(detect[pos[later] + 1], y[later], 1.0)
            cap = m.rows(1, -np.inf, float(limit))
            m.terms(np.full(len(u), cap[0]), u, 1.0)
    base = problem.base_facility_kw[0]
    facility_terms = (np.repeat(np.arange(n_t), n_pods), load.T.ravel(), ff.T.ravel())
    grid = problem.grid_limit_kw[0]
    limited = np.flatnonzero(np.isfinite(grid))
    if len(limited):
        rows = m.rows(len(limited), -np.inf, grid[limited] - base[limited])
        row_of = np.full(n_t, -1)
        row_of[limited] = rows
        t, c, v = facility_terms
        keep = row_of[t] >= 0
        m.terms(row_of[t[keep]], c[keep], v[keep])
    demand = problem.demand_weight_per_kw[0]
    charged = np.flatnonzero(demand > 0)
    if len(charged):
        peak = m.cols(len(charged), cost=demand[charged], lower=0.0, upper=np.inf,
                      integer=False)
        peak_of = np.full(len(demand), -1)
        peak_of[charged] = peak
        hours = np.flatnonzero(peak_of[problem.month] >= 0)
        rows = m.rows(len(hours), -np.inf, -base[hours])
        row_of = np.full(n_t, -1)
        row_of[hours] = rows
        t, c, v = facility_terms
        keep = row_of[t] >= 0
        m.terms(row_of[t[keep]], c[keep], v[keep])
        m.terms(rows, peak_of[problem.month[hours]], -1.0)
    return PlainModel(m, float(weight @ base), np_cols, pre_cols, jobs.duration_h.copy())


def plain_assignment(model: PlainModel, values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Job-hours (job, pod, t) of an integral solution of the plain MILP."""
    job, pod, hour = [], [], []
    for j, (pp, ss, x) in model.np_cols.items():
        best = int(np.argmax(values[x]))
        if values[x][best] < 0.5:
            raise ValueError(f"job {j} has no start in the solution")
        dur = int(model.durations[j])
        hour.extend(range(int(ss[best]), int(ss[best]) + dur))
        job.extend([j] * dur)
        pod.extend([int(pp[best])] * dur)
    for j, (pp, tt, y) in model.pre_cols.items():
        on = values[y] > 0.5
        job.extend([j] * int(on.sum()))
        pod.extend(pp[on].tolist())
        hour.extend(tt[on].tolist())
    return (np.asarray(job, dtype=np.int64), np.asarray(pod, dtype=np.int64),
            np.asarray(hour, dtype=np.int64))


def solve_plain(problem: Problem, time_limit_s: float, threads: int = 1) -> PeerResult:
    """Build the plain MILP and solve it with HiGHS's default settings.

    Parameters
    ----------
    time_limit_s : float
        HiGHS's ``time_limit`` [s] (its run only; the build is reported apart).
    threads : int
        HiGHS ``threads``.
    """
    import highspy

    tick = time.perf_counter()
    model = build_plain(problem)
    a, cost, lower, upper, integer, row_lower, row_upper = model.matrix.csr()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("time_limit", float(time_limit_s))
    status = h.passModel(
        a.shape[1], a.shape[0], a.nnz, int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize), model.constant, cost, lower, upper,
        row_lower, row_upper, a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32),
        a.data, integer)
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS refused the plain model")
    build_s = time.perf_counter() - tick
    tick = time.perf_counter()
    h.run()
    model_status = h.getModelStatus()
    info = h.getInfo()
    size = {"columns": int(a.shape[1]), "rows": int(a.shape[0]), "nonzeros": int(a.nnz),
            "binaries": int(integer.sum())}
    has = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if has:
        values = np.asarray(h.getSolution().col_value)
        job, pod, hour = plain_assignment(model, values)
        objective = float(info.objective_function_value)
    else:
        job = pod = hour = np.zeros(0, dtype=np.int64)
        objective = float("nan")
    bound = float(info.mip_dual_bound)
    bound = bound if np.isfinite(bound) and abs(bound) < 1e29 else -np.inf
    if model_status == highspy.HighsModelStatus.kOptimal:
        word = "optimal"
    elif model_status in (highspy.HighsModelStatus.kInfeasible,
                          highspy.HighsModelStatus.kUnboundedOrInfeasible):
        word = "infeasible"
    elif not has:
        word = "no_solution"
    elif model_status == highspy.HighsModelStatus.kTimeLimit:
        word = "time_limit"
    else:
        word = h.modelStatusToString(model_status)
    return PeerResult(word, objective, bound, _gap(objective, bound), build_s,
                      time.perf_counter() - tick, job, pod, hour, size)


# ------------------------------------------------------------------------------- CP-SAT


def power_scale(power_kw: np.ndarray) -> int:
    """Least k of :data:`POWER_SCALES` making every job power whole in 1/k kW units.

    Raises
    ------
    Unsupported
        When none does (CP-SAT needs integer demands).
    """
    for k in POWER_SCALES:
        scaled = power_kw * k
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-9 * np.maximum(1.0, scaled)):
            return k
    raise Unsupported("job powers are not whole multiples of 1 W")


def cpsat_rounding_bound(problem: Problem) -> float:
    """Largest difference between CP-SAT's scaled objective of a schedule and its exact
    objective [currency] (the rounding of :func:`build_cpsat`).

    Energy: each start or run literal's cost is rounded to 1/Q (Q =
    :data:`OBJECTIVE_UNITS_PER_CURRENCY`), at most 0.5/Q per literal that is on, at most
    one per non-preemptible job and duration per preemptible job. Peak: every facility
    coefficient is rounded to 1/S kW (S = :data:`PEAK_UNITS_PER_KW`) and the base load
    rounded up, so a month's modelled peak is within (0.5 x jobs + 1)/S kW of the real
    one; its weight per unit is rounded to 1/Q, at most 0.5/Q per unit of the peak.
    """
    jobs = problem.jobs
    q, s = OBJECTIVE_UNITS_PER_CURRENCY, PEAK_UNITS_PER_KW
    literals = np.where(jobs.preemptible, jobs.duration_h, 1).sum()
    energy = 0.5 * literals / q
    demand = problem.demand_weight_per_kw[0]
    peak_kw = problem.base_facility_kw[0].max() + (
        problem.facility_factor.max() * jobs.power_kw.sum())
    peak = float(np.sum(demand * (0.5 * len(jobs) + 1) / s)
                 + np.sum((demand > 0) * 0.5 / q * peak_kw * s))
    return float(energy + peak)


@dataclass(frozen=True)
class CpsatModel:
    """The CP-SAT model and where each job's literals are."""

    model: object
    constant: float
    np_vars: dict  # j -> list of (pod, presence literal, start var)
    pre_vars: dict  # j -> (pods, hours, literals)
    size: dict


def build_cpsat(problem: Problem) -> CpsatModel:
    """The CP-SAT model of ``problem`` (module doc)."""
    from ortools.sat.python import cp_model

    check_supported(problem)
    jobs, n_pods, n_t = problem.jobs, len(problem.pods), problem.n_hours
    k = power_scale(jobs.power_kw)
    q, s_peak = OBJECTIVE_UNITS_PER_CURRENCY, PEAK_UNITS_PER_KW
    power_units = np.round(jobs.power_kw * k).astype(np.int64)
    room = np.minimum(problem.headroom_kw, problem.cooling_headroom_kw)
    room_units = np.floor(np.minimum(room, 1e12) * k + 1e-9).astype(np.int64)
    weight = problem.energy_weight_per_kwh[0]
    ff = problem.facility_factor
    hourly = weight[None, :] * ff  # (P, T) currency per IT kWh
    cum = np.concatenate([np.zeros((n_pods, 1)), np.cumsum(hourly, axis=1)], axis=1)
    demand = problem.demand_weight_per_kw[0]
    charged = demand > 0
    m = cp_model.CpModel()
    obj_vars, obj_coefs = [], []
    intervals = [[] for _ in range(n_pods)]
    demands = [[] for _ in range(n_pods)]
    # facility terms per hour: lists of (var, coefficient in 1/S kW)
    fac_vars = [[] for _ in range(n_t)]
    fac_coefs = [[] for _ in range(n_t)]
    track_peak = bool(charged.any())
    np_vars, pre_vars = {}, {}
    n_literals = 0
    for j in range(len(jobs)):
        r, d, dur = int(jobs.release[j]), int(jobs.deadline[j]), int(jobs.duration_h[j])
        pods = np.flatnonzero(jobs.allowed[j])
        power = float(jobs.power_kw[j])
        if not jobs.preemptible[j]:
            starts = np.arange(r, d - dur + 1)
            presences, entries = [], []
            for p in pods:
                b = m.new_bool_var(f"b{j}_{p}")
                st = m.new_int_var(r, d - dur, f"s{j}_{p}")
                xs = [m.new_bool_var(f"x{j}_{p}_{s}") for s in starts]
                n_literals += len(xs)
                m.add(sum(xs) == b)
                # st = sum_s s x_s + r (1 - b): fixed to the release when not present
                m.add(st == cp_model.LinearExpr.weighted_sum(xs, starts.tolist())
                      + r - r * b)
                iv = m.new_optional_fixed_size_interval_var(st, dur, b, f"i{j}_{p}")
                intervals[p].append(iv)
                demands[p].append(int(power_units[j]))
                cost = power * (cum[p, starts + dur] - cum[p, starts])
                obj_vars.extend(xs)
                obj_coefs.extend(np.round(cost * q).astype(np.int64).tolist())
                if track_peak:
                    for x, s in zip(xs, starts.tolist(), strict=True):
                        for t in range(s, s + dur):
                            fac_vars[t].append(x)
                            fac_coefs[t].append(round(ff[p, t] * power * s_peak))
                presences.append(b)
                entries.append((int(p), b, st))
            m.add_exactly_one(presences)
            np_vars[j] = entries
            continue
        hours = np.arange(r, d)
        bs, pp, tt, ys = [], [], [], []
        for p in pods:
            b = m.new_bool_var(f"b{j}_{p}")
            bs.append(b)
            row = [m.new_bool_var(f"y{j}_{p}_{t}") for t in hours]
            n_literals += len(row)
            m.add(sum(row) == dur * b)
            for t, y in zip(hours.tolist(), row, strict=True):
                intervals[p].append(m.new_optional_fixed_size_interval_var(
                    t, 1, y, f"iy{j}_{p}_{t}"))
                demands[p].append(int(power_units[j]))
                if track_peak:
                    fac_vars[t].append(y)
                    fac_coefs[t].append(round(ff[p, t] * power * s_peak))
            obj_vars.extend(row)
            obj_coefs.extend(np.round(power * hourly[p, hours] * q).astype(np.int64).tolist())
            pp.extend([int(p)] * len(hours))
            tt.extend(hours.tolist())
            ys.extend(row)
        m.add_exactly_one(bs)
        pre_vars[j] = (np.asarray(pp), np.asarray(tt), ys)
        limit = int(jobs.max_starts[j])
        if limit < UNLIMITED_STARTS and limit < (len(hours) + 1) // 2:
            by_hour = [[ys[i] for i in range(len(ys)) if tt[i] == t] for t in hours.tolist()]
            us = []
            for i in range(len(hours)):
                u = m.new_bool_var(f"u{j}_{hours[i]}")
                prev = by_hour[i - 1] if i > 0 else []
                m.add(u >= sum(by_hour[i]) - sum(prev))
                us.append(u)
            m.add(sum(us) <= limit)
    # cumulative per pod; room varies by hour -> fixed intervals fill up to the largest
    for p in range(n_pods):
        if not intervals[p]:
            continue
        cap = int(max(room_units[p].max(), 0))
        filler = cap - np.maximum(room_units[p], 0)
        t = 0
        while t < n_t:
            if filler[t] <= 0:
                t += 1
                continue
            e = t
            while e + 1 < n_t and filler[e + 1] == filler[t]:
                e += 1
            intervals[p].append(m.new_fixed_size_interval_var(t, e - t + 1, f"f{p}_{t}"))
            demands[p].append(int(filler[t]))
            t = e + 1
        m.add_cumulative(intervals[p], demands[p], cap)
    n_terms = 0
    if track_peak:
        base = problem.base_facility_kw[0]
        months = np.flatnonzero(charged)
        peaks = {}
        for mo in months:
            hours = np.flatnonzero(problem.month == mo)
            lo = math.ceil(base[hours].max() * s_peak)
            hi = math.ceil((base[hours].max() + ff[:, hours].max() * jobs.power_kw.sum())
                               * s_peak) + 1
            peaks[mo] = m.new_int_var(lo, hi, f"peak{mo}")
            obj_vars.append(peaks[mo])
            obj_coefs.append(round(demand[mo] / s_peak * q))
        for t in range(n_t):
            mo = int(problem.month[t])
            if mo not in peaks:
                continue
            base_units = math.ceil(base[t] * s_peak - 1e-9)
            if fac_vars[t]:
                m.add(cp_model.LinearExpr.weighted_sum(fac_vars[t], fac_coefs[t]) + base_units
                      <= peaks[mo])
                n_terms += len(fac_vars[t])
    m.minimize(cp_model.LinearExpr.weighted_sum(obj_vars, obj_coefs))
    constant = float(weight @ problem.base_facility_kw[0])
    size = {"literals": int(n_literals), "intervals": int(sum(len(i) for i in intervals)),
            "peak_terms": int(n_terms), "power_units_per_kw": int(k)}
    return CpsatModel(m, constant, np_vars, pre_vars, size)


def solve_cpsat(problem: Problem, time_limit_s: float, workers: int = 1) -> PeerResult:
    """Build the CP-SAT model and solve it.

    Parameters
    ----------
    time_limit_s : float
        CP-SAT's ``max_time_in_seconds`` (presolve and search; the Python build is
        reported apart) [s].
    workers : int
        ``num_workers`` (1 for the same footing as single-threaded HiGHS).
    """
    from ortools.sat.python import cp_model

    tick = time.perf_counter()
    built = build_cpsat(problem)
    build_s = time.perf_counter() - tick
    tick = time.perf_counter()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = int(workers)
    status = solver.solve(built.model)
    q = OBJECTIVE_UNITS_PER_CURRENCY
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        objective = solver.objective_value / q + built.constant
        job, pod, hour = [], [], []
        for j, entries in built.np_vars.items():
            dur = int(problem.jobs.duration_h[j])
            for p, b, st in entries:
                if solver.boolean_value(b):
                    s = int(solver.value(st))
                    hour.extend(range(s, s + dur))
                    job.extend([j] * dur)
                    pod.extend([p] * dur)
        for j, (pp, tt, ys) in built.pre_vars.items():
            on = np.array([solver.boolean_value(y) for y in ys], dtype=bool)
            job.extend([j] * int(on.sum()))
            pod.extend(pp[on].tolist())
            hour.extend(tt[on].tolist())
        arrays = [np.asarray(a, dtype=np.int64) for a in (job, pod, hour)]
    else:
        objective = float("nan")
        arrays = [np.zeros(0, dtype=np.int64)] * 3
    bound = solver.best_objective_bound / q + built.constant
    if status == cp_model.INFEASIBLE:
        bound = float("nan")
    word = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "time_limit",
            cp_model.INFEASIBLE: "infeasible", cp_model.UNKNOWN: "no_solution"}.get(
        status, solver.status_name(status))
    return PeerResult(word, objective, bound, _gap(objective, bound), build_s,
                      time.perf_counter() - tick, *arrays, size=built.size)
