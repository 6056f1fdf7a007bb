"""A fleet run directory read for a report, checked, and the figures derived from it.

A fleet run (``coolshift run east-west --out DIR``, format in
:mod:`scenarios.fleet_store`) is read only through
:func:`scenarios.fleet_store.read_fleet_run`; each site's share (``sites/NAME/``, a
complete single-site run directory) is read as the single-site report reads a run
(:func:`reports.data.load_run`), so its hourly data pass the same checks. Every file the
fleet report reads is checked for the shape coolshift writes, and a damaged one is named
in a :class:`~scenarios.errors.ScenarioError` (exit 2), never a traceback.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reports import data as D
from scenarios.errors import ScenarioError
from scenarios.fleet_store import FLEET_TOML, FLOWS, JOBS, SITES, read_fleet_run
from scenarios.store import KPIS, MANIFEST, SCHEDULE, check_manifest_document, is_number

#: Columns of a fleet's schedule.csv (scenarios.fleet_store.fleet_schedule_table).
SCHEDULE_COLUMNS = ("job_id", "site", "pod", "timestamp", "power_kw")

#: Files every fleet run directory holds (jobs.csv is optional to the report).
FLEET_FILES = (MANIFEST, KPIS, FLEET_TOML, SCHEDULE, FLOWS)
#: Columns of flows.csv (scenarios.fleet.flows_table).
FLOW_COLUMNS = ("home", "site", "jobs", "compute_mwh", "data_tb", "moved")
#: Fleet-wide KPIs the report cannot do without (numbers).
REQUIRED_KPIS = ("pue", "it_energy_mwh", "facility_energy_mwh", "carbon_location_t",
                 "total_cost", "water_m3")
#: The fleet's schedules: key in kpis.json / manifest -> display name.
SCHEDULE_NAMES = {
    "milp": "Fleet schedule (MILP)",
    "asap": "ASAP, everything at home",
    "greedy": "Greedy, everything at home",
    "cheapest_site": "Greedy at the cheapest site",
}
#: The saving against ASAP at home by lever, in reading order: (lever, short name, what it
#: means); kpis.json keys ``cost_saving_vs_asap_<lever>`` and ``carbon_saving_vs_asap_<lever>_t``.
LEVERS = (
    ("site", "Where: site", "jobs run at another site (cheaper or cleaner power, a cooler "
     "climate), net of moving their data"),
    ("placement", "How: hall", "jobs run in a more efficient hall of the site"),
    ("timing", "When: hours", "jobs run in cheaper or cleaner hours"),
    ("peak", "Peak", "lower billed monthly peaks (the demand charge)"),
    ("other", "Other", "the exact re-simulation against the planner's linear model"),
)
#: A site name as a fleet allows it (scenarios.fleet_schema.FleetSite): it names a folder.
SITE_NAME = re.compile(r"^\w[\w.-]*$")
#: Longest text kept from a fleet file's free-text field [characters].
MAX_TEXT = 4000


@dataclass
class FleetRun:
    """One fleet run directory, as :func:`scenarios.fleet_store.read_fleet_run` returns
    it, with each site's share read as a single-site :class:`reports.data.Run`."""

    path: Path
    label: str
    description: str
    doc: dict  # kpis.json
    manifest: dict
    schedule: pd.DataFrame
    flows: pd.DataFrame
    sites: dict[str, D.Run]  # in kpis.json's order
    fleet: dict = field(default_factory=dict)  # fleet.toml
    jobs: pd.DataFrame | None = None

    @property
    def kpis(self) -> dict:
        return self.doc["kpis"]

    @property
    def currency(self) -> str:
        return str(self.doc.get("currency", ""))

    @property
    def names(self) -> list[str]:
        return list(self.sites)

    @property
    def optimized(self) -> bool:
        return self.doc.get("schedule") == "milp"

    @property
    def main(self) -> str:
        return "milp" if self.optimized else "asap"

    @property
    def first(self) -> D.Run:
        return next(iter(self.sites.values()))

    def site_kpis(self, name: str) -> dict:
        return self.doc["sites"][name]


def _damaged(path: Path, name: str, problem: str) -> ScenarioError:
    return ScenarioError(
        f"{str(path)!r}: {name}: {problem}; the fleet run directory is damaged or not "
        "coolshift's: re-create it with `coolshift run FLEET --out DIR`")


