"""One scenario run, as the design's data flow: a pure ``run_scenario(scenario) -> result``.

1. resolve hourly inputs (weather, carbon, price, tariff bands, carbon-free share,
   on-site generation, heat demand);
2. simulate the facility for the baseline (inference) load and linearise it per hour
   and pod (marginal facility factor, fixed overhead, cooling capacity); build the site's
   assets (battery, cold tank and heat reuse with their own linear terms, generation:
   scenarios.assets);
3. schedule the jobs (MILP, co-optimised with the assets) and the ASAP and greedy
   baselines (assets run by the baselines' rule) on the same data (scenarios.schedules);
4. re-simulate the facility exactly for each schedule, with its cold-tank flows and heat
   delivery, and settle its grid import (scenarios.outcomes); report the MILP's
   linearisation error (predicted vs simulated facility energy, and grid import and heat
   with assets);
5. compute KPIs.

Writing the run directory is :mod:`scenarios.store`'s job; this module writes nothing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.assets import Assets
from optimizer.options import Limits, Objective, SolverOptions
from optimizer.problem import JOB_COLUMNS, Pods
from scenarios import kpis as K
from scenarios.assets import SiteAssets, build_assets
from scenarios.costs import cost_params
from scenarios.errors import ScenarioError, in_jobs_file
from scenarios.facility import facility_params, thermal_pods
from scenarios.forecast_mode import forecast_kpis, plan_on_forecasts, prepare_forecasts
from scenarios.inputs import HourlyInputs, resolve_inputs
from scenarios.money import scenario_sizings, scenario_tco, tco_kpis
from scenarios.onsite import has_pv, has_wind
from scenarios.outcomes import ScheduleOutcome, checked_linearisation, resimulate
from scenarios.schedules import asset_parts, levers_of, make_schedules, problem_of
from scenarios.schema import Scenario, with_time_limit
from scenarios.workload import expected_job_load, generate_jobs, inference_compute_kw
from thermal.coefficients import scheduler_coefficients
from thermal.facility import Pod, design_pod
from thermal.sizing import station_pressure_pa
from thermal.weather import WEATHER_COLUMNS


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
    #: Jobs each baseline rule could not place (rule -> job ids); no saving is claimed
    #: against such a rule.
    unplaced: dict[str, list[str]] = field(default_factory=dict)
    #: the site's battery, cold tank and on-site generation (None: none)
    site_assets: SiteAssets | None = None
    #: how the assets ran with each schedule, as planned (optimizer.assets.Dispatch;
    #: empty without assets); the re-simulated flows are each outcome's ``flows``
    dispatches: dict = field(default_factory=dict)
    #: the halls' capital cost and TCO (scenarios.costs.Tco; None only in hand-made results)
    tco: object | None = None

    @property
    def main(self) -> ScheduleOutcome:
        return self.outcomes["milp" if self.optimized else "asap"]


def load_jobs(scenario: Scenario, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """The scenario's jobs: a CSV file, a seeded generator, or none."""
    names = [p.name for p in scenario.pods]
    workload = scenario.workload
    if workload.jobs is not None:
        from optimizer.readers import read_jobs

        return read_jobs(Path(workload.jobs))
    if workload.generator is not None:
        return generate_jobs(workload.generator, hours, names)
    return pd.DataFrame(columns=list(JOB_COLUMNS))


@dataclass
class _Prepared:
    """The optimizer's inputs for a scenario (and what built them)."""

    hours: pd.DatetimeIndex
    names: list[str]
    baseline: pd.DataFrame
    coefficients: pd.DataFrame
    jobs: pd.DataFrame
    signals: pd.DataFrame
    pods: Pods
    limits: Limits
    objective: Objective
    options: SolverOptions
    #: the load the coefficients are linearised around: baseline + the jobs' expected [kW]
    operating: pd.DataFrame | None = None
    #: battery, cold tank, on-site generation (None: the site has none)
    site_assets: SiteAssets | None = None

    @property
    def assets(self) -> Assets | None:
        """The optimizer's assets (None without any)."""
        return None if self.site_assets is None else self.site_assets.assets


