"""Rolling horizon for horizons longer than one window.

Windows of ``W`` hours start every ``step_h`` hours; each is solved as a MILP and its
first ``step_h`` hours are committed (the last window commits everything). Rules:

* Committed job-hours become fixed load: they reduce pod, cooling and grid room and add
  to the base facility power of later windows; each month's committed peak is a free
  lower bound of that month's peak (its demand charge is already incurred).
* A non-preemptible job is committed whole once its start lies in the committed hours
  (its later hours are fixed load); otherwise it is re-planned in the next window.
* A preemptible job carries its state: work done, runs started, whether it ran in the
  last committed hour (continuing is not a resume) and its pod (it never changes pod).
* Non-preemptible jobs whose deadline lies beyond the window end are *soft*: they may
  start if they also end inside the window, but need not; not starting is charged at
  the job's cheapest cost after the window (best later start, energy weight only), so
  the MILP defers a job only when a later start is cheaper.
* Preemptible jobs whose deadline lies beyond the window end wait until it does not:
  a partly done job pinned to a pod whose later hours other windows fill could
  otherwise become infeasible. (The model and :mod:`optimizer.constraints` support
  soft preemptible jobs with a per-hour deferral cost; the rolling rule does not use
  them, for robustness.)
* The window is at least the longest job + ``step_h`` hours, so a job becomes hard
  (its deadline inside the window) while its whole window can still be planned.

* Each window starts from the greedy (else ASAP) baseline; when neither places every
  job, from the previous window's plan for the jobs both share with the new jobs placed
  around it (``_carried_start``). Only if the window still has no schedule in time is
  the run abandoned for the whole-horizon greedy (else ASAP) schedule, with a warning.

The final schedule is evaluated on the whole horizon; if the greedy baseline is better,
it is kept (``source == "greedy"``).

Forecasts (``signals_at``): a planner who does not know the future re-issues its forecast
of price and carbon at each window start with the data known then. ``signals_at(a)``
gives the signals of hours ``a`` onwards as known at hour ``a``; window ``a`` is planned on
them (its deferral costs too). The caller keeps ``signals_at`` causal (only actual
signals of hours before ``a``) and settles the schedule on the actual signals itself.
The whole-horizon greedy replacement above is then skipped: choosing between two
schedules after the fact would use hindsight.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from optimizer.baselines import BaselineResult, asap, complete_around, greedy
from optimizer.heuristics import simple_bound
from optimizer.metrics import evaluate, facility_kw
from optimizer.options import DEFAULT_OPTIONS, SolverOptions
from optimizer.precheck import explain_infeasible_inputs
from optimizer.problem import Problem
from optimizer.result import (
    STATUS_ROLLING_OPTIMAL,
    STATUS_ROLLING_TIME_LIMIT,
    ScheduleResult,
)
from optimizer.schedule import Assignment, load_frame, to_frame


def _defer_costs(problem: Problem, js: np.ndarray, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Cost of leaving each job's remaining work after hour ``end``; max hours left."""
    jobs = problem.jobs
    w = problem.energy_weight_per_kwh[None, :] * problem.facility_factor  # (P, T)
    cost = np.zeros(len(js))
    max_h = np.full(len(js), np.inf)
    for k, j in enumerate(js):
        d, power = jobs.deadline[j], jobs.power_kw[j]
        allowed = jobs.pods_of(j)
        if not jobs.preemptible[j]:
            n = int(jobs.duration_h[j])
            lo = max(end - n + 1, jobs.release[j])
            best = np.inf
            for p in allowed:
                c = np.concatenate(([0.0], np.cumsum(w[p, lo:d])))
                if len(c) > n:
                    best = min(best, float((c[n:] - c[:-n]).min()))
            cost[k] = power * best if np.isfinite(best) else 0.0
        else:
            hours_after = d - end
            need = max(int(np.ceil(jobs.required_h()[j] - 1e-9)), 1)
            cheapest = np.sort(w[allowed, end:d].min(0))[: min(need, hours_after)]
            cost[k] = power * float(cheapest.mean()) if len(cheapest) else 0.0
            max_h[k] = hours_after
    return cost, max_h


