"""The state of one solve: the model, the incumbent, the bound and the clock.

Every stage of :mod:`optimizer.pipeline` reads and updates one :class:`Search`. It owns

* the **incumbent**: the best schedule found so far (a column vector of the model, its
  objective and the stage that found it). A schedule replaces it only through
  :meth:`Search.offer`, the single "feasible and better" test: it must meet every row
  and bound of the model (:func:`optimizer.linear.violated_rows`; a heuristic schedule
  that fails points to a bug and is dropped with a warning) and lower the objective by
  more than rounding noise;
* the **bound**: the best proven lower bound (LP relaxation, HiGHS's MILP bound, or the
  solve-free :func:`optimizer.heuristics.simple_bound`), raised only through
  :meth:`Search.raise_bound`;
* the **clock**: one deadline for the whole solve; each stage takes a share of the time
  left (:meth:`Search.budget`).

It also keeps what each stage did (:class:`StageRecord`), so a result can say which
stage found its schedule and what each stage was worth.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from optimizer.baselines import BaselineResult
from optimizer.linear import violated_rows
from optimizer.model import (
    BuiltModel,
    assignment_from_values,
    model_objective,
    values_from_assignment,
)
from optimizer.options import SolverOptions
from optimizer.schedule import Assignment

#: Relative objective decrease a new schedule must bring to replace the incumbent
#: (judgement: above the rounding noise of sums of ~1e6 terms, far below any saving).
IMPROVE_RTOL = 1e-9
#: Rounding allowance on the relative gap test [-] (judgement: HiGHS's own objective
#: tolerances are ~1e-9 relative; a gap of 1e-16 is zero).
GAP_TOLERANCE = 1e-9
#: Heuristics budget when there is no time limit [s] (judgement: the stages' shares of
#: this; the MILP then runs without limit).
UNLIMITED_BUDGET_S = 30.0


#: Share of the time limit kept back for turning the search's schedule into the result's
#: tables and metrics (judgement from a measurement: 1.9 s after a 150 s one-piece solve of
#: 10,000 jobs x 8760 h, 1.3 % of the limit; bench/README.md).
FINISH_SHARE = 0.02


def work_deadline(options: SolverOptions) -> float:
    """``time.perf_counter()`` value by which the search must stop so the whole call ends
    within ``options.time_limit_s`` (inf without a limit)."""
    limit = options.time_limit_s
    if limit is None:
        return np.inf
    return time.perf_counter() + limit * (1.0 - FINISH_SHARE)


def relative_gap(objective: float, bound: float) -> float:
    """(objective - bound) / |objective| [-]; inf without a finite bound."""
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("inf")
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)


@dataclass(frozen=True)
class StageRecord:
    """What one stage did.

    Attributes
    ----------
    stage : str
        Stage name (:data:`optimizer.pipeline.STAGES`).
    seconds : float
        Wall time the stage took [s].
    objective : float
        Incumbent objective after the stage [currency] (inf while there is none).
    bound : float
        Best bound after the stage [currency].
    improved : bool
        Whether the stage replaced the incumbent.
    note : str
        What the stage reports (e.g. HiGHS's status, "skipped: ...").
    """

    stage: str
    seconds: float
    objective: float
    bound: float
    improved: bool
    note: str = ""


@dataclass
class Search:
    """One solve's working state (see the module doc). Mutable; one per solve.

    Attributes
    ----------
    built : BuiltModel
        The MILP of the problem.
    options : SolverOptions
    deadline_s : float
        ``time.perf_counter()`` value at which the solve must end (inf: no limit).
    baselines : dict
        "asap" and "greedy" :class:`optimizer.baselines.BaselineResult`.
    starts : list of (str, Assignment)
        Feasible schedules the local search starts from (the baselines, a carried plan).
    carried : callable or None
        Gives a schedule a caller carries in, offered when neither baseline places every
        job (:func:`optimizer.pipeline.run_stages`).
    x_lp : ndarray or None
        The LP relaxation's column values, once solved.
    handoff_s : float
        Time spent loading the model into HiGHS, every load summed [s].
    milp_termination : str
        HiGHS's MILP status ("" before the MILP ran): "optimal", "time_limit", ...
    may_overrun : bool
        Whether HiGHS may run past the deadline for a first schedule when no stage has
        one (the limit again, at most :data:`optimizer.pipeline.FIRST_SOLUTION_S`); False
        where the caller has a schedule to fall back on (a rolling horizon's whole-horizon
        baseline).
    """

    built: BuiltModel
    options: SolverOptions
    deadline_s: float
    baselines: dict = field(default_factory=dict)
    starts: list = field(default_factory=list)
    carried: object = None
    x_lp: np.ndarray | None = None
    handoff_s: float = 0.0
    milp_termination: str = ""
    may_overrun: bool = True
    incumbent: np.ndarray | None = None
    objective: float = float("inf")
    source: str = ""
    bound: float = float("-inf")
    records: list = field(default_factory=list)

    @property
    def problem(self):
        return self.built.problem

    # ------------------------------------------------------------------ objective

    def objective_of(self, x: np.ndarray) -> float:
        """Model objective of a column vector, constant included [currency]."""
        return model_objective(self.built, x)

    def feasible(self, x: np.ndarray, source: str) -> bool:
        """Whether ``x`` meets every row and bound of the model (warns when not)."""
        broken = violated_rows(self.built.model, x)
        if broken:
            name, key, amount = broken[0]
            warnings.warn(f"a {source} schedule broke {len(broken)} model row(s), e.g. "
                          f"{name}[{key}] by {amount:.3g}; it was not used", RuntimeWarning,
                          stacklevel=3)
        return not broken

    # ------------------------------------------------------------------ incumbent

    def offer(self, x: np.ndarray | None, source: str, checked: bool = False) -> bool:
        """Make ``x`` the incumbent if it is feasible and better (the only way in).

        Parameters
        ----------
        x : ndarray or None
            Column vector of a schedule (None: nothing offered).
        source : str
            The stage or rule that found it.
        checked : bool
            True when HiGHS returned ``x`` as feasible for this very model (its rows are
            not checked again).
        """
        if x is None:
            return False
        value = self.objective_of(x)
        if self.incumbent is not None and not value < self.objective - IMPROVE_RTOL * max(
                abs(self.objective), 1.0):
            return False
        if not checked and not self.feasible(x, source):
            return False
        self.incumbent, self.objective, self.source = x, value, source
        return True

    def offer_assignment(self, assignment: Assignment | None, source: str) -> bool:
        """:meth:`offer` of a schedule given as job-hours."""
        if assignment is None:
            return False
        return self.offer(values_from_assignment(self.built, assignment), source)

    def assignment(self) -> Assignment:
        """The incumbent as job-hours (empty when there is none)."""
        if self.incumbent is None:
            return Assignment.empty()
        return assignment_from_values(self.built, self.incumbent)

    # ------------------------------------------------------------------ bound

    def raise_bound(self, value: float) -> None:
        """Take a proven lower bound [currency] if it is higher than the current one."""
        if np.isfinite(value) and value > self.bound:
            self.bound = float(value)

    @property
    def gap(self) -> float:
        """Relative gap of the incumbent against the bound [-]."""
        return relative_gap(self.objective, self.bound)

    @property
    def proven(self) -> bool:
        """Whether the incumbent is within ``rel_gap`` of the bound (or HiGHS proved the
        MILP optimal within its tolerances)."""
        if self.incumbent is None:
            return False
        return self.milp_termination == "optimal" or (
            self.gap <= self.options.rel_gap + GAP_TOLERANCE)

    # ------------------------------------------------------------------ clock

    def time_left(self) -> float:
        """Seconds before the deadline [s] (inf without a limit)."""
        return self.deadline_s - time.perf_counter()

    def budget(self, share: float) -> float:
        """A share of the time left [s] (of :data:`UNLIMITED_BUDGET_S` without a limit)."""
        if np.isinf(self.deadline_s):
            return share * UNLIMITED_BUDGET_S
        return max(share * self.time_left(), 0.0)

    def record(self, stage: str, seconds: float, improved: bool, note: str = "") -> None:
        self.records.append(StageRecord(stage, seconds, self.objective, self.bound, improved,
                                        note))


def preferred_baseline(baselines: dict) -> BaselineResult | None:
    """Greedy if it placed every job, else ASAP if it did, else None."""
    for name in ("greedy", "asap"):
        base = baselines.get(name)
        if base is not None and base.status == "feasible":
            return base
    return None