def design_capacity_kw(compute_design_kw: dict[str, float], hours: pd.DatetimeIndex
                       ) -> pd.DataFrame:
    """Each pod's compute design power [kW] in every hour (hours x pods)."""
    return pd.DataFrame(
        {n: np.full(len(hours), float(kw)) for n, kw in compute_design_kw.items()}, index=hours
    )


def optimizer_pods(
    baseline_kw: pd.DataFrame, compute_design_kw: dict[str, float], coefficients: pd.DataFrame
) -> Pods:
    """The pods as the optimizer sees them, over the hours of ``baseline_kw``.

    Parameters
    ----------
    baseline_kw : DataFrame
        Inference compute load [kW], hours x pods (its columns name the pods).
    compute_design_kw : dict
        Pod name -> compute design power [kW] (the pod's capacity every hour).
    coefficients : DataFrame
        :func:`thermal.coefficients.scheduler_coefficients` over at least those hours.
    """
    names = list(baseline_kw.columns)
    hours = baseline_kw.index
    coef = coefficients.loc[hours]
    return Pods(
        capacity_kw=design_capacity_kw({n: compute_design_kw[n] for n in names}, hours),
        baseline_kw=baseline_kw,
        cooling_capacity_kw=coef["cooling_capacity_kw"][names],
        facility_factor=coef["facility_factor"][names],
        fixed_overhead_kw=coef["fixed_kw"][names],
    )


def _prepare(
    scenario: Scenario, inputs: HourlyInputs, pods: list[Pod], params, time_limit_s,
    jobs: pd.DataFrame | None = None,
) -> _Prepared:
    """Baseline load, linear facility coefficients, jobs (the scenario's, or ``jobs``)
    and the optimizer's inputs."""
    hours = inputs.frame.index
    names = [p.name for p in pods]
    design = {p.name: design_pod(p, params) for p in pods}
    baseline = pd.DataFrame(
        {
            spec.name: inference_compute_kw(
                spec, design[spec.name].compute_design_kw, hours, scenario.site.timezone
            )
            for spec in scenario.pods
        },
        index=hours,
    )
    design_kw = {n: design[n].compute_design_kw for n in names}
    capacity = design_capacity_kw(design_kw, hours)
    jobs = load_jobs(scenario, hours) if jobs is None else jobs
    # Linearise around the inference baseline plus the jobs' expected load, so the linear
    # facility model stays accurate when jobs add far more load than inference.
    operating = baseline + expected_job_load(jobs, hours, capacity - baseline)
    weather = inputs.frame[list(WEATHER_COLUMNS)]
    coef = scheduler_coefficients(
        weather, pods, {n: operating[n].to_numpy() for n in names}, params
    )
    spec = scenario.solver
    return _Prepared(
        hours=hours,
        names=names,
        baseline=baseline,
        coefficients=coef,
        jobs=jobs,
        operating=operating,
        signals=inputs.frame[["price_per_kwh", "carbon_g_per_kwh"]].copy(),
        pods=optimizer_pods(baseline, design_kw, coef),
        limits=Limits(scenario.grid.grid_limit_kw),
        objective=Objective(
            carbon_price_per_t=scenario.objective.carbon_price_per_t,
            demand_charge_per_kw=inputs.demand_charge_per_kw_month,
            billing=scenario.grid.price.billing,
            cost_weight=scenario.objective.cost_weight,
            carbon_weight=scenario.objective.carbon_weight,
        ),
        options=SolverOptions(
            time_limit_s=time_limit_s or spec.time_limit_s,
            rel_gap=spec.rel_gap,
            threads=spec.threads,
            window_h=spec.window_h,
            rolling=spec.rolling,
            step_h=spec.step_h,
        ),
    )


def refuse_forecasts_with_assets(scenario: Scenario, site_assets: SiteAssets | None) -> None:
    """Refuse a forecast-mode run of a site with assets (before any work).

    Raises
    ------
    ScenarioError
        ``forecast.method`` other than "perfect" with a battery, a cold tank, on-site
        generation or heat reuse with a demand: the optimizer does not yet plan assets on forecasts (it would raise
        ``ScheduleInputError``); the message names the sections.
    """
    if site_assets is None or scenario.forecast.method == "perfect":
        return
    a = site_assets.assets
    sections = [name for name, has in (
        ("[storage.battery]", a.has_battery), ("[storage.cold]", a.has_cold),
        ("[onsite.pv]", has_pv(scenario)), ("[onsite.wind]", has_wind(scenario)),
        ("[heat_reuse] with demand", a.has_heat)) if has]
    raise ScenarioError(
        f"forecast mode (method = {scenario.forecast.method!r}) does not yet plan a site's "
        f"assets; this scenario has {', '.join(sections)}. Use method = 'perfect', or remove "
        "those sections (or set their size to 0)",
        field="forecast.method",
    )


