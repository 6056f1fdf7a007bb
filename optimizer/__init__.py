"""coolshift optimizer: schedule deferrable jobs into cheap, clean, cool hours.

A library with plain numpy / pandas inputs (it imports nothing else of coolshift).
Main entry points:

* :func:`solve_schedule` -- jobs, hourly signals, pods -> :class:`ScheduleResult`
  (MILP by HiGHS through a Pyomo model; rolling horizon for long horizons).
* :func:`validate` -- independent check of any schedule against the inputs (and of the
  assets' hourly operation, ``result.dispatch``).
* :class:`Assets` -- a battery, a cold tank and on-site generation co-optimised with the
  jobs (``solve_schedule(..., assets=...)``).
* :func:`pareto_front` -- cost vs carbon by the epsilon-constraint method.
* :func:`asap`, :func:`greedy` -- capacity-aware baselines on a prepared problem.

See docs/optimizer.md for the formulation.
"""

from optimizer.assets import NO_ASSETS, Assets, Battery, ColdStorage, Dispatch, HeatReuse
from optimizer.baselines import asap, greedy
from optimizer.errors import InfeasibleError, ScheduleInputError
from optimizer.instances import Instance, make_instance, make_jobs, make_pods, make_signals
from optimizer.metrics import Metrics, evaluate
from optimizer.model import build_model
from optimizer.options import Limits, Objective, SolverOptions
from optimizer.pareto import pareto_front
from optimizer.problem import Pods, Problem, pods_from_table, prepare_problem
from optimizer.result import STATUSES, ScheduleResult
from optimizer.rolling import solve_rolling
from optimizer.solve import NoSolutionError, TimeLimitWarning, solve_problem, solve_schedule
from optimizer.validate import Violation, validate, validate_dispatch

__all__ = [
    "NO_ASSETS",
    "STATUSES",
    "Assets",
    "Battery",
    "ColdStorage",
    "Dispatch",
    "HeatReuse",
    "InfeasibleError",
    "Instance",
    "Limits",
    "Metrics",
    "NoSolutionError",
    "Objective",
    "Pods",
    "Problem",
    "ScheduleInputError",
    "ScheduleResult",
    "SolverOptions",
    "TimeLimitWarning",
    "Violation",
    "asap",
    "build_model",
    "evaluate",
    "greedy",
    "make_instance",
    "make_jobs",
    "make_pods",
    "make_signals",
    "pareto_front",
    "pods_from_table",
    "prepare_problem",
    "solve_problem",
    "solve_rolling",
    "solve_schedule",
    "validate",
    "validate_dispatch",
]
