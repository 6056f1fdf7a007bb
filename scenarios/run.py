"""One scenario run, as the design's data flow: a pure ``run_scenario(scenario) -> result``.

1. resolve hourly inputs (weather, carbon, price, tariff bands, carbon-free share);
2. simulate the facility for the baseline (inference) load and linearise it per hour
   and pod (marginal facility factor, fixed overhead, cooling capacity);
3. schedule the jobs (MILP) and the ASAP and greedy baselines on the same data;
4. re-simulate the facility exactly for each schedule; report the MILP's linearisation
   error (predicted vs simulated facility energy);
5. compute KPIs.

Writing the run directory is :mod:`scenarios.store`'s job; this module writes nothing.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer import solve_schedule, validate
from optimizer.baselines import asap, greedy
from optimizer.options import Limits, Objective, SolverOptions
from optimizer.problem import Pods, prepare_problem
from optimizer.solve import baseline_summary
from scenarios import kpis as K
from scenarios.errors import ScenarioError
from scenarios.inputs import HourlyInputs, resolve_inputs
from scenarios.schema import Scenario
from scenarios.workload import expected_job_load, generate_jobs, inference_compute_kw
from thermal.coefficients import linear_facility_kw, scheduler_coefficients
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.params import override
from thermal.simulate import simulate_site
from thermal.weather import WEATHER_COLUMNS

SCHEDULES = ("milp", "asap", "greedy")


@dataclass
class ScheduleOutcome:
    """One schedule re-simulated: its job loads, facility frames and KPIs."""

    name: str
    schedule: pd.DataFrame
    job_load_kw: pd.DataFrame  # hours x pods, compute kW
    pods: dict[str, pd.DataFrame]
    site: pd.DataFrame
    kpis: dict


@dataclass
class RunResult:
    """Everything a run produced (data only)."""

    scenario: Scenario
    inputs: HourlyInputs
    jobs: pd.DataFrame
    baseline_compute_kw: pd.DataFrame
    coefficients: pd.DataFrame
    outcomes: dict[str, ScheduleOutcome]
    solver: dict
    kpis: dict
    linearisation: dict
    timings_s: dict
    optimized: bool
    files: dict[str, str] = field(default_factory=dict)

    @property
    def main(self) -> ScheduleOutcome:
        return self.outcomes["milp" if self.optimized else "asap"]


def facility_params(scenario: Scenario) -> FacilityParams:
    try:
        return override(FacilityParams(), scenario.facility, where="facility")
    except ThermalInputError as exc:
        raise ScenarioError(str(exc), field="facility") from None


def thermal_pods(scenario: Scenario, params: FacilityParams) -> list[Pod]:
    """The scenario's pods as thermal pods, each checked (density limits and all)."""
    pods = []
    for i, spec in enumerate(scenario.pods):
        pod = Pod(
            name=spec.name,
            cooling=spec.cooling,
            racks=spec.racks,
            rack_kw=spec.rack_kw,
            water_class=spec.water_class,
            heat_rejection=spec.heat_rejection,
            economizer=spec.economizer,
            liquid_fraction=spec.liquid_fraction,
            air_class=spec.air_class,
        )
        try:
            design_pod(pod, params)
        except ThermalInputError as exc:
            raise ScenarioError(str(exc), field=f"pods[{i}]") from None
        pods.append(pod)
    return pods


