"""Assemble the report of a fleet run: its sections in reading order and the XLSX's raw
data sheets; and :func:`build_for`, which the report's entry point
(:mod:`reports.output`) calls to tell a fleet run directory from single-site runs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path, PurePath

import pandas as pd

from reports import document as doc
from reports.build import build_report, report_versions
from reports.citations import cite_report, user_strings
from reports.data import load_runs
from reports.fleet_data import FleetRun, load_fleet, looks_like_fleet
from reports.fleet_method import methodology_section
from reports.fleet_sites import site_sections
from reports.fleet_summary import fleet_section, summary_section
from scenarios.errors import ScenarioError


def schedule_sheet(fleet: FleetRun) -> doc.DataSheet:
    """The fleet schedule, one row per job-hour, timestamps in the first site's zone."""
    frame = fleet.schedule.copy()
    tz = fleet.first.tz
    if "timestamp" in frame:
        stamps = pd.to_datetime(frame["timestamp"], utc=True, errors="coerce")
        frame["timestamp"] = stamps.dt.tz_convert(tz).dt.tz_localize(None)
    frame = frame.set_index(frame.columns[0]) if len(frame.columns) else frame
    units = {"power_kw": "kW", "timestamp": f"local time, {tz}"}
    return doc.DataSheet("schedule", f"Fleet schedule of {fleet.label}", frame,
                         {c: units.get(c, "") for c in frame.columns})


def jobs_sheet(fleet: FleetRun) -> doc.DataSheet | None:
    if fleet.jobs is None:
        return None
    frame = fleet.jobs.set_index(fleet.jobs.columns[0]) if len(fleet.jobs.columns) else fleet.jobs
    units = {"duration_h": "h", "power_kw": "kW", "restart_overhead_h": "h", "data_tb": "TB"}
    return doc.DataSheet("jobs", f"Jobs of {fleet.label}", frame,
                         {c: units.get(c, "") for c in frame.columns})


def build_fleet_report(fleet: FleetRun, generated: dt.datetime | None = None) -> doc.Report:
    """The report of one fleet run: summary, sites / flows / savings, each site, method."""
    versions = report_versions()
    generated = generated or dt.datetime.now(dt.UTC)
    sections = [summary_section(fleet), fleet_section(fleet), *site_sections(fleet),
                methodology_section(fleet, versions)]
    sheets = [s for s in (schedule_sheet(fleet), jobs_sheet(fleet)) if s is not None]
    title = re.sub(r"\s+", " ", f"coolshift fleet report: {fleet.label}")
    report = doc.Report(title=title, subtitle=f"{len(fleet.sites)} sites scheduled as one",
                        sections=sections, data_sheets=sheets,
                        generated=f"{generated:%Y-%m-%d %H:%M} UTC", versions=versions)
    # sources as publications, listed once at the end; what the user wrote quoted as written
    return cite_report(report, fleet_user_text(fleet))


def fleet_user_text(fleet: FleetRun) -> list[str]:
    """What the user wrote in a fleet run: its name, description and jobs file, its sites'
    names and scenarios (their names and paths), and the jobs' text columns (ids, homes,
    allowed sites); not the network's or the sites' sources and notes."""
    jobs_file = (fleet.fleet.get("workload") or {}).get("jobs")
    out = user_strings(fleet.path, fleet.label, fleet.description,
                       *([jobs_file, PurePath(jobs_file).name] if isinstance(jobs_file, str)
                         else []),
                       *((name, run.scenario, run.path, run.label)
                         for name, run in fleet.sites.items()))
    if fleet.jobs is not None:
        for column in fleet.jobs.columns:
            if fleet.jobs[column].dtype == object:
                out += [str(v) for v in fleet.jobs[column].dropna().unique()]
    return out


def build_for(run_dirs: Sequence[Path], eed: bool | None = None) -> doc.Report:
    """The report of the given run directories: a fleet run alone gets the fleet report,
    single-site runs the single-site report (several: compared), with the EU EED fields
    as ``eed`` asks (:func:`reports.build.build_report`; a fleet report has none).

    Raises
    ------
    ScenarioError
        A fleet run given with other runs, or any bad run directory.
    """
    fleets = [p for p in run_dirs if looks_like_fleet(p)]
    if fleets and len(run_dirs) > 1:
        raise ScenarioError(
            f"{str(fleets[0])!r} is a fleet run: report it alone (coolshift report "
            f"{fleets[0]}); its sites can be compared as runs with "
            f"coolshift report {fleets[0]}/sites/*")
    if fleets:
        return build_fleet_report(load_fleet(fleets[0]))
    return build_report(load_runs(run_dirs), eed=eed)
