"""One fleet run (issue 16): every site prepared as alone, scheduled as one, then
re-simulated site by site.

1. load the fleet file (:mod:`scenarios.fleet_schema`) and each site's scenario (a
   built-in name, or a file next to the fleet file), the fleet's horizon, objective and
   solver put in place of each site's own;
2. the fleet's jobs (a CSV with ``home``, ``sites``, ``data_tb``, ``latency``, or the
   fleet generator);
3. each site through :func:`scenarios.run.preflight` (its inputs, thermal baseline and
   linear facility model, linearised around the jobs the site may expect: each job's
   energy shared evenly over the sites it may use);
4. one fleet problem (:func:`optimizer.fleet.prepare_fleet`), solved within the fleet's
   time limit; the baselines: ASAP and greedy with every job at home, and greedy over
   every site a job may use ("cheapest site"); every schedule checked by
   :func:`optimizer.fleet.validate_fleet`;
5. each site's share of each schedule re-simulated exactly, its KPIs; the fleet's KPIs
   are their sums (ratios from the sums) plus the network's energy, cost and carbon.

A fleet with storage, on-site generation, heat reuse with a demand or forecasts at a
site is refused before any work (not modelled across sites yet).
"""

from __future__ import annotations

import time
import tomllib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from optimizer.baselines import asap, greedy
from optimizer.fleet import (
    Network,
    Site,
    at_home,
    moved_jobs,
    prepare_fleet,
    split_pod,
    validate_fleet,
)
from optimizer.levers import lever_savings
from optimizer.options import Objective, SolverOptions
from optimizer.problem import JOB_COLUMNS, Pods, Problem
from optimizer.result import BaselineSummary, ScheduleResult
from optimizer.schedule import from_frame
from optimizer.solve import solve_prepared
from scenarios import kpis as K
from scenarios.errors import ScenarioError
from scenarios.fleet_schema import Fleet, is_fleet_data
from scenarios.library import example_names, example_text
from scenarios.loading import (
    check_nesting,
    explain_validation_error,
    read_scenario_data,
    resolve_paths,
    scenario_from_dict,
)
from scenarios.outcomes import ScheduleOutcome, linearisation, resimulate
from scenarios.run import Preflight, RunResult, preflight
from scenarios.schema import Scenario
from scenarios.workload import generate_jobs

#: Schedules of a fleet run: the MILP, the two "everything at home" baselines, and greedy
#: over every site a job may use.
FLEET_SCHEDULES = ("milp", "asap", "greedy", "cheapest_site")
#: KPIs of a site that add up over a fleet (the rest are ratios, recomputed from sums).
ADDITIVE_KPIS = (
    "it_energy_mwh", "compute_energy_mwh", "facility_energy_mwh", "water_m3",
    "carbon_location_t", "carbon_market_t", "energy_cost", "demand_cost", "total_cost",
    "job_energy_mwh",
)


# --------------------------------------------------------------------------- loading


def fleet_names() -> list[str]:
    """Names of the built-in fleets."""
    folder = resources.files("scenarios").joinpath("library/fleets")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def fleet_text(name: str) -> str:
    """The TOML text of a built-in fleet."""
    return resources.files("scenarios").joinpath(f"library/fleets/{name}.toml").read_text(
        encoding="utf-8")


def is_fleet_arg(arg: str) -> bool:
    """Whether a CLI scenario argument names a fleet (a built-in fleet, or a TOML file
    with ``[[sites]]``); reading a file that is not one costs one parse."""
    if arg in fleet_names():
        return True
    path = Path(arg)
    if path.suffix.lower() != ".toml" or not path.is_file():
        return False
    try:
        return is_fleet_data(read_scenario_data(path))
    except ScenarioError:
        return False