def load_jobs(scenario: Scenario, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """The scenario's jobs: a CSV file, a seeded generator, or none."""
    names = [p.name for p in scenario.pods]
    workload = scenario.workload
    if workload.jobs is not None:
        from scenarios.cmd_schedule import read_jobs

        return read_jobs(Path(workload.jobs))
    if workload.generator is not None:
        return generate_jobs(workload.generator, hours, names)
    return pd.DataFrame(
        columns=["job_id", "release", "deadline", "duration_h", "power_kw", "preemptible"]
    )


def job_load(schedule: pd.DataFrame, hours: pd.DatetimeIndex, pods: list[str]) -> pd.DataFrame:
    """Compute load of scheduled jobs per hour and pod [kW] from a schedule table."""
    if schedule is None or schedule.empty:
        return pd.DataFrame(0.0, index=hours, columns=pods)
    stamps = pd.DatetimeIndex(schedule["timestamp"]).tz_convert(hours.tz)
    table = (
        pd.DataFrame({"t": stamps, "pod": schedule["pod"].astype(str), "kw": schedule["power_kw"]})
        .groupby(["t", "pod"])["kw"]
        .sum()
        .unstack(fill_value=0.0)
    )
    return table.reindex(index=hours, columns=pods, fill_value=0.0).astype(float)


def _resimulate(
    name, schedule, scenario, inputs, pods, params, baseline, hours, names
) -> ScheduleOutcome:
    load = job_load(schedule, hours, names)
    total = baseline + load
    weather = inputs.frame[list(WEATHER_COLUMNS)]
    try:
        frames, site = simulate_site(weather, pods, {n: total[n].to_numpy() for n in names}, params)
    except ThermalInputError as exc:  # a schedule above pod capacity would be a bug upstream
        raise RuntimeError(f"{name} schedule could not be simulated: {exc}") from exc
    grid = scenario.grid
    out = K.energy_kpis(site)
    facility = site["facility_kw"]
    out.update(
        K.carbon_kpis(
            facility,
            inputs.frame["carbon_g_per_kwh"],
            float(site["it_kw"].sum()),
            grid.market.renewable_share,
            grid.market.residual_mix_g_per_kwh,
            inputs.frame.get("carbon_free_share"),
        )
    )
    out.update(
        K.cost_kpis(
            facility,
            inputs.frame["price_per_kwh"],
            inputs.demand_charge_per_kw_month,
            scenario.site.timezone,
        )
    )
    reuse = scenario.heat_reuse
    if reuse.liquid_share or reuse.air_share:
        reused = (
            reuse.liquid_share * site["heat_to_liquid_kw"].sum()
            + reuse.air_share * site["heat_to_air_kw"].sum()
        )
        out["erf"] = float(reused / facility.sum()) if facility.sum() else None
    else:
        out["erf"] = None
    return ScheduleOutcome(name, schedule, load, frames, site, out)


def run_scenario(
    scenario: Scenario,
    optimize: bool = True,
    time_limit_s: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Run a scenario end to end (pure: reads input files, writes nothing).

    Parameters
    ----------
    scenario : Scenario
    optimize : bool
        False skips the MILP; the ASAP schedule is then the run's schedule.
    time_limit_s : float, optional
        Overrides the scenario's solver time limit per solve [s].
    progress : callable, optional
        Called with a short text at each stage.

    Raises
    ------
    ScenarioError
        Bad input anywhere (named); ``optimizer.errors`` for infeasible schedules.
    """
    say = progress or (lambda text: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    say("inputs")
    inputs = resolve_inputs(scenario)
    hours = inputs.frame.index
    params = facility_params(scenario)
    pods = thermal_pods(scenario, params)
    names = [p.name for p in pods]
    tz = scenario.site.timezone
    timings["inputs_s"] = time.perf_counter() - t0

    say("thermal baseline")
    t = time.perf_counter()
    design = {p.name: design_pod(p, params) for p in pods}
    baseline = pd.DataFrame(
        {
            spec.name: inference_compute_kw(spec, design[spec.name].compute_design_kw, hours, tz)
            for spec in scenario.pods
        },
        index=hours,
    )
    jobs = load_jobs(scenario, hours)
    capacity = pd.DataFrame(
        {n: np.full(len(hours), design[n].compute_design_kw) for n in names}, index=hours
    )
    # Linearise around the inference baseline plus the jobs' expected load, so the linear
    # facility model stays accurate when jobs add far more load than inference.
    operating = baseline + expected_job_load(jobs, hours, capacity - baseline)
    weather = inputs.frame[list(WEATHER_COLUMNS)]
    coef = scheduler_coefficients(
        weather, pods, {n: operating[n].to_numpy() for n in names}, params
    )
    timings["thermal_s"] = time.perf_counter() - t
    signals = pd.DataFrame(
        {
            "price_per_kwh": inputs.frame["price_per_kwh"],
            "carbon_g_per_kwh": inputs.frame["carbon_g_per_kwh"],
        },
        index=hours,
    )
    capacity = pd.DataFrame(
        {n: np.full(len(hours), design[n].compute_design_kw) for n in names}, index=hours
    )
    opt_pods = Pods(
        capacity_kw=capacity,
        baseline_kw=baseline,
        cooling_capacity_kw=coef["cooling_capacity_kw"][names],
        facility_factor=coef["facility_factor"][names],
        fixed_overhead_kw=coef["fixed_kw"][names],
    )
    objective = Objective(
        carbon_price_per_t=scenario.objective.carbon_price_per_t,
        demand_charge_per_kw=inputs.demand_charge_per_kw_month,
        cost_weight=scenario.objective.cost_weight,
        carbon_weight=scenario.objective.carbon_weight,
    )
    solver_spec = scenario.solver
    options = SolverOptions(
        time_limit_s=time_limit_s or solver_spec.time_limit_s,
        rel_gap=solver_spec.rel_gap,
        threads=solver_spec.threads,
        window_h=solver_spec.window_h,
        step_h=solver_spec.step_h,
    )

    say("schedule")
    t = time.perf_counter()
    schedules: dict[str, pd.DataFrame] = {}
    unplaced: dict[str, list[str]] = {}
    solver: dict = {"optimized": optimize}
    limits = Limits(scenario.grid.grid_limit_kw)
    if len(jobs) and optimize:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = solve_schedule(jobs, signals, opt_pods, limits, objective, options)
        solver.update(result.summary())
        solver["warnings"] = [str(w.message) for w in caught]
        schedules["milp"] = result.schedule
        baselines = result.baselines
    elif len(jobs):  # baselines only, no MILP
        problem = prepare_problem(jobs, signals, opt_pods, limits, objective)
        baselines = {b.name: baseline_summary(problem, b) for b in (asap(problem), greedy(problem))}
        solver["status"] = "not optimized"
    else:
        solver["status"] = "no jobs"
        baselines = {}
        empty = pd.DataFrame(columns=["job_id", "pod", "timestamp", "power_kw"])
        schedules.update({name: empty for name in ("asap", "greedy")})
        if optimize:
            schedules["milp"] = empty
    for name, base in baselines.items():
        schedules[name] = base.schedule
        if base.status != "feasible":
            unplaced[name] = list(base.unplaced)
    timings["schedule_s"] = time.perf_counter() - t

    say("validation")
    violations = {
        name: validate(sched, jobs, opt_pods, signals, limits) if len(jobs) else []
        for name, sched in schedules.items()
        if name not in unplaced
    }
    solver["validation"] = {name: len(v) for name, v in violations.items()}
    for name, found in violations.items():
        if found:  # a schedule breaking its own rules is a bug, never a result
            detail = "; ".join(f"{v.kind}: {v.detail}" for v in found[:5])
            raise RuntimeError(f"the {name} schedule fails independent validation: {detail}")

    say("re-simulation")
    t = time.perf_counter()
    outcomes = {
        name: _resimulate(name, sched, scenario, inputs, pods, params, baseline, hours, names)
        for name, sched in schedules.items()
        if sched is not None
    }
    main = outcomes["milp" if optimize else "asap"]
    predicted = linear_facility_kw(
        coef, {n: (baseline[n] + main.job_load_kw[n]).to_numpy() for n in names}
    )
    predicted_mwh = float(predicted.to_numpy().sum() / 1000.0)
    simulated_mwh = float(main.site["facility_kw"].sum() / 1000.0)
    linearisation = {
        "predicted_facility_mwh": predicted_mwh,
        "simulated_facility_mwh": simulated_mwh,
        "relative_error": abs(predicted_mwh - simulated_mwh) / simulated_mwh
        if simulated_mwh
        else 0.0,
        "max_hourly_relative_error": float(
            (
                np.abs(predicted.sum(axis=1).to_numpy() - main.site["facility_kw"].to_numpy())
                / main.site["facility_kw"].to_numpy()
            ).max()
        ),
    }
    timings["resimulate_s"] = time.perf_counter() - t

    kpis = dict(main.kpis)
    job_energy = float(main.job_load_kw.to_numpy().sum())
    kpis["jobs"] = len(jobs)
    kpis["job_energy_mwh"] = job_energy / 1000.0
    # Validated above: every job of a feasible schedule has its work done in its window.
    kpis["deadlines_met_share"] = 1.0 if len(jobs) else None
    kpis["shifted_energy_share"] = K.shifted_energy_share(
        main.job_load_kw, outcomes["asap"].job_load_kw
    )
    for name in ("asap", "greedy"):
        if name in unplaced:
            # A baseline that misses deadlines is not a fair comparison: no saving reported.
            kpis.update({k: None for k in K.savings(main.kpis, main.kpis, name)})
            outcomes[name].kpis["feasible"] = False
            inputs.notes.append(
                f"The {name} rule could not place job(s) {', '.join(unplaced[name][:8])} within "
                "their windows and capacities; savings against it are not reported."
            )
        elif name in outcomes and outcomes[name] is not main:
            kpis.update(K.savings(main.kpis, outcomes[name].kpis, name))
        else:
            kpis.update({k: 0.0 for k in K.savings(main.kpis, main.kpis, name)})
    kpis.update(
        {
            k: v
            for k, v in K.target_check(
                kpis["pue"], scenario.targets.pue, scenario.targets.label
            ).items()
            if k != "references"
        }
    )
    timings["total_s"] = time.perf_counter() - t0
    return RunResult(
        scenario=scenario,
        inputs=inputs,
        jobs=jobs,
        baseline_compute_kw=baseline,
        coefficients=coef,
        outcomes=outcomes,
        solver=solver,
        kpis=K.clean(kpis),
        linearisation=linearisation,
        timings_s=timings,
        optimized=optimize,
    )
