"""The result of a scheduling run (data only)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from optimizer.assets import Dispatch
from optimizer.dispatch import rule_dispatch
from optimizer.metrics import Metrics
from optimizer.schedule import it_load_kw, to_frame

#: Status strings a :class:`ScheduleResult` can carry.
STATUS_OPTIMAL = "optimal"  # HiGHS proved the schedule within rel_gap of the optimum
STATUS_TIME_LIMIT = "time_limit_feasible"  # time limit hit; best schedule found, gap reported
STATUS_ROLLING_OPTIMAL = "rolling_optimal"  # rolling horizon, every window within rel_gap
STATUS_ROLLING_TIME_LIMIT = "rolling_time_limit_feasible"  # rolling, >= 1 window hit the limit
STATUS_INFEASIBLE = "infeasible"  # (Pareto points only: the solve raises InfeasibleError)
STATUSES = (STATUS_OPTIMAL, STATUS_TIME_LIMIT, STATUS_ROLLING_OPTIMAL,
            STATUS_ROLLING_TIME_LIMIT, STATUS_INFEASIBLE)


@dataclass(frozen=True)
class ModelSize:
    """Size of a MILP (summed over windows when rolling)."""

    variables: int = 0
    rows: int = 0
    nonzeros: int = 0
    binaries: int = 0

    def __add__(self, other: ModelSize) -> ModelSize:
        return ModelSize(self.variables + other.variables, self.rows + other.rows,
                         self.nonzeros + other.nonzeros, self.binaries + other.binaries)

    def as_dict(self) -> dict:
        return {k: int(getattr(self, k)) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class WindowRecord:
    """One rolling window: what it was given and what it returned.

    Attributes
    ----------
    start : str
        First hour (ISO 8601).
    jobs : int
        Jobs planned in the window.
    budget_s : float
        Its share of the run's time left [s] (inf without a limit).
    termination : str
        "optimal" (within rel_gap of the window's bound) or "time_limit".
    gap : float
        The window's own gap [-] (against its bound, commitments before it taken as given).
    source : str
        The stage that found the window's schedule (:data:`optimizer.pipeline.STAGES`).
    build_s, solve_s : float
        Model build and hand-offs [s]; everything else [s].
    size : ModelSize
    """

    start: str
    jobs: int
    budget_s: float
    termination: str
    gap: float
    source: str
    build_s: float
    solve_s: float
    size: ModelSize


@dataclass(frozen=True)
class BaselineSummary:
    """Metrics of a baseline schedule; ``status`` "feasible" or "infeasible"."""

    name: str
    status: str
    schedule: pd.DataFrame
    metrics: Metrics | None
    unplaced: tuple[str, ...] = ()
    dispatch: Dispatch | None = None  # the assets run by the rule (None without assets)

    @staticmethod
    def of(problem, base) -> BaselineSummary:
        """The summary of an :class:`optimizer.baselines.BaselineResult` on ``problem``
        (with assets, their hourly operation by the baselines' rule)."""
        dispatch = None
        if problem.assets.active and base.status == "feasible":
            dispatch = rule_dispatch(problem, it_load_kw(problem, base.assignment))
        return BaselineSummary(name=base.name, status=base.status,
                               schedule=to_frame(problem, base.assignment),
                               metrics=base.metrics, unplaced=base.unplaced,
                               dispatch=dispatch)

    def as_dict(self) -> dict:
        out = {"status": self.status}
        if self.metrics is not None:
            out.update({k: _num(v) for k, v in self.metrics.as_dict().items()})
        if self.unplaced:
            out["unplaced_jobs"] = list(self.unplaced)
        return out


@dataclass(frozen=True)
class ScheduleResult:
    """A schedule with everything needed to judge it.

    Attributes
    ----------
    schedule : DataFrame
        job_id, pod, timestamp (start of the hour), power_kw [kW]; one row per job-hour.
    it_load_kw : DataFrame
        Jobs' IT load per pod and hour [kW].
    status : str
        One of :data:`STATUSES`.
    objective : float
        Objective of the returned schedule, evaluated from its loads [currency].
    best_bound : float
        Best lower bound on the objective [currency]: the larger of HiGHS's MILP bound
        and the LP relaxation's value. Rolling: the solve-free bound of the whole
        horizon (:func:`optimizer.heuristics.simple_bound`), as a window's bound takes the
        commitments before it as given and bounds nothing for the whole; it is weak
        where demand charges or capacity couple jobs.
    gap : float
        Relative gap (objective - best_bound) / |objective| [-] (rolling: against that
        bound; the largest window gap is ``summary()["max_window_gap"]``).
    build_s, solve_s : float
        Model build (Pyomo construction and every hand-off to HiGHS) [s]; everything
        else (baselines, LP relaxation, heuristics, MILP) [s].
    metrics : Metrics
        Cost, carbon, peak, energy of the schedule.
    source : str
        The stage that found the returned schedule (:data:`optimizer.pipeline.STAGES`):
        "milp" (HiGHS's branch and bound), "ruin_recreate", "local_search", "greedy" or
        "asap" (a baseline kept as is), "carried" (a rolling window's previous plan).
        Rolling: "rolling", each window's own source in ``windows``; or the whole-horizon
        baseline's name when it replaced the rolling schedule.
    baselines : dict
        "asap" and "greedy" :class:`BaselineSummary`.
    model_size : ModelSize
        Summed over windows when rolling.
    windows : tuple of WindowRecord
        Per rolling window (empty when solved in one piece).
    stages : tuple of optimizer.search.StageRecord
        Per stage of the one-piece solve: time, objective and bound after it (empty when
        rolling: each window has its own).
    rolling_reason : str
        Why the horizon was (or was not) solved in rolling windows.
    dispatch : Dispatch or None
        How the site's assets run with the schedule, hour by hour (the cheapest
        operation for it, :func:`optimizer.dispatch.optimal_dispatch`); None without
        assets.
    """

    schedule: pd.DataFrame
    it_load_kw: pd.DataFrame
    status: str
    objective: float
    best_bound: float
    gap: float
    build_s: float
    solve_s: float
    metrics: Metrics
    source: str
    baselines: dict
    model_size: ModelSize = field(default_factory=ModelSize)
    windows: tuple = ()
    stages: tuple = ()
    rolling_reason: str = ""
    dispatch: Dispatch | None = None

    @property
    def cost(self) -> float:
        return self.metrics.cost

    @property
    def carbon_kg(self) -> float:
        return self.metrics.carbon_kg

    @property
    def peak_kw(self) -> float:
        return self.metrics.peak_kw

    def summary(self) -> dict:
        """JSON-ready summary (no DataFrames)."""
        out = {
            "status": self.status,
            "objective": _num(self.objective),
            "bound": _num(self.best_bound),
            "gap": _num(self.gap),
            "cost": _num(self.cost),
            "carbon_kg": _num(self.carbon_kg),
            "peak_kw": _num(self.peak_kw),
            "energy_kwh": _num(self.metrics.energy_kwh),
            "build_s": round(self.build_s, 4),
            "solve_s": round(self.solve_s, 4),
            "source": self.source,
            "model_size": self.model_size.as_dict(),
            "rolling": self.rolling_reason,
        }
        for name, base in self.baselines.items():
            out[name] = base.as_dict()
        if self.windows:
            out["windows"] = len(self.windows)
            out["max_window_gap"] = _num(max(w.gap for w in self.windows))
            sources: dict[str, int] = {}
            for w in self.windows:
                sources[w.source] = sources.get(w.source, 0) + 1
            out["window_sources"] = sources
        if self.stages:
            out["stages"] = [{"stage": s.stage, "seconds": round(s.seconds, 4),
                              "objective": _num(s.objective), "bound": _num(s.bound),
                              "improved": s.improved, "note": s.note} for s in self.stages]
        return out


def _num(x: float) -> float | None:
    """JSON has no NaN/inf: None stands for 'not defined'."""
    x = float(x)
    return x if math.isfinite(x) else None