def looks_like_fleet(path: str | Path) -> bool:
    """Whether a folder is meant as a fleet run (even a damaged one): it has a
    ``fleet.toml`` or ``flows.csv``, or a manifest that says ``coolshift_fleet``."""
    path = Path(path)
    if not path.is_dir():
        return False
    if (path / FLEET_TOML).is_file() or (path / FLOWS).is_file():
        return True
    try:
        with open(path / MANIFEST, "rb") as fh:
            return b'"coolshift_fleet"' in fh.read(4096)
    except OSError:
        return False


def _plain(value) -> bool:
    """null, true/false, a finite number or short text: what a KPI value may be."""
    return (value is None or isinstance(value, bool) or is_number(value)
            or (isinstance(value, str) and len(value) <= MAX_TEXT))


def check_kpis(doc: dict) -> str | None:
    """The shape of a fleet's kpis.json the report reads; the first problem, or None."""
    if not isinstance(doc.get("kpis"), dict):
        return "has no object 'kpis'"
    for key in REQUIRED_KPIS:
        if not is_number(doc["kpis"].get(key)):
            return f"kpis.{key} must be a number"
    groups = {"kpis": {"": doc["kpis"]}, "sites": doc.get("sites"),
              "baselines": doc.get("baselines", {})}
    for group, items in groups.items():
        if not isinstance(items, dict):
            return f"{group} must be an object"
        for name, values in items.items():
            where = f"{group}.{str(name)[:40]}".rstrip(".")
            if not isinstance(values, dict):
                return f"{where} must be an object"
            for key, value in values.items():
                if not _plain(value):
                    return (f"{where}.{str(key)[:40]} must be a number, short text, "
                            "true/false or null")
    if not doc["sites"]:
        return "sites is empty"
    for name, values in doc["sites"].items():
        if not SITE_NAME.fullmatch(str(name)) or len(str(name)) > 64:
            return (f"sites: {str(name)[:40]!r} is not a site name (letters, digits, '_', '.', "
                    "'-', up to 64 characters)")
        for key in ("pue", "it_energy_mwh", "facility_energy_mwh"):
            if not is_number(values.get(key)):
                return f"sites.{str(name)[:40]}.{key} must be a number"
    if not isinstance(doc.get("currency", ""), str) or len(doc.get("currency", "")) > 16:
        return "currency must be text of up to 16 characters"
    return None


def check_manifest(doc: dict, names: list[str]) -> str | None:
    """The shape of a fleet's manifest.json the report reads; the first problem, or None."""
    try:
        check_manifest_document(doc)  # solver, versions, hashes, notes, assumptions
    except ValueError as exc:
        return str(exc)
    network = doc.get("network", {})
    if not isinstance(network, dict) or not all(_plain(v) or isinstance(v, list)
                                                for v in network.values()):
        return "network must be an object of numbers, text and lists"
    sites = doc.get("sites", {})
    if not isinstance(sites, dict):
        return "sites must be an object"
    for name in names:
        spec = sites.get(name, {})
        if not isinstance(spec, dict):
            return f"sites.{name[:40]} must be an object"
        for key in ("notes", "assumptions"):
            items = spec.get(key, [])
            if not (isinstance(items, list) and all(isinstance(s, str) for s in items)):
                return f"sites.{name[:40]}.{key} must be an array of text"
        sources = spec.get("sources", {})
        if not (isinstance(sources, dict) and all(isinstance(s, str) for s in sources.values())):
            return f"sites.{name[:40]}.sources must be an object of text"
    return None


