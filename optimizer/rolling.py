"""Rolling horizon: a long horizon solved window by window, when one piece would not fit.

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
  otherwise become infeasible.
* The window is at least the longest job + ``step_h`` hours, so a job becomes hard
  (its deadline inside the window) while its whole window can still be planned.

* Each window runs the stages of :mod:`optimizer.pipeline` (baselines, LP, heuristics,
  MILP); when neither baseline places every job, the previous window's plan for the
  jobs both share, with the new jobs placed around it (``_carried_start``), is a start.
  Only if the window still has no schedule in time is the run abandoned for the
  whole-horizon greedy (else ASAP) schedule, with a warning.
* One time limit for the whole run: each window gets the time left divided by the
  windows left (so a window that finishes early leaves its time to the later ones).
  Its state is a :class:`RollingState`; each window's record says its budget, gap and
  the stage that found its schedule.
* Whether to roll at all is :func:`rolling_decision`: only when the one-piece model would
  not fit the memory or the time limit.

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

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.baselines import asap, complete_around, greedy
from optimizer.dispatch import final_dispatch
from optimizer.errors import InfeasibleError, ScheduleInputError
from optimizer.heuristics import simple_bound
from optimizer.layout import make_layout
from optimizer.metrics import evaluate, facility_kw
from optimizer.model import dispatch_of, model_size
from optimizer.options import DEFAULT_OPTIONS, SolverOptions
from optimizer.pipeline import NoSolutionError, run_stages
from optimizer.precheck import explain_infeasible_inputs
from optimizer.problem import Problem
from optimizer.result import (
    STATUS_ROLLING_OPTIMAL,
    STATUS_ROLLING_TIME_LIMIT,
    BaselineSummary,
    ModelSize,
    ScheduleResult,
    WindowRecord,
)
from optimizer.schedule import Assignment, load_frame, to_frame
from optimizer.search import preferred_baseline, relative_gap, work_deadline


def _defer_costs(problem: Problem, js: np.ndarray, end: int) -> np.ndarray:
    """Cost of starting each (non-preemptible) job after hour ``end``: its cheapest start
    that ends by its deadline (energy weight only) [currency]."""
    jobs = problem.jobs
    w = problem.pod_energy_weight  # (P, T)
    move = problem.move_weight  # (J, P): a fleet's cost of moving the job's data there
    cost = np.zeros(len(js))
    for k, j in enumerate(js):
        d, power, n = jobs.deadline[j], jobs.power_kw[j], int(jobs.duration_h[j])
        best = np.inf
        for p in jobs.pods_of(j):
            lo = max(end - n + 1, jobs.first_hour(j, p))
            c = np.concatenate(([0.0], np.cumsum(w[p, lo:d])))
            if len(c) > n:
                best = min(best, power * float((c[n:] - c[:-n]).min()) + float(move[j, p]))
        cost[k] = best if np.isfinite(best) else 0.0
    return cost


def _window_problem(problem: Problem, a: int, end: int, state: RollingState,
                    js: np.ndarray) -> Problem:
    jobs = problem.jobs
    sl = slice(a, end)
    ff = problem.facility_factor[:, sl]
    fixed_load = state.fixed_load_kw
    fixed = fixed_load[:, sl]
    months, codes = np.unique(problem.month[sl], return_inverse=True)
    committed_fac = (state.grid_kw if problem.assets.active
                     else facility_kw(problem, fixed_load))[..., :a]
    committed_fac = np.atleast_2d(committed_fac)  # (S, a)
    floor = np.full((problem.n_sites, len(months)), -np.inf)
    for k, m in enumerate(months):
        sel = problem.month[:a] == m
        if sel.any():
            floor[:, k] = committed_fac[:, sel].max(1)
    soft = (jobs.deadline[js] > end) & ~jobs.preemptible[js]
    defer_cost = np.zeros(len(js))
    if soft.any():
        defer_cost[soft] = _defer_costs(problem, js[soft], end)
    sub = jobs.take(js)
    sub = replace(
        sub,
        release=np.maximum(sub.release - a, 0),
        arrival=np.maximum(sub.arrival - a, 0),
        deadline=np.minimum(sub.deadline, end) - a,
        done_h=state.done_h[js],
        starts_done=state.starts_done[js],
        running_before=state.running[js],
        pinned_pod=state.pod[js],
        soft=soft,
        defer_cost=defer_cost,
    )
    return replace(
        problem,
        hours=problem.hours[sl],
        jobs=sub,
        headroom_kw=problem.headroom_kw[:, sl] - fixed,
        cooling_headroom_kw=problem.cooling_headroom_kw[:, sl] - fixed,
        facility_factor=ff,
        base_facility_kw=problem.base_facility_kw[:, sl] + problem.site_total(ff * fixed),
        grid_limit_kw=problem.grid_limit_kw[:, sl],
        price_per_kwh=problem.price_per_kwh[:, sl],
        carbon_g_per_kwh=problem.carbon_g_per_kwh[:, sl],
        month=codes.astype(np.int64),
        month_labels=tuple(problem.month_labels[m] for m in months),
        peak_floor_kw=floor,
        month_share=problem.month_share[months],
        assets=problem.assets.window(sl, state.battery_kwh, state.cold_kwh_th, fixed)
        if problem.assets.active else problem.assets,
        open_capacity_kw=None if problem.open_capacity_kw is None
        else problem.open_capacity_kw[:, sl] - state.fixed_moved_kw[:, sl],
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
        price_per_kwh=np.concatenate((problem.price_per_kwh[0, :a], price))[None, :],
        carbon_g_per_kwh=np.concatenate((problem.carbon_g_per_kwh[0, :a], carbon))[None, :],
    )


#: Measured on this project's 2-core machine (bench/README.md, "Rolling rule"): model
#: build [s per nonzero] (0.7-2.4 us over 118k-1.6M nonzeros; the upper envelope) and
#: peak memory [bytes per nonzero] above a base (0.24-0.40 kB; upper envelope, with
#: headroom for HiGHS's copy).
BUILD_S_PER_NNZ = 2.5e-6
MEMORY_BYTES_PER_NNZ = 500.0
MEMORY_BASE_BYTES = 250e6
#: Largest model solved in one piece [bytes] (judgement: a third of a 24 GiB machine,
#: leaving room for the thermal model, the re-simulations and a second worker).
MEMORY_BUDGET_BYTES = 8e9
#: Share of the time limit the one-piece model build may take (judgement: the rest is
#: what the heuristics and HiGHS need to improve on the baselines).
BUILD_SHARE = 0.25


def estimated_nonzeros(problem: Problem) -> int:
    """Nonzeros the one-piece model of ``problem`` would have (from its layout, no build).

    Pulse starts: one per covered hour plus the single-start row; run binaries: about ten
    (load, work and its cap, job-hour, pod-work cap, resume detection twice, interruption
    and first-run rows; 9.6-10.4 measured on the benchmark instances); two per pod-hour
    (load definition, capacity / peak). Within 25 % of the built model on the benchmark
    instances (tests/component/test_rolling_rule.py). The base model: the cut families of
    :func:`optimizer.model.auto_cuts` go only to small models, far from any limit here.
    """
    layout = make_layout(problem)
    jobs = problem.jobs
    length = np.ceil(jobs.required_h()[layout.np_job] - 1e-9).astype(np.int64)
    starts = int((layout.np_count * (length + 1)).sum())
    runs = 10 * int(layout.pr_count.sum())
    return starts + runs + 2 * len(problem.pods) * problem.n_hours


def rolling_decision(problem: Problem, options: SolverOptions) -> tuple[bool, str]:
    """Whether to solve ``problem`` in rolling windows, and why (a sentence).

    ``options.rolling``: "never" and "always" decide (always rolls only a horizon longer
    than ``window_h``); "auto" rolls only when the one-piece model would not fit: its
    estimated memory above :data:`MEMORY_BUDGET_BYTES`, or its estimated build above
    :data:`BUILD_SHARE` of the time limit while the rolling windows together would build
    no more (windows that overlap build each hour several times: then one piece is
    quicker too). Both from :func:`estimated_nonzeros` and the measured rates above. One
    piece is otherwise better: every stage sees the whole horizon, and the bound is the
    whole problem's (a rolling horizon's is the solve-free one).
    """
    n_t, window = problem.n_hours, options.window_h
    if options.rolling == "never":
        return False, "one piece: rolling = never"
    if n_t <= window:
        return False, f"one piece: the horizon ({n_t} h) fits one window ({window} h)"
    if options.rolling == "always":
        return True, f"rolling: rolling = always and the horizon ({n_t} h) exceeds {window} h"
    nnz = estimated_nonzeros(problem)
    memory = MEMORY_BASE_BYTES + MEMORY_BYTES_PER_NNZ * nnz
    build_s = BUILD_S_PER_NNZ * nnz
    size = f"~{nnz / 1e6:.1f} M nonzeros"
    if memory > MEMORY_BUDGET_BYTES:
        return True, (f"rolling: the whole horizon ({size}) would need ~{memory / 1e9:.1f} GB, "
                      f"above the {MEMORY_BUDGET_BYTES / 1e9:.0f} GB budget")
    limit = options.time_limit_s
    if limit is not None and build_s > BUILD_SHARE * limit:
        # each hour is built once per window that covers it: windows overlapping by
        # window - step hours build window/step times the whole (measured: 1,440 h, 54
        # windows of 168 h, 7.1 s of window builds against 1.1 s for the one piece)
        n_windows = window_count(n_t, window, options.step_h)
        rolled_s = build_s * min(window, n_t) / n_t * n_windows
        if rolled_s > build_s:
            return False, (f"one piece: building the whole horizon ({size}) takes ~"
                           f"{build_s:.1f} s of the {limit:g} s limit, but its {n_windows} "
                           f"overlapping rolling windows would take ~{rolled_s:.1f} s")
        return True, (f"rolling: building the whole horizon ({size}) would take ~{build_s:.1f} s "
                      f"of the {limit:g} s limit; its {n_windows} windows ~{rolled_s:.1f} s "
                      "in all, each a smaller solve")
    return False, (f"one piece: the whole horizon ({size}, ~{memory / 1e9:.1f} GB) fits the "
                   "time limit and memory")


def window_count(n_hours: int, window_h: int, step_h: int) -> int:
    """Windows a rolling solve of ``n_hours`` uses (1 when one window holds them all).

    :func:`solve_rolling` widens the window to the longest job + ``step_h``; with the
    window before widening this is an upper bound.
    """
    return 1 + max(int(np.ceil((n_hours - window_h) / step_h)), 0)


@dataclass
class RollingState:
    """What the windows solved so far committed (mutable; one per rolling solve).

    Attributes
    ----------
    done_h : ndarray
        Work hours each job has done [h].
    starts_done : ndarray of int
        Runs each job has started.
    running : ndarray of bool
        Whether each (preemptible) job ran in the last committed hour.
    pod : ndarray of int
        The pod a started preemptible job stays on (-1: none yet).
    finished : ndarray of bool
        Jobs whose work is all committed.
    fixed_load_kw : ndarray
        Committed job load per pod and hour [kW] (P, T).
    fixed_moved_kw : ndarray or None
        The part of it of jobs moved away from home (a fleet's open shares) [kW] (P, T).
    committed : list of Assignment
        The committed job-hours, window by window.
    windows : list of WindowRecord
    last_plan : tuple or None
        (jobs, first hour, schedule) of the last window solved, for :func:`_carried_start`.
    grid_kw : ndarray
        Committed grid import per hour [kW] (with assets; the committed peaks).
    battery_kwh, cold_kwh_th : float or None
        Stored energy and cold at the end of the committed hours (with assets).
    """

    done_h: np.ndarray
    starts_done: np.ndarray
    running: np.ndarray
    pod: np.ndarray
    finished: np.ndarray
    fixed_load_kw: np.ndarray
    fixed_moved_kw: np.ndarray | None = None
    committed: list = field(default_factory=list)
    windows: list = field(default_factory=list)
    last_plan: tuple | None = None
    grid_kw: np.ndarray | None = None
    battery_kwh: float | None = None
    cold_kwh_th: float | None = None

    @staticmethod
    def start(problem: Problem) -> RollingState:
        n_j = len(problem.jobs)
        return RollingState(
            done_h=np.zeros(n_j), starts_done=np.zeros(n_j, dtype=np.int64),
            running=np.zeros(n_j, dtype=bool), pod=np.full(n_j, -1, dtype=np.int64),
            finished=np.zeros(n_j, dtype=bool),
            fixed_load_kw=np.zeros((len(problem.pods), problem.n_hours)),
            fixed_moved_kw=np.zeros((len(problem.pods), problem.n_hours)),
            grid_kw=np.zeros(problem.n_hours))


def solve_rolling(problem: Problem, options: SolverOptions = DEFAULT_OPTIONS,
                  progress: Callable[[str], None] | None = None,
                  signals_at: SignalsAt | None = None, deadline_s: float | None = None,
                  reason: str = "") -> ScheduleResult:
    """Solve ``problem`` window by window (see the module doc).

    Parameters
    ----------
    problem : Problem
    options : SolverOptions
        ``time_limit_s`` bounds the whole rolling solve: each window gets the time left
        divided by the windows left.
    progress : callable, optional
        Called with ``"window k/N, S s left"`` before each window is solved.
    signals_at : callable, optional
        The forecast re-issued at each window start (module doc, "Forecasts"); the
        result's metrics are then on ``problem``'s own signals.
    deadline_s : float, optional
        ``time.perf_counter()`` value by which to finish (default: now + time limit).
    reason : str
        Why the horizon rolls (kept in the result).
    """
    if deadline_s is None:
        deadline_s = work_deadline(options)
    if signals_at is not None and problem.assets.active:
        raise ScheduleInputError(
            "forecast mode does not yet schedule sites with a battery, a cold tank or "
            "on-site generation: remove the [forecast] section or the assets")
    explain_infeasible_inputs(problem)
    jobs, n_t = problem.jobs, problem.n_hours
    longest = int(jobs.duration_h.max()) if len(jobs) else 0
    window = max(options.window_h, longest + options.step_h)
    state = RollingState.start(problem)
    n_windows = window_count(n_t, window, options.step_h)
    # the whole horizon's baselines first: inside the time limit (the windows share what
    # they leave), and the schedule to fall back on if a window finds none in time
    baselines = {"asap": asap(problem), "greedy": greedy(problem)}
    fallback = preferred_baseline(baselines) is not None
    a, stranded, k = 0, None, 0
    while True:
        k += 1
        left_s = deadline_s - time.perf_counter()
        if progress is not None:
            progress(f"window {k}/{n_windows}" + ("" if np.isinf(left_s) else
                                                   f", {max(left_s, 0.0):.0f} s left"))
        end = min(a + window, n_t)
        js = _window_jobs(problem, state, end)
        view = None
        if len(js) or problem.assets.active:
            view = problem if signals_at is None else issued(problem, a, signals_at)
        if view is not None and end < n_t and not problem.assets.active and \
                left_s < BUILD_S_PER_NNZ * estimated_nonzeros(
                    _window_problem(view, a, end, state, js)):
            # no time left to build another window: the rest of the horizon by the
            # better baseline, so the run keeps its time limit
            end = n_t
            js = _window_jobs(problem, state, end)
            sub = _window_problem(view, a, end, state, js)
            rest = _rest_by_baseline(sub, problem.hours[a].isoformat(), len(js), left_s)
            if rest is None:
                stranded = NoSolutionError(
                    f"the time limit ran out at rolling window {k}/{n_windows} (from "
                    f"{problem.hours[a]}) and neither ASAP nor greedy places every job of "
                    "the rest of the horizon around the hours committed before it; raise "
                    "the time limit")
                break
            record, assignment = rest
            state.windows.append(record)
            _commit(problem, assignment, js, a, n_t, state)
            break
        final = end == n_t
        commit_end = n_t if final else a + options.step_h
        if len(js) or problem.assets.active:  # assets run in every window
            sub = _window_problem(view, a, end, state, js)
            budget_s = max(left_s, 0.0) / (n_windows - k + 1)
            plan = state.last_plan
            carried = None if plan is None else (
                lambda sub=sub, js=js, a=a, plan=plan: _carried_start(sub, js, a, *plan))
            try:
                explain_infeasible_inputs(sub)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    search = run_stages(sub, options, time.perf_counter() + budget_s, carried,
                                        may_overrun=not fallback)
            except NoSolutionError:  # (its advice is for one piece; this one's below)
                # earlier commitments left this window without a schedule found in time:
                # the whole-horizon baseline below is the answer if it fits
                stranded = NoSolutionError(
                    f"rolling window {k}/{n_windows} (from {problem.hours[a]}) found no "
                    "schedule in time around the hours the windows before it committed, and "
                    "no baseline places every job of it; raise the time limit, or set "
                    "solver.rolling = \"never\" (coolshift schedule: --rolling never) to "
                    "solve the horizon in one piece")
                break
            except InfeasibleError as exc:
                if not state.windows:  # nothing committed yet: the first window relaxes
                    raise  # the whole horizon, which then has no schedule either
                # the hours the windows before committed leave this one none (not "no
                # schedule exists")
                stranded = NoSolutionError(
                    f"rolling window {k}/{n_windows} (from {problem.hours[a]}) has no schedule "
                    f"given the hours the windows before it committed: {exc}. The whole "
                    "horizon may still have one: set solver.rolling = \"never\" (coolshift "
                    "schedule: --rolling never; one piece) "
                    "or a longer solver.window_h")
                break
            state.windows.append(_record(problem.hours[a].isoformat(), len(js), budget_s,
                                         search))
            _commit(problem, search.assignment(), js, a, commit_end, state)
            if problem.assets.active:
                _commit_dispatch(dispatch_of(search.built, search.incumbent), a, commit_end,
                                 state)
            state.last_plan = (js, a, search.assignment())
        if final:
            break
        a += options.step_h
    return _result(problem, state, stranded, signals_at is not None, reason, baselines)


def _window_jobs(problem: Problem, state: RollingState, end: int) -> np.ndarray:
    """Jobs a window ending at hour ``end`` plans: unfinished, released before ``end``,
    preemptible ones only once their deadline lies inside it (module doc)."""
    jobs = problem.jobs
    soft_pre = jobs.preemptible & (jobs.deadline > end)
    return np.flatnonzero(~state.finished & (jobs.release < end) & ~soft_pre)


def _rest_by_baseline(sub: Problem, start: str, n_jobs: int,
                      budget_s: float) -> tuple[WindowRecord, Assignment] | None:
    """The rest of the horizon (``sub``) by the cheaper of ASAP and greedy, with its
    window record; None when neither places every job."""
    tick = time.perf_counter()
    feasible = [b for b in (greedy(sub), asap(sub)) if b.status == "feasible"]
    if not feasible:
        return None
    base = min(feasible, key=lambda b: b.metrics.objective)
    record = WindowRecord(
        start=start, jobs=n_jobs, budget_s=max(budget_s, 0.0), termination="time_limit",
        gap=float("inf"), source=base.name, build_s=0.0,
        solve_s=time.perf_counter() - tick, size=ModelSize())
    return record, base.assignment


def _record(start: str, n_jobs: int, budget_s: float, search) -> WindowRecord:
    """A window's record from its solve."""
    return WindowRecord(
        start=start, jobs=n_jobs, budget_s=budget_s,
        termination="optimal" if search.proven else "time_limit", gap=search.gap,
        source=search.source, build_s=search.built.build_s + search.handoff_s,
        solve_s=sum(r.seconds for r in search.records) - search.handoff_s,
        size=model_size(search.built))


def _result(problem: Problem, state: RollingState, stranded, forecast: bool,
            reason: str, baselines: dict) -> ScheduleResult:
    """The whole horizon's schedule from the committed windows (or a whole-horizon
    baseline, of ``baselines``, when a window found nothing in time)."""
    base_greedy = baselines["greedy"]
    if stranded is None:
        unfinished = np.flatnonzero(~state.finished)
        if len(unfinished):  # cannot happen when every window is solved; guard the invariant
            raise RuntimeError(f"rolling horizon left jobs unfinished: {unfinished[:5]}")
        assignment, source = Assignment.concat(state.committed), "rolling"
    else:
        base = preferred_baseline(baselines)
        if base is None:
            raise stranded
        warnings.warn(f"rolling window {len(state.windows) + 1} found no schedule in time "
                      f"({stranded}); returning the whole-horizon {base.name} schedule",
                      stacklevel=3)
        assignment, source = base.assignment, base.name
    dispatch = final_dispatch(problem, assignment)
    metrics = evaluate(problem, assignment, dispatch)
    # after the fact, a better whole-horizon greedy schedule replaces the rolling one (not
    # with forecasts: choosing between two schedules after the fact would use hindsight)
    if not forecast and base_greedy.status == "feasible":
        greedy_dispatch = final_dispatch(problem, base_greedy.assignment)
        greedy_metrics = evaluate(problem, base_greedy.assignment, greedy_dispatch)
        if greedy_metrics.objective < metrics.objective:
            assignment, metrics, source = base_greedy.assignment, greedy_metrics, "greedy"
            dispatch = greedy_dispatch
    windows = tuple(state.windows)
    all_optimal = stranded is None and all(w.termination == "optimal" for w in windows)
    if not all_optimal and stranded is None:
        warnings.warn("some rolling windows stopped at the time limit (their gaps are in "
                      "result.windows)", stacklevel=3)
    # a bound for the whole horizon: the windows' bounds are not (each takes the
    # commitments before it as given), so the solve-free bound of the whole problem
    bound = min(simple_bound(problem), metrics.objective)
    return ScheduleResult(
        schedule=to_frame(problem, assignment),
        it_load_kw=load_frame(problem, assignment),
        status=STATUS_ROLLING_OPTIMAL if all_optimal else STATUS_ROLLING_TIME_LIMIT,
        objective=metrics.objective,
        best_bound=bound,
        gap=relative_gap(metrics.objective, bound),
        build_s=sum(w.build_s for w in windows),
        solve_s=sum(w.solve_s for w in windows),
        metrics=metrics,
        source=source,
        baselines={name: BaselineSummary.of(problem, base) for name, base in baselines.items()},
        model_size=sum((w.size for w in windows), ModelSize()),
        windows=windows,
        rolling_reason=reason,
        dispatch=dispatch if problem.assets.active else None,
    )


def _commit_dispatch(dispatch, a: int, commit_end: int, state: RollingState) -> None:
    """Fix the assets' committed hours: their import (for later windows' peaks) and the
    stored energy and cold the next window starts from."""
    n = commit_end - a
    state.grid_kw[a:commit_end] = dispatch.grid_kw[:n]
    if n > 0:
        state.battery_kwh = float(dispatch.battery_soc_kwh[n - 1])
        state.cold_kwh_th = float(dispatch.cold_soc_kwh_th[n - 1])


def _carried_start(sub: Problem, js: np.ndarray, a: int, prev_js: np.ndarray, prev_a: int,
                   prev: Assignment) -> Assignment | None:
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
    completed = complete_around(sub, fixed, "carried")
    return completed.assignment if completed.status == "feasible" else None


def _commit(problem: Problem, assignment: Assignment, js: np.ndarray, a: int, commit_end: int,
            state: RollingState) -> None:
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
                state.finished[j] = True
            continue
        in_step = sel & (t < commit_end)
        if not in_step.any():
            continue
        keep |= in_step
        hours = np.sort(t[in_step])
        prev_end = a - 1 if state.running[j] else -2
        runs = int(np.sum(np.diff(np.concatenate(([prev_end], hours))) > 1))
        state.starts_done[j] += runs
        state.done_h[j] += len(hours)
        state.pod[j] = int(pod[in_step][0])
        state.running[j] = bool(hours[-1] == commit_end - 1)
        need = jobs.duration_h[j] + jobs.overhead_h[j] * max(state.starts_done[j] - 1, 0)
        if state.done_h[j] >= need - 1e-9:
            state.finished[j] = True
    # preemptible jobs not running in the last committed hour are not running any more
    idle = jobs.preemptible & ~np.isin(np.arange(len(jobs)), job[keep & (t == commit_end - 1)])
    state.running[idle] = False
    part = Assignment(job[keep], pod[keep], t[keep])
    np.add.at(state.fixed_load_kw, (part.pod, part.t), jobs.power_kw[part.job])
    away = problem.is_moved(part.job, part.pod)
    np.add.at(state.fixed_moved_kw, (part.pod[away], part.t[away]),
              jobs.power_kw[part.job[away]])
    state.committed.append(part)

