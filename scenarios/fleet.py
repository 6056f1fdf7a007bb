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
   :func:`optimizer.fleet_validate.validate_fleet`;
5. each site's share of each schedule re-simulated exactly, its KPIs with its half of
   every transfer it sends or receives (network energy, cost, carbon); the fleet's KPIs
   are their sums (ratios from the sums, the network left out of facility energy).

A fleet with storage, on-site generation, heat reuse with a demand or forecasts at a
site is refused before any work (not modelled across sites yet).
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.baselines import asap, greedy
from optimizer.fleet import (
    Network,
    Site,
    at_home,
    network_by_site,
    prepare_fleet,
    split_pod,
)
from optimizer.fleet_solve import SiteMap, decomposes, solve_by_site
from optimizer.fleet_validate import validate_fleet
from optimizer.options import Objective, SolverOptions
from optimizer.problem import Pods, Problem
from optimizer.result import BaselineSummary, ScheduleResult
from optimizer.solve import solve_prepared
from scenarios import kpis as K
from scenarios.errors import ScenarioError, in_jobs_file
from scenarios.fleet_kpis import (
    fleet_lever_kpis,
    fleet_tco_kpis,
    fleet_totals,
    flows_table,
    pod_of_jobs,
    with_network,
)
from scenarios.fleet_loading import (
    expected_site_jobs,
    fleet_from_dict,
    fleet_jobs,
    fleet_names,
    fleet_text,
    is_fleet_arg,
    load_fleet_arg,
    site_scenario,
)
from scenarios.fleet_schema import Fleet
from scenarios.money import scenario_tco, tco_kpis
from scenarios.outcomes import ScheduleOutcome, checked_linearisation, resimulate
from scenarios.run import Preflight, RunResult, preflight
from scenarios.schema import Scenario, with_time_limit

#: Schedules of a fleet run: the MILP, the two "everything at home" baselines, and greedy
#: over every site a job may use.
FLEET_SCHEDULES = ("milp", "asap", "greedy", "cheapest_site")


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

    main: str = "milp"  # the run's schedule (main_schedule)


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


def _site_preflight(task: tuple) -> Preflight:
    """One site's :func:`scenarios.run.preflight` (a top-level function: worker
    processes and Dask workers import it); errors name the site."""
    name, scenario, time_limit_s, expected = task
    try:
        return preflight(scenario, time_limit_s, None, expected)
    except ScenarioError as exc:
        raise ScenarioError(f"site '{name}': {exc}") from None