def _window_problem(problem: Problem, a: int, end: int, fixed_load: np.ndarray,
                    state: dict, js: np.ndarray) -> Problem:
    jobs = problem.jobs
    sl = slice(a, end)
    ff = problem.facility_factor[:, sl]
    fixed = fixed_load[:, sl]
    months, codes = np.unique(problem.month[sl], return_inverse=True)
    committed_fac = facility_kw(problem, fixed_load)[:a]
    floor = np.full(len(months), -np.inf)
    for k, m in enumerate(months):
        sel = problem.month[:a] == m
        if sel.any():
            floor[k] = committed_fac[sel].max()
    soft = jobs.deadline[js] > end
    defer_cost = np.zeros(len(js))
    defer_max = np.full(len(js), np.inf)
    if soft.any():
        defer_cost[soft], defer_max[soft] = _defer_costs(problem, js[soft], end)
    sub = jobs.take(js)
    sub = replace(
        sub,
        release=np.maximum(sub.release - a, 0),
        deadline=np.minimum(sub.deadline, end) - a,
        done_h=state["done_h"][js],
        starts_done=state["starts_done"][js],
        running_before=state["running"][js],
        pinned_pod=state["pod"][js],
        soft=soft,
        defer_cost=defer_cost,
        defer_max_h=defer_max,
    )
    return replace(
        problem,
        hours=problem.hours[sl],
        jobs=sub,
        headroom_kw=problem.headroom_kw[:, sl] - fixed,
        cooling_headroom_kw=problem.cooling_headroom_kw[:, sl] - fixed,
        facility_factor=ff,
        base_facility_kw=problem.base_facility_kw[sl] + (ff * fixed).sum(0),
        grid_limit_kw=problem.grid_limit_kw[sl],
        price_per_kwh=problem.price_per_kwh[sl],
        carbon_g_per_kwh=problem.carbon_g_per_kwh[sl],
        month=codes.astype(np.int64),
        month_labels=tuple(problem.month_labels[m] for m in months),
        peak_floor_kw=floor,
        month_share=problem.month_share[months],
    )


#: Forecast hook: issue hour position ``a`` -> (price [currency/kWh], carbon [g/kWh]) of
#: hours ``a .. n_hours - 1`` as known at hour ``a`` (see the module doc).
SignalsAt = Callable[[int], tuple[np.ndarray, np.ndarray]]


def issued(problem: Problem, a: int, signals_at: SignalsAt) -> Problem:
    """``problem`` with the price and carbon of hours ``a`` onwards replaced by the
    forecast ``signals_at(a)`` issued at hour ``a`` (earlier hours keep their values).

    Raises
    ------
    ValueError
        When the forecast does not hold one finite value per hour from ``a`` on (a bug
        of the caller's hook, not bad user input).
    """
    price, carbon = (np.asarray(v, dtype=float) for v in signals_at(a))
    n = problem.n_hours - a
    for name, values in (("price", price), ("carbon", carbon)):
        if values.shape != (n,) or not np.isfinite(values).all():
            raise ValueError(f"signals_at({a}) must give {n} finite {name} values "
                             f"(hours {a}..{problem.n_hours - 1}), got shape {values.shape}")
    return replace(
        problem,
        price_per_kwh=np.concatenate((problem.price_per_kwh[:a], price)),
        carbon_g_per_kwh=np.concatenate((problem.carbon_g_per_kwh[:a], carbon)),
    )


def window_count(n_hours: int, window_h: int, step_h: int) -> int:
    """Windows a rolling solve of ``n_hours`` uses (1 when one window holds them all).

    :func:`solve_rolling` widens the window to the longest job + ``step_h``; with the
    window before widening this is an upper bound.
    """
    return 1 + max(int(np.ceil((n_hours - window_h) / step_h)), 0)