def check_flows(flows: pd.DataFrame, names: list[str]) -> str | None:
    """flows.csv has coolshift's columns, numbers where numbers belong, known sites."""
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        return f"lacks column(s) {', '.join(missing)} (coolshift writes {', '.join(FLOW_COLUMNS)})"
    for column in ("jobs", "compute_mwh", "data_tb"):
        values = pd.to_numeric(flows[column], errors="coerce")
        bad = ~values.map(lambda v: is_number(v) and v >= 0)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            return f"row {row + 2}, column {column!r}: {str(flows[column].iloc[row])[:40]!r} " \
                   "is not a number >= 0"
    for column in ("home", "site"):
        unknown = sorted(set(flows[column].astype(str)) - set(names))
        if unknown:
            return f"column {column!r} names {unknown[0][:40]!r}, which is not a site of the run"
    return None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads((path / FLEET_TOML).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _damaged(path, FLEET_TOML, f"cannot be read ({str(exc)[:120]})") from None


def _read_json(path: Path, name: str) -> dict:
    try:
        doc = json.loads((path / name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RecursionError, json.JSONDecodeError) as exc:
        raise _damaged(path, name, f"not readable as JSON ({str(exc)[:120]})") from None
    if not isinstance(doc, dict):
        raise _damaged(path, name, "holds no JSON object")
    return doc


def _read_csv(path: Path, name: str, **options) -> pd.DataFrame:
    try:
        return pd.read_csv(path / name, **options)
    except (OSError, ValueError) as exc:  # pandas' parser errors are ValueErrors
        raise _damaged(path, name, f"not readable as CSV ({str(exc).strip()[:120]})") from None


def _check_files(path: Path) -> tuple[dict, list[str]]:
    """Every file of the fleet folder read and checked before the site folders are
    touched (a damaged kpis.json must not send the reader into other folders); returns
    fleet.toml and the site names."""
    missing = [n for n in FLEET_FILES if not (path / n).is_file()]
    if not (path / SITES).is_dir():
        missing.append(f"{SITES}/")
    if missing:
        raise ScenarioError(f"{str(path)!r} is not a complete coolshift fleet run directory "
                            f"(missing {', '.join(missing)}); re-create it with "
                            "`coolshift run FLEET --out DIR`")
    fleet = _read_toml(path)
    kpis = _read_json(path, KPIS)
    problem = check_kpis(kpis)
    if problem:
        raise _damaged(path, KPIS, problem)
    names = [str(n) for n in kpis["sites"]]
    problem = check_manifest(_read_json(path, MANIFEST), names)
    if problem:
        raise _damaged(path, MANIFEST, problem)
    problem = check_flows(_read_csv(path, FLOWS), names)
    if problem:
        raise _damaged(path, FLOWS, problem)
    schedule = _read_csv(path, SCHEDULE, dtype=str)
    absent = [c for c in SCHEDULE_COLUMNS if c not in schedule.columns]
    if absent:
        raise _damaged(path, SCHEDULE, f"lacks column(s) {', '.join(absent)}")
    if (path / JOBS).is_file():
        _read_csv(path, JOBS, dtype=str)
    return fleet, names


def load_fleet(path: str | Path) -> FleetRun:
    """Read and check one fleet run directory.

    Raises
    ------
    ScenarioError
        A missing or damaged file (named, with the fleet folder), or a site folder that
        is not a complete run directory.
    """
    path = Path(path)
    fleet, names = _check_files(path)
    try:
        data = read_fleet_run(path)
        sites = {name: D.load_run(path / SITES / name, label=name) for name in names}
    except ScenarioError as exc:  # a site folder (the fleet's own files passed the checks)
        raise ScenarioError(f"{str(path)!r} is a fleet run with a damaged site: {exc}") from None
    jobs = (pd.read_csv(path / JOBS, dtype={"job_id": str, "home": str})
            if (path / JOBS).is_file() else None)
    flows = data["flows"].copy()
    flows["home"], flows["site"] = flows["home"].astype(str), flows["site"].astype(str)
    flows["moved"] = flows["home"] != flows["site"]
    description = fleet.get("description", "")
    return FleetRun(
        path=path,
        label=str(data["kpis"].get("scenario") or fleet.get("name") or path.name)[:200],
        description=description[:MAX_TEXT] if isinstance(description, str) else "",
        doc=data["kpis"], manifest=data["manifest"], schedule=data["schedule"], flows=flows,
        sites=sites, fleet=fleet, jobs=jobs,
    )


# --------------------------------------------------------------------------- derived


def unique(items) -> list[str]:
    """Text items in their order, each once (a site's scenario and its inputs may record
    the same assumption twice)."""
    out: list[str] = []
    for item in items:
        text = str(item)
        if text not in out:
            out.append(text)
    return out


def site_spec(fleet: FleetRun, name: str) -> dict:
    """The manifest's record of a site: scenario, sources, notes, assumptions."""
    spec = fleet.manifest.get("sites", {}).get(name, {})
    return spec if isinstance(spec, dict) else {}


def scenario_short(fleet: FleetRun, name: str) -> str:
    """A site's scenario as the first page names it: a built-in's name, a file's name (the
    full path is in the site's section)."""
    scenario = str(site_spec(fleet, name).get("scenario", "") or fleet.sites[name].scenario.name)
    return Path(scenario).name if ("/" in scenario or "\\" in scenario) else scenario


def flow_counts(fleet: FleetRun) -> pd.DataFrame:
    """Per site: jobs whose home it is, jobs it sent away, jobs it ran, jobs moved in,
    and the compute energy it ran [MWh] (index: site names in the run's order)."""
    f = fleet.flows.assign(jobs=pd.to_numeric(fleet.flows["jobs"]),
                           compute_mwh=pd.to_numeric(fleet.flows["compute_mwh"]))
    out = pd.DataFrame(index=pd.Index(fleet.names, name="site"))
    out["home_jobs"] = f.groupby("home")["jobs"].sum()
    out["sent_jobs"] = f[f["moved"]].groupby("home")["jobs"].sum()
    out["ran_jobs"] = f.groupby("site")["jobs"].sum()
    out["received_jobs"] = f[f["moved"]].groupby("site")["jobs"].sum()
    out["ran_mwh"] = f.groupby("site")["compute_mwh"].sum()
    return out.fillna(0)


def role_text(fleet: FleetRun, name: str) -> str:
    """A site's part in the run, in words: where its jobs came from and went."""
    c = flow_counts(fleet).loc[name]
    parts = []
    if c["home_jobs"]:
        parts.append(f"home of {int(c['home_jobs'])} job(s), {int(c['sent_jobs'])} sent away")
    if c["received_jobs"]:
        parts.append(f"took in {int(c['received_jobs'])}")
    if not parts:
        parts.append("no deferrable jobs ran here")
    return "; ".join(parts)


def flow_matrix(fleet: FleetRun, column: str) -> pd.DataFrame:
    """Home (rows) x site run at (columns) of a flows column (jobs, compute_mwh, data_tb),
    every site on both axes, zeros where nothing flowed."""
    values = pd.to_numeric(fleet.flows[column])
    table = fleet.flows.assign(value=values).pivot_table(
        index="home", columns="site", values="value", aggfunc="sum", fill_value=0.0)
    return table.reindex(index=fleet.names, columns=fleet.names, fill_value=0.0).astype(float)


def is_synthetic(run: D.Run) -> bool:
    """The site's weather is a synthetic year from monthly normals (as the single-site
    report's climate line says)."""
    source = str(run.manifest.get("sources", {}).get("weather", "")) or run.scenario.site.climate
    return "synthetic" in source.lower()


def climate_short(run: D.Run) -> str:
    """``SYNTHETIC (normals of chengdu)`` or ``typical-year file (greensboro)``."""
    climate = run.scenario.site.climate
    if is_synthetic(run):
        return f"SYNTHETIC (normals of {climate})"
    return f"typical-year file ({climate})"


def status_text(fleet: FleetRun) -> str:
    """The schedule's quality in a manager's words (the technical status is in the
    methodology)."""
    s = fleet.manifest.get("solver", {})
    if not fleet.optimized or not s.get("optimized", True):
        return ("Not optimized: every job runs as soon as possible at its home site (the "
                "'everything at home' baseline).")
    status = str(s.get("status", ""))
    gap = s.get("gap")
    gap_ok = is_number(gap)
    rolling = "planned window by window over the period; " if status.startswith("rolling") else ""
    if status.endswith("optimal"):
        tol = fleet.fleet.get("solver", {}).get("rel_gap") if isinstance(
            fleet.fleet.get("solver"), dict) else None
        within = (f"within {100 * float(gap):.1f} %" if gap_ok else
                  f"within the planner's tolerance ({100 * float(tol):.1f} %)"
                  if is_number(tol) else "within the planner's tolerance")
        return (f"Best plan found and proven: {rolling}its cost (money plus the carbon price) "
                f"is {within} of the best possible plan.")
    if "time_limit" in status:
        if gap_ok:
            return (f"A good plan, not proven best: {rolling}the planner stopped at its time "
                    f"limit with a plan whose cost (money plus the carbon price) is within "
                    f"{100 * float(gap):.1f} % of the best possible. A longer time limit may "
                    "save a little more.")
        return (f"A good plan, not proven best: {rolling}the planner stopped at its time "
                "limit; how far it is from the best possible is not known.")
    return f"Plan found (planner status: {status or 'not recorded'})."
