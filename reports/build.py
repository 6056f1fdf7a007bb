"""Assemble the report of one or more runs: the sections in reading order and the raw
data sheets of the XLSX.

Each run has its own sections (summary, energy, Scope 2, scheduling, assets, targets,
halls, EED where it applies, its data and provenance); what the runs share is said once
at the end: the methodology (method, versions, physics parameters), with several runs the
definitions of the indicators, and the publications cited. Several runs open with their
comparison, which holds every indicator side by side instead of a table per run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import platform
import re
from importlib import metadata

import pandas as pd

from reports import data as D
from reports import document as doc
from reports import rules
from reports.assets import assets_section
from reports.citations import cite_report, user_strings
from reports.compare import comparison_section, definitions_section
from reports.eed import eed_section
from reports.energy import energy_section, pods_section, scope2_section
from reports.methodology import methodology_section, provenance_section
from reports.money import money_section
from reports.scheduling import scheduling_section
from reports.summary import executive_summary, kpi_section
from reports.targets import targets_section
from scenarios.store import PACKAGES as STORE_PACKAGES

#: Packages whose versions the report states (next to those the run recorded).
REPORT_PACKAGES = ("coolshift", "matplotlib", "fpdf2", "openpyxl", "pylopdf-fonts-zh-cn")
#: Units of hourly.parquet columns, by name ending (first match wins).
_SUFFIX_UNITS = (
    ("carbon_g_per_kwh", "g/kWh"), ("_per_kwh", "currency/kWh"), ("_kw_th", "kW_th"),
    ("_kwh_th", "kWh_th"), ("_kw", "kW"), ("_kwh", "kWh"),
    ("_l", "L"), ("_c", "°C"), ("_pct", "%"), ("_pa", "Pa"), ("_share", "-"), ("_fraction", "-"),
    ("_factor", "kWh/kWh"),
)


def report_versions() -> dict[str, str]:
    """Versions of Python and the packages at report time (the run's own and the renderers')."""
    out = {"python": platform.python_version()}
    for name in (*REPORT_PACKAGES, *STORE_PACKAGES):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def column_unit(name: str, currency: str) -> str:
    """Unit of an hourly.parquet column from its name (``site.it_kw`` -> ``kW``)."""
    base = name.rsplit(".", 1)[-1]
    for suffix, unit in _SUFFIX_UNITS:
        if base.endswith(suffix):
            return unit.replace("currency", currency)
    return ""


def hourly_sheet(run: D.Run) -> doc.DataSheet:
    frame = run.hourly.copy()
    offset = frame.index[0].strftime("%z")
    frame.index = frame.index.tz_localize(None)
    frame.index.name = f"timestamp [local time, {run.tz}, UTC{offset[:3]}:{offset[3:]} at start]"
    units = {c: column_unit(c, run.currency) for c in frame.columns}
    return doc.DataSheet("hourly", f"Hourly inputs and results of {run.label}", frame, units)


def schedule_sheet(run: D.Run) -> doc.DataSheet:
    frame = run.schedule.copy()
    if "timestamp" in frame:
        stamps = pd.to_datetime(frame["timestamp"], utc=True).dt.tz_convert(run.tz)
        frame["timestamp"] = stamps.dt.tz_localize(None)
    frame = frame.set_index(frame.columns[0]) if len(frame.columns) else frame
    units = {"power_kw": "kW", "timestamp": f"local time, {run.tz}"}
    return doc.DataSheet("schedule", f"Job schedule of {run.label} ({run.schedule_name})", frame,
                         {c: units.get(c, "") for c in frame.columns})


def run_sections(run: D.Run, suffix: str = "", eed: bool | None = None) -> list[doc.Section]:
    """The run's own sections in reading order; with ``suffix`` (several runs) every title
    after the summary names the run, and the full KPI table is left to the comparison.

    Parameters
    ----------
    eed : bool or None
        The EU EED fields: None (default) where :func:`reports.rules.eed_applies` (a site
        in the EU), True for any site, False never.
    """
    sections = [
        executive_summary(run),
        None if suffix else kpi_section(run),
        energy_section(run),
        scope2_section(run),
        scheduling_section(run),
        assets_section(run),
        None if suffix else money_section(run),  # several: capex and TCO rows of the comparison
        targets_section(run),
        None if suffix else pods_section(run),  # several: the comparison's hall table
        eed_section(run, eed) if rules.eed_applies(run.scenario, eed) else None,
        provenance_section(run, eed),
    ]
    sections = [s for s in sections if s is not None]  # assets, targets, EED: where they apply
    if suffix:
        for s in sections[1:]:
            s.title = f"{s.title}: {suffix}"
    return sections


def _prefixed(sections: list[doc.Section], prefix: str) -> None:
    """Give every table of the run's sections a sheet key unique in the workbook."""
    for s in sections:
        s.anchor = f"{prefix}-{s.anchor}".lower()
        s.blocks = [dataclasses.replace(b, key=f"{prefix} {b.key}") if isinstance(b, doc.Table)
                    else b for b in s.blocks]


def build_report(runs: list[D.Run], generated: dt.datetime | None = None,
                 eed: bool | None = None) -> doc.Report:
    """The report of ``runs``: per-run sections, preceded by a comparison for several, and
    what they share once at the end.

    Parameters
    ----------
    runs : list of Run
    generated : datetime, optional
        Time stamp of the report (default: now, UTC).
    eed : bool or None
        The EU EED fields: None (default) for runs at sites in the EU, True for every run
        (on request), False for none.
    """
    versions = report_versions()
    generated = generated or dt.datetime.now(dt.UTC)
    sections: list[doc.Section] = []
    sheets: list[doc.DataSheet] = []
    several = len(runs) > 1
    if several:
        sections.append(comparison_section(runs))
    for i, run in enumerate(runs, start=1):
        own = run_sections(run, run.label if several else "", eed)
        run_sheets = [hourly_sheet(run), schedule_sheet(run)]
        if several:
            prefix = f"R{i}"
            _prefixed(own, prefix)
            run_sheets = [doc.DataSheet(f"{prefix} {s.key}", s.title, s.frame, s.units)
                          for s in run_sheets]
        sections += own
        sheets += run_sheets
    sections.append(methodology_section(runs, versions))
    if several:
        sections.append(definitions_section(runs))
        title = "coolshift report: " + ", ".join(r.label for r in runs)
        subtitle = f"{len(runs)} runs compared"
    else:
        title = f"coolshift report: {runs[0].label}"
        subtitle = runs[0].scenario.site.name
    report = doc.Report(title=re.sub(r"\s+", " ", title), subtitle=subtitle, sections=sections,
                        data_sheets=sheets, generated=f"{generated:%Y-%m-%d %H:%M} UTC",
                        versions=versions)
    # what the user wrote is quoted as written (a run directory docs/q3 is not "the
    # coolshift documentation")
    return cite_report(report, user_strings(*((r.scenario, r.path, r.label) for r in runs)))
