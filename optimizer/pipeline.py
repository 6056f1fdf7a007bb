"""One solve of one problem: the stages, run in order from one table.

=================  =========================================================  ==========
stage              what it does                                               time share
=================  =========================================================  ==========
baselines          ASAP and greedy (and any schedule the caller carries in)   --
lp                 LP relaxation: the first proven bound (if it does not      0.5
                   finish: a Lagrangian bound, optimizer.lagrangian)          (0.25, <= 10 s)
local_search       relocate and peak shaving from every start                 0.2 each
ruin_recreate      take related jobs out, put them back (threshold accepting) 0.85
milp               HiGHS's branch and bound from the incumbent                what is left
=================  =========================================================  ==========

Every stage reads and updates one :class:`optimizer.search.Search` (incumbent, bound,
clock); a schedule becomes the incumbent only through :meth:`Search.offer`. The shares are
of the time *left when the stage starts*; the stages stop as soon as the incumbent is
within ``rel_gap`` of the bound (then HiGHS is not needed). Without ``warm_start`` only
the baselines and HiGHS run, HiGHS from no start. Which stage found the returned schedule
is its ``source``; the result carries each stage's record (time, objective and bound
after it), and ``SolverOptions.stages`` runs a subset: bench/bench_optimizer.py --ablation
measures what each stage is worth (docs/optimizer.md, "What each stage is worth").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from optimizer.baselines import asap, greedy
from optimizer.errors import InfeasibleError
from optimizer.heuristics import lp_relaxation, simple_bound
from optimizer.highs_solve import solve_direct, solve_pyomo
from optimizer.infeasibility import diagnose
from optimizer.lagrangian import lagrangian_bound
from optimizer.localsearch import improve
from optimizer.model import build_model
from optimizer.options import SolverOptions
from optimizer.plan import Plan
from optimizer.problem import Problem
from optimizer.ruin import ruin_and_recreate
from optimizer.schedule import Assignment
from optimizer.search import Search, preferred_baseline

#: Shares of the time left when each stage starts (judgement, from the benchmark and
#: the default scenario: ruin and recreate lowers the objective far more than HiGHS's
#: branch and bound in the same time; most stages stop well before their share).
LP_SHARE = 0.5
#: Share of the time left, and most seconds, for the Lagrangian bound when the LP did not
#: finish (measured on 8 sites x 1,000 jobs x 720 h: 4,686,733 after 3 s, 4,717,315
#: after 10 s, 4,718,666 after 19 s against the LP's 4,731,127; docs/optimizer.md).
LAGRANGIAN_SHARE = 0.25
LAGRANGIAN_MAX_S = 10.0
LOCAL_SEARCH_SHARE = 0.2
RUIN_SHARE = 0.85
#: Least time worth giving HiGHS's MILP after the heuristics [s] (judgement: below this
#: HiGHS does not finish its presolve and root LP on the benchmark models).
MIN_MILP_S = 1.0
#: Most time for a first schedule when the limit passed without any [s] (judgement:
#: HiGHS finds one in seconds on the benchmark's tightest rolling windows). The only
#: time a solve may run past its limit (without a schedule there is nothing to return),
#: and never by more than the limit itself (at least :data:`MIN_MILP_S`): a run ends
#: within twice its limit.
FIRST_SOLUTION_S = 30.0


class NoSolutionError(RuntimeError):
    """HiGHS stopped (time limit) before finding any schedule and no baseline fits."""


def _baselines(search: Search) -> str:
    problem = search.problem
    search.baselines = {"asap": asap(problem), "greedy": greedy(problem)}
    for name in ("greedy", "asap"):
        base = search.baselines[name]
        if base.status == "feasible":
            search.offer_assignment(base.assignment, name)
            search.starts.append((name, base.assignment))
    if preferred_baseline(search.baselines) is None and search.carried is not None:
        carried = search.carried()
        if search.offer_assignment(carried, "carried"):
            search.starts.append(("carried", carried))
    search.raise_bound(simple_bound(problem))
    return ", ".join(f"{n} {b.status}" for n, b in search.baselines.items())


def _lp(search: Search) -> str:
    timing: dict = {}
    limit = None if np.isinf(search.deadline_s) else search.budget(LP_SHARE)
    search.x_lp = lp_relaxation(search.built, search.options, limit, timing)
    search.handoff_s += timing.get("handoff_s", 0.0)
    if search.x_lp is None:  # a Lagrangian bound instead (optimizer.lagrangian)
        before = search.bound
        search.raise_bound(lagrangian_bound(search.problem, search.objective, min(
            search.budget(LAGRANGIAN_SHARE), LAGRANGIAN_MAX_S)))
        if search.bound > before:
            return "not solved in time (bound: Lagrangian)"
        return "not solved in time (bound: solve-free)"
    search.raise_bound(search.objective_of(search.x_lp))
    return "solved"


def _local_search(search: Search) -> str:
    for _name, start in search.starts:
        if search.proven:
            break
        search.offer_assignment(improve(search.problem, start, search.budget(
            LOCAL_SEARCH_SHARE)), "local_search")
    return f"{len(search.starts)} start(s)"


def _ruin_recreate(search: Search) -> str:
    if search.incumbent is None:
        return "skipped: no schedule"
    rel_gap = search.options.rel_gap
    target = search.bound / (1 - rel_gap) if search.bound > 0 else -np.inf
    plan = ruin_and_recreate(search.problem, Plan.of(search.problem, search.assignment()),
                             time.perf_counter() + search.budget(RUIN_SHARE), target=target)
    search.offer_assignment(plan.assignment(), "ruin_recreate")
    return ""


def _milp(search: Search) -> str:
    options, built = search.options, search.built
    direct = options.interface == "direct"
    left = search.time_left()
    if search.incumbent is not None and direct and left < MIN_MILP_S:
        search.milp_termination = "time_limit"
        return f"skipped: {max(left, 0.0):.2f} s left"
    limited = options if np.isinf(search.deadline_s) else replace(
        options, time_limit_s=max(left, MIN_MILP_S))
    if direct:
        start = search.incumbent if options.warm_start else None
        outcome = solve_direct(built, limited, start)
        if search.incumbent is None and not outcome.has_solution and \
                outcome.termination == "time_limit" and search.may_overrun:
            # nothing to return yet (a rolling window cannot be skipped): a first schedule
            limit_s = np.inf if options.time_limit_s is None else options.time_limit_s
            retry = replace(options, time_limit_s=min(FIRST_SOLUTION_S, max(limit_s, MIN_MILP_S)))
            extra = solve_direct(built, retry, None, first_solution=True)
            outcome = replace(extra, solve_s=outcome.solve_s + extra.solve_s,
                              load_s=outcome.load_s + extra.load_s)
    else:
        outcome = solve_pyomo(built, limited)
    search.handoff_s += outcome.load_s
    if outcome.termination == "infeasible":
        raise diagnose(built, options)
    if outcome.has_solution:
        search.offer(outcome.values, "milp", checked=True)
    search.raise_bound(outcome.bound)
    search.milp_termination = outcome.termination
    return outcome.detail


@dataclass(frozen=True)
class Stage:
    """One row of :data:`STAGES`: a name and the function that runs it on a Search."""

    name: str
    run: Callable[[Search], str]


#: The stages in the order they run (module doc).
STAGES = (
    Stage("baselines", _baselines),
    Stage("lp", _lp),
    Stage("local_search", _local_search),
    Stage("ruin_recreate", _ruin_recreate),
    Stage("milp", _milp),
)
STAGE_NAMES = tuple(stage.name for stage in STAGES)
#: Stages of ``warm_start=False``: HiGHS alone (the baselines for the comparison).
COLD_STAGES = ("baselines", "milp")


def run_stages(problem: Problem, options: SolverOptions, deadline_s: float,
               carried: Callable[[], Assignment | None] | None = None,
               may_overrun: bool = True) -> Search:
    """Solve ``problem`` by the stages of :data:`STAGES` until ``deadline_s``.

    Parameters
    ----------
    problem : Problem
    options : SolverOptions
        ``options.stages`` names the stages to run (all by default); ``warm_start=False``
        runs only :data:`COLD_STAGES`.
    deadline_s : float
        ``time.perf_counter()`` value at which to stop (inf: no limit).
    carried : callable, optional
        Gives a schedule (Assignment or None) to start from when neither baseline places
        every job: a rolling window's plan carried over from the window before (called
        only then).
    may_overrun : bool
        Whether HiGHS may run past the deadline for a first schedule when no stage found
        one (the limit again, at least :data:`MIN_MILP_S`, at most
        :data:`FIRST_SOLUTION_S`; False: stop at the deadline).

    Returns
    -------
    Search
        With the incumbent, the bound, and a record per stage that ran.

    Raises
    ------
    InfeasibleError
        With the conflicting hours and jobs (elastic relaxation).
    NoSolutionError
        When no stage found any schedule.
    """
    built = build_model(problem)
    search = Search(built=built, options=options, deadline_s=deadline_s, carried=carried,
                    may_overrun=may_overrun)
    wanted = set(options.stages if options.warm_start else COLD_STAGES)
    if options.interface != "direct":
        wanted &= set(COLD_STAGES)
    for stage in STAGES:
        if stage.name not in wanted:
            continue
        if stage.name != "baselines" and search.proven:
            break
        if stage.name not in ("baselines", "milp") and search.time_left() <= 0:
            search.record(stage.name, 0.0, False, "skipped: time limit")
            continue
        tick, before = time.perf_counter(), search.objective
        note = stage.run(search)
        search.record(stage.name, time.perf_counter() - tick, search.objective < before, note)
    if search.incumbent is None:
        last = search.records[-1].note if search.records else ""
        raise NoSolutionError(
            f"no schedule found in time (HiGHS: {last}) and no baseline places every job; "
            "raise the time limit")
    return search


__all__ = ["STAGES", "STAGE_NAMES", "InfeasibleError", "NoSolutionError", "Stage",
           "run_stages"]