def fleet_from_dict(data: dict, *, file: str = "<fleet>", base_dir: Path | None = None) -> Fleet:
    """Validate raw fleet data; relative jobs paths and site scenario files are made
    absolute against ``base_dir`` (None: built-in, only built-in sites allowed)."""
    check_nesting(data, file)
    data = dict(data)
    if base_dir is not None:
        data = resolve_paths(data, base_dir)
        data["sites"] = [_resolved_site(s, base_dir) for s in data.get("sites", [])]
    try:
        return Fleet.model_validate(data)
    except ValidationError as exc:
        raise explain_validation_error(exc, file) from None


def _resolved_site(site, base_dir: Path):
    if not isinstance(site, dict) or not isinstance(site.get("scenario"), str):
        return site
    value = site["scenario"]
    if value in example_names():
        return site
    path = Path(value).expanduser()
    return {**site, "scenario": str(path if path.is_absolute() else (base_dir / path).resolve())}


def load_fleet_arg(arg: str) -> tuple[Fleet, dict, Path | None]:
    """A CLI argument as a fleet: a built-in fleet name or a fleet TOML file.

    Returns
    -------
    fleet, raw data, base folder (None for built-ins)
    """
    if arg in fleet_names():
        data = tomllib.loads(fleet_text(arg))
        return fleet_from_dict(data, file=f"built-in fleet {arg!r}"), data, None
    path = Path(arg)
    data = read_scenario_data(path)
    base = path.resolve().parent
    return fleet_from_dict(data, file=str(path), base_dir=base), data, base


def site_scenario(fleet: Fleet, index: int, base_dir: Path | None) -> Scenario:
    """A site's scenario with the fleet's horizon, objective and solver, and no
    workload of its own.

    Raises
    ------
    ScenarioError
        Naming ``sites[i].scenario``: not a built-in and not a readable scenario file
        (a built-in fleet may name built-ins only), or a site with what a fleet does not
        model yet (storage, on-site generation, heat reuse with a demand, forecasts).
    """
    site = fleet.sites[index]
    where = f"sites[{index}].scenario"
    if site.scenario in example_names():
        scenario = scenario_from_dict(tomllib.loads(example_text(site.scenario)),
                                      file=f"built-in scenario {site.scenario!r}")
    elif base_dir is None:
        raise ScenarioError(f"{site.scenario!r} is not a built-in scenario "
                            f"({', '.join(example_names())})", field=where)
    else:
        path = Path(site.scenario)
        scenario = scenario_from_dict(read_scenario_data(path), file=str(path),
                                      base_dir=path.resolve().parent)
    unsupported = [name for name, has in (
        ("[storage]", scenario.storage is not None), ("[onsite]", scenario.onsite is not None),
        ("[heat_reuse] with a demand", scenario.heat_reuse.demand is not None),
        ("[forecast]", scenario.forecast.method != "perfect")) if has]
    if unsupported:
        raise ScenarioError(
            f"site '{site.name}' ({site.scenario}) has {', '.join(unsupported)}: a fleet does "
            "not yet co-optimise assets or forecasts across sites; remove them from the "
            "site's scenario or run the site alone", field=where)
    horizon = fleet.horizon or scenario.horizon
    return scenario.model_copy(update={
        "workload": scenario.workload.model_copy(update={"jobs": None, "generator": None}),
        "horizon": horizon,
        "objective": fleet.objective,
        "solver": fleet.solver,
    })


# --------------------------------------------------------------------------- jobs