def check_machine_fits(scenario: Scenario) -> None:
    """Refuse solver settings this machine cannot honour (before any work).

    Raises
    ------
    ScenarioError
        ``solver.threads`` above the machine's cores: more HiGHS threads than cores only
        slow the solve down, and a scenario written for a larger machine should say so.
    """
    import os

    cores = os.cpu_count() or 1
    if scenario.solver.threads > cores:
        raise ScenarioError(
            f"{scenario.solver.threads} threads asked for, but this machine has {cores} "
            f"core(s); use 1..{cores}",
            field="solver.threads",
        )


@dataclass
class Preflight:
    """What :func:`preflight` checked: the run's inputs, ready for the schedule."""

    inputs: HourlyInputs
    params: object  # thermal.params.FacilityParams
    pods: list[Pod]
    prepared: _Prepared
    #: scenarios.forecast_mode.Forecasts, None with perfect foresight
    forecasts: object = None
    #: every pod's plant at full IT load on the design day (thermal.sizing.PlantSizing)
    sizings: list = field(default_factory=list)


def preflight(
    scenario: Scenario,
    time_limit_s: float | None = None,
    progress: Callable[[str], None] | None = None,
    expected_jobs: pd.DataFrame | None = None,
) -> Preflight:
    """Every check a run makes before its long computation (``coolshift validate`` and
    ``run`` share it): inputs read, pods within their technology's limits, jobs parsed
    and placeable (each job fits some pod in its window; baselines fit the capacity).

    ``expected_jobs`` (a fleet's site, :mod:`scenarios.fleet`): the jobs this site may
    expect, the load its facility model is linearised around, instead of the scenario's
    workload; they are not checked here (the fleet checks its jobs across its sites).

    Raises
    ------
    ScenarioError, ThermalInputError, ScheduleInputError, InfeasibleError
        The first problem found, named.
    """
    from optimizer.precheck import explain_infeasible_inputs

    say = progress or (lambda text: None)
    check_machine_fits(scenario)
    say("inputs")
    inputs = resolve_inputs(scenario)
    params = facility_params(scenario, (inputs.design_dry_bulb_c, inputs.design_wet_bulb_c))
    pods = thermal_pods(scenario, params)
    cost_params(scenario.costs, scenario.grid.currency)  # a bad [costs] fails before the work
    sizings = scenario_sizings(pods, params, station_pressure_pa(inputs.frame))
    say("thermal baseline")
    from optimizer.errors import ScheduleInputError

    try:
        prep = _prepare(scenario, inputs, pods, params, time_limit_s, expected_jobs)
    except ScheduleInputError as exc:  # a jobs file's row as its reader counts it
        raise in_jobs_file(exc, scenario.workload.jobs) from None
    prep.site_assets = build_assets(scenario, inputs.frame, pods, params, prep.baseline,
                                    prep.operating)
    refuse_forecasts_with_assets(scenario, prep.site_assets)
    job_kwh = float((prep.jobs["duration_h"] * prep.jobs["power_kw"]).sum()) if len(prep.jobs) else 0.0
    if not prep.baseline.to_numpy().sum() > 0 and not job_kwh > 0:
        raise ScenarioError(
            "the run has no IT load: every pod's inference utilisation is 0 and no job draws "
            "power, so PUE and every per-kWh indicator are undefined; set "
            "pods[].inference.utilisation above 0 or give jobs",
            field="pods",
        )
    if len(prep.jobs) and expected_jobs is None:
        try:
            problem = problem_of(prep)
        except ScheduleInputError as exc:
            raise in_jobs_file(exc, scenario.workload.jobs) from None
        explain_infeasible_inputs(problem)
    forecasts = prepare_forecasts(scenario, inputs)  # forecast file read and checked
    return Preflight(inputs=inputs, params=params, pods=pods, prepared=prep, sizings=sizings,
                     forecasts=forecasts)


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
        Overrides the scenario's solver time limit: the whole optimisation, rolling windows
        included, shares it [s].
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
    scenario = with_time_limit(scenario, time_limit_s)  # what scenario.toml records

    checked = preflight(scenario, None, say)
    inputs, params, pods, prep = checked.inputs, checked.params, checked.pods, checked.prepared
    timings["inputs_and_thermal_s"] = time.perf_counter() - t0

    say("schedule")
    t = time.perf_counter()
    limit_s = prep.options.time_limit_s
    run_deadline_s = None if limit_s is None else t + limit_s
    if checked.forecasts is not None and optimize and limit_s is not None:
        # forecast mode solves twice (perfect foresight, then on forecasts): the time
        # limit bounds both together, half each (the second gets what the first left)
        prep.options = dataclasses.replace(prep.options, time_limit_s=limit_s / 2)
    made = make_schedules(prep, optimize, say)
    schedules, unplaced, solver = made.schedules, made.unplaced, made.solver
    if checked.forecasts is not None:  # plan on forecasts, settle on actuals
        schedules, unplaced, solver = plan_on_forecasts(
            checked.forecasts, prep, optimize, schedules, unplaced, solver, say,
            deadline_s=run_deadline_s)
    solver = {**solver, "time_limit_s": limit_s}  # the whole run's (manifest.json)
    timings["schedule_s"] = time.perf_counter() - t

    say("re-simulation")
    t = time.perf_counter()
    outcomes = {
        name: resimulate(name, sched, scenario, inputs, pods, params, prep.baseline,
                         prep.site_assets, made.dispatches.get(name))
        for name, sched in schedules.items()
    }
    main = outcomes["milp" if optimize else "asap"]
    checked_linear = checked_linearisation(prep.coefficients, prep.baseline, main,
                                           scenario.grid.grid_limit_kw, inputs.notes)
    timings["resimulate_s"] = time.perf_counter() - t

    jobs = prep.jobs
    kpis = dict(main.kpis)
    kpis["jobs"] = len(jobs)
    kpis["job_energy_mwh"] = float(main.job_load_kw.to_numpy().sum()) / 1000.0
    # Validated above: a job the schedule holds has its work done in its window (ASAP
    # without the MILP may leave one out)
    kpis["deadlines_met_share"] = K.deadlines_met_share(jobs["job_id"], main.schedule)
    kpis["shifted_energy_share"] = K.shifted_energy_share(
        main.job_load_kw, outcomes["asap"].job_load_kw
    )
    for name in ("asap", "greedy"):
        if name in unplaced:
            # A baseline that misses deadlines is not a fair comparison: no saving reported.
            kpis.update({k: None for k in K.savings(main.kpis, main.kpis, name)})
            outcomes[name].kpis["feasible"] = False
            inputs.notes.append(K.unplaced_note(name, unplaced[name]))
        elif outcomes[name] is not main:
            kpis.update(K.savings(main.kpis, outcomes[name].kpis, name))
        else:  # the run's own schedule: no saving (a share only of a positive total)
            kpis.update(K.savings(main.kpis, main.kpis, name))
    kpis.update(forecast_kpis(outcomes, solver))
    operation, values = asset_parts(prep, schedules, unplaced, optimize)
    kpis.update(K.lever_kpis(levers_of(prep, schedules, unplaced, optimize), kpis, operation))
    kpis.update(K.asset_value_kpis(values))
    money = scenario_tco(scenario, checked.sizings, kpis, len(inputs.frame))
    kpis.update(tco_kpis(money))
    target = K.target_check(kpis["pue"], scenario.targets.pue, scenario.targets.label)
    kpis.update({k: v for k, v in target.items() if k != "references"})
    timings["total_s"] = time.perf_counter() - t0
    return RunResult(
        scenario=scenario,
        inputs=inputs,
        jobs=jobs,
        baseline_compute_kw=prep.baseline,
        coefficients=prep.coefficients,
        outcomes=outcomes,
        solver=solver,
        kpis=K.clean(kpis),
        linearisation=checked_linear,
        timings_s=timings,
        optimized=optimize,
        unplaced=unplaced,
        site_assets=prep.site_assets,
        dispatches=made.dispatches,
        tco=money,
    )
