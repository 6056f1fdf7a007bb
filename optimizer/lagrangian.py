"""A lower bound without the LP: Lagrangian relaxation of the coupling rows.

When the LP relaxation does not fit the time (a fleet of 8 sites x 1,000 jobs x 720 h:
~4 M nonzeros, 132 s by dual simplex), the solve-free bound
(:func:`optimizer.heuristics.simple_bound`: each job alone at its cheapest place) ignores
every coupling row and is weak. Here the coupling rows are dualised instead:

* pod capacity, ``it_load[p,t] <= C[p,t]``, with multipliers ``lam[p,t] >= 0``;
* each site's peak, ``B[s,t] + sum_{p in s} ff[p,t] it_load[p,t] <= P[s,m(t)]``, with
  ``mu[s,t] >= 0`` and ``sum_{t in m} mu[s,t] <= D[s,m]`` (the month's demand weight;
  beyond it the peak's term would be unbounded below).

For any such multipliers the relaxed problem falls apart by job: each job takes its
cheapest place (pod and start, or pod and hours) under the hourly price
``k[p,t] = ff[p,t] (w[s,t] + mu[s,t]) + lam[p,t]`` per kW, plus its moving cost, and

    L(lam, mu) = sum_j min_j + sum_{s,t} (w + mu) B - sum_{p,t} lam C
                 + sum_{s,m} (D - sum_{t in m} mu) floor[s,m]

bounds the MILP's objective from below (weak duality; ``floor`` is each peak's lower
bound). Every other row (cooling is in ``C``; grid limit, open share, interruption limits,
restart overhead) is dropped, which only lowers the bound: still valid. A subgradient
method (Polyak steps towards the best known objective, halved when it stalls) raises
``L``; its best value is the bound. The best ``L`` is at most the LP bound (each job's
own polytope is integral), and approaches it.
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.problem import Problem

#: Subgradient iterations without a better bound before the step halves [-] (judgement:
#: the usual 20-50 of the textbook method, e.g. Fisher 1981, Management Science 27(1)).
STALL_ITERATIONS = 20
#: First step multiplier theta of the Polyak step [-] (Held, Wolfe and Crowder 1974: 2).
FIRST_THETA = 2.0
#: Smallest theta before the method stops [-] (judgement).
MIN_THETA = 1e-3


def applies(problem: Problem) -> bool:
    """Whether the relaxation here bounds this problem: no assets (their rows couple the
    hours otherwise), no rolling-window state (soft, pinned or running jobs)."""
    jobs = problem.jobs
    return (not problem.assets.active and not jobs.soft.any() and not jobs.running_before.any()
            and not (jobs.pinned_pod >= 0).any() and not (jobs.done_h > 0).any()
            and len(jobs) > 0)


class _Places:
    """Each job's candidate places as padded arrays (built once)."""

    def __init__(self, problem: Problem):
        jobs, n_t = problem.jobs, problem.n_hours
        self.n_pods = len(problem.pods)
        usable = jobs.usable_pods()
        first = np.maximum(jobs.release[:, None], jobs.arrival)  # (J, P)
        self.need = np.ceil(jobs.required_h() - 1e-9).astype(np.int64)
        self.pre = jobs.preemptible.copy()
        last = np.where(self.pre, jobs.deadline - 1, jobs.deadline - self.need)[:, None]
        self.ok = usable & (first <= last)  # (J, P)
        self.first = np.where(self.ok, first, 0)
        self.count = np.where(self.ok, last - self.first + 1, 0)
        self.width = max(int(self.count.max()) if self.count.size else 1, 1)
        self.offsets = np.arange(self.width)
        self.power = jobs.power_kw
        self.move = problem.move_weight
        self.n_t = n_t


def _job_minima(places: _Places, k: np.ndarray):
    """Each job's cheapest place under the hourly prices ``k`` (P, T) [per kW]: its
    cost, pod and (for the load) the hours it takes."""
    n_j = len(places.power)
    cost = np.full(n_j, np.inf)
    best_pod = np.full(n_j, -1)
    best_start = np.zeros(n_j, dtype=np.int64)
    cum = np.concatenate([np.zeros((k.shape[0], 1)), np.cumsum(k, axis=1)], axis=1)
    hours = np.minimum(places.first[:, :, None] + places.offsets, places.n_t - 1)  # (J,P,W)
    inside = places.offsets[None, None, :] < places.count[:, :, None]
    pods = np.arange(places.n_pods)[None, :, None]
    np_jobs = np.flatnonzero(~places.pre)
    if len(np_jobs):
        h = hours[np_jobs]
        end = np.minimum(h + places.need[np_jobs][:, None, None], places.n_t)
        window = cum[pods, end] - cum[pods, h]
        window = np.where(inside[np_jobs], window, np.inf)
        start = window.argmin(axis=2)  # (Jn, P)
        per_pod = np.take_along_axis(window, start[:, :, None], 2)[:, :, 0]
        per_pod = per_pod * places.power[np_jobs][:, None] + places.move[np_jobs]
        pod = per_pod.argmin(axis=1)
        cost[np_jobs] = per_pod[np.arange(len(np_jobs)), pod]
        best_pod[np_jobs] = pod
        best_start[np_jobs] = places.first[np_jobs, pod] + start[np.arange(len(np_jobs)), pod]
    chosen = {}
    pr_jobs = np.flatnonzero(places.pre)
    if len(pr_jobs):
        h = hours[pr_jobs]
        price = np.where(inside[pr_jobs], k[pods, h], np.inf)  # (Jp, P, W)
        order = np.argsort(price, axis=2)
        ranked = np.take_along_axis(price, order, 2)
        need = places.need[pr_jobs][:, None, None]
        take = places.offsets[None, None, :] < need
        finite = np.isfinite(ranked)
        extra = np.where(~take & finite, np.minimum(ranked, 0.0), 0.0)  # cheaper to work more
        total = np.where(take, ranked, 0.0).sum(2) + extra.sum(2)
        total = np.where(finite.sum(2) >= need[:, :, 0], total, np.inf)
        per_pod = total * places.power[pr_jobs][:, None] + places.move[pr_jobs]
        pod = per_pod.argmin(axis=1)
        cost[pr_jobs] = per_pod[np.arange(len(pr_jobs)), pod]
        best_pod[pr_jobs] = pod
        for i, j in enumerate(pr_jobs):
            sel = order[i, pod[i]][: places.need[j]]
            chosen[j] = h[i, pod[i], sel]
    return cost, best_pod, best_start, chosen


