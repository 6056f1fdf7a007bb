"""A finished run seen from the scheduler's side: job runs for a Gantt chart, the load
against capacity and signals, the schedules side by side, savings, and the cost-carbon
trade-off of the run's jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError
from scenarios.kpis import LEVERS

if TYPE_CHECKING:
    from scenarios.run import RunResult


def rolling_windows(scenario) -> int:
    """At most how many rolling windows the scenario's schedule is solved in (1 when
    its horizon fits one window); :func:`optimizer.rolling.window_count`."""
    from optimizer.rolling import window_count

    solver = scenario.solver
    return window_count(scenario.horizon.hours, solver.window_h, solver.step_h)


def gantt_segments(schedule: pd.DataFrame) -> pd.DataFrame:
    """A schedule's job-hours merged into contiguous runs of a job on a pod.

    Parameters
    ----------
    schedule : DataFrame
        job_id, pod, timestamp (hour start), power_kw; one row per job-hour.

    Returns
    -------
    DataFrame
        job_id, pod, start, end (exclusive), hours [h], power_kw (mean over the run) [kW],
        sorted by pod and start.
    """
    columns = ["job_id", "pod", "start", "end", "hours", "power_kw"]
    if schedule is None or schedule.empty:
        return pd.DataFrame(columns=columns)
    s = schedule.assign(
        job_id=schedule["job_id"].astype(str),
        pod=schedule["pod"].astype(str),
        timestamp=pd.to_datetime(schedule["timestamp"]),
    ).sort_values(["job_id", "pod", "timestamp"])
    step = pd.Timedelta(hours=1)
    same = (
        (s["job_id"] == s["job_id"].shift())
        & (s["pod"] == s["pod"].shift())
        & (s["timestamp"] - s["timestamp"].shift() == step)
    )
    s = s.assign(run=(~same).cumsum())
    out = s.groupby("run").agg(
        job_id=("job_id", "first"),
        pod=("pod", "first"),
        start=("timestamp", "first"),
        last=("timestamp", "last"),
        hours=("timestamp", "size"),
        power_kw=("power_kw", "mean"),
    )
    out["end"] = out["last"] + step
    return out[columns].sort_values(["pod", "start"]).reset_index(drop=True)


def power_stack(result: RunResult, schedule: str = "milp") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hourly compute load by pod and kind, and the signals it is weighed against.

    Parameters
    ----------
    result : RunResult
    schedule : {"milp", "asap", "greedy"}
        Which of the run's schedules; falls back to the run's main schedule.

    Returns
    -------
    load : DataFrame
        Columns ``(pod, "inference")`` and ``(pod, "jobs")`` [kW compute].
    signals : DataFrame
        capacity_kw (compute design of all pods), cooling_capacity_kw (compute load the
        plants can cool each hour, capped at design) [kW], price_per_kwh
        [currency/kWh], carbon_g_per_kwh [g/kWh].
    """
    outcome = result.outcomes.get(schedule, result.main)
    names = list(result.baseline_compute_kw.columns)
    load = pd.concat(
        {
            (name, kind): frame[name]
            for name in names
            for kind, frame in (
                ("inference", result.baseline_compute_kw),
                ("jobs", outcome.job_load_kw),
            )
        },
        axis=1,
    )
    design = pd.Series(
        {name: float(outcome.pods[name].attrs["compute_design_kw"]) for name in names}
    )
    cooling = result.coefficients["cooling_capacity_kw"][names]
    signals = pd.DataFrame(
        {
            "capacity_kw": float(design.sum()),
            "cooling_capacity_kw": np.minimum(cooling.to_numpy(), design.to_numpy()).sum(axis=1),
            "price_per_kwh": result.inputs.frame["price_per_kwh"],
            "carbon_g_per_kwh": result.inputs.frame["carbon_g_per_kwh"],
        },
        index=result.inputs.frame.index,
    )
    return load, signals


def schedule_comparison(result: RunResult) -> pd.DataFrame:
    """The run's schedules (MILP, ASAP, greedy) re-simulated, side by side.

    Returns
    -------
    DataFrame
        Index schedule name; columns total_cost, energy_cost, demand_cost [currency],
        carbon_location_t [t], facility_energy_mwh [MWh], peak_facility_kw [kW],
        pue [-], feasible (False when the rule could not place every job).
    """
    rows = {}
    for name, outcome in result.outcomes.items():
        k = outcome.kpis
        rows[name] = {
            "total_cost": k["total_cost"],
            "energy_cost": k["energy_cost"],
            "demand_cost": k["demand_cost"],
            "carbon_location_t": k["carbon_location_t"],
            "facility_energy_mwh": k["facility_energy_mwh"],
            "peak_facility_kw": k["peak_facility_kw"],
            "pue": k["pue"],
            "feasible": bool(k.get("feasible", True)),
        }
    return pd.DataFrame(rows).T.infer_objects()


