"""Loading a fleet (issue 16): the fleet file, each site's scenario, the fleet's jobs.

A site names a built-in scenario or a scenario file next to the fleet file (a built-in or
uploaded fleet may name built-ins only); the fleet's horizon, objective and solver take
the place of each site's own, and its one workload of the sites' (:mod:`scenarios.fleet`
runs it).
"""

from __future__ import annotations

import difflib
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from optimizer.fleet import Network, job_sites
from optimizer.problem import JOB_COLUMNS
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
from scenarios.schema import Scenario
from scenarios.workload import generate_jobs

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
    if isinstance(data.get("sites"), dict):
        raise ScenarioError("a fleet gives each site as its own [[sites]] table (double "
                            "brackets, one per site); [sites] is a single table",
                            file=file, field="sites")
    data = dict(data)
    if base_dir is not None:
        data = resolve_paths(data, base_dir)
        data["sites"] = [_resolved_site(s, base_dir) for s in data.get("sites", [])]
    try:
        return Fleet.model_validate(data)
    except ValidationError as exc:
        raise explain_validation_error(exc, file, Fleet) from None


def _resolved_site(site, base_dir: Path):
    if not isinstance(site, dict) or not isinstance(site.get("scenario"), str):
        return site
    value = site["scenario"]
    if value in example_names() or value in fleet_names():  # a name (a fleet: refused later)
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


def _nearest_built_in(name: str) -> str:
    """'did you mean the built-in X? ' for the built-in scenario nearest ``name``, or ''."""
    near = difflib.get_close_matches(name, example_names(), n=1)  # as loading.py's
    return f"did you mean the built-in {near[0]!r}? " if near else ""


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
    fleet_label = f"fleet {fleet.name!r}"  # the file may be one of several run at once
    if site.scenario in example_names():
        scenario = scenario_from_dict(tomllib.loads(example_text(site.scenario)),
                                      file=f"built-in scenario {site.scenario!r}")
    elif site.scenario in fleet_names():
        raise ScenarioError(f"{site.scenario!r} is a built-in fleet, not a site's scenario: "
                            "name a built-in scenario "
                            f"({', '.join(example_names())}) or a scenario file",
                            file=fleet_label, field=where)
    elif base_dir is None:
        raise ScenarioError(f"{site.scenario!r} is not a built-in scenario; "
                            f"{_nearest_built_in(site.scenario)}a built-in fleet's sites are "
                            f"built-in scenarios ({', '.join(example_names())})",
                            file=fleet_label, field=where)
    else:
        path = Path(site.scenario)
        if not path.exists():
            raise ScenarioError(
                f"{site.scenario!r} is neither a built-in scenario nor an existing file; "
                f"{_nearest_built_in(path.stem)}give a built-in scenario "
                f"({', '.join(example_names())}) or the path of a scenario file (relative to "
                "the fleet file)", file=fleet_label, field=where)
        try:
            data = read_scenario_data(path)
        except ScenarioError as exc:
            raise ScenarioError(exc.message, file=exc.file, field=where) from None
        if is_fleet_data(data):
            raise ScenarioError(f"{path} is a fleet (it has [[sites]]), not a site's scenario: "
                                "a fleet's sites are single-site scenarios",
                                file=fleet_label, field=where)
        scenario = scenario_from_dict(data, file=str(path), base_dir=path.resolve().parent)
    unsupported = [name for name, has in (
        ("[storage]", scenario.storage is not None), ("[onsite]", scenario.onsite is not None),
        ("[heat_reuse] with a demand", scenario.heat_reuse.demand is not None),
        ("[forecast]", scenario.forecast.method != "perfect")) if has]
    if unsupported:
        raise ScenarioError(
            f"site '{site.name}' ({site.scenario}) has {', '.join(unsupported)}: a fleet does "
            "not yet co-optimise assets or forecasts across sites; remove them from the "
            "site's scenario or run the site alone", file=fleet_label, field=where)
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
    if not len(jobs):
        return jobs
    _, may, _ = job_sites(jobs, names, network)
    share = may[:, k] / may.sum(1)
    out = jobs.loc[share > 0, list(JOB_COLUMNS)].copy()
    out["power_kw"] = out["power_kw"] * share[share > 0]
    return out
