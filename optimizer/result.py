"""The result of a scheduling run (data only)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from optimizer.metrics import Metrics

#: Status strings a :class:`ScheduleResult` can carry.
STATUS_OPTIMAL = "optimal"  # HiGHS proved the schedule within rel_gap of the optimum
STATUS_TIME_LIMIT = "time_limit_feasible"  # time limit hit; best schedule found, gap reported
STATUS_ROLLING_OPTIMAL = "rolling_optimal"  # rolling horizon, every window within rel_gap
STATUS_ROLLING_TIME_LIMIT = "rolling_time_limit_feasible"  # rolling, >= 1 window hit the limit
STATUS_INFEASIBLE = "infeasible"  # (Pareto points only: the solve raises InfeasibleError)
STATUSES = (STATUS_OPTIMAL, STATUS_TIME_LIMIT, STATUS_ROLLING_OPTIMAL,
            STATUS_ROLLING_TIME_LIMIT, STATUS_INFEASIBLE)


@dataclass(frozen=True)
class BaselineSummary:
    """Metrics of a baseline schedule; ``status`` "feasible" or "infeasible"."""

    name: str
    status: str
    schedule: pd.DataFrame
    metrics: Metrics | None
    unplaced: tuple[str, ...] = ()

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
        Model build (Pyomo construction and hand-off to HiGHS) [s]; everything after it
        (LP relaxation, heuristics, MILP) [s].
    metrics : Metrics
        Cost, carbon, peak, energy of the schedule.
    source : str
        Where the returned schedule comes from: "milp" (HiGHS's branch and bound),
        "local_search" (local search / ruin and recreate), "rens" (the LP's sub-MILP),
        "lp_guided" (LP-guided placement), "greedy" or "asap" (a baseline kept as is).
    baselines : dict
        "asap" and "greedy" :class:`BaselineSummary`.
    model_size : dict
        Variables, rows and nonzeros (summed over windows when rolling).
    windows : list of dict
        Per rolling window: start, status, gap, build_s, solve_s (empty when monolithic).
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
    model_size: dict = field(default_factory=dict)
    windows: list = field(default_factory=list)

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
            "model_size": self.model_size,
        }
        for name, base in self.baselines.items():
            out[name] = base.as_dict()
        if self.windows:
            out["windows"] = len(self.windows)
            out["max_window_gap"] = _num(max(w["gap"] for w in self.windows))
        return out


def _num(x: float) -> float | None:
    """JSON has no NaN/inf: None stands for 'not defined'."""
    x = float(x)
    return x if math.isfinite(x) else None