def savings_table(kpis: dict) -> pd.DataFrame:
    """Savings of a run's schedule against ASAP and greedy.

    Returns
    -------
    DataFrame
        Index "ASAP", "greedy"; columns cost_saving [currency], cost_saving_pct [%],
        carbon_saving_t [t], carbon_saving_pct [%]; None where not reported (a baseline
        that could not place every job is no fair comparison).
    """
    rows = {}
    for name, label in (("asap", "ASAP"), ("greedy", "greedy")):
        rows[label] = {
            "cost_saving": kpis.get(f"cost_saving_vs_{name}"),
            "cost_saving_pct": kpis.get(f"cost_saving_vs_{name}_pct"),
            "carbon_saving_t": kpis.get(f"carbon_saving_vs_{name}_t"),
            "carbon_saving_pct": kpis.get(f"carbon_saving_vs_{name}_pct"),
        }
    return pd.DataFrame(rows).T


def lever_table(kpis: dict) -> pd.DataFrame:
    """The saving against ASAP split by lever (:func:`scenarios.kpis.lever_kpis`).

    Returns
    -------
    DataFrame
        Index "hall placement", "timing", "lower peak", "re-simulation rest", with assets
        "asset operation" (their optimal against their rule operation), "total" (the
        sum of the rows above);
        columns cost_saving [currency], carbon_saving_t [t]; None where not reported.
        Empty when the run has no split (no MILP schedule, or ASAP missed a job).
    """
    if kpis.get("cost_saving_vs_asap_timing") is None:
        return pd.DataFrame(columns=["cost_saving", "carbon_saving_t"])
    rows = {}
    for lever, label in zip(LEVERS, LEVER_LABELS, strict=True):
        rows[label] = {
            "cost_saving": kpis.get(f"cost_saving_vs_asap_{lever}"),
            "carbon_saving_t": 0.0 if lever == "peak" else kpis.get(
                f"carbon_saving_vs_asap_{lever}_t"),
        }
    if kpis.get("cost_saving_vs_asap_asset_operation") is not None:  # the jobs' parts + this
        rows["asset operation"] = {
            "cost_saving": kpis.get("cost_saving_vs_asap_asset_operation"),
            "carbon_saving_t": kpis.get("carbon_saving_vs_asap_asset_operation_t"),
        }
    rows["total"] = {"cost_saving": kpis.get("cost_saving_vs_asap"),
                     "carbon_saving_t": kpis.get("carbon_saving_vs_asap_t")}
    return pd.DataFrame(rows).T


#: How the app and reports name each lever of :data:`scenarios.kpis.LEVERS`.
LEVER_LABELS = ("hall placement", "timing", "lower peak", "re-simulation rest")


def pareto_curve(
    result: RunResult, n_points: int = 4, time_limit_s: float = 5.0, max_hours: int = 48
) -> pd.DataFrame:
    """The cost-carbon trade-off of a run's jobs on its first hours.

    The run's jobs whose windows lie inside the first ``max_hours`` hours are scheduled
    ``n_points`` times by the epsilon-constraint method (:func:`optimizer.pareto_front`),
    on the run's own capacities, facility coefficients, prices and carbon. Each solve
    stops at ``time_limit_s``; a point that hit it says so in ``status``.

    Returns
    -------
    DataFrame
        One row per point, cleanest first: cost [currency], carbon_t [t], peak_kw [kW],
        status, gap [-]; ``attrs["jobs"]`` holds how many jobs took part and
        ``attrs["hours"]`` the hours.

    Raises
    ------
    ScenarioError
        No job of the run fits inside the first ``max_hours`` hours.
    """
    from optimizer.options import Limits, Objective, SolverOptions
    from optimizer.pareto import pareto_front
    from optimizer.problem import prepare_problem
    from scenarios.run import optimizer_pods

    hours = result.inputs.frame.index[: int(max_hours)]
    end = hours[-1] + pd.Timedelta(hours=1)
    jobs = result.jobs
    inside = jobs[(jobs["release"] >= hours[0]) & (jobs["deadline"] <= end)] if len(jobs) else jobs
    if inside.empty:
        raise ScenarioError(
            f"no job of this run has its whole window inside the first {len(hours)} hours; "
            "allow more hours for the curve or give the jobs shorter windows"
        )
    baseline = result.baseline_compute_kw.loc[hours]
    design = {n: result.main.pods[n].attrs["compute_design_kw"] for n in baseline.columns}
    pods = optimizer_pods(baseline, design, result.coefficients)
    frame = result.inputs.frame.loc[hours]
    signals = frame[["price_per_kwh", "carbon_g_per_kwh"]]
    objective = Objective(demand_charge_per_kw=result.inputs.demand_charge_per_kw_month,
                          billing=result.scenario.grid.price.billing)
    problem = prepare_problem(
        inside.reset_index(drop=True),
        signals,
        pods,
        Limits(result.scenario.grid.grid_limit_kw),
        objective,
    )
    options = SolverOptions(
        time_limit_s=float(time_limit_s), rel_gap=result.scenario.solver.rel_gap
    )
    front = pareto_front(problem, n_points=int(n_points), options=options)
    out = pd.DataFrame(
        {
            "cost": front["cost"],
            "carbon_t": front["carbon_kg"] / 1000.0,
            "peak_kw": front["peak_kw"],
            "status": front["status"],
            "gap": front["gap"],
        }
    )
    out.attrs.update(jobs=len(inside), hours=len(hours))
    return out