def fleet_preflight(fleet: Fleet, base_dir: Path | None, time_limit_s: float | None = None,
                    progress: Callable[[str], None] | None = None, map_sites: SiteMap = map
                    ) -> tuple[_Sites, pd.DataFrame, Problem, SolverOptions]:
    """Every check before the fleet's long computation (``validate`` and ``run``); the
    sites' inputs and thermal baselines are independent tasks of ``map_sites``
    (:data:`optimizer.fleet_solve.SiteMap`).

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
    from scenarios.inputs import horizon_hours

    if fleet.horizon is None:  # the same hours at every site: instants, not clock times
        _same(scenarios, names,
              lambda s: f"{horizon_hours(s)[0].isoformat()} for {s.horizon.hours} h",
              "horizon", "give the fleet a [horizon] or make the sites' horizons equal")
    hours = horizon_hours(scenarios[0])  # a start without an offset: the first site's clock
    scenarios = [s.model_copy(update={"horizon": s.horizon.model_copy(
        update={"start": hours[0].to_pydatetime()})}) for s in scenarios]
    _same_billing_months(scenarios, names, hours)
    jobs = fleet_jobs(fleet, hours)
    if len(jobs):  # the jobs' homes, sites and data, named before any site's work
        from optimizer.errors import ScheduleInputError
        from optimizer.fleet import job_sites

        try:
            job_sites(jobs.reset_index(drop=True), names, network)
        except ScheduleInputError as exc:
            raise in_jobs_file(exc, fleet.workload.jobs, field="workload.jobs") from None
    say(f"{len(scenarios)} sites: inputs and thermal baselines")
    checked = list(map_sites(_site_preflight, [
        (names[k], scenario, time_limit_s, expected_site_jobs(jobs, names, k, network))
        for k, scenario in enumerate(scenarios)]))
    first = checked[0].prepared
    sites = [Site(spec.name, c.prepared.signals.tz_convert(hours.tz), _pods_in(c, hours.tz),
                  c.prepared.limits, c.prepared.objective.demand_charge_per_kw,
                  spec.open_share)
             for spec, c in zip(fleet.sites, checked, strict=True)]
    objective = Objective(carbon_price_per_t=fleet.objective.carbon_price_per_t,
                          billing=first.objective.billing,
                          cost_weight=fleet.objective.cost_weight,
                          carbon_weight=fleet.objective.carbon_weight)
    from optimizer.errors import ScheduleInputError

    try:
        problem = prepare_fleet(jobs, sites, objective, network)
    except ScheduleInputError as exc:  # a jobs file's row as its reader counts it
        raise in_jobs_file(exc, fleet.workload.jobs, field="workload.jobs") from None
    if len(jobs):
        explain_infeasible_inputs(problem)
    return _Sites(scenarios, checked, sites), jobs, problem, first.options


def _pods_in(checked: Preflight, tz) -> Pods:
    """A site's pods with their hours in the fleet's time zone."""
    pods = checked.prepared.pods
    return Pods(**{name: (None if (frame := getattr(pods, name)) is None
                          else frame.tz_convert(tz))
                   for name in pods.__dataclass_fields__})


def _same_billing_months(scenarios, names, hours: pd.DatetimeIndex) -> None:
    """Refuse sites whose local calendar months split the horizon differently: the
    fleet's peaks are billed per month of one calendar (scenarios in one time zone, or a
    horizon inside one month everywhere, pass)."""
    from optimizer.problem import billing_months

    first = billing_months(hours)
    for name, s in zip(names, scenarios, strict=True):
        codes, labels, _ = billing_months(hours.tz_convert(s.site.timezone))
        if not (np.array_equal(codes, first[0]) and labels == first[1]):
            raise ScenarioError(
                f"site '{name}' ({s.site.timezone}) starts a billing month at another hour "
                f"than site '{names[0]}' ({scenarios[0].site.timezone}) inside the horizon; "
                "keep a fleet's horizon inside one calendar month, or its sites in one time "
                "zone", field="horizon")


def _same(scenarios, names, get, what: str, fix: str) -> None:
    values = [get(s) for s in scenarios]
    if any(v != values[0] for v in values[1:]):
        listed = ", ".join(f"{n}: {v}" for n, v in zip(names, values, strict=True))
        raise ScenarioError(f"the sites' {what} differ ({listed}); {fix}", field="sites")


def _solve(problem: Problem, options: SolverOptions, optimize: bool, say,
           map_sites: SiteMap = map, workers: int = 1) -> tuple[dict, dict]:
    """The fleet's schedules (assignments as frames) and the solver summary: one MILP,
    or site by site where no job may leave home (:mod:`optimizer.fleet_solve`)."""
    home = at_home(problem)
    bases = {"asap": asap(home), "greedy": greedy(home), "cheapest_site": greedy(problem)}
    summaries = {name: BaselineSummary.of(problem, b) for name, b in bases.items()}
    solver: dict = {"optimized": optimize, "time_limit_s": options.time_limit_s}
    if optimize and len(problem.jobs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if decomposes(problem):
                say(f"schedule: site by site ({problem.n_sites} sites, {workers} at a time)")
                result = solve_by_site(problem, options, map_sites, workers)
            else:
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
              progress: Callable[[str], None] | None = None, map_sites: SiteMap = map,
              workers: int = 1) -> FleetResult:
    """Run a fleet end to end (pure: reads input files, writes nothing).

    The sites' work that decomposes runs as one task per site of ``map_sites`` (the
    built-in ``map`` in turn; a process pool's or a Dask client's map, ``workers`` at a
    time): their inputs and thermal baselines, their re-simulation, and the schedule
    itself when no job may leave home. Otherwise the schedule is one MILP.

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
    fleet = with_time_limit(fleet, time_limit_s)  # what fleet.toml records
    prepared, jobs, problem, options = fleet_preflight(fleet, base_dir, None, say, map_sites)
    network = _network(fleet)
    names = list(problem.sites)
    timings["inputs_and_thermal_s"] = time.perf_counter() - t0
    say("schedule")
    t = time.perf_counter()
    summaries, solver = _solve(problem, options, optimize, say, map_sites, workers)
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
    main = main_schedule(schedules, optimize)
    # each schedule's network, half at each end: every site's outcomes carry their share
    networks = {name: network_by_site(problem, pod_of_jobs(problem, schedule))
                for name, schedule in schedules.items()}
    results = map_sites(_site_result, [
        (n, prepared.scenarios[k], prepared.checked[k], schedules, solver, main, jobs,
         {name: net.site(k) for name, net in networks.items()})
        for k, n in enumerate(names)])
    site_results = dict(zip(names, results, strict=True))
    timings["resimulate_s"] = time.perf_counter() - t
    totals = {name: fleet_totals(problem, site_results, name, schedules[name], jobs)
              for name in schedules}
    kpis = dict(totals[main])
    for name in ("asap", "greedy", "cheapest_site"):
        if name not in totals:
            kpis.update({k: None for k in K.savings(kpis, kpis, name)})
        else:
            kpis.update(K.savings(totals[main], totals[name], name))
    kpis.update(fleet_lever_kpis(problem, schedules, main, kpis))
    kpis.update(fleet_tco_kpis(site_results))
    kpis["sites"] = len(names)
    timings["total_s"] = time.perf_counter() - t0
    return FleetResult(
        fleet=fleet, jobs=jobs, network=network, sites=site_results, schedules=schedules,
        kpis=K.clean(kpis), baselines={n: K.clean(v) for n, v in totals.items() if n != main},
        solver=solver, timings_s=timings, optimized=main == "milp",
        currency=prepared.checked[0].inputs.currency,
        notes=[f"{name} could not place every job: no saving is claimed against it"
               for name, b in summaries.items() if b.status != "feasible"],
        main=main,
    )


