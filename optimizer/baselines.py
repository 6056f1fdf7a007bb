"""Capacity-aware baseline schedules on the same data as the MILP: ASAP and greedy.

Jobs are placed one by one in EDF order (deadline, then release, then input order;
jobs that must go on running from a previous rolling window first);
each placement respects what earlier jobs left of pod, cooling and grid room.

* ASAP: each job starts as early as possible; where several allowed pods have room
  then, on the one an operator would pick: the most efficient (lowest facility factor
  over those hours), ties by pod name. So neither baseline depends on the order the pods
  are written in (it did: ASAP took the first pod listed, and listing the air hall first
  credited the optimiser with moving jobs to the liquid-cooled halls).
* Greedy (carbon/price-aware): non-preemptible jobs take the feasible window with the
  lowest objective weight (energy price + carbon price x intensity, times the pod's
  facility factor); preemptible jobs take the k cheapest feasible hours (k grows with
  the restart overhead of the runs it creates); if that needs more runs than allowed,
  the cheapest contiguous window. Demand charges are not looked at (the hourly
  weight is the rule, as in the anchors of reference/scheduling.md).
  *Repair*: cheap windows taken early can leave a later job no room. If that happens,
  greedy finds, by bisection over its own choices, the first job after whose greedy
  placement the ASAP rule can no longer place every later job; that job takes the
  cheapest of its first ``REPAIR_TRIES`` windows (in cost order) after which ASAP can,
  else where ASAP would put it, and greedy goes on from the next job. ASAP itself is
  such a completion, so greedy places every job whenever ASAP does. Each repair costs
  O(jobs x log jobs) placements (1000 jobs over a year: ~1 s; checking every job, as
  first written, cost ~10^6 placements and 64 s there).
  *Work limit*: the repairs together place at most ``REPAIR_PLACEMENTS_PER_JOB`` x jobs
  jobs (a count, not a clock, so the baseline is the same on every machine and under
  any time limit). When they are spent, the jobs after the longest greedy prefix known
  to leave ASAP room take their ASAP placements, then each of them in EDF order moves
  once to its greedy placement in the room all the others leave (its ASAP hours stay
  free for it, so it always has one). Greedy still places every job whenever ASAP
  does. Found needed: on 1,000 jobs x 720 h at tightness 0.6-0.7 the repairs alone took
  10-46 s (3,000 jobs: 60-150 s), past any time limit; with the limit 1.4-2.3 s
  (3,000 jobs: 4-8 s), objective within 0.7 % of the unlimited repair's (bench/README.md).

Soft jobs of a rolling window (deadline beyond the window) are left to later windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.metrics import Metrics, evaluate
from optimizer.placement import contiguous, window_sums
from optimizer.plan import Plan
from optimizer.precheck import CAPACITY_EPS_KW, runs_of
from optimizer.problem import Problem
from optimizer.schedule import Assignment

#: Windows (cheapest first) the greedy repair tries per job before taking the job's
#: ASAP window (judgement: each try runs ASAP over the later jobs, so the repair costs
#: up to this many times jobs^2 placements; a few cheap windows keep most of the
#: saving).
REPAIR_TRIES = 4
#: Job placements the greedy repairs may make together, per job of the schedule
#: (judgement from measurements in bench/README.md, "Greedy repair": a placement takes
#: ~0.1 ms on this machine, so 1,000 jobs repair within ~2 s; past it the rest of the
#: jobs take their ASAP placements).
REPAIR_PLACEMENTS_PER_JOB = 20


@dataclass(frozen=True)
class BaselineResult:
    """A baseline schedule: ``status`` is "feasible" or "infeasible" (jobs unplaced)."""

    name: str
    status: str
    assignment: Assignment
    unplaced: tuple[str, ...]
    metrics: Metrics | None


def edf_order(problem: Problem) -> np.ndarray:
    """Job positions in earliest-deadline-first order (ties: release, then job id, so the
    order the jobs are written in changes nothing).

    Jobs that must go on running at a rolling window's first hour come first: they ran
    just before the window and have no run to spare, so their only placement is on
    their pod from the first hour, and jobs placed earlier could take that room
    (measured: a year-long rolling run stopped at a window where ASAP and greedy put an
    earlier-deadline job there). Running jobs with a run to spare keep their EDF place:
    put first as well, their later-deadline work filled a full pod's first hours and
    left two jobs due at hour 9 no room (measured: window 38 of 2000 preemptible jobs x
    2000 h, seed 4, stranded the rolling solve: ASAP, greedy and LP-guided placement
    all failed, and HiGHS needed 109 s for a first schedule).
    """
    jobs = problem.jobs
    must_go_on = jobs.running_before & (jobs.starts_done >= jobs.max_starts)
    id_rank = np.argsort(np.argsort(np.asarray(jobs.ids, dtype=object), kind="stable"))
    return np.lexsort((id_rank, jobs.release, jobs.deadline, ~must_go_on))


def _count_new_starts(hours: np.ndarray, release: int, running_before: bool) -> int:
    mask = np.zeros(int(hours.max()) + 2 - release, dtype=bool)
    mask[hours - release] = True
    runs = len(runs_of(mask))
    continues = running_before and mask[0]
    return runs - int(continues)


def _need_h(problem: Problem, j: int, hours: np.ndarray) -> float:
    """Hours job ``j`` must run when it runs in ``hours`` (sorted): the work left plus
    the restart overhead of every run past the first [h]; inf past its run limit."""
    jobs = problem.jobs
    new = _count_new_starts(hours, jobs.release[j], bool(jobs.running_before[j])) if len(
        hours) else 0
    total = jobs.starts_done[j] + new
    if total > jobs.max_starts[j]:
        return float("inf")
    return float(jobs.duration_h[j] - jobs.done_h[j] + jobs.overhead_h[j] * max(total - 1, 0))


def _pick_hours(order_hours: np.ndarray, problem: Problem, j: int) -> np.ndarray | None:
    """The first hours of ``order_hours`` (best first) meeting the work with overhead,
    with no hour to spare (:func:`_trimmed`), or None."""
    jobs = problem.jobs
    base = jobs.duration_h[j] - jobs.done_h[j]
    # at least the work left plus the overhead already owed for runs started before
    # (a rolling window's job can have all its work done and still owe restart hours)
    owed = jobs.overhead_h[j] * max(jobs.starts_done[j] - 1, 0)
    k = int(np.ceil(base + owed - 1e-9))
    for _ in range(64):
        if k > len(order_hours):
            return None
        if k <= 0:  # work and owed overhead all done
            return np.zeros(0, dtype=np.int64)
        hours = np.sort(order_hours[:k])
        need = _need_h(problem, j, hours)
        if not np.isfinite(need):
            return None
        if k >= need - 1e-9:  # an hour or more to spare only after runs joined
            return hours if k < need + 1 - 1e-9 else _trimmed(problem, j, hours, order_hours)
        k = int(np.ceil(need - 1e-9))
    return None


def _trimmed(problem: Problem, j: int, hours: np.ndarray, order_hours: np.ndarray
             ) -> np.ndarray:
    """``hours`` without the hours it does not need: growing the hours to pay for
    restarts can join runs, and then fewer restarts leave hours to spare (a job of 20 h
    with 1 h overhead ran 23 h in 2 runs, where 21 do). Drops, worst by ``order_hours``
    first, an hour at the end of a run while the rest still meets the work: the model's
    ``job_work_cap`` row allows less than one hour above the need."""
    rank = np.empty(int(order_hours.max()) + 1, dtype=np.int64)
    rank[order_hours] = np.arange(len(order_hours))
    while len(hours):
        inner = np.zeros(len(hours), dtype=bool)  # an hour with run hours either side
        inner[1:-1] = (np.diff(hours[:-1]) == 1) & (np.diff(hours[1:]) == 1)
        for k in np.flatnonzero(~inner)[np.argsort(-rank[hours[~inner]], kind="stable")]:
            rest = np.delete(hours, k)
            if len(rest) >= _need_h(problem, j, rest) - 1e-9:
                hours = rest
                break
        else:
            return hours
    return hours


def _place(problem: Problem, j: int, plan: Plan, rule: str):
    """Best (pod, hours) for job j under the rule in the room ``plan`` leaves, or None."""
    ranked = _ranked(problem, j, plan, rule, 1)
    return ranked[0] if ranked else None


def _ranked(problem: Problem, j: int, plan: Plan, rule: str, limit: int):
    """Up to ``limit`` placements (pod, hours) of job j in the room ``plan`` leaves, best
    first by the rule."""
    jobs = problem.jobs
    r, d, power = jobs.release[j], jobs.deadline[j], jobs.power_kw[j]
    pods = jobs.pods_of(j)
    weight = problem.pod_energy_weight
    move = problem.move_weight if jobs.moves else None
    found = []  # (key, pod, hours)
    for p in pods:
        ok = plan.pod_room_kw(problem, p, r, d) >= power - CAPACITY_EPS_KW
        ok &= (problem.facility_factor[p, r:d] * power
               <= plan.grid_room_kw(problem, p, r, d) + CAPACITY_EPS_KW)
        ok &= plan.open_room_kw(problem, j, p, r, d) >= power - CAPACITY_EPS_KW
        ok[: max(jobs.first_hour(j, p) - r, 0)] = False  # a fleet: its data are on the way
        cost = weight[p, r:d] * power
        candidates = []
        if jobs.preemptible[j]:
            free = np.flatnonzero(ok)
            order = free if rule == "asap" else free[np.argsort(cost[free], kind="stable")]
            hours = _pick_hours(order + r, problem, j)
            if hours is not None:
                candidates.append(hours)
            else:  # one new run, contiguous
                extra = 0 if jobs.starts_done[j] == 0 else jobs.starts_done[j]
                if jobs.starts_done[j] + 1 <= jobs.max_starts[j]:
                    n = int(np.ceil(jobs.duration_h[j] - jobs.done_h[j]
                                    + jobs.overhead_h[j] * extra - 1e-9))
                    candidates.extend(_windows(ok, cost, n, rule, r, limit))
        else:
            n = int(jobs.duration_h[j])
            candidates.extend(_windows(ok, cost, n, rule, r, limit))
        extra = 0.0 if move is None else float(move[j, p])
        for hours in candidates:
            found.append((_rank_key(problem, rule, p, hours, cost[hours - r], r, extra), p,
                          hours))
    found.sort(key=lambda c: c[0])
    return [(p, hours) for _, p, hours in found[:limit]]


def _rank_key(problem: Problem, rule: str, p: int, hours: np.ndarray, cost: np.ndarray,
              release: int, move: float = 0.0) -> tuple:
    """Sort key of a placement: the same whatever order the pods are written in.

    ASAP: earliest first hour, then the pod an operator would pick, the most efficient
    (lowest mean facility factor over those hours), then the pod's name. Greedy: lowest
    cost (in a fleet with what moving the job's data there costs, ``move``), then the
    pod's name, then the earliest first hour.
    """
    first = int(hours.min()) if len(hours) else release
    name = problem.pods[p]
    if rule == "asap":
        ff = float(problem.facility_factor[p, hours].mean()) if len(hours) else 0.0
        return (first, ff, name)
    return (float(cost.sum()) + move, name, first)


def _windows(ok, cost, n, rule, r, limit=1):
    """Up to ``limit`` feasible contiguous windows of n hours, best first by the rule."""
    starts = np.flatnonzero(contiguous(ok, n))
    if not len(starts):
        return []
    if rule != "asap":
        window_cost = window_sums(cost, n)[starts]
        starts = starts[np.argsort(window_cost, kind="stable")]
    return [np.arange(s, s + n) + r for s in starts[:limit]]


def place_jobs(problem: Problem, rule: str) -> BaselineResult:
    """Place every hard job in EDF order by ``rule`` ("asap" or "greedy")."""
    if rule not in ("asap", "greedy"):
        raise ValueError(f"unknown baseline rule {rule!r}")
    result = _place_all(problem, rule)
    if rule == "greedy" and result.status != "feasible":
        repaired = _repaired_greedy(problem)
        if repaired is not None:
            result = repaired
    return result


def complete_around(problem: Problem, fixed: Assignment, name: str) -> BaselineResult:
    """``fixed`` (a partial schedule, kept as it is) with every hard job it leaves out
    placed by the ASAP rule in EDF order in the room it leaves.

    A rolling window starts from this when neither baseline places every job: the
    previous window's plan for the jobs it shares with this one is feasible here, so
    only the jobs new to the window must be fitted around it.
    """
    plan = Plan.empty(problem)
    for j in np.unique(fixed.job):
        sel = fixed.job == j
        plan.place(problem, j, fixed.pod[sel][0], np.sort(fixed.t[sel]))
    kept = set(fixed.job.tolist())
    order = [j for j in _hard_order(problem) if j not in kept]
    placements = _place_in_order(problem, order, "asap", plan)
    rest = _result(problem, name, order, placements)
    if rest.status != "feasible":
        return rest
    assignment = Assignment.concat([fixed, rest.assignment])
    return BaselineResult(name, "feasible", assignment, (),
                          evaluate(problem, assignment, "rule"))


def _asap_completes(problem: Problem, later, plan: Plan) -> bool:
    """Whether the ASAP rule places every job of ``later`` in the room ``plan`` leaves."""
    return _asap_completion(problem, later, plan) is not None


def _asap_completion(problem: Problem, later, plan: Plan) -> list | None:
    """The ASAP placements of the jobs of ``later`` in the room ``plan`` leaves (added to
    a copy of it), or None when one does not fit."""
    trial = plan.copy()
    placements = []
    for j in later:
        placed = _place(problem, j, trial, "asap")
        if placed is None:
            return None
        trial.place(problem, j, placed[0], placed[1])
        placements.append(placed)
    return placements


def _hard_order(problem: Problem) -> list:
    return [j for j in edf_order(problem) if not problem.jobs.soft[j]]


def _place_in_order(problem: Problem, order: list, rule: str, plan: Plan) -> list:
    """Each job of ``order`` placed by the rule into ``plan`` in the room the earlier ones
    left; None for a job that does not fit."""
    placements = []
    for j in order:
        placed = _place(problem, j, plan, rule)
        placements.append(placed)
        if placed is not None:
            plan.place(problem, j, placed[0], placed[1])
    return placements


def _place_all(problem: Problem, rule: str) -> BaselineResult:
    order = _hard_order(problem)
    return _result(problem, rule, order,
                   _place_in_order(problem, order, rule, Plan.empty(problem)))


def _result(problem: Problem, rule: str, order: list, placements: list) -> BaselineResult:
    jobs = problem.jobs
    parts, unplaced = [], []
    for j, placed in zip(order, placements, strict=True):
        if placed is None:
            unplaced.append(jobs.ids[j])
            continue
        p, hours = placed
        parts.append(Assignment(np.full(len(hours), j), np.full(len(hours), p), hours))
    assignment = Assignment.concat(parts)
    feasible = not unplaced
    return BaselineResult(
        name=rule,
        status="feasible" if feasible else "infeasible",
        assignment=assignment,
        unplaced=tuple(unplaced),
        metrics=evaluate(problem, assignment, "rule") if feasible else None,
    )


@dataclass
class _Work:
    """Job placements a greedy repair has left (:data:`REPAIR_PLACEMENTS_PER_JOB`)."""

    left: int

    def spend(self, placements: int) -> bool:
        """Take ``placements`` from what is left; False when that is not enough."""
        if placements > self.left:
            return False
        self.left -= placements
        return True


def _repaired_greedy(problem: Problem) -> BaselineResult | None:
    """Greedy with repairs (module doc); None when ASAP cannot place every job either.

    Invariant: after the placements of ``order[:safe]``, ASAP places every later job.
    """
    order = _hard_order(problem)
    n = len(order)
    choices: list = [None] * n
    work = _Work(REPAIR_PLACEMENTS_PER_JOB * n)

    def plan_after(k: int) -> Plan:
        plan = Plan.empty(problem)
        for j, (p, hours) in zip(order[:k], choices[:k], strict=True):
            plan.place(problem, j, p, hours)
        return plan

    def completes(k: int) -> bool:
        return _asap_completes(problem, order[k:], plan_after(k))

    def finished(safe: int) -> BaselineResult:
        # greedy's choices up to ``safe``, ASAP after them (the invariant: it fits), then
        # each of those jobs moved once to its greedy placement in what the others leave
        plan = plan_after(safe)
        rest = order[safe:]
        for j, (p, hours) in zip(rest, _asap_completion(problem, rest, plan), strict=True):
            plan.place(problem, j, p, hours)
        for k, j in enumerate(rest, start=safe):
            choices[k] = _reinserted(problem, j, plan)
        return _result(problem, "greedy", order, choices)

    if not completes(0):
        return None
    safe = 0
    while True:
        if not work.spend(n - safe):
            return finished(safe)
        plan = plan_after(safe)
        failed = None
        for k in range(safe, n):
            placed = _place(problem, order[k], plan, "greedy")
            if placed is None:
                failed = k
                break
            choices[k] = placed
            plan.place(problem, order[k], placed[0], placed[1])
        if failed is None:
            return _result(problem, "greedy", order, choices)
        lo, hi = safe, failed + 1  # completes(lo); not completes(hi) (job failed unplaced)
        while hi - lo > 1:
            if not work.spend(n - (lo + hi) // 2):
                return finished(lo)
            mid = (lo + hi) // 2
            if completes(mid):
                lo = mid
            else:
                hi = mid
        # greedy's choice for order[lo] leaves ASAP short: repair it
        if not work.spend(REPAIR_TRIES * (n - lo)):
            return finished(lo)
        choices[lo] = _repair_choice(problem, order[lo], order[lo + 1 :], plan_after(lo))
        safe = lo + 1


def _reinserted(problem: Problem, j: int, plan: Plan):
    """Job j, placed in ``plan``, moved to its greedy placement in the room the other
    jobs leave (where it is stays possible, so it is kept when greedy finds nothing)."""
    p, hours = plan.pod[j], plan.hours[j]
    plan.shift(problem, j, p, hours, -1.0)
    plan.pod[j] = -1
    placed = _place(problem, j, plan, "greedy") or (p, hours)
    plan.place(problem, j, placed[0], placed[1])
    return placed


def _repair_choice(problem: Problem, j, later, plan: Plan):
    """Cheapest of job j's first windows that ASAP can complete after, else ASAP's."""
    fallback = _place(problem, j, plan, "asap")
    for p, hours in _ranked(problem, j, plan, "greedy", REPAIR_TRIES):
        if fallback is not None and p == fallback[0] and np.array_equal(hours, fallback[1]):
            return p, hours
        trial = plan.copy()
        trial.place(problem, j, p, hours)
        if _asap_completes(problem, later, trial):
            return p, hours
    return fallback


def asap(problem: Problem) -> BaselineResult:
    """ASAP baseline: every job as early as possible (EDF order, capacity-aware)."""
    return place_jobs(problem, "asap")


def greedy(problem: Problem) -> BaselineResult:
    """Carbon/price-greedy baseline (EDF order, capacity-aware); see the module doc."""
    return place_jobs(problem, "greedy")
