"""The forecast mode of a run: schedules planned on forecasts, settled on actuals.

With ``[forecast] method`` other than ``"perfect"``, a run plans as an operator who does
not know the future would (the forecasts themselves: :mod:`scenarios.forecasts`):

* the MILP plans on the forecast issued at the horizon's start; a horizon that rolls
  re-issues the forecast at each window start with the data known then
  (:func:`optimizer.rolling.solve_rolling`, ``signals_at``). To re-plan every day on a
  horizon of a week, set ``solver.window_h`` below the horizon (e.g. 48, step 24);
* the greedy rule decides each job when it is released, on the forecast issued at that
  hour, in the room the jobs decided before it left: the rule of the anchors in
  reference/scheduling.md (carbon-aware-sdk; Wiesner et al., Middleware '21). Jobs
  released in the same hour are placed together in EDF order;
* ASAP does not look at the signals and stays as it is.

Each schedule is then settled on the actual signals: re-simulated like every schedule of
a run (its KPIs) and evaluated by the optimizer's own metrics
(:func:`optimizer.metrics.evaluate` on the actual signals); it must pass
:func:`optimizer.validate`. The same procedures on the actual signals are the
perfect-foresight references (schedules ``milp_perfect`` and ``greedy_perfect``). The
*regret* of a procedure is the settled objective of its forecast schedule minus that of
its perfect-foresight schedule: never negative for the MILP when both solves are proven
optimal (the perfect one is optimal for the actual signals, the forecast one is feasible
for them); with a time limit it can be negative by up to the solves' gaps, and for the
greedy rule (a heuristic) a forecast can by luck beat perfect foresight.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer import solve_schedule, validate
from optimizer.baselines import greedy
from optimizer.metrics import evaluate
from optimizer.problem import Pods, Problem, prepare_problem
from optimizer.schedule import from_frame, it_load_kw, to_frame
from scenarios import kpis as K
from scenarios.errors import ScenarioError
from scenarios.forecasts import (
    DAY_H,
    HISTORY_H,
    HistoryError,
    SignalForecast,
    file_forecast,
    nmae_pct,
    read_forecast_file,
)
from scenarios.importers import Imported, read_carbon, read_price
from scenarios.inputs import HourlyInputs
from scenarios.schema import Scenario

#: Least time the solve on forecasts gets when the perfect-foresight solve used up the
#: run's limit [s] (judgement: the baselines and a first local search of a rolling window).
MIN_FORECAST_SOLVE_S = 1.0

#: What each method is, for the run's sources and messages.
METHOD_TEXT = {
    "persistence": "persistence (the last 24 h known at each issue hour, repeated)",
    "seasonal_naive": "seasonal naive (the same hour a week before each issue hour; a day "
    "before while less than a week is known)",
    "file": "the forecast file {file}",
}
#: The run's keys of kpis.json this module fills (null with perfect foresight).
FORECAST_KPIS = (
    "forecast_carbon_nmae_pct",
    "forecast_price_nmae_pct",
    "forecast_regret",
    "forecast_regret_pct",
    "forecast_greedy_regret",
    "forecast_carbon_regret_t",
    "perfect_cost_saving_vs_asap_pct",
    "perfect_carbon_saving_vs_asap_pct",
)


@dataclass(frozen=True)
class Forecasts:
    """The run's price and carbon as a planner knows them at any issue hour.

    Attributes
    ----------
    method : str
    actual : DataFrame
        ``price_per_kwh`` [currency/kWh] and ``carbon_g_per_kwh`` [gCO2e/kWh] on the
        run's hours.
    forecast : dict
        Signal name -> :class:`~scenarios.forecasts.SignalForecast`, for the signals that
        are forecast; the others are known in advance (their actual values are used).
    nmae_pct : dict
        Signal name -> normalised mean absolute error of its day-ahead forecast over the
        horizon [%] (:func:`scenarios.forecasts.nmae_pct`).
    """

    method: str
    actual: pd.DataFrame
    forecast: dict[str, SignalForecast]
    nmae_pct: dict[str, float]

    def values_at(self, a: int, end: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Price [currency/kWh] and carbon [gCO2e/kWh] of hours ``a .. end - 1`` as known
        at hour ``a``; with ``end`` None, to the horizon's end (the optimizer's
        ``signals_at`` hook)."""
        end = len(self.actual) if end is None else end
        out = []
        for name in ("price_per_kwh", "carbon_g_per_kwh"):
            if name in self.forecast:
                out.append(self.forecast[name].issued_at(a, end))
            else:
                out.append(self.actual[name].to_numpy(dtype=float)[a:end])
        return out[0], out[1]

    def frame_at(self, a: int, end: int) -> pd.DataFrame:
        """:meth:`values_at` as a signals table on the hours ``a .. end - 1``."""
        price, carbon = self.values_at(a, end)
        return pd.DataFrame({"price_per_kwh": price, "carbon_g_per_kwh": carbon},
                            index=self.actual.index[a:end])