def solve_rolling(problem: Problem, options: SolverOptions = DEFAULT_OPTIONS,
                  progress: Callable[[str], None] | None = None,
                  signals_at: SignalsAt | None = None) -> ScheduleResult:
    """Solve ``problem`` window by window (see the module doc).

    ``progress`` is called with ``"window k/N"`` before each window is solved.
    ``signals_at``, if given, is the forecast re-issued at each window start (module doc,
    "Forecasts"); the result's metrics are then on ``problem``'s own signals.
    """
    from optimizer.solve import (
        NoSolutionError,
        baseline_summary,
        optimise_from_baselines,
        preferred_baseline,
    )

    explain_infeasible_inputs(problem)
    jobs, n_t = problem.jobs, problem.n_hours
    longest = int(jobs.duration_h.max()) if len(jobs) else 0
    window = max(options.window_h, longest + options.step_h)
    n_j = len(jobs)
    state = {"done_h": np.zeros(n_j), "starts_done": np.zeros(n_j, dtype=np.int64),
             "running": np.zeros(n_j, dtype=bool), "pod": np.full(n_j, -1, dtype=np.int64)}
    finished = np.zeros(n_j, dtype=bool)
    fixed_load = np.zeros((len(problem.pods), n_t))
    committed: list[Assignment] = []
    windows: list[dict] = []
    n_windows = window_count(n_t, window, options.step_h)
    a, stranded, plan = 0, None, None  # plan: the last window's (jobs, start, schedule)
    while True:
        if progress is not None:
            progress(f"window {a // options.step_h + 1}/{n_windows}")
        end = min(a + window, n_t)
        final = end == n_t
        commit_end = n_t if final else a + options.step_h
        soft_pre = jobs.preemptible & (jobs.deadline > end)
        js = np.flatnonzero(~finished & (jobs.release < end) & ~soft_pre)
        if len(js):
            view = problem if signals_at is None else issued(problem, a, signals_at)
            sub = _window_problem(view, a, end, fixed_load, state, js)
            explain_infeasible_inputs(sub)
            base_greedy, base_asap = greedy(sub), asap(sub)
            if preferred_baseline(base_greedy, base_asap) is None and plan is not None:
                base_asap = _carried_start(sub, js, a, *plan)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    solved = optimise_from_baselines(sub, options, base_greedy, base_asap)
            except NoSolutionError as exc:
                # earlier commitments left this window without a schedule found in time:
                # the whole-horizon baseline below is the answer if it fits
                stranded = exc
                break
            windows.append({"start": problem.hours[a].isoformat(), "jobs": len(js),
                            "termination": solved.termination, "gap": solved.gap,
                            "build_s": solved.build_s, "solve_s": solved.solve_s,
                            "size": solved.size})
            _commit(problem, sub, solved.assignment, js, a, commit_end, state, finished,
                    fixed_load, committed)
            plan = (js, a, solved.assignment)
        if final:
            break
        a += options.step_h
    base_asap, base_greedy = asap(problem), greedy(problem)
    if stranded is None:
        unfinished = np.flatnonzero(~finished)
        if len(unfinished):  # cannot happen when every window is solved; guard the invariant
            raise RuntimeError(f"rolling horizon left jobs unfinished: {unfinished[:5]}")
        assignment, source = Assignment.concat(committed), "milp"
    else:
        base = preferred_baseline(base_greedy, base_asap)
        if base is None:
            raise stranded
        warnings.warn(f"rolling window {len(windows) + 1} found no schedule in time ({stranded}); "
                      f"returning the whole-horizon {base.name} schedule", stacklevel=2)
        assignment, source = base.assignment, base.name
    metrics = evaluate(problem, assignment)
    if signals_at is None and base_greedy.status == "feasible" and \
            base_greedy.metrics.objective < metrics.objective:
        assignment, metrics, source = base_greedy.assignment, base_greedy.metrics, "greedy"
    all_optimal = stranded is None and all(w["termination"] == "optimal" for w in windows)
    if not all_optimal and stranded is None:
        warnings.warn("some rolling windows stopped at the time limit (their gaps are in "
                      "result.windows)", stacklevel=2)
    # a bound for the whole horizon: the windows' bounds are not (each takes the
    # commitments before it as given), so the solve-free bound of the whole problem
    bound = min(simple_bound(problem), metrics.objective)
    size = {k: int(sum(w["size"][k] for w in windows)) for k in
            ("variables", "rows", "nonzeros", "binaries")} if windows else {}
    return ScheduleResult(
        schedule=to_frame(problem, assignment),
        it_load_kw=load_frame(problem, assignment),
        status=STATUS_ROLLING_OPTIMAL if all_optimal else STATUS_ROLLING_TIME_LIMIT,
        objective=metrics.objective,
        best_bound=bound,
        gap=abs(metrics.objective - bound) / max(abs(metrics.objective), 1e-9),
        build_s=sum(w["build_s"] for w in windows),
        solve_s=sum(w["solve_s"] for w in windows),
        metrics=metrics,
        source=source,
        baselines={"asap": baseline_summary(problem, base_asap),
                   "greedy": baseline_summary(problem, base_greedy)},
        model_size=size,
        windows=windows,
    )


