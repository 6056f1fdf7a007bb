"""Run directories: written atomically (complete or absent), read back by reports and the app.

Layout of a run directory::

    manifest.json     versions, input hashes, timings, solver status / bound / gap,
                      linearisation error, sources, notes and assumptions
    scenario.toml     the resolved scenario (absolute paths): repeat with `coolshift run`
    kpis.json         KPIs of the run's schedule, of ASAP and greedy, units, targets
    hourly.parquet    inputs, loads and every facility component per hour (site and pods)
    schedule.csv      job_id, pod, timestamp, power_kw (one row per job-hour)
    jobs.csv          the jobs as given to the scheduler
    *.csv             with --csv: CSV copies of hourly and of the baseline schedules
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

from scenarios import kpis as K
from scenarios.errors import ScenarioError
from scenarios.loading import load_scenario, scenario_to_toml
from scenarios.outputs import OutputClaim, write_output
from scenarios.run import RunResult

MANIFEST = "manifest.json"
KPIS = "kpis.json"
HOURLY = "hourly.parquet"
SCHEDULE = "schedule.csv"
SCENARIO = "scenario.toml"
JOBS = "jobs.csv"
#: Facility columns kept per pod in hourly.parquet.
POD_COLUMNS = (
    "compute_kw", "it_kw", "facility_kw", "cooling_kw", "chiller_kw", "water_l",
    "free_fraction", "inlet_c", "cooling_capacity_compute_kw",
)  # fmt: skip
PACKAGES = ("numpy", "pandas", "scipy", "pyomo", "highspy", "pvlib", "pydantic", "pyarrow")


def versions() -> dict[str, str]:
    out = {"coolshift": _version("coolshift"), "python": platform.python_version()}
    out.update({name: _version(name) for name in PACKAGES})
    return out


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_hashes(result: RunResult, scenario_text: str) -> dict[str, str]:
    """sha256 of the scenario text and of every input file the run read."""
    s = result.scenario
    hashes = {"scenario.toml": hashlib.sha256(scenario_text.encode()).hexdigest()}
    for label, path in (
        ("climate", s.site.climate),
        ("carbon", s.grid.carbon.file),
        ("carbon_free", s.grid.market.carbon_free_file),
        ("price", s.grid.price.file),
        ("jobs", s.workload.jobs),
    ):
        if path and Path(path).is_file():
            hashes[f"{label}:{Path(path).name}"] = sha256_file(path)
    return hashes


def hourly_table(result: RunResult) -> pd.DataFrame:
    """One hourly table: inputs, site facility components, per-pod columns, baselines."""
    main = result.main
    frame = result.inputs.frame.copy()
    site = main.site
    for col in site.columns:
        frame[f"site.{col}"] = site[col].astype(str) if col == "mode" else site[col]
    for pod, pf in main.pods.items():
        for col in POD_COLUMNS:
            frame[f"{pod}.{col}"] = pf[col]
        frame[f"{pod}.baseline_compute_kw"] = result.baseline_compute_kw[pod]
        frame[f"{pod}.job_compute_kw"] = main.job_load_kw[pod]
        frame[f"{pod}.facility_factor"] = result.coefficients["facility_factor"][pod]
    for name, outcome in result.outcomes.items():
        if outcome is main:
            continue
        frame[f"{name}.facility_kw"] = outcome.site["facility_kw"]
        frame[f"{name}.job_compute_kw"] = outcome.job_load_kw.sum(axis=1)
    frame.index.name = "timestamp"
    return frame


def kpis_document(result: RunResult) -> dict:
    scenario = result.scenario
    baselines = {
        name: K.clean(outcome.kpis)
        for name, outcome in result.outcomes.items()
        if outcome is not result.main
    }
    per_pod = {}
    from thermal.summary import period_summary

    for pod, frame in result.main.pods.items():
        per_pod[pod] = K.clean({k: v for k, v in period_summary(frame).items()})
    return {
        "scenario": scenario.name,
        "currency": result.inputs.currency,
        "period": {
            "start": result.inputs.frame.index[0].isoformat(),
            "end": result.inputs.frame.index[-1].isoformat(),
            "hours": len(result.inputs.frame),
            "timezone": scenario.site.timezone,
        },
        "schedule": "milp" if result.optimized else "asap",
        "kpis": result.kpis,
        "units": {k: v[0] for k, v in K.KPI_DEFINITIONS.items()},
        "baselines": baselines,
        "pods": per_pod,
        "targets": K.clean(
            K.target_check(result.kpis["pue"], scenario.targets.pue, scenario.targets.label)
        ),
    }


def manifest_document(result: RunResult, scenario_text: str) -> dict:
    return {
        "coolshift_run": 1,
        "scenario": result.scenario.name,
        "versions": versions(),
        "input_hashes": input_hashes(result, scenario_text),
        "timings_s": {k: round(v, 4) for k, v in result.timings_s.items()},
        "solver": result.solver,
        "linearisation": result.linearisation,
        "sources": result.inputs.sources,
        "weather": {
            k: v for k, v in result.inputs.weather_attrs.items() if isinstance(v, (str, int, float))
        },
        "notes": result.inputs.notes,
        "assumptions": result.inputs.assumptions,
    }


def fill_run_dir(result: RunResult, folder: Path, csv: bool = False) -> None:
    """Write every file of a run directory into ``folder`` (an empty, new folder)."""
    scenario_text = scenario_to_toml(result.scenario)
    (folder / SCENARIO).write_text(scenario_text, encoding="utf-8")
    hourly = hourly_table(result)
    hourly.to_parquet(folder / HOURLY)
    result.main.schedule.to_csv(folder / SCHEDULE, index=False)
    result.jobs.to_csv(folder / JOBS, index=False)
    if csv:
        hourly.to_csv(folder / "hourly.csv")
        for name, outcome in result.outcomes.items():
            if outcome is not result.main:
                outcome.schedule.to_csv(folder / f"schedule_{name}.csv", index=False)
    _write_json(folder / KPIS, kpis_document(result))
    _write_json(folder / MANIFEST, manifest_document(result, scenario_text))


def write_run(
    result: RunResult, out_dir: str | Path | OutputClaim, csv: bool = False, force: bool = False
) -> Path:
    """Write the run directory atomically (complete or absent), never over anything but
    an earlier run directory, and that only with ``force`` (:mod:`scenarios.outputs`).

    Parameters
    ----------
    out_dir : path or OutputClaim
        The run directory, or a claim on it taken before the run (the command line does
        that, so that a bad ``--out`` fails before the computation).

    Raises
    ------
    ScenarioError
        ``out_dir`` may not be written (exists and ``force`` is False, holds other work,
        is a file, is being written by another process) or writing failed.
    """
    if isinstance(out_dir, OutputClaim):
        return out_dir.write(lambda folder: fill_run_dir(result, folder, csv))
    return write_output(out_dir, "run", lambda folder: fill_run_dir(result, folder, csv), force=force)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


def read_run(run_dir: str | Path) -> dict:
    """A finished run directory's KPIs, manifest, hourly table, schedule and scenario.

    Raises
    ------
    ScenarioError
        Not a complete run directory.
    """
    path = Path(run_dir)
    missing = [
        name for name in (MANIFEST, KPIS, HOURLY, SCHEDULE, SCENARIO) if not (path / name).is_file()
    ]
    if missing:
        raise ScenarioError(
            f"{str(path)!r} is not a coolshift run directory (missing {', '.join(missing)})"
        )
    return {
        "path": path,
        "kpis": json.loads((path / KPIS).read_text(encoding="utf-8")),
        "manifest": json.loads((path / MANIFEST).read_text(encoding="utf-8")),
        "hourly": pd.read_parquet(path / HOURLY),
        "schedule": pd.read_csv(path / SCHEDULE),
        "scenario": load_scenario(path / SCENARIO),
    }