def _history(imported: Imported, hours: pd.DatetimeIndex, fill: str) -> np.ndarray:
    """The gap-free hours of a series just before the horizon, up to :data:`HISTORY_H`
    (gaps filled as the scenario's ``fill`` allows; before a gap left open, nothing)."""
    before = pd.date_range(end=hours[0] - pd.Timedelta(hours=1), periods=HISTORY_H, freq="h")
    series = imported.values.reindex(before.tz_convert("UTC"))
    if fill == "interpolate":
        series = series.interpolate(limit_area="inside")
    elif fill == "ffill":
        series = series.ffill()
    values = series.to_numpy(dtype=float)
    gaps = np.flatnonzero(np.isnan(values))
    return values[gaps[-1] + 1 :] if len(gaps) else values


def _hourly_series(scenario: Scenario) -> dict[str, tuple[Callable[[], Imported], str]]:
    """The run's signals that are hourly series read from files: each with its reader
    (as :mod:`scenarios.inputs` reads it) and its fill policy."""
    grid, tz = scenario.grid, scenario.site.timezone
    out = {}
    if grid.carbon.source == "file":
        c = grid.carbon
        out["carbon_g_per_kwh"] = (lambda: read_carbon(
            Path(c.file), column=c.column, naive=c.timestamps, tz=tz), c.fill)
    if grid.price.source == "file":
        p = grid.price
        out["price_per_kwh"] = (lambda: read_price(
            Path(p.file), naive=p.timestamps, tz=tz, unit=p.unit), p.fill)
    return out


def prepare_forecasts(scenario: Scenario, inputs: HourlyInputs) -> Forecasts | None:
    """The run's forecasts (None with perfect foresight), every file read and checked
    before any schedule is made; what is forecast goes to the run's sources and notes.

    Raises
    ------
    ScenarioError
        A bad forecast file (named, with its row), a forecast file column for a signal
        known in advance, or too little history before ``horizon.start``.
    """
    spec = scenario.forecast
    if spec.method == "perfect":
        return None
    hours = inputs.frame.index
    actual = inputs.frame[["price_per_kwh", "carbon_g_per_kwh"]].copy()
    series = _hourly_series(scenario)
    forecast_file = None
    if spec.method == "file":
        forecast_file = read_forecast_file(Path(spec.file), naive=spec.timestamps,
                                           tz=scenario.site.timezone)
        inputs.notes.extend(forecast_file.notes)
        extra = [s for s in forecast_file.values if s not in series]
        if extra:
            raise ScenarioError(
                f"has a '{extra[0]}' column, but the run's {extra[0]} is not an hourly file "
                "series: a tariff or a constant factor is known in advance and not forecast; "
                "remove the column",
                file=forecast_file.path,
            )
    forecast = {}
    for name, (read, fill) in series.items():
        history = _history(read(), hours, fill)
        known = np.concatenate((history, actual[name].to_numpy(dtype=float)))
        if forecast_file is not None:
            forecast[name] = file_forecast(name, forecast_file, known, len(history), hours)
        else:
            forecast[name] = SignalForecast(name, spec.method, known, len(history))
    nmae = {}
    for name, signal in forecast.items():
        try:
            nmae[name] = nmae_pct(signal)
        except HistoryError:
            source = {"carbon_g_per_kwh": scenario.grid.carbon,
                      "price_per_kwh": scenario.grid.price}[name]
            raise ScenarioError(
                f"{spec.method} needs {DAY_H} h of {name} data before horizon.start "
                f"({hours[0]:%Y-%m-%d %H:%M}); the {name} file {source.file} has "
                f"{signal.history_h} h without gaps before it; start the horizon later or "
                "bring a forecast file (method = 'file')",
                field="forecast.method",
            ) from None
    text = METHOD_TEXT[spec.method].format(file=Path(spec.file or "").name)
    what = ", ".join(forecast) or "nothing"
    inputs.sources["forecast"] = f"{text}; forecast: {what}"
    if not forecast:
        inputs.notes.append(
            f"Forecast mode ({spec.method}): neither carbon nor price is an hourly series "
            "read from a file (a tariff or a constant factor is known in advance), so the "
            "forecast equals the actual signals and the regret is 0."
        )
    inputs.assumptions.append(
        f"Schedules are planned on {text} ({what}) and settled on the actual signals: the "
        "MILP on the forecast issued at the horizon start (re-issued at each window start "
        "when the horizon rolls), the greedy rule on the forecast issued at each job's "
        "release. Perfect-foresight references: milp_perfect, greedy_perfect."
    )
    return Forecasts(spec.method, actual, forecast, nmae)