def main_schedule(schedules: dict, optimize: bool) -> str:
    """The run's schedule: the MILP's; not optimised, ASAP at home, or greedy at the
    cheapest site when the homes cannot hold every job."""
    for name in (("milp",) if optimize else ()) + ("asap", "cheapest_site", "greedy"):
        if name in schedules:
            return name
    raise ScenarioError("no schedule places every job (not even greedy at the cheapest "
                        "site); run with the optimiser, or give the jobs more room or time")


def site_schedule(schedule: pd.DataFrame, site: str) -> pd.DataFrame:
    """A site's rows of a fleet schedule, with plain pod names."""
    parts = schedule["pod"].astype(str).map(split_pod)
    # a row mask also without jobs (an empty list would pick no columns)
    mine = schedule[np.array([a == site for a, _ in parts], dtype=bool)].copy()
    mine["pod"] = [b for a, b in parts if a == site]
    return mine.reset_index(drop=True)


def _site_result(task: tuple) -> RunResult:
    """A site's share of every fleet schedule, re-simulated, as a single-site run (a
    top-level function: one task per site)."""
    name, scenario, checked, schedules, solver, main_name, jobs, networks = task
    prep = checked.prepared
    outcomes: dict[str, ScheduleOutcome] = {}
    for sched_name, schedule in schedules.items():
        outcome = resimulate(sched_name, site_schedule(schedule, name), scenario,
                             checked.inputs, checked.pods, checked.params, prep.baseline)
        # the site's half of each transfer it sends or receives (fleet_kpis.with_network)
        outcomes[sched_name] = dataclasses.replace(
            outcome, kpis=with_network(outcome.kpis, networks[sched_name]))
    main = outcomes[main_name]
    kpis = dict(main.kpis)
    jobs_here = main.schedule["job_id"].nunique() if len(main.schedule) else 0
    kpis["jobs"] = int(jobs_here)
    kpis["job_energy_mwh"] = float(main.job_load_kw.to_numpy().sum()) / 1000.0
    kpis["deadlines_met_share"] = 1.0 if jobs_here else None
    target = K.target_check(kpis["pue"], scenario.targets.pue, scenario.targets.label)
    kpis.update({key: v for key, v in target.items() if key != "references"})
    # the site's capital cost and TCO (its facility alone: the network is not in them)
    money = scenario_tco(scenario, checked.sizings, kpis, len(checked.inputs.frame))
    kpis.update(tco_kpis(money))
    here = jobs[jobs["job_id"].astype(str).isin(set(main.schedule["job_id"].astype(str)))]
    checked_linear = checked_linearisation(prep.coefficients, prep.baseline, main,
                                           scenario.grid.grid_limit_kw, checked.inputs.notes)
    return RunResult(
        scenario=scenario, inputs=checked.inputs, jobs=here.reset_index(drop=True),
        baseline_compute_kw=prep.baseline, coefficients=prep.coefficients, outcomes=outcomes,
        solver={**solver, "fleet_site": name}, kpis=K.clean(kpis),
        linearisation=checked_linear, timings_s={}, optimized=main.name == "milp",
        tco=money,
    )


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
    from scenarios.batch import BatchOutcome, failed, run_one

    if not isinstance(item, FleetJob):
        return run_one(item, optimize, time_limit_s)
    try:
        return BatchOutcome(item.name, result=run_fleet(item.fleet, item.base_dir, optimize,
                                                        time_limit_s))
    except Exception as exc:
        return failed(item.name, exc)


__all__ = [
    "FLEET_SCHEDULES",
    "FleetJob",
    "FleetResult",
    "fleet_from_dict",
    "fleet_names",
    "fleet_preflight",
    "fleet_text",
    "flows_table",
    "is_fleet_arg",
    "load_fleet_arg",
    "run_fleet",
    "run_item",
    "site_schedule",
]