def _project_mu(mu: np.ndarray, month: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """mu >= 0 with each site's month summing to at most ``limit[s, m]`` (scaled down
    where it exceeds: a feasible point, which is all weak duality needs)."""
    mu = np.maximum(mu, 0.0)
    for m in range(limit.shape[1]):
        cols = month == m
        total = mu[:, cols].sum(1)
        over = total > limit[:, m]
        if over.any():
            mu[np.ix_(over, cols)] *= (limit[over, m] / total[over])[:, None]
    return mu


def lagrangian_bound(problem: Problem, upper: float, time_limit_s: float,
                     floor_kw: np.ndarray | None = None) -> float:
    """The best Lagrangian bound found within ``time_limit_s`` [currency]; -inf when it
    does not apply (:func:`applies`).

    Parameters
    ----------
    upper : float
        The best known objective (the Polyak step aims at it).
    floor_kw : ndarray, optional
        Each site's and month's peak lower bound (S, M) [kW] (default: its highest
        facility power without jobs, or the committed peak).
    """
    if not applies(problem):
        return float("-inf")
    deadline = time.perf_counter() + max(time_limit_s, 0.0)
    places = _Places(problem)
    if not places.ok.any(1).all():
        return float("-inf")  # a job with no place: the precheck explains it
    w = problem.energy_weight_per_kwh  # (S, T)
    ff, site = problem.facility_factor, problem.pod_site
    cap = problem.job_capacity_kw
    finite_cap = np.isfinite(cap)
    cap0 = np.where(finite_cap, cap, 0.0)
    base = problem.base_facility_kw
    charged = problem.has_demand_charge
    demand = problem.demand_weight_per_kw if charged else np.zeros((problem.n_sites, 1))
    month = problem.month if charged else np.zeros(problem.n_hours, dtype=np.int64)
    if floor_kw is None:
        floor_kw = np.full(demand.shape, -np.inf)
        for s in range(problem.n_sites):
            np.maximum.at(floor_kw[s], month, base[s])
        floor_kw = np.maximum(floor_kw, problem.peak_floor_kw if charged else floor_kw)
    lam = np.zeros(cap.shape)
    mu = np.zeros(base.shape)
    best, theta, stall = -np.inf, FIRST_THETA, 0
    constant_w = float((w * base).sum())
    while time.perf_counter() < deadline and theta > MIN_THETA:
        k = ff * (w + mu)[site] + lam
        cost, pod, start, chosen = _job_minima(places, k)
        value = (cost.sum() + constant_w + float((mu * base).sum()) - float((lam * cap0).sum())
                 + float(((demand - _month_sums(mu, month, demand.shape[1])) * floor_kw).sum()))
        if not np.isfinite(best) or value > best + 1e-9 * max(abs(best), 1.0):
            best, stall = value, 0
        else:
            stall += 1
            if stall >= STALL_ITERATIONS:
                theta, stall = theta / 2, 0
        load = np.zeros(cap.shape)
        for j in np.flatnonzero(~places.pre):
            load[pod[j], start[j] : start[j] + places.need[j]] += places.power[j]
        for j, hours in chosen.items():
            load[pod[j], hours] += places.power[j]
        g_lam = np.where(finite_cap, load - cap0, 0.0)
        g_lam = np.where((lam <= 0) & (g_lam < 0), 0.0, g_lam)  # at the bound: no move
        facility = base + problem.site_total(ff * load)
        g_mu = (facility - floor_kw[:, month]) if charged else np.zeros(base.shape)
        norm = float((g_lam ** 2).sum() + (g_mu ** 2).sum())
        if norm <= 0 or not np.isfinite(upper):
            break  # the relaxed optimum is feasible: it is optimal
        step = theta * max(upper - value, 0.0) / norm
        if step <= 0:
            break
        lam = np.maximum(lam + step * g_lam, 0.0)
        if charged:
            mu = _project_mu(mu + step * g_mu, month, demand)
    return float(best)


def _month_sums(mu: np.ndarray, month: np.ndarray, n_months: int) -> np.ndarray:
    out = np.zeros((mu.shape[0], n_months))
    for m in range(n_months):
        out[:, m] = mu[:, month == m].sum(1)
    return out