def greedy_at_release(problem: Problem, jobs: pd.DataFrame, pods: Pods, limits, objective,
                      frame_at: Callable[[int, int], pd.DataFrame]
                      ) -> tuple[pd.DataFrame, list[str]]:
    """The greedy rule deciding each job at its release on the signals known then.

    Jobs are taken release hour by release hour; those released at hour ``r`` are placed by
    :func:`optimizer.baselines.greedy` on ``frame_at(r, end)`` (the signals of hours ``r``
    to their latest deadline as known at ``r``), in the pod, cooling and grid room the jobs
    decided before left them (added to the pods' fixed load).

    Parameters
    ----------
    problem : Problem
        The run's problem (actual signals): its hours, job windows and pods.
    jobs : DataFrame
        The jobs table ``problem`` was prepared from.
    pods, limits, objective
        As given to :func:`optimizer.problem.prepare_problem`.
    frame_at : callable
        ``(r, end) -> signals table`` of hours ``r .. end - 1`` known at hour ``r``.

    Returns
    -------
    (DataFrame, list of str)
        The schedule (job_id, pod, timestamp, power_kw) and the jobs it could not place.
    """
    jobs = jobs.reset_index(drop=True)
    release, deadline = problem.jobs.release, problem.jobs.deadline
    hours = problem.hours
    base = pods.baseline_kw if pods.baseline_kw is not None else \
        pd.DataFrame(0.0, index=hours, columns=list(problem.pods))
    committed = np.zeros((len(problem.pods), len(hours)))  # job IT load decided [kW]
    parts, unplaced = [], []
    for r in np.unique(release):
        group = np.flatnonzero(release == r)
        end = int(deadline[group].max())

        def part(frame: pd.DataFrame | None, r=r, end=end) -> pd.DataFrame | None:
            return None if frame is None else frame.iloc[r:end]

        fixed = part(base)[list(problem.pods)] + committed[:, r:end].T
        sub_pods = Pods(capacity_kw=part(pods.capacity_kw), baseline_kw=fixed,
                        cooling_capacity_kw=part(pods.cooling_capacity_kw),
                        facility_factor=part(pods.facility_factor),
                        fixed_overhead_kw=part(pods.fixed_overhead_kw))
        sub = prepare_problem(jobs.iloc[group], frame_at(int(r), end), sub_pods, limits,
                              objective)
        placed = greedy(sub)
        unplaced.extend(placed.unplaced)
        committed[:, r:end] += it_load_kw(sub, placed.assignment)
        parts.append(to_frame(sub, placed.assignment))
    return pd.concat(parts, ignore_index=True), unplaced


def _check(name: str, schedule: pd.DataFrame, prep) -> None:
    """Every schedule passes the independent validator; a violation is a bug."""
    found = validate(schedule, prep.jobs, prep.pods, prep.signals, prep.limits)
    if found:
        detail = "; ".join(f"{v.kind}: {v.detail}" for v in found[:5])
        raise RuntimeError(f"the {name} schedule fails independent validation: {detail}")


