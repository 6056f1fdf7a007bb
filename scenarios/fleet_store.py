"""Fleet run directories: written atomically (complete or absent), read back by reports.

Layout of a fleet run directory::

    manifest.json     "coolshift_fleet": 1, versions, timings, solver status / bound / gap,
                      the network, each site's scenario, sources, notes and assumptions
    fleet.toml        the fleet as run (repeat it with `coolshift run fleet.toml`; its
                      sites name built-ins or absolute scenario paths)
    kpis.json         fleet-wide KPIs (moved_jobs, moved_energy_mwh, savings by lever),
                      "sites": each site's KPIs by name, the baselines' fleet-wide KPIs
    schedule.csv      job_id, site, pod (site/pod), timestamp, power_kw
    flows.csv         where work went: home, site, jobs, compute_mwh, data_tb, moved
    jobs.csv          the fleet's jobs (with home, data_tb, ... as given)
    sites/NAME/       each site's share, as a complete single-site run directory
                      (scenarios.store: its hourly.parquet, schedule.csv, kpis.json, ...)
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from optimizer.fleet import split_pod
from scenarios import kpis as K
from scenarios.errors import ScenarioError
from scenarios.fleet import FleetResult, flows_table
from scenarios.outputs import OutputClaim, write_output
from scenarios.store import KPIS, MANIFEST, SCHEDULE, fill_run_dir, versions

#: A site folder's name: what scenarios.fleet_schema.FleetSite allows.
_SITE_NAME = re.compile(r"\w[\w.-]*")
FLEET_TOML = "fleet.toml"
JOBS = "jobs.csv"
FLOWS = "flows.csv"
SITES = "sites"


def fleet_to_toml(result: FleetResult) -> str:
    """The fleet as TOML text (paths absolute)."""
    import tomli_w

    return tomli_w.dumps(result.fleet.model_dump(mode="json", exclude_none=True))


def fleet_schedule_table(schedule: pd.DataFrame) -> pd.DataFrame:
    """A fleet schedule with its site as a column of its own."""
    out = schedule.copy()
    out.insert(1, "site", [split_pod(p)[0] for p in out["pod"].astype(str)])
    return out


def kpis_document(result: FleetResult) -> dict:
    """kpis.json of a fleet run."""
    first = next(iter(result.sites.values()))
    frame = first.inputs.frame
    return {
        "scenario": result.fleet.name,
        "fleet": True,
        "currency": result.currency,
        "period": {"start": frame.index[0].isoformat(), "end": frame.index[-1].isoformat(),
                   "hours": len(frame), "timezone": str(frame.index.tz)},
        "schedule": result.main,
        "kpis": result.kpis,
        "moved_jobs": result.kpis.get("moved_jobs"),
        "moved_energy_mwh": result.kpis.get("moved_energy_mwh"),
        "sites": {name: site.kpis for name, site in result.sites.items()},
        "baselines": result.baselines,
        "units": {k: v[0] for k, v in {**K.KPI_DEFINITIONS,
                                        **K.FLEET_KPI_DEFINITIONS}.items()},
    }


def manifest_document(result: FleetResult, fleet_text: str) -> dict:
    """manifest.json of a fleet run."""
    return {
        "coolshift_fleet": 1,
        "scenario": result.fleet.name,
        "versions": versions(),
        "input_hashes": {FLEET_TOML: hashlib.sha256(fleet_text.encode()).hexdigest()},
        "timings_s": {k: round(v, 4) for k, v in result.timings_s.items()},
        "solver": result.solver,
        "network": result.fleet.network.model_dump(mode="json"),
        "sites": {name: {"scenario": spec.scenario,
                         "sources": site.inputs.sources,
                         "notes": site.inputs.notes,
                         "assumptions": list(dict.fromkeys(
                             site.inputs.assumptions + list(site.scenario.assumptions)))}
                  for (name, site), spec in zip(result.sites.items(), result.fleet.sites,
                                                strict=True)},
        "notes": result.notes,
        "assumptions": list(result.fleet.assumptions),
    }


def fill_fleet_dir(result: FleetResult, folder: Path, csv: bool = False) -> None:
    """Write every file of a fleet run directory into ``folder`` (empty, new)."""
    text = fleet_to_toml(result)
    (folder / FLEET_TOML).write_text(text, encoding="utf-8")
    fleet_schedule_table(result.schedules[result.main]).to_csv(folder / SCHEDULE, index=False)
    result.jobs.to_csv(folder / JOBS, index=False)
    flows_table(result.jobs, result.schedules[result.main], list(result.sites)).to_csv(
        folder / FLOWS, index=False)
    if csv:
        for name, schedule in result.schedules.items():
            if name != result.main:
                fleet_schedule_table(schedule).to_csv(folder / f"schedule_{name}.csv",
                                                      index=False)
    for name, site in result.sites.items():
        site_dir = folder / SITES / name
        site_dir.mkdir(parents=True)
        fill_run_dir(site, site_dir, csv)
    _write_json(folder / KPIS, kpis_document(result))
    _write_json(folder / MANIFEST, manifest_document(result, text))


def write_fleet_run(result: FleetResult, out_dir: str | Path | OutputClaim, csv: bool = False,
                    force: bool = False) -> Path:
    """Write the fleet run directory atomically (see :func:`scenarios.store.write_run`)."""
    if isinstance(out_dir, OutputClaim):
        return out_dir.write(lambda folder: fill_fleet_dir(result, folder, csv))
    return write_output(out_dir, "run", lambda folder: fill_fleet_dir(result, folder, csv),
                        force=force)


def is_fleet_run(run_dir: str | Path) -> bool:
    """Whether a folder is a fleet run directory (its manifest says so)."""
    path = Path(run_dir) / MANIFEST
    if not path.is_file() or not (Path(run_dir) / FLEET_TOML).is_file():
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b'"coolshift_fleet"' in head


def read_fleet_run(run_dir: str | Path) -> dict:
    """A fleet run directory's KPIs, manifest, schedule and each site's run
    (:func:`scenarios.store.read_run`).

    Raises
    ------
    ScenarioError
        Not a complete fleet run directory, or a damaged file (named).
    """
    from scenarios.store import read_run

    path = Path(run_dir)
    if not is_fleet_run(path):
        raise ScenarioError(f"{str(path)!r} is not a coolshift fleet run directory")
    try:
        kpis = json.loads((path / KPIS).read_text(encoding="utf-8"))
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{str(path)!r}: kpis.json or manifest.json cannot be read "
                            f"({exc}); re-create the run with `coolshift run`") from None
    sites = kpis.get("sites") if isinstance(kpis, dict) else None
    if not isinstance(sites, dict) or not sites:
        raise ScenarioError(f"{str(path)!r}: kpis.json has no sites; re-create the run")
    bad = [name for name in sites if not _SITE_NAME.fullmatch(str(name))]
    if bad:  # a name is a folder: never one that leads out of the run directory
        raise ScenarioError(f"{str(path)!r}: kpis.json names site {str(bad[0])[:40]!r}, which "
                            "is not a site folder name; re-create the run")
    tables = {}
    for key, name in (("schedule", SCHEDULE), ("flows", FLOWS)):
        try:
            tables[key] = pd.read_csv(path / name)
        except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
            raise ScenarioError(f"{str(path)!r}: {name} cannot be read ({str(exc)[:200]}); "
                                "re-create the run with `coolshift run`") from None
    return {
        "path": path,
        "kpis": kpis,
        "manifest": manifest,
        **tables,
        "sites": {name: read_run(path / SITES / name) for name in sites},
    }


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
