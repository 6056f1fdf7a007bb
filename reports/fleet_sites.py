"""The fleet report's per-site part: the sites' key indicators side by side, then a
compact section per site (what it is, its climate and grid, energy by component). The
full single-site report of a site is ``coolshift report FLEET_DIR/sites/NAME``."""

from __future__ import annotations

from reports import charts
from reports import data as D
from reports import document as doc
from reports import formatting as F
from reports.energy import component_table
from reports.fleet_data import FleetRun, role_text, site_spec
from reports.fleet_summary import met_cell, target_cell
from reports.summary import climate_text, halls_text, target_text
from scenarios.fleet_store import SITES

#: Indicators of the sites side by side (rows), with the fleet's where it has them.
SITE_KPIS = ("pue", "tue", "wue_l_per_kwh", "cue_kg_per_kwh", "it_energy_mwh",
             "facility_energy_mwh", "free_cooling_h", "peak_facility_kw", "water_m3",
             "carbon_location_t", "energy_cost", "demand_cost", "total_cost", "jobs",
             "job_energy_mwh", "deadlines_met_share")
#: Sites per table of the side-by-side view (A4 width).
SITES_PER_TABLE = 5


def full_report_command(fleet: FleetRun, name: str) -> str:
    return f"coolshift report {fleet.path / SITES / name}"


def side_by_side_tables(fleet: FleetRun) -> list[doc.Table]:
    """Key indicators of every site (columns) and the fleet, chunked for A4."""
    names = fleet.names
    chunks = [names[i:i + SITES_PER_TABLE] for i in range(0, len(names), SITES_PER_TABLE)]
    tables = []
    for n, chunk in enumerate(chunks):
        last = n == len(chunks) - 1
        rows = []
        for key in SITE_KPIS:
            row = [doc.text(F.label(key)), doc.text(F.kpi_unit(key, fleet.currency))]
            row += [doc.kpi(key, fleet.site_kpis(s).get(key)) for s in chunk]
            if last:
                row.append(doc.kpi(key, fleet.kpis.get(key)))
            rows.append(row)
        target = [doc.text("PUE target"), doc.text("")] + [
            target_cell(fleet.site_kpis(s)) for s in chunk]
        met = [doc.text("PUE target met"), doc.text("")] + [
            met_cell(fleet.site_kpis(s)) for s in chunk]
        if last:
            target.append(doc.text(""))
            met.append(doc.text(""))
        rows += [target, met]
        columns = ([doc.Column("Indicator", width=1.6), doc.Column("Unit", width=0.7)]
                   + [doc.Column(s, width=1.0, numeric=True) for s in chunk]
                   + ([doc.Column("Fleet", width=1.0, numeric=True)] if last else []))
        key = "site_kpis" if len(chunks) == 1 else f"site_kpis_{n + 1}"
        title = "Key indicators by site" + (f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else "")
        tables.append(doc.Table(
            key, title, columns, rows, font_scale=0.9,
            note="The fleet column adds the network (its energy, cost and carbon) to the sites; "
                 "free-cooling hours are summed over the sites."))
    return tables


def overview_section(fleet: FleetRun) -> doc.Section:
    runs = list(fleet.sites.values())
    blocks: list = [
        doc.Paragraph(
            "Each site's share of the fleet schedule is a complete single-site run (its "
            "folder under sites/ in the fleet run directory). This part keeps to a few numbers "
            "per site; the full report of a site (hourly energy, Scope 2 both ways, the "
            "scheduling effect, halls, EU EED fields, physics parameters) is "
            f"'{full_report_command(fleet, 'NAME')}'."),
        *side_by_side_tables(fleet),
        doc.Figure("site_overhead", "PUE, TUE and overhead by component, by site",
                   "Left: PUE and TUE of each site over the run; right: the overhead energy per "
                   "IT kWh by component (the bars' heights are PUE - 1).",
                   lambda: charts.compare_pue(runs), height_in=2.8),
    ]
    return doc.Section("The sites", blocks, anchor="sites")


def site_facts(fleet: FleetRun, name: str) -> doc.Table:
    run = fleet.sites[name]
    s = run.scenario.site
    spec = site_spec(fleet, name)
    sources = run.manifest.get("sources", {}) or spec.get("sources", {})
    rows = [
        ("Location", f"{s.name} ({s.latitude:g}, {s.longitude:g}; {s.timezone})"),
        ("Scenario", str(spec.get("scenario", run.scenario.name))),
        ("Role in this run", role_text(fleet, name)),
        ("Halls", halls_text(run)),
        ("Installed IT power", f"{F.value_text(D.installed_it_kw(run.scenario), 0)} kW "
                               "(nameplate)"),
        ("Climate", climate_text(run)),
        ("Grid carbon", str(sources.get("carbon", "n/a"))),
        ("Tariff", str(sources.get("price", "n/a"))),
        ("Demand charge", str(sources.get("demand_charge", "none recorded"))),
        ("PUE target", target_text(run)),
        ("Full report", full_report_command(fleet, name)),
    ]
    return doc.Table(f"{name} site", f"{name}: the site",
                     [doc.Column("Item", width=1.2), doc.Column("Value", width=4.8)],
                     [[doc.text(a), doc.text(b)] for a, b in rows], font_scale=0.9)


def site_section(fleet: FleetRun, name: str, first: bool) -> doc.Section:
    """One site, compact: what it is, and its energy by component (the first site starts
    a page; the next ones follow on, about two to a page)."""
    run = fleet.sites[name]
    energy = component_table(run)
    energy = doc.Table(f"{name} energy", f"{name}: energy by component over the run",
                       energy.columns, energy.rows, energy.note, 0.9)
    blocks: list = []
    if run.scenario.description:
        blocks.append(doc.Paragraph(" ".join(run.scenario.description.split()), "note"))
    blocks += [site_facts(fleet, name), energy]
    return doc.Section(f"Site {name}", blocks, new_page=first, anchor=f"site-{name}")


def site_sections(fleet: FleetRun) -> list[doc.Section]:
    """The overview, then one compact section per site."""
    return [overview_section(fleet)] + [
        site_section(fleet, name, first=i == 0) for i, name in enumerate(fleet.names)]
