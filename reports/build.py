"""Assemble the report of one or more runs: the sections in reading order and the raw
data sheets of the XLSX."""

from __future__ import annotations

import datetime as dt
import platform
import re
from importlib import metadata

import pandas as pd

from reports import data as D
from reports import document as doc
from reports.assets import assets_section
from reports.compare import comparison_section
from reports.eed import eed_section
from reports.energy import energy_section, pods_section, scope2_section
from reports.methodology import methodology_section
from reports.scheduling import scheduling_section
from reports.summary import executive_summary, kpi_section, targets_section
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


def run_sections(run: D.Run, versions: dict[str, str], suffix: str = "") -> list[doc.Section]:
    sections = [
        executive_summary(run),
        kpi_section(run),
        energy_section(run),
        scope2_section(run),
        scheduling_section(run),
        assets_section(run),
        targets_section(run),
        pods_section(run),
        eed_section(run),
        methodology_section(run, versions),
    ]
    sections = [s for s in sections if s is not None]  # the assets' only with assets
    if suffix:
        for s in sections[1:]:
            s.title = f"{s.title}: {suffix}"
    return sections


def _prefixed(sections: list[doc.Section], prefix: str) -> None:
    """Give every table of the run's sections a sheet key unique in the workbook."""
    for s in sections:
        s.anchor = f"{prefix}-{s.anchor}".lower()
        s.blocks = [
            doc.Table(f"{prefix} {b.key}", b.title, b.columns, b.rows, b.note, b.font_scale)
            if isinstance(b, doc.Table) else b
            for b in s.blocks
        ]


def build_report(runs: list[D.Run], generated: dt.datetime | None = None) -> doc.Report:
    """The report of ``runs``: per-run sections, preceded by a comparison for several."""
    versions = report_versions()
    generated = generated or dt.datetime.now(dt.UTC)
    sections: list[doc.Section] = []
    sheets: list[doc.DataSheet] = []
    several = len(runs) > 1
    if several:
        sections.append(comparison_section(runs))
    for i, run in enumerate(runs, start=1):
        own = run_sections(run, versions, run.label if several else "")
        run_sheets = [hourly_sheet(run), schedule_sheet(run)]
        if several:
            prefix = f"R{i}"
            _prefixed(own, prefix)
            run_sheets = [doc.DataSheet(f"{prefix} {s.key}", s.title, s.frame, s.units)
                          for s in run_sheets]
        sections += own
        sheets += run_sheets
    if several:
        title = "coolshift report: " + ", ".join(r.label for r in runs)
        subtitle = f"{len(runs)} runs compared"
    else:
        title = f"coolshift report: {runs[0].label}"
        subtitle = runs[0].scenario.site.name
    return doc.Report(title=re.sub(r"\s+", " ", title), subtitle=subtitle, sections=sections,
                      data_sheets=sheets, generated=f"{generated:%Y-%m-%d %H:%M} UTC",
                      versions=versions)
