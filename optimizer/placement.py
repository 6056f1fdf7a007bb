"""Where one job can go: contiguous windows and the cheapest hours under a run limit.

Pure array functions shared by the baselines and the local search. Positions are
relative to the start of the arrays they get (a job's window).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: Most runs the dynamic programme of :func:`cheapest_hours` considers for one job
#: (judgement: each run past the first costs its restart overhead; more than 8 runs of
#: one job in one window are never worth it on hourly prices, and the programme's size
#: grows with the square of this number).
MAX_DP_RUNS = 8


def contiguous(ok: np.ndarray, length: int) -> np.ndarray:
    """Bool per start s: ok[s : s + length] all True (len(ok) - length + 1 entries)."""
    if length <= 0 or length > len(ok):
        return np.zeros(max(len(ok) - length + 1, 0), dtype=bool)
    c = np.concatenate(([0], np.cumsum(ok)))
    return (c[length:] - c[:-length]) == length


def window_sums(values: np.ndarray, length: int) -> np.ndarray:
    """sum(values[s : s + length]) for every start s."""
    c = np.concatenate(([0.0], np.cumsum(values)))
    return c[length:] - c[:-length]


def window_max(values: np.ndarray, length: int) -> np.ndarray:
    """max(values[s : s + length]) for every start s."""
    return sliding_window_view(values, length).max(axis=1)


def runs_needed_h(work_h: float, overhead_h: float, runs: np.ndarray) -> np.ndarray:
    """Whole hours a job must run in ``runs`` runs: ceil(work + overhead x (runs - 1))."""
    return np.ceil(work_h + overhead_h * (np.asarray(runs) - 1) - 1e-9).astype(np.int64)


def cheapest_hours(cost: np.ndarray, ok: np.ndarray, work_h: float, overhead_h: float,
                   max_runs: int) -> np.ndarray | None:
    """Cheapest set of allowed hours that does the work in at most ``max_runs`` runs.

    Each run past the first adds ``overhead_h`` hours of work. Without overhead and
    with runs to spare this is the k cheapest allowed hours; otherwise a dynamic
    programme over the hours with states (hours taken, runs started, running or not).

    Parameters
    ----------
    cost : array
        Cost of running in each hour of the window [currency].
    ok : bool array
        Hours the job may run in.
    work_h, overhead_h : float
        Work [h] and restart overhead per extra run [h].
    max_runs : int
        Most runs allowed.

    Returns
    -------
    array of int or None
        Sorted positions of the chosen hours, or None if no set fits.
    """
    n_t = len(cost)
    if work_h <= 1e-9:
        return np.zeros(0, dtype=np.int64)
    runs_cap = int(min(max_runs, (n_t + 1) // 2, MAX_DP_RUNS if overhead_h > 0 else n_t))
    if runs_cap < 1:
        return None
    free = np.flatnonzero(ok)
    k = int(runs_needed_h(work_h, 0.0, 1))
    if len(free) < k:
        return None
    if overhead_h <= 0:
        pick = np.sort(free[np.argsort(cost[free], kind="stable")[:k]])
        if int(1 + np.sum(np.diff(pick) > 1)) <= runs_cap:
            return pick
    return _dp_hours(cost, ok, work_h, overhead_h, runs_cap)


def _dp_hours(cost, ok, work_h, overhead_h, runs_cap) -> np.ndarray | None:
    n_t = len(cost)
    need = runs_needed_h(work_h, overhead_h, np.arange(1, runs_cap + 1))
    top = int(need.max())
    inf = np.inf
    off = np.full((top + 1, runs_cap + 1), inf)
    on = np.full((top + 1, runs_cap + 1), inf)
    off[0, 0] = 0.0
    off_from_on = np.zeros((n_t, top + 1, runs_cap + 1), dtype=bool)
    on_from_on = np.zeros((n_t, top, runs_cap), dtype=bool)
    for t in range(n_t):
        off_from_on[t] = on < off
        new_off = np.minimum(off, on)
        new_on = np.full_like(on, inf)
        if ok[t]:
            stay, start = on[:-1, 1:], off[:-1, :-1]
            on_from_on[t] = stay <= start
            new_on[1:, 1:] = cost[t] + np.minimum(stay, start)
        off, on = new_off, new_on
    runs = np.arange(1, runs_cap + 1)
    final = np.minimum(off[need, runs], on[need, runs])
    if not np.isfinite(final).any():
        return None
    best = int(np.argmin(final))
    n, r = int(need[best]), int(runs[best])
    running = on[n, r] < off[n, r]
    chosen = []
    for t in range(n_t - 1, -1, -1):
        if running:
            chosen.append(t)
            running = bool(on_from_on[t, n - 1, r - 1])
            n -= 1
            if not running:
                r -= 1
        else:
            running = bool(off_from_on[t, n, r])
    return np.array(chosen[::-1], dtype=np.int64)
