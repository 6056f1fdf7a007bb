"""What the Fleet page shows, as plain tables (data in, frames out; no Streamlit calls):
a fleet's sites before a run, and a finished fleet run, from the run itself
(:func:`result_view`) or from its run directory (:func:`run_view`), as one
:class:`FleetView` that the map (:mod:`ui.fleet_map`) and the tables are drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scenarios.errors import ScenarioError
from ui import uploads
from ui.tables import MISSING, fmt, kpi_text

#: Per-site KPIs shown in the site table, in order (keys of a site's kpis.json).
SITE_KPIS = ("pue", "pue_target", "pue_target_met", "facility_energy_mwh",
             "carbon_location_t", "total_cost", "water_m3")
#: The levers of the saving against ASAP at home, in the order the page shows them:
#: kpis.json key suffix -> label.
LEVERS = {
    "site": "site (where)",
    "placement": "hall (which hall)",
    "timing": "timing (which hours)",
    "peak": "lower peak (demand charge)",
    "other": "other (re-simulation rest)",
}
FLOW_COLUMNS = ["home", "site", "jobs", "compute_mwh", "data_tb", "moved"]


@dataclass
class FleetView:
    """A finished fleet run as the page shows it.

    Attributes
    ----------
    sites : DataFrame
        Index site name; columns scenario, location, latitude, longitude [deg], jobs
        (run there), compute_mwh (job compute run there [MWh]) and :data:`SITE_KPIS`
        (``pue_target`` None where the site's scenario sets none).
    flows : DataFrame
        :data:`FLOW_COLUMNS`: work by (home, site) pair (``moved``: home != site).
    kpis : dict
        Fleet-wide KPIs of the run's schedule (kpis.json "kpis").
    """

    name: str
    currency: str
    sites: pd.DataFrame
    flows: pd.DataFrame
    kpis: dict
    solver: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- uploads


def fleet_ready_builtins() -> list[str]:
    """Built-in scenarios a fleet can use as sites: those without storage, on-site
    generation, a heat demand or forecasts (which a fleet refuses,
    :func:`scenarios.fleet.site_scenario`)."""
    from scenarios.library import example_data, example_names

    def ready(data: dict) -> bool:
        heat = data.get("heat_reuse") or {}
        forecast = (data.get("forecast") or {}).get("method", "perfect")
        return (not data.get("storage") and not data.get("onsite")
                and heat.get("demand") is None and forecast == "perfect")

    return [name for name in example_names() if ready(example_data(name))]


def checked_fleet(data: dict, file: str, session_dir: Path):
    """An uploaded fleet validated, reading no file but this session's uploads.

    Every site must name a built-in scenario (an upload cannot bring a site's own
    scenario file, and nothing it names on the server is read), and ``workload.jobs``,
    when given, must be one of this session's uploads (:func:`ui.uploads.attach_files`). Checked on
    the raw data, before the fleet is validated or any file is opened.

    Returns
    -------
    scenarios.fleet_schema.Fleet

    Raises
    ------
    ScenarioError
        Not a fleet (no ``[[sites]]``), a site that is not a built-in scenario, a jobs
        file that is not an upload, or any field the fleet schema refuses (named).
    """
    from scenarios.fleet import fleet_from_dict
    from scenarios.fleet_schema import is_fleet_data
    from scenarios.library import example_names

    if not is_fleet_data(data):
        raise ScenarioError(
            "has no [[sites]] tables, so it is not a fleet; a single site's scenario is "
            "loaded on the Site page", file=file)
    builtins = example_names()
    for i, site in enumerate(data["sites"]):
        scenario = site.get("scenario") if isinstance(site, dict) else None
        if isinstance(scenario, str) and scenario not in builtins:
            raise ScenarioError(
                f"{scenario!r} is not a built-in scenario. A fleet uploaded to the app runs "
                f"built-in sites only ({', '.join(fleet_ready_builtins())}): the app never "
                "reads files from the server's disk. Run a fleet of your own site files from "
                "the command line: coolshift run FLEET.toml", file=file,
                field=f"sites[{i}].scenario")
    workload = data.get("workload")
    jobs = workload.get("jobs") if isinstance(workload, dict) else None
    if jobs is not None and not uploads.is_session_upload(jobs, session_dir):
        raise ScenarioError(
            "names a jobs file that was not uploaded with the fleet; upload the jobs CSV "
            "together with the fleet TOML (the app never reads files from the server's disk)",
            file=file, field="workload.jobs")
    return fleet_from_dict(data, file=file, base_dir=None)


# --------------------------------------------------------------------------- sites


def planned_sites(fleet) -> pd.DataFrame:
    """A fleet's sites before any run: one row per site.

    Reads only built-in scenarios when the fleet came without a base folder (an upload):
    a site naming anything else raises the scenario layer's error, naming the field.

    Returns
    -------
    DataFrame
        Index site; columns scenario, location, climate, grid (carbon factor or source),
        halls (each hall's cooling and kW per rack), pue_target, currency, latitude,
        longitude.
    """
    from scenarios.fleet import site_scenario

    rows = {}
    for k, spec in enumerate(fleet.sites):
        scenario = site_scenario(fleet, k, None)
        carbon = scenario.grid.carbon
        rows[spec.name] = {
            "scenario": spec.scenario,
            "location": scenario.site.name,
            "climate": scenario.site.climate,
            "grid": carbon.factor or carbon.source,
            "halls": ", ".join(f"{p.cooling.replace('_', ' ')} {p.rack_kw:g}"
                               for p in scenario.pods),
            "pue_target": scenario.targets.pue,
            "currency": scenario.grid.currency,
            "latitude": scenario.site.latitude,
            "longitude": scenario.site.longitude,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _flows(flows: pd.DataFrame) -> pd.DataFrame:
    out = flows.reindex(columns=FLOW_COLUMNS).copy()
    out["home"] = out["home"].astype(str)
    out["site"] = out["site"].astype(str)
    for column in ("jobs", "compute_mwh", "data_tb"):
        out[column] = pd.to_numeric(out[column], errors="coerce").fillna(0.0)
    out["jobs"] = out["jobs"].astype(int)
    out["moved"] = out["moved"].astype(str).str.lower().isin(("true", "1", "yes"))
    return out.reset_index(drop=True)


def _sites_frame(entries: dict[str, dict], flows: pd.DataFrame) -> pd.DataFrame:
    """entries: site -> scenario, location, latitude, longitude, kpis."""
    ran = flows.groupby("site")[["jobs", "compute_mwh"]].sum()
    rows = {}
    for name, entry in entries.items():
        kpis = entry["kpis"]
        rows[name] = {
            "scenario": entry["scenario"],
            "location": entry["location"],
            "latitude": float(entry["latitude"]),
            "longitude": float(entry["longitude"]),
            "jobs": int(ran["jobs"].get(name, 0)),
            "compute_mwh": float(ran["compute_mwh"].get(name, 0.0)),
            **{key: kpis.get(key) for key in SITE_KPIS},
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def result_view(result) -> FleetView:
    """A :class:`scenarios.fleet.FleetResult` as a :class:`FleetView`."""
    from scenarios.fleet import flows_table

    names = list(result.sites)
    flows = _flows(flows_table(result.jobs, result.schedules[result.main], names))
    specs = {s.name: s.scenario for s in result.fleet.sites}
    entries = {
        name: {"scenario": specs.get(name, name), "location": run.scenario.site.name,
               "latitude": run.scenario.site.latitude,
               "longitude": run.scenario.site.longitude, "kpis": run.kpis}
        for name, run in result.sites.items()
    }
    return FleetView(name=result.fleet.name, currency=result.currency,
                     sites=_sites_frame(entries, flows), flows=flows, kpis=dict(result.kpis),
                     solver=dict(result.solver), notes=list(result.notes))


def run_view(run: dict) -> FleetView:
    """A fleet run directory as read by :func:`scenarios.fleet_store.read_fleet_run`."""
    document, manifest = run["kpis"], run["manifest"]
    flows = _flows(run["flows"])
    entries = {}
    for name, site_run in run["sites"].items():
        scenario = site_run["scenario"]
        entries[name] = {
            "scenario": (manifest.get("sites") or {}).get(name, {}).get("scenario", name),
            "location": scenario.site.name, "latitude": scenario.site.latitude,
            "longitude": scenario.site.longitude, "kpis": document["sites"][name],
        }
    return FleetView(name=str(document.get("scenario", "fleet")),
                     currency=str(document.get("currency", "")),
                     sites=_sites_frame(entries, flows), flows=flows,
                     kpis=dict(document.get("kpis") or {}),
                     solver=dict(manifest.get("solver") or {}),
                     notes=list(manifest.get("notes") or []))


# --------------------------------------------------------------------------- tables


def target_text(pue, target, met) -> str:
    """A site's PUE against its target, by the run's own check (``pue_target_met``:
    PUE <= target): "met (1.135 ≤ 1.25)", "MISSED (1.31 > 1.25)", or "no target"."""
    if pd.isna(target):
        return "no target"
    if pd.isna(met) or pd.isna(pue):
        return f"{MISSING} (target {fmt(target, 'g')})"
    sign = "≤" if met else ">"
    return f"{'met' if met else 'MISSED'} ({kpi_text('pue', pue)} {sign} {fmt(target, 'g')})"


def site_table(view: FleetView) -> pd.DataFrame:
    """The per-site KPI table as text (units in the headers), one row per site."""
    s = view.sites
    unit = view.currency
    return pd.DataFrame({
        "site": s.index,
        "jobs run": [str(int(v)) for v in s["jobs"]],
        "compute [MWh]": [fmt(v, ",.1f") for v in s["compute_mwh"]],
        "facility [MWh]": [kpi_text("facility_energy_mwh", v) for v in s["facility_energy_mwh"]],
        "PUE": [kpi_text("pue", v) for v in s["pue"]],
        "PUE against target": [target_text(p, t, m) for p, t, m in zip(
            s["pue"], s["pue_target"], s["pue_target_met"], strict=True)],
        "carbon [t]": [kpi_text("carbon_location_t", v) for v in s["carbon_location_t"]],
        f"cost [{unit}]": [kpi_text("total_cost", v) for v in s["total_cost"]],
        "water [m³]": [kpi_text("water_m3", v) for v in s["water_m3"]],
    }).reset_index(drop=True)


def flow_table(view: FleetView) -> pd.DataFrame:
    """The flows as text: moved work first (largest compute first), then work at home
    (its data column says so: no data move)."""
    f = view.flows.sort_values(["moved", "compute_mwh"], ascending=[False, False])
    return pd.DataFrame({
        "home": f["home"],
        "ran at": f["site"],
        "jobs": [str(int(v)) for v in f["jobs"]],
        "compute [MWh]": [fmt(v, ",.1f") for v in f["compute_mwh"]],
        "data moved [TB]": [fmt(v, ",.1f") if m else "at home"
                            for v, m in zip(f["data_tb"], f["moved"], strict=True)],
    }).reset_index(drop=True)


def lever_frame(kpis: dict) -> pd.DataFrame:
    """The saving against ASAP at home by lever.

    Returns
    -------
    DataFrame
        Index the labels of :data:`LEVERS`; columns cost_saving [currency],
        carbon_saving_t [t] (0 for the peak, which has no carbon part). Empty when the run
        has no split (no MILP schedule, or ASAP at home missed a job).
    """
    if kpis.get("cost_saving_vs_asap_site") is None:
        return pd.DataFrame(columns=["cost_saving", "carbon_saving_t"])
    rows = {}
    for key, label in LEVERS.items():
        carbon = 0.0 if key == "peak" else kpis.get(f"carbon_saving_vs_asap_{key}_t")
        rows[label] = {"cost_saving": kpis.get(f"cost_saving_vs_asap_{key}"),
                       "carbon_saving_t": carbon}
    return pd.DataFrame.from_dict(rows, orient="index").astype(float)