def _carried_start(sub: Problem, js: np.ndarray, a: int, prev_js: np.ndarray, prev_a: int,
                   prev: Assignment) -> BaselineResult:
    """A start for window ``sub`` (jobs ``js`` from hour ``a``) when neither baseline
    places every job: the previous window's plan for the hours from ``a`` on, kept for
    the jobs both windows share, with the other jobs placed around it
    (:func:`optimizer.baselines.complete_around`).

    That plan is feasible here: what it committed is this window's fixed load and job
    state, and every kept job's remaining hours are the ones it planned. Found needed:
    heuristic baselines can miss every schedule of a feasible window, and HiGHS alone
    took ~110 s for a first one (2000 preemptible jobs x 2000 h).
    """
    job, t = prev_js[prev.job], prev.t + prev_a
    keep = (t >= a) & np.isin(job, js)
    fixed = Assignment(np.searchsorted(js, job[keep]), prev.pod[keep], t[keep] - a)
    return complete_around(sub, fixed, "carried")


def _commit(problem, sub, assignment, js, a, commit_end, state, finished, fixed_load,
            committed) -> None:
    """Fix the window's first hours: update job state, fixed load and the schedule."""
    jobs = problem.jobs
    job = js[assignment.job]
    t = assignment.t + a
    pod = assignment.pod
    keep = np.zeros(len(t), dtype=bool)
    for local in np.unique(assignment.job):
        j = js[local]
        sel = assignment.job == local
        if not jobs.preemptible[j]:
            if t[sel].min() < commit_end:
                keep |= sel
                finished[j] = True
            continue
        in_step = sel & (t < commit_end)
        if not in_step.any():
            continue
        keep |= in_step
        hours = np.sort(t[in_step])
        prev_end = a - 1 if state["running"][j] else -2
        runs = int(np.sum(np.diff(np.concatenate(([prev_end], hours))) > 1))
        state["starts_done"][j] += runs
        state["done_h"][j] += len(hours)
        state["pod"][j] = int(pod[in_step][0])
        state["running"][j] = bool(hours[-1] == commit_end - 1)
        need = jobs.duration_h[j] + jobs.overhead_h[j] * max(state["starts_done"][j] - 1, 0)
        if state["done_h"][j] >= need - 1e-9:
            finished[j] = True
    # preemptible jobs not running in the last committed hour are not running any more
    idle = jobs.preemptible & ~np.isin(np.arange(len(jobs)), job[keep & (t == commit_end - 1)])
    state["running"][idle] = False
    part = Assignment(job[keep], pod[keep], t[keep])
    np.add.at(fixed_load, (part.pod, part.t), jobs.power_kw[part.job])
    committed.append(part)

