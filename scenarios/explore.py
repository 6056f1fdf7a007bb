"""Views of a scenario for interactive exploration (the app's pages ask for these).

Plain functions over a validated :class:`~scenarios.schema.Scenario` or a finished
:class:`~scenarios.run.RunResult`:

* climate: :func:`load_weather`, :func:`climate_summary`, :func:`design_conditions`;
* halls: :func:`pod_problems`, :func:`simulate_year` (a full calendar year of every pod at
  its inference load), :func:`technology_table`, :func:`pue_grid`,
  :func:`energy_by_component`, :func:`cooling_mode_hours`;
* runs: :func:`gantt_segments`, :func:`power_stack`, :func:`schedule_comparison`,
  :func:`savings_table`, :func:`pareto_curve`;
* variants for comparisons: :func:`with_cooling`, :func:`with_rack_density`,
  :func:`kpi_table`.

Modules that pull in the MILP stack (``scenarios.run``, ``scenarios.workload`` and
``optimizer``) are imported inside the functions that need them, so that a page showing
only the climate starts in well under a second.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios import kpis as K
from scenarios.errors import ScenarioError
from scenarios.inputs import horizon_hours, weather_on_hours
from scenarios.schema import PodSpec, Scenario
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.simulate import simulate_site
from thermal.summary import period_summary
from thermal.weather import load_climate

if TYPE_CHECKING:
    from scenarios.run import RunResult

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
    "load_weather",
    "pareto_curve",
    "pod_problems",
    "power_stack",
    "pue_grid",
    "savings_table",
    "schedule_comparison",
    "simulate_year",
    "technology_table",
    "with_cooling",
    "with_rack_density",
]

#: Components of facility power [label -> pod-frame column]; they add up to facility_kw
#: (IT = compute + server fans; cooling = air handler fans + pumps + chillers + heat
#: rejection fans; see thermal.simulate).
COMPONENTS = {
    "compute": "compute_kw",
    "server fans": "server_fan_kw",
    "UPS losses": "ups_loss_kw",
    "distribution losses": "distribution_loss_kw",
    "lighting": "lighting_kw",
    "air handler fans": "air_handler_fan_kw",
    "pumps": "pump_kw",
    "chillers": "chiller_kw",
    "heat rejection fans": "heat_rejection_fan_kw",
}

#: KPIs shown side by side when comparing runs, in this order.
COMPARE_KPIS = (
    "pue",
    "tue",
    "itue",
    "wue_l_per_kwh",
    "cue_kg_per_kwh",
    "facility_energy_mwh",
    "it_energy_mwh",
    "water_m3",
    "free_cooling_h",
    "peak_facility_kw",
    "carbon_location_t",
    "carbon_market_t",
    "energy_cost",
    "demand_cost",
    "total_cost",
    "jobs",
    "deadlines_met_share",
    "shifted_energy_share",
    "cost_saving_vs_asap_pct",
    "carbon_saving_vs_asap_pct",
    "cost_saving_vs_greedy_pct",
    "carbon_saving_vs_greedy_pct",
    "pue_target",
    "pue_target_met",
)

_POD_FIELDS = (
    "name",
    "cooling",
    "racks",
    "rack_kw",
    "water_class",
    "heat_rejection",
    "economizer",
    "liquid_fraction",
    "air_class",
)


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


# --------------------------------------------------------------------------- climate


def load_weather(climate: str) -> pd.DataFrame:
    """The typical-year weather of a climate name or weather file.

    Parameters
    ----------
    climate : str
        A built-in climate name or a path to an EPW / TMY3 / TMY2 file.

    Returns
    -------
    DataFrame
        8760 hourly rows: dry_bulb_c, dew_point_c, rh_pct, wet_bulb_c [°C, °C, %, °C],
        pressure_pa [Pa]; ``attrs`` hold name, source and coordinates where known.

    Raises
    ------
    ScenarioError
        Unknown name or unusable file (field ``site.climate``).
    """
    try:
        return load_climate(climate)
    except ThermalInputError as exc:
        raise ScenarioError(str(exc), field="site.climate") from None


def climate_summary(weather: pd.DataFrame) -> pd.DataFrame:
    """Monthly statistics of a weather year.

    Parameters
    ----------
    weather : DataFrame
        From :func:`load_weather`.

    Returns
    -------
    DataFrame
        Index month 1..12; columns dry_bulb_mean_c, dry_bulb_min_c, dry_bulb_max_c,
        wet_bulb_mean_c, wet_bulb_max_c, dew_point_mean_c [°C], rh_mean_pct [%].
    """
    month = weather.index.month
    grouped = weather.groupby(month)
    out = pd.DataFrame(
        {
            "dry_bulb_mean_c": grouped["dry_bulb_c"].mean(),
            "dry_bulb_min_c": grouped["dry_bulb_c"].min(),
            "dry_bulb_max_c": grouped["dry_bulb_c"].max(),
            "wet_bulb_mean_c": grouped["wet_bulb_c"].mean(),
            "wet_bulb_max_c": grouped["wet_bulb_c"].max(),
            "dew_point_mean_c": grouped["dew_point_c"].mean(),
            "rh_mean_pct": grouped["rh_pct"].mean(),
        }
    )
    out.index.name = "month"
    return out


def design_conditions(weather: pd.DataFrame) -> dict[str, float]:
    """Annual figures a cooling designer looks at first.

    Returns
    -------
    dict
        mean_dry_bulb_c, dry_bulb_0p4_c and wet_bulb_0p4_c (exceeded in 0.4 % of the
        hours, ASHRAE's annual cooling design condition) [°C], hours_below_10c_wet_bulb
        and hours_below_18c_dry_bulb [h] (rough counts of hours open to free cooling for
        chilled water and for air-side economizers).
    """
    dry = weather["dry_bulb_c"].to_numpy()
    wet = weather["wet_bulb_c"].to_numpy()
    return {
        "mean_dry_bulb_c": float(dry.mean()),
        "dry_bulb_0p4_c": float(np.quantile(dry, 0.996)),
        "wet_bulb_0p4_c": float(np.quantile(wet, 0.996)),
        "hours_below_10c_wet_bulb": float((wet < 10.0).sum()),
        "hours_below_18c_dry_bulb": float((dry < 18.0).sum()),
    }


# --------------------------------------------------------------------------- halls


def _thermal_pod(spec: PodSpec) -> Pod:
    return Pod(**{name: getattr(spec, name) for name in _POD_FIELDS})


def _params(scenario: Scenario) -> FacilityParams:
    from scenarios.run import facility_params

    return facility_params(scenario)


def pod_problems(scenario: Scenario, params: FacilityParams | None = None) -> dict[str, str]:
    """Pods the physics rejects, each with the reason (density limits and all).

    Parameters
    ----------
    scenario : Scenario
    params : FacilityParams, optional
        The scenario's facility parameters (computed when not given).

    Returns
    -------
    dict
        Pod name -> message naming the pod, the limit and the fix; empty when every pod
        is valid.
    """
    params = params or _params(scenario)
    out = {}
    for spec in scenario.pods:
        try:
            design_pod(_thermal_pod(spec), params)
        except ThermalInputError as exc:
            out[spec.name] = str(exc)
    return out


def year_hours(scenario: Scenario) -> pd.DatetimeIndex:
    """Every hour of the calendar year of the scenario's horizon start, site local time."""
    start = horizon_hours(scenario)[0]
    tz = scenario.site.timezone
    first = pd.Timestamp(year=start.year, month=1, day=1, tz=tz)
    last = pd.Timestamp(year=start.year + 1, month=1, day=1, tz=tz)
    return pd.date_range(first, last, freq="h", inclusive="left")


def simulate_year(scenario: Scenario) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Every valid pod simulated hour by hour over a full year at its inference load.

    The typical-year weather of the site is laid on the calendar year of the horizon
    start; each pod carries its inference (baseline) compute load, the daily cycle of
    ``pods[].inference``. Pods the physics rejects (see :func:`pod_problems`) are left
    out, so one bad pod does not hide the others.

    Returns
    -------
    pods : dict of DataFrame
        Pod name -> hourly frame (columns of :func:`thermal.simulate.simulate_pod`).
    site : DataFrame
        The valid pods added up.

    Raises
    ------
    ScenarioError
        Bad climate or facility overrides, or no valid pod at all.
    """
    from scenarios.workload import inference_compute_kw

    params = _params(scenario)
    problems = pod_problems(scenario, params)
    specs = [spec for spec in scenario.pods if spec.name not in problems]
    if not specs:
        raise ScenarioError(
            "no pod passes the physics checks; fix the pods first: " + "; ".join(problems.values())
        )
    hours = year_hours(scenario)
    weather = weather_on_hours(load_weather(scenario.site.climate), hours)
    pods = [_thermal_pod(spec) for spec in specs]
    loads = {
        spec.name: inference_compute_kw(
            spec, design_pod(pod, params).compute_design_kw, hours, scenario.site.timezone
        )
        for spec, pod in zip(specs, pods, strict=True)
    }
    return simulate_site(weather, pods, loads, params)


def technology_table(scenario: Scenario, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Indicators of each simulated pod side by side.

    Returns
    -------
    DataFrame
        One row per pod: cooling, racks, rack_kw [kW], pue, ppue_cooling, tue, itue [-],
        wue_l_per_kwh [L/kWh], free_cooling_h [h], free_cooling_share [-], it_mwh,
        facility_mwh [MWh], water_m3 [m³], peak_facility_kw [kW].
    """
    specs = {spec.name: spec for spec in scenario.pods}
    rows = []
    for name, frame in frames.items():
        s = period_summary(frame)
        spec = specs[name]
        rows.append(
            {
                "pod": name,
                "cooling": spec.cooling,
                "racks": spec.racks,
                "rack_kw": spec.rack_kw,
                **{
                    key: s[key]
                    for key in (
                        "pue",
                        "ppue_cooling",
                        "tue",
                        "itue",
                        "wue_l_per_kwh",
                        "free_cooling_h",
                        "free_cooling_share",
                        "it_mwh",
                        "facility_mwh",
                        "water_m3",
                        "peak_facility_kw",
                    )
                },
            }
        )
    return pd.DataFrame(rows).set_index("pod")


def pue_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """Hourly PUE laid out as day of year x hour of day (local clock).

    Parameters
    ----------
    frame : DataFrame
        A pod or site frame with ``facility_kw`` and ``it_kw`` on tz-aware hours.

    Returns
    -------
    DataFrame
        Index day of year (1..365 or 366), columns hour of day 0..23, values PUE [-]
        (NaN where IT power is zero; the repeated hour when daylight saving ends is
        averaged, the skipped one is NaN).
    """
    it = frame["it_kw"].to_numpy(float)
    pue = np.divide(
        frame["facility_kw"].to_numpy(float), it, out=np.full(len(it), np.nan), where=it > 0
    )
    table = pd.DataFrame(
        {"day": frame.index.day_of_year, "hour": frame.index.hour, "pue": pue}
    ).pivot_table(index="day", columns="hour", values="pue", aggfunc="mean")
    table = table.reindex(columns=range(24))
    table.index.name, table.columns.name = "day_of_year", "hour"
    return table


def energy_by_component(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Energy of every facility component per pod [MWh] over the frames' hours.

    Returns
    -------
    DataFrame
        Index pods, columns the labels of :data:`COMPONENTS`; each row adds up to the
        pod's facility energy.
    """
    return pd.DataFrame(
        {
            label: {name: float(f[col].sum()) / 1000.0 for name, f in frames.items()}
            for label, col in COMPONENTS.items()
        }
    )


def cooling_mode_hours(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Hours each pod spends in free, partial and mechanical cooling [h].

    Free: no compressor runs; partial: economizer and chillers share the heat;
    mechanical: chillers carry it all.
    """
    modes = ("free", "partial", "mechanical")
    return pd.DataFrame(
        {
            name: {m: int((f["mode"].astype(str) == m).sum()) for m in modes}
            for name, f in frames.items()
        }
    ).T.reindex(columns=list(modes))


# --------------------------------------------------------------------------- runs


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
    from optimizer.problem import Pods, prepare_problem

    hours = result.inputs.frame.index[: int(max_hours)]
    end = hours[-1] + pd.Timedelta(hours=1)
    jobs = result.jobs
    inside = jobs[(jobs["release"] >= hours[0]) & (jobs["deadline"] <= end)] if len(jobs) else jobs
    if inside.empty:
        raise ScenarioError(
            f"no job of this run has its whole window inside the first {len(hours)} hours; "
            "allow more hours for the curve or give the jobs shorter windows"
        )
    names = list(result.baseline_compute_kw.columns)
    design = {n: float(result.main.pods[n].attrs["compute_design_kw"]) for n in names}
    coef = result.coefficients
    pods = Pods(
        capacity_kw=pd.DataFrame({n: np.full(len(hours), design[n]) for n in names}, index=hours),
        baseline_kw=result.baseline_compute_kw.loc[hours, names],
        cooling_capacity_kw=coef["cooling_capacity_kw"][names].loc[hours],
        facility_factor=coef["facility_factor"][names].loc[hours],
        fixed_overhead_kw=coef["fixed_kw"][names].loc[hours],
    )
    frame = result.inputs.frame.loc[hours]
    signals = frame[["price_per_kwh", "carbon_g_per_kwh"]]
    objective = Objective(demand_charge_per_kw=result.inputs.demand_charge_per_kw_month)
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


# --------------------------------------------------------------------------- variants


def with_cooling(data: dict, cooling: str) -> dict:
    """A copy of raw scenario data with every pod cooled by ``cooling``.

    Racks, densities and names stay; settings that belong to the old technology
    (water class and liquid fraction when going to air) are dropped.
    """
    if cooling not in ("air", "cold_plate", "immersion"):
        raise ScenarioError(f"unknown cooling {cooling!r}; use air, cold_plate or immersion")
    out = copy.deepcopy(data)
    for pod in out.get("pods", []):
        if pod.get("cooling") == cooling:
            continue
        pod["cooling"] = cooling
        pod.pop("liquid_fraction", None)
        pod.pop("heat_rejection", None)
        if cooling == "air":
            pod.pop("water_class", None)
    return out


def with_rack_density(data: dict, factor: float) -> dict:
    """A copy of raw scenario data with each pod's rack density scaled by ``factor``.

    The pod's IT capacity stays (about) the same: rack_kw x factor on racks / factor
    racks (rounded, at least one), so the variant compares density, not size.
    """
    if not factor > 0:
        raise ScenarioError(f"rack density factor must be > 0, got {factor!r}")
    out = copy.deepcopy(data)
    for pod in out.get("pods", []):
        pod["rack_kw"] = float(pod["rack_kw"]) * factor
        pod["racks"] = max(1, round(int(pod["racks"]) / factor))
    return out


def kpi_table(kpis_by_label: dict[str, dict], keys=COMPARE_KPIS) -> pd.DataFrame:
    """KPIs of several runs side by side.

    Parameters
    ----------
    kpis_by_label : dict
        Label -> a run's KPI dict (``RunResult.kpis`` or ``kpis.json["kpis"]``).
    keys : sequence of str
        KPI keys (rows), from :data:`scenarios.kpis.KPI_DEFINITIONS`.

    Returns
    -------
    DataFrame
        Index the KPI keys, a ``unit`` column, then one column per label (None where a
        run has no value).
    """
    table = pd.DataFrame(
        {"unit": [K.KPI_DEFINITIONS[k][0] for k in keys]}, index=pd.Index(list(keys), name="kpi")
    )
    for label, kpis in kpis_by_label.items():
        table[label] = pd.Series([kpis.get(k) for k in keys], index=table.index, dtype=object)
    return table
