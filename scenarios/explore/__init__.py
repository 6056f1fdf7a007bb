"""Views of a scenario for interactive exploration (the app's pages ask for these).

Plain functions over a validated :class:`~scenarios.schema.Scenario` or a finished
:class:`~scenarios.run.RunResult`, one module per subject:

* :mod:`~scenarios.explore.climate`: :func:`climate_summary`, :func:`design_conditions`
  (and :func:`~scenarios.inputs.load_weather`, the weather they summarise);
* :mod:`~scenarios.explore.halls`: :func:`pod_problems`, :func:`simulate_year` (a full
  calendar year of every pod at its inference load), :func:`technology_table`,
  :func:`pue_grid`, :func:`energy_by_component`, :func:`cooling_mode_hours`;
* :mod:`~scenarios.explore.runs`: :func:`gantt_segments`, :func:`power_stack`,
  :func:`schedule_comparison`, :func:`savings_table`, :func:`lever_table`, :func:`pareto_curve`;
* :mod:`~scenarios.explore.variants`: :func:`with_cooling`, :func:`with_rack_density`,
  :func:`kpi_table`.

Modules that pull in the MILP stack (``scenarios.run``, ``scenarios.workload`` and
``optimizer``) are imported inside the functions that need them, so that a page showing
only the climate starts quickly.
"""

from __future__ import annotations

from scenarios.errors import ScenarioError
from scenarios.explore.climate import climate_summary, design_conditions
from scenarios.explore.halls import (
    COMPONENTS,
    cooling_mode_hours,
    energy_by_component,
    pod_problems,
    pue_grid,
    simulate_year,
    technology_table,
    year_hours,
)
from scenarios.explore.runs import (
    gantt_segments,
    lever_table,
    pareto_curve,
    power_stack,
    rolling_windows,
    savings_table,
    schedule_comparison,
)
from scenarios.explore.variants import COMPARE_KPIS, kpi_table, with_cooling, with_rack_density
from scenarios.inputs import load_weather
from thermal.errors import ThermalInputError

__all__ = [
    "COMPARE_KPIS",
    "COMPONENTS",
    "ThermalInputError",
    "climate_summary",
    "cooling_mode_hours",
    "design_conditions",
    "energy_by_component",
    "gantt_segments",
    "input_errors",
    "kpi_table",
    "lever_table",
    "load_weather",
    "pareto_curve",
    "pod_problems",
    "power_stack",
    "pue_grid",
    "rolling_windows",
    "savings_table",
    "schedule_comparison",
    "simulate_year",
    "technology_table",
    "with_cooling",
    "with_rack_density",
    "year_hours",
]


def input_errors() -> tuple[type[Exception], ...]:
    """Every exception type that means "the input cannot be used" (not a bug).

    ``ScenarioError``, ``ThermalInputError``, the optimizer's ``ScheduleInputError`` and
    ``InfeasibleError``, and ``NoSolutionError`` (time limit reached before any schedule).
    Their messages say what is wrong and how to fix it. The optimizer is imported only
    when this is called (an ``except input_errors():`` clause calls it only when an
    exception is on its way).
    """
    from optimizer.errors import InfeasibleError, ScheduleInputError
    from optimizer.solve import NoSolutionError

    return (ScenarioError, ThermalInputError, ScheduleInputError, InfeasibleError, NoSolutionError)