def plan_on_forecasts(forecasts: Forecasts, prep, optimize: bool, schedules: dict,
                      unplaced: dict, solver: dict,
                      say: Callable[[str], None] = lambda text: None,
                      deadline_s: float | None = None) -> tuple[dict, dict, dict]:
    """The run's schedules re-planned on forecasts (module doc).

    Parameters
    ----------
    forecasts : Forecasts
    prep
        The run's optimizer inputs (``scenarios.run``): jobs, signals (actual), pods,
        limits, objective, options.
    optimize : bool
        Whether the run solves the MILP.
    schedules, unplaced, solver
        The perfect-foresight schedules, unplaced jobs and solver summary of the run.
    deadline_s : float, optional
        ``time.perf_counter()`` value by which the solve on forecasts must end (the run's
        time limit, shared with the perfect-foresight solve); None: ``prep.options``'s own.

    Returns
    -------
    (dict, dict, dict)
        Schedules: ``milp`` (if optimized) and ``greedy`` planned on forecasts, ``asap``,
        and the perfect-foresight ``milp_perfect`` and ``greedy_perfect``; the unplaced
        jobs per schedule; the solver summary of the forecast solve with ``forecast``: the
        settled objectives, regrets, forecast errors and the perfect-foresight solve.
    """
    short = {"carbon_g_per_kwh": "carbon", "price_per_kwh": "price"}
    record = {"method": forecasts.method, "signals": list(forecasts.forecast),
              **{f"{short[k]}_nmae_pct": v for k, v in forecasts.nmae_pct.items()}}
    jobs = prep.jobs
    if not len(jobs):
        return schedules, unplaced, {**solver, "forecast": record}
    schedules, unplaced, solver = dict(schedules), dict(unplaced), dict(solver)
    actual = prepare_problem(jobs, prep.signals, prep.pods, prep.limits, prep.objective)

    def settled(schedule: pd.DataFrame) -> float:
        return evaluate(actual, from_frame(actual, schedule)).objective

    # the greedy rule on forecasts first: it counts inside the run's time limit, and the
    # MILP on forecasts gets what is left
    say("greedy on forecasts")
    perfect_g, missed_perfect = greedy_at_release(
        actual, jobs, prep.pods, prep.limits, prep.objective,
        lambda r, end: prep.signals.iloc[r:end])
    forecast_g, missed = greedy_at_release(
        actual, jobs, prep.pods, prep.limits, prep.objective, forecasts.frame_at)
    schedules["greedy"] = forecast_g
    unplaced.pop("greedy", None)
    if missed:
        unplaced["greedy"] = missed
    else:
        _check("greedy (forecast)", forecast_g, prep)
    if not missed_perfect:
        _check("greedy_perfect", perfect_g, prep)
        schedules["greedy_perfect"] = perfect_g
    if not missed and not missed_perfect:
        perfect, planned = settled(perfect_g), settled(forecast_g)
        record["greedy"] = {"settled_objective": planned, "perfect_objective": perfect,
                            "regret": planned - perfect}
    if optimize:
        say("schedule on forecasts")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            options = prep.options
            if deadline_s is not None:  # what the perfect-foresight solve left
                left_s = max(deadline_s - time.perf_counter(), MIN_FORECAST_SOLVE_S)
                options = dataclasses.replace(options, time_limit_s=left_s)
            result = solve_schedule(
                jobs, forecasts.frame_at(0, len(forecasts.actual)), prep.pods, prep.limits,
                prep.objective, options, progress=lambda text: say(f"forecast: {text}"),
                signals_at=forecasts.values_at)
        _check("milp (forecast)", result.schedule, prep)
        record["perfect_solve"] = {k: solver.get(k) for k in ("status", "objective", "bound",
                                                               "gap", "source")}
        schedules["milp_perfect"], schedules["milp"] = schedules["milp"], result.schedule
        solver.update(result.summary())
        solver["warnings"] = solver.get("warnings", []) + [str(w.message) for w in caught]
        perfect, planned = settled(schedules["milp_perfect"]), settled(result.schedule)
        record["milp"] = {"planned_objective": result.objective, "settled_objective": planned,
                          "perfect_objective": perfect, "regret": planned - perfect}
    solver["validation"] = {**solver.get("validation", {}),
                            **{n: 0 for n in schedules if n not in unplaced}}
    solver["forecast"] = record
    return schedules, unplaced, solver


def forecast_kpis(outcomes: dict, solver: dict) -> dict:
    """The forecast KPIs of :data:`FORECAST_KPIS` (definitions: ``scenarios.kpis``);
    null with perfect foresight and where a schedule is missing.

    Parameters
    ----------
    outcomes : dict
        The run's re-simulated schedules (``scenarios.outcomes.ScheduleOutcome``) by name.
    solver : dict
        The run's solver summary (its ``forecast`` record, if any).
    """
    out = dict.fromkeys(FORECAST_KPIS)
    record = solver.get("forecast")
    if record is None:
        return out
    out["forecast_carbon_nmae_pct"] = record.get("carbon_nmae_pct")
    out["forecast_price_nmae_pct"] = record.get("price_nmae_pct")
    milp, greedy_record = record.get("milp"), record.get("greedy")
    if milp is not None:
        out["forecast_regret"] = milp["regret"]
        # a share of a positive objective only (as every saving percentage)
        out["forecast_regret_pct"] = K.share_pct(milp["regret"], milp["perfect_objective"])
    if greedy_record is not None:
        out["forecast_greedy_regret"] = greedy_record["regret"]
    if "milp_perfect" in outcomes and "milp" in outcomes:
        perfect = outcomes["milp_perfect"].kpis
        out["forecast_carbon_regret_t"] = (outcomes["milp"].kpis["carbon_location_t"]
                                           - perfect["carbon_location_t"])
        saving = K.savings(perfect, outcomes["asap"].kpis, "asap")
        out["perfect_cost_saving_vs_asap_pct"] = saving["cost_saving_vs_asap_pct"]
        out["perfect_carbon_saving_vs_asap_pct"] = saving["carbon_saving_vs_asap_pct"]
    return out
