"""Run HiGHS on a built model: options, MIP start, status, bound and gap.

Two interfaces solve the same Pyomo model (``SolverOptions.interface``):

* ``"direct"``: the recorded matrix goes to highspy in one call
  (:func:`optimizer.linear.to_highs`); the greedy schedule is passed as a MIP start
  with ``Highs.setSolution``.
* ``"pyomo"``: ``SolverFactory('highs')`` (pyomo.contrib.solver, Pyomo 6.10) with
  ``raise_exception_on_nonoptimal_result=False`` and ``load_solutions=False`` so a
  time-limited incumbent is returned, not raised. That interface has no MIP-start
  option, so the caller keeps the better of the MILP and greedy schedules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from optimizer.linear import to_highs
from optimizer.model import BuiltModel
from optimizer.options import SolverOptions


@dataclass(frozen=True)
class SolveOutcome:
    """What HiGHS returned.

    ``termination`` is "optimal", "time_limit", "infeasible" or "other"; ``values``
    is the incumbent's column vector or None; ``objective``/``bound`` [currency] are
    HiGHS's incumbent objective and best bound; ``gap`` is relative (HiGHS's
    definition: |objective - bound| / |objective|).
    """

    termination: str
    has_solution: bool
    values: np.ndarray | None
    objective: float
    bound: float
    gap: float
    solve_s: float
    load_s: float
    detail: str


def _relative_gap(objective: float, bound: float) -> float:
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("inf")
    return abs(objective - bound) / max(abs(objective), 1e-9)


def apply_options(h: highspy.Highs, options: SolverOptions) -> None:
    """Time limit, relative gap and threads on a highspy object."""
    if options.time_limit_s is not None:
        h.setOptionValue("time_limit", float(options.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(options.rel_gap))
    h.setOptionValue("threads", int(options.threads))


def run_highs(h: highspy.Highs, options: SolverOptions, start: np.ndarray | None,
              load_s: float = 0.0) -> SolveOutcome:
    """Run a loaded highspy model (optionally from a MIP start) and read the outcome."""
    apply_options(h, options)
    if start is not None:
        n = len(start)
        h.setSolution(n, np.arange(n, dtype=np.int32), np.asarray(start, dtype=np.float64))
    tick = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - tick
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2
    values = np.array(h.getSolution().col_value) if has_solution else None
    if status == highspy.HighsModelStatus.kOptimal:
        termination = "optimal"
    elif status == highspy.HighsModelStatus.kTimeLimit:
        termination = "time_limit"
    elif status in (highspy.HighsModelStatus.kInfeasible,
                    highspy.HighsModelStatus.kUnboundedOrInfeasible):
        termination = "infeasible"
    else:
        termination = "other"
    objective = float(info.objective_function_value) if has_solution else float("nan")
    is_mip = info.mip_node_count >= 0
    if is_mip:
        bound = float(info.mip_dual_bound)
    else:
        bound = objective if termination == "optimal" else float("-inf")
    return SolveOutcome(
        termination=termination,
        has_solution=has_solution,
        values=values,
        objective=objective,
        bound=bound,
        gap=_relative_gap(objective, bound) if has_solution else float("inf"),
        solve_s=solve_s,
        load_s=load_s,
        detail=h.modelStatusToString(status),
    )


def solve_direct(built: BuiltModel, options: SolverOptions,
                 start: np.ndarray | None = None, first_solution: bool = False) -> SolveOutcome:
    """Solve through highspy with the recorded matrix (see the module doc).

    ``first_solution``: stop at the first feasible schedule (``mip_max_improving_sols``
    1), for when none is known yet.
    """
    tick = time.perf_counter()
    h = to_highs(built.model)
    if first_solution:
        h.setOptionValue("mip_max_improving_sols", 1)
    return run_highs(h, options, start, load_s=time.perf_counter() - tick)


def solve_pyomo(built: BuiltModel, options: SolverOptions) -> SolveOutcome:
    """Solve through Pyomo's ``SolverFactory('highs')``; values read from the Pyomo vars."""
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

    opt = SolverFactory("highs")  # the pyomo.contrib.solver interface (Pyomo 6.10)
    tick = time.perf_counter()
    res = opt.solve(
        built.model,
        time_limit=options.time_limit_s,
        rel_gap=options.rel_gap,
        threads=options.threads,
        raise_exception_on_nonoptimal_result=False,
        load_solutions=False,
    )
    elapsed = time.perf_counter() - tick
    highs_s = float(getattr(res.timing_info, "highs_time", elapsed) or elapsed)
    tc = res.termination_condition
    has_solution = res.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if tc == TerminationCondition.convergenceCriteriaSatisfied:
        termination = "optimal"
    elif tc == TerminationCondition.maxTimeLimit:
        termination = "time_limit"
    elif tc in (TerminationCondition.provenInfeasible,
                TerminationCondition.infeasibleOrUnbounded):
        termination = "infeasible"
    else:
        termination = "other"
    values = None
    if has_solution:
        res.solution_loader.load_vars()
        values = np.array([0.0 if v.value is None else v.value
                           for v in built.model.record.variables])
    objective = float(res.incumbent_objective) if has_solution else float("nan")
    bound = res.objective_bound
    bound = float(bound) if bound is not None else float("-inf")
    return SolveOutcome(
        termination=termination,
        has_solution=has_solution,
        values=values,
        objective=objective,
        bound=bound,
        gap=_relative_gap(objective, bound) if has_solution else float("inf"),
        solve_s=highs_s,
        load_s=max(elapsed - highs_s, 0.0),
        detail=str(tc),
    )