def fleet_jobs(fleet: Fleet, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """The fleet's jobs: its CSV (fleet columns allowed) or its generator (homes in
    turn over ``homes``, data drawn uniformly from ``data_tb``, seeded)."""
    workload, names = fleet.workload, [s.name for s in fleet.sites]
    if workload.jobs is not None:
        from optimizer.readers import read_jobs

        return read_jobs(Path(workload.jobs), fleet=True)
    spec = workload.generator
    if spec is None:
        return pd.DataFrame(columns=list(JOB_COLUMNS))
    jobs = generate_jobs(spec, hours, ["any"]).drop(columns="pods")
    homes = spec.homes or names
    jobs["home"] = [homes[i % len(homes)] for i in range(len(jobs))]
    rng = np.random.default_rng([spec.seed, 16])  # own stream: the jobs stay the site's
    lo, hi = spec.data_tb
    jobs["data_tb"] = np.round(rng.uniform(lo, hi, len(jobs)), 3)
    return jobs


def expected_site_jobs(jobs: pd.DataFrame, names: list[str], k: int,
                       network: Network) -> pd.DataFrame:
    """The jobs site ``k`` may expect: those it may run, each at its power divided by
    the number of sites it may use (the linear facility model's operating point)."""
    from optimizer.fleet import job_sites

    if not len(jobs):
        return jobs
    _, may, _ = job_sites(jobs, names, network)
    share = may[:, k] / may.sum(1)
    out = jobs.loc[share > 0, list(JOB_COLUMNS)].copy()
    out["power_kw"] = out["power_kw"] * share[share > 0]
    return out


# --------------------------------------------------------------------------- run


@dataclass
class FleetResult:
    """Everything a fleet run produced (data only).

    Attributes
    ----------
    sites : dict
        Site name -> its :class:`scenarios.run.RunResult` (its share of every schedule,
        re-simulated; its KPIs; the fleet's solver summary).
    schedules : dict
        Name (:data:`FLEET_SCHEDULES`) -> fleet schedule (job_id, site, pod, timestamp,
        power_kw).
    kpis : dict
        Fleet-wide KPIs of the MILP's schedule (or ASAP's when not optimised), with
        ``moved_jobs``, ``moved_energy_mwh``, ``moved_data_tb``, the network's energy,
        cost and carbon, and savings against each baseline split by lever.
    baselines : dict
        Name -> fleet-wide KPIs of each baseline.
    """

    fleet: Fleet
    jobs: pd.DataFrame
    network: Network
    sites: dict[str, RunResult]
    schedules: dict[str, pd.DataFrame]
    kpis: dict
    baselines: dict[str, dict]
    solver: dict
    timings_s: dict
    optimized: bool
    currency: str
    notes: list[str] = field(default_factory=list)

    @property
    def main(self) -> str:
        return "milp" if self.optimized else "asap"


@dataclass
class _Sites:
    """The fleet's sites as prepared: scenario, preflight and optimizer inputs each."""

    scenarios: list[Scenario]
    checked: list[Preflight]
    inputs: list[Site]


def _network(fleet: Fleet) -> Network:
    n = fleet.network
    return Network(energy_kwh_per_tb=n.energy_kwh_per_tb, cost_per_tb=n.cost_per_tb,
                   transfer_h_per_tb=n.transfer_h_per_tb,
                   home_only_latency=tuple(n.home_only_latency))


def fleet_preflight(fleet: Fleet, base_dir: Path | None, time_limit_s: float | None = None,
                    progress: Callable[[str], None] | None = None
                    ) -> tuple[_Sites, pd.DataFrame, Problem, SolverOptions]:
    """Every check before the fleet's long computation (``validate`` and ``run``).

    Raises
    ------
    ScenarioError, ThermalInputError, ScheduleInputError, InfeasibleError
        The first problem found, named (site errors name the site).
    """
    from optimizer.precheck import explain_infeasible_inputs

    say = progress or (lambda text: None)
    network = _network(fleet)
    names = [s.name for s in fleet.sites]
    scenarios = [site_scenario(fleet, k, base_dir) for k in range(len(fleet.sites))]
    _same(scenarios, names, lambda s: s.grid.currency, "grid.currency",
          "convert the prices to one currency: a fleet's costs add up")
    _same(scenarios, names, lambda s: s.grid.price.billing, "grid.price.billing",
          "bill every site the same way (prorated or full_month)")
    if fleet.horizon is None:
        _same(scenarios, names, lambda s: (s.horizon.start, s.horizon.hours), "horizon",
              "give the fleet a [horizon] or make the sites' horizons equal")
    from scenarios.inputs import horizon_hours

    hours = horizon_hours(scenarios[0])
    jobs = fleet_jobs(fleet, hours)
    checked = []
    for k, scenario in enumerate(scenarios):
        say(f"site {k + 1}/{len(scenarios)} ({names[k]}): inputs and thermal baseline")
        try:
            checked.append(preflight(scenario, time_limit_s, None,
                                     expected_site_jobs(jobs, names, k, network)))
        except ScenarioError as exc:
            raise ScenarioError(f"site '{names[k]}': {exc}") from None
    first = checked[0].prepared
    sites = [Site(name, c.prepared.signals.tz_convert(hours.tz), _pods_in(c, hours.tz),
                  c.prepared.limits, c.prepared.objective.demand_charge_per_kw)
             for name, c in zip(names, checked, strict=True)]
    objective = Objective(carbon_price_per_t=fleet.objective.carbon_price_per_t,
                          billing=first.objective.billing,
                          cost_weight=fleet.objective.cost_weight,
                          carbon_weight=fleet.objective.carbon_weight)
    problem = prepare_fleet(jobs, sites, objective, network)
    if len(jobs):
        explain_infeasible_inputs(problem)
    return _Sites(scenarios, checked, sites), jobs, problem, first.options


def _pods_in(checked: Preflight, tz) -> Pods:
    """A site's pods with their hours in the fleet's time zone."""
    pods = checked.prepared.pods
    return Pods(**{name: (None if (frame := getattr(pods, name)) is None
                          else frame.tz_convert(tz))
                   for name in pods.__dataclass_fields__})


def _same(scenarios, names, get, what: str, fix: str) -> None:
    values = [get(s) for s in scenarios]
    if any(v != values[0] for v in values[1:]):
        listed = ", ".join(f"{n}: {v}" for n, v in zip(names, values, strict=True))
        raise ScenarioError(f"the sites' {what} differ ({listed}); {fix}", field="sites")


def _solve(problem: Problem, options: SolverOptions, optimize: bool, say) -> tuple[dict, dict]:
    """The fleet's schedules (assignments as frames) and the solver summary."""
    home = at_home(problem)
    bases = {"asap": asap(home), "greedy": greedy(home), "cheapest_site": greedy(problem)}
    summaries = {name: BaselineSummary.of(problem, b) for name, b in bases.items()}
    solver: dict = {"optimized": optimize}
    if optimize and len(problem.jobs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result: ScheduleResult = solve_prepared(
                problem, options, progress=lambda text: say(f"schedule: {text}"))
        solver.update(result.summary())
        solver["warnings"] = [str(w.message) for w in caught]
        summaries = {"milp": BaselineSummary("milp", "feasible", result.schedule,
                                             result.metrics), **summaries}
    else:
        solver["status"] = "not optimized" if len(problem.jobs) else "no jobs"
    for name in ("asap", "greedy", "cheapest_site"):
        solver[name] = summaries[name].as_dict()
    return summaries, solver


def run_fleet(fleet: Fleet, base_dir: Path | None = None, optimize: bool = True,
              time_limit_s: float | None = None,
              progress: Callable[[str], None] | None = None) -> FleetResult:
    """Run a fleet end to end (pure: reads input files, writes nothing).

    Raises
    ------
    ScenarioError
        Bad input anywhere (named); ``optimizer.errors`` for infeasible schedules.
    RuntimeError
        A schedule fails the independent fleet validator (a bug, never a result).
    """
    say = progress or (lambda text: None)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    prepared, jobs, problem, options = fleet_preflight(fleet, base_dir, time_limit_s, say)
    network = _network(fleet)
    names = list(problem.sites)
    timings["inputs_and_thermal_s"] = time.perf_counter() - t0
    say("schedule")
    t = time.perf_counter()
    summaries, solver = _solve(problem, options, optimize, say)
    schedules = {}
    for name, base in summaries.items():
        if base.status != "feasible":
            continue
        schedule = base.schedule
        broken = validate_fleet(schedule, jobs, prepared.inputs, network)
        if broken:
            raise RuntimeError(f"the fleet's {name} schedule fails validation: "
                               f"{broken[0].detail} ({len(broken)} violation(s))")
        schedules[name] = schedule
    solver["validation"] = {name: 0 for name in schedules}
    timings["schedule_s"] = time.perf_counter() - t
    say("re-simulation")
    t = time.perf_counter()
    site_results = {n: _site_result(n, k, prepared, schedules, solver, optimize, jobs)
                    for k, n in enumerate(names)}
    timings["resimulate_s"] = time.perf_counter() - t
    main = "milp" if optimize and "milp" in schedules else "asap"
    totals = {name: fleet_totals(problem, site_results, name, schedules[name], jobs)
              for name in schedules}
    kpis = dict(totals[main])
    for name in ("asap", "greedy", "cheapest_site"):
        if name not in totals:
            kpis.update({k: None for k in K.savings(kpis, kpis, name)})
        else:
            kpis.update(K.savings(totals[main], totals[name], name))
    kpis.update(fleet_lever_kpis(problem, schedules, main, kpis))
    kpis["sites"] = len(names)
    timings["total_s"] = time.perf_counter() - t0
    return FleetResult(
        fleet=fleet, jobs=jobs, network=network, sites=site_results, schedules=schedules,
        kpis=K.clean(kpis), baselines={n: K.clean(v) for n, v in totals.items() if n != main},
        solver=solver, timings_s=timings, optimized=optimize,
        currency=prepared.checked[0].inputs.currency,
        notes=[f"{name} could not place every job: no saving is claimed against it"
               for name, b in summaries.items() if b.status != "feasible"],
    )


def site_schedule(schedule: pd.DataFrame, site: str) -> pd.DataFrame:
    """A site's rows of a fleet schedule, with plain pod names."""
    parts = schedule["pod"].astype(str).map(split_pod)
    mine = schedule[[a == site for a, _ in parts]].copy()
    mine["pod"] = [b for a, b in parts if a == site]
    return mine.reset_index(drop=True)


def _site_result(name: str, k: int, prepared: _Sites, schedules: dict, solver: dict,
                 optimize: bool, jobs: pd.DataFrame) -> RunResult:
    """A site's share of every fleet schedule, re-simulated, as a single-site run."""
    scenario, checked = prepared.scenarios[k], prepared.checked[k]
    prep = checked.prepared
    outcomes: dict[str, ScheduleOutcome] = {}
    for sched_name, schedule in schedules.items():
        outcomes[sched_name] = resimulate(sched_name, site_schedule(schedule, name), scenario,
                                          checked.inputs, checked.pods, checked.params,
                                          prep.baseline)
    main = outcomes["milp" if optimize and "milp" in outcomes else "asap"]
    kpis = dict(main.kpis)
    jobs_here = main.schedule["job_id"].nunique() if len(main.schedule) else 0
    kpis["jobs"] = int(jobs_here)
    kpis["job_energy_mwh"] = float(main.job_load_kw.to_numpy().sum()) / 1000.0
    kpis["deadlines_met_share"] = 1.0 if jobs_here else None
    target = K.target_check(kpis["pue"], scenario.targets.pue, scenario.targets.label)
    kpis.update({key: v for key, v in target.items() if key != "references"})
    here = jobs[jobs["job_id"].astype(str).isin(set(main.schedule["job_id"].astype(str)))]
    return RunResult(
        scenario=scenario, inputs=checked.inputs, jobs=here.reset_index(drop=True),
        baseline_compute_kw=prep.baseline, coefficients=prep.coefficients, outcomes=outcomes,
        solver={**solver, "fleet_site": name}, kpis=K.clean(kpis),
        linearisation=linearisation(prep.coefficients, prep.baseline, main),
        timings_s={}, optimized=main.name == "milp",
    )


def flows_table(jobs: pd.DataFrame, schedule: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Where work went: one row per (home, site) pair with work [columns home, site,
    jobs, compute_mwh, data_tb, moved]; ``moved`` is home != site. Data count only for
    moved jobs (work at home moves none)."""
    columns = ["home", "site", "jobs", "compute_mwh", "data_tb", "moved"]
    if not len(schedule):
        return pd.DataFrame(columns=columns)
    table = jobs.reset_index(drop=True).assign(job_id=lambda f: f["job_id"].astype(str))
    home = (table["home"].fillna("").astype(str).replace("", names[0])
            if "home" in table.columns else pd.Series(names[0], index=table.index))
    data = (pd.to_numeric(table["data_tb"], errors="coerce").fillna(0.0)
            if "data_tb" in table.columns else pd.Series(0.0, index=table.index))
    rows = schedule.assign(job_id=schedule["job_id"].astype(str))
    site = rows["pod"].astype(str).map(lambda p: split_pod(p)[0])
    energy = rows.assign(site=site).groupby(["job_id", "site"])["power_kw"].sum() / 1000
    per_job = energy.reset_index().rename(columns={"power_kw": "compute_mwh"})
    lookup = pd.DataFrame({"job_id": table["job_id"], "home": home, "data_tb": data})
    per_job = per_job.merge(lookup, on="job_id", how="left")
    per_job["moved"] = per_job["home"] != per_job["site"]
    per_job["data_tb"] = per_job["data_tb"].where(per_job["moved"], 0.0)
    out = (per_job.groupby(["home", "site", "moved"], as_index=False)
           .agg(jobs=("job_id", "nunique"), compute_mwh=("compute_mwh", "sum"),
                data_tb=("data_tb", "sum")))
    return out[columns].sort_values(["home", "site"]).reset_index(drop=True)


def fleet_totals(problem: Problem, sites: dict[str, RunResult], name: str,
                 schedule: pd.DataFrame, jobs_table: pd.DataFrame) -> dict:
    """Fleet-wide KPIs of one schedule: the sites' re-simulated sums, ratios from the
    sums, and the network's energy, cost and carbon of moving jobs' data."""
    kpis = {k: 0.0 for k in ADDITIVE_KPIS}
    for result in sites.values():
        own = result.outcomes[name].kpis
        for k in ADDITIVE_KPIS:
            if k == "job_energy_mwh":
                own_value = float(result.outcomes[name].job_load_kw.to_numpy().sum()) / 1000
            else:
                own_value = own.get(k)
            kpis[k] += float(own_value or 0.0)
    assignment = from_frame(problem, schedule)
    pod = np.full(len(problem.jobs), -1)
    pod[assignment.job] = assignment.pod
    moved = moved_jobs(problem, pod)
    jobs = problem.jobs
    placed = np.flatnonzero(pod >= 0)
    at = (placed, pod[placed])
    network_kwh = float(jobs.move_kwh[at].sum())
    network_cost = float(jobs.move_cost[at].sum())
    network_kg = float(jobs.move_kg[at].sum())
    kpis["network_energy_mwh"] = network_kwh / 1000
    kpis["network_cost"] = network_cost
    kpis["network_carbon_t"] = network_kg / 1000
    kpis["facility_energy_mwh"] += network_kwh / 1000
    kpis["energy_cost"] += network_cost
    kpis["total_cost"] += network_cost
    kpis["carbon_location_t"] += network_kg / 1000
    kpis["carbon_market_t"] += network_kg / 1000
    it_kwh = kpis["it_energy_mwh"] * 1000
    kpis["pue"] = kpis["facility_energy_mwh"] / kpis["it_energy_mwh"] if it_kwh else None
    kpis["tue"] = (kpis["facility_energy_mwh"] / kpis["compute_energy_mwh"]
                   if kpis["compute_energy_mwh"] else None)
    kpis["wue_l_per_kwh"] = kpis["water_m3"] * 1000 / it_kwh if it_kwh else None
    kpis["cue_kg_per_kwh"] = kpis["carbon_location_t"] * 1000 / it_kwh if it_kwh else None
    kpis["jobs"] = len(jobs)
    kpis["moved_jobs"] = int(moved.sum())
    energy = jobs.power_kw * jobs.duration_h / 1000
    kpis["moved_energy_mwh"] = float(energy[moved].sum())
    data_tb = (pd.to_numeric(jobs_table["data_tb"], errors="coerce").fillna(0.0).to_numpy()
               if "data_tb" in jobs_table.columns else np.zeros(len(jobs)))
    kpis["moved_data_tb"] = float(data_tb[moved].sum())
    kpis["peak_facility_kw"] = max(float(r.outcomes[name].kpis.get("peak_facility_kw") or 0)
                                   for r in sites.values())
    kpis["deadlines_met_share"] = 1.0 if len(jobs) else None
    return kpis


def fleet_lever_kpis(problem: Problem, schedules: dict, main: str, kpis: dict) -> dict:
    """The saving against ASAP at home split into site (where), hall (how), timing
    (when), peak and other (what the exact re-simulation adds to the linear model)."""
    keys = ("site", "placement", "timing", "peak", "other")
    out = {f"cost_saving_vs_asap_{k}": None for k in keys}
    out.update({f"carbon_saving_vs_asap_{k}_t": None for k in keys if k != "peak"})
    if main == "asap" or "asap" not in schedules or kpis.get("cost_saving_vs_asap") is None:
        return out
    base = from_frame(problem, schedules["asap"])
    plan = from_frame(problem, schedules[main])
    levers = lever_savings(problem, base, plan)
    out.update({
        "cost_saving_vs_asap_site": levers.cost_site,
        "cost_saving_vs_asap_placement": levers.cost_placement,
        "cost_saving_vs_asap_timing": levers.cost_timing,
        "cost_saving_vs_asap_peak": levers.cost_peak,
        "cost_saving_vs_asap_other": kpis["cost_saving_vs_asap"] - levers.cost_total,
        "carbon_saving_vs_asap_site_t": levers.carbon_site_kg / 1e3,
        "carbon_saving_vs_asap_placement_t": levers.carbon_placement_kg / 1e3,
        "carbon_saving_vs_asap_timing_t": levers.carbon_timing_kg / 1e3,
        "carbon_saving_vs_asap_other_t": kpis["carbon_saving_vs_asap_t"]
        - levers.carbon_total_kg / 1e3,
    })
    return out


# --------------------------------------------------------------------------- batches


@dataclass(frozen=True)
class FleetJob:
    """A fleet as one item of a batch (:func:`scenarios.batch.run_batch`): picklable, so
    it runs in a local worker process or on a Dask worker like a scenario."""

    fleet: Fleet
    base_dir: Path | None = None

    @property
    def name(self) -> str:
        return self.fleet.name


def run_item(item, optimize: bool = True, time_limit_s: float | None = None):
    """A batch runner for scenarios and fleets alike (a top-level function: workers
    import it): :func:`scenarios.batch.run_one`, or the fleet's run turned into a
    :class:`scenarios.batch.BatchOutcome` the same way (expected failures with their exit
    code, anything else an internal error)."""
    from scenarios.batch import BatchOutcome, _internal_error, expected_errors, run_one

    if not isinstance(item, FleetJob):
        return run_one(item, optimize, time_limit_s)
    codes = expected_errors()
    try:
        return BatchOutcome(item.name, result=run_fleet(item.fleet, item.base_dir, optimize,
                                                        time_limit_s))
    except tuple(codes) as exc:
        code = next(c for cls, c in codes.items() if isinstance(exc, cls))
        return BatchOutcome(item.name, error=str(exc), exit_code=code)
    except Exception as exc:  # a bug: keep the traceback for --debug
        return _internal_error(item.name, exc)


__all__ = [
    "FLEET_SCHEDULES",
    "FleetJob",
    "FleetResult",
    "fleet_names",
    "fleet_preflight",
    "is_fleet_arg",
    "load_fleet_arg",
    "run_fleet",
    "run_item",
    "site_schedule",
]
