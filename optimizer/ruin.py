"""Ruin and recreate: take a few related jobs out and put them back one by one.

The single-job moves of :mod:`optimizer.localsearch` stop at a local optimum: often
two jobs would have to trade places, or several jobs would have to leave the hours
that hold up a month's peak, before the objective goes down. Here a handful of jobs
with windows near a random job's are taken out together and put back one by one, each
at its best place by the exact objective change
(:func:`optimizer.localsearch.best_placement`), in random or largest-first order.
Results up to a threshold worse than the current plan are accepted, the threshold
shrinking to zero over the time budget (threshold accepting), so the search can leave
a local optimum; the best plan seen is returned.
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.localsearch import (
    IMPROVE_RTOL,
    best_placement,
    movable_jobs,
    plan_objective,
)
from optimizer.metrics import monthly_peaks_kw
from optimizer.plan import Plan
from optimizer.problem import Problem

#: Ruin and recreate: most jobs taken out at once; random spread [h] added to the
#: distance of window centres when picking related jobs; starting acceptance threshold
#: relative to the objective (judgement, tuned on the default scenario and benchmark).
RUIN_MAX_JOBS = 6
RUIN_SPREAD_H = 24.0
RUIN_THRESHOLD = 2e-3
#: Ruin and recreate stops after this many rounds per movable job without a new best
#: (judgement: ends the search on small problems where it has converged, leaving the
#: time to the MILP).
RUIN_PATIENCE = 25


def ruin_and_recreate(problem: Problem, plan: Plan, deadline_s: float, seed: int = 0,
                      target: float = -np.inf) -> Plan:
    """Take a few related jobs out and put them back one by one at their best places.

    Related = windows near a random seed job's. Results within a threshold that shrinks
    to 0 over the time budget are accepted (threshold accepting), so the search can
    leave a local optimum; the best plan seen is returned (never worse than ``plan``).
    Stops at ``deadline_s``, after ``RUIN_PATIENCE`` rounds per job without a new best,
    or once the best objective is at most ``target``.
    """
    rng = np.random.default_rng(seed)
    limit = problem.grid_limit_kw.astype(float)  # (S, T)
    jobs = problem.jobs
    movable = np.flatnonzero(movable_jobs(problem, plan))
    if len(movable) < 2:
        return plan
    start_s = time.perf_counter()
    span = max(deadline_s - start_s, 1e-9)
    best, best_obj = plan, plan_objective(problem, plan)
    current, current_obj = plan.copy(), best_obj
    centre = 0.5 * (jobs.release + jobs.deadline)
    since_best, patience = 0, RUIN_PATIENCE * len(movable)
    while since_best < patience and best_obj > target:
        now = time.perf_counter()
        if now > deadline_s:
            break
        since_best += 1
        k = int(rng.integers(2, min(RUIN_MAX_JOBS, len(movable)) + 1))
        seed_job = int(rng.choice(movable))
        near = movable[np.argsort(np.abs(centre[movable] - centre[seed_job])
                                  + rng.random(len(movable)) * RUIN_SPREAD_H)][:k]
        trial = current.copy()
        for j in near:
            trial.shift(problem, j, int(trial.pod[j]), trial.hours[j], -1.0)
        order = near[rng.permutation(len(near))] if rng.random() < 0.5 else near[
            np.argsort(-(jobs.power_kw[near] * jobs.duration_h[near]))]
        if not _recreate(problem, trial, order, limit):
            continue
        obj = plan_objective(problem, trial)
        threshold = RUIN_THRESHOLD * (1 - (now - start_s) / span) * abs(current_obj)
        if obj < current_obj + threshold:
            current, current_obj = trial, obj
            if obj < best_obj - IMPROVE_RTOL * abs(best_obj):
                best, best_obj, since_best = trial.copy(), obj, 0
    return best


def _recreate(problem: Problem, plan: Plan, order: np.ndarray, limit: np.ndarray) -> bool:
    for j in order:
        cand = best_placement(problem, plan, j, limit, monthly_peaks_kw(problem, plan.facility))
        if cand is None:
            return False
        _, p, hours = cand
        plan.pod[j], plan.hours[j] = p, hours
        plan.shift(problem, j, p, hours, 1.0)
    return True
