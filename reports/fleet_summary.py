"""The fleet report's first page (what the fleet is, the headline, savings, the plan's
quality) and its fleet-wide tables: sites, flows home -> site, savings against each
baseline and by lever, the schedules side by side."""

from __future__ import annotations

from reports import document as doc
from reports import fleet_charts as FC
from reports import formatting as F
from reports.fleet_data import (
    LEVERS,
    SCHEDULE_NAMES,
    FleetRun,
    climate_short,
    flow_counts,
    role_text,
    scenario_short,
    status_text,
)
from reports.summary import period_text
from scenarios.kpis import FLEET_KPI_DEFINITIONS, KPI_DEFINITIONS

#: Headline indicators of the first page, in order.
HEADLINE = ("pue", "it_energy_mwh", "facility_energy_mwh", "carbon_location_t", "total_cost",
            "water_m3", "moved_jobs", "moved_energy_mwh", "moved_data_tb", "network_energy_mwh",
            "deadlines_met_share")
#: The baselines the fleet schedule is measured against, with what each is.
BASELINES = (
    ("asap", "everything at home, as soon as possible (ASAP)"),
    ("greedy", "everything at home, greedy (cheapest / cleanest hours at home)"),
    ("cheapest_site", "greedy over every site a job may use (cheapest site first)"),
)
#: The baselines' short names on the first page.
SAVING_LABELS = {"asap": "Saving vs home, ASAP", "greedy": "Saving vs home, greedy",
                 "cheapest_site": "Saving vs cheapest site"}
#: Indicators of the schedules side by side.
COMPARED = ("it_energy_mwh", "facility_energy_mwh", "pue", "water_m3", "carbon_location_t",
            "energy_cost", "demand_cost", "total_cost", "peak_facility_kw", "moved_jobs",
            "moved_energy_mwh", "moved_data_tb", "network_energy_mwh", "network_cost",
            "network_carbon_t", "deadlines_met_share")
SHORT_DEFINITIONS = {
    "pue": "facility energy / IT energy of all sites together (the network is not a "
           "facility's energy)",
    "carbon_location_t": "grid emissions of the energy used (location-based Scope 2)",
    "total_cost": "energy and demand charges of every site, and the network's cost",
    "water_m3": "water the sites' cooling uses (evaporation, blowdown, drift)",
    "moved_jobs": "jobs run away from their home site",
    "moved_energy_mwh": "compute energy of the jobs run away from home (as scheduled)",
    "moved_data_tb": "data moved with those jobs",
    "network_energy_mwh": "energy of moving that data, half at each end (outside facility "
                          "energy and PUE; its cost and carbon are in the totals)",
}


def definition(key: str) -> str:
    """The definition of a KPI (single-site or fleet)."""
    if key in SHORT_DEFINITIONS:
        return SHORT_DEFINITIONS[key]
    entry = KPI_DEFINITIONS.get(key) or FLEET_KPI_DEFINITIONS.get(key)
    return entry[1] if entry else ""


def unit(fleet: FleetRun, key: str) -> str:
    return F.kpi_unit(key, fleet.currency)


def target_cell(kpis: dict) -> doc.Cell:
    return doc.text("no target set") if kpis.get("pue_target") is None else doc.kpi(
        "pue_target", kpis["pue_target"])


def met_cell(kpis: dict) -> doc.Cell:
    if kpis.get("pue_target") is None or kpis.get("pue_target_met") is None:
        return doc.text("-")
    return doc.text("met" if kpis["pue_target_met"] else "NOT met")


def missing_reason(fleet: FleetRun, name: str) -> str:
    if name not in fleet.doc.get("baselines", {}):
        return f"the {SCHEDULE_NAMES.get(name, name)} baseline could not place every job"
    return "not recorded in the run"


def _change(key: str, value, pct_key: str, pct, unit: str, what: str) -> str:
    """``99,335 CNY (16.59 %) less cost``, or ``3,676 CNY (4.77 %) more cost`` for a loss."""
    less = value is None or value >= 0
    sign = 1 if less else -1
    shown = F.kpi_text(key, None if value is None else sign * value)
    share = F.kpi_text(pct_key, None if pct is None else sign * pct)
    return f"{shown} {unit} ({share} %) {'less' if less else 'more'} {what}"


def saving_text(fleet: FleetRun, name: str) -> str:
    """``99,335 CNY (16.59 %) less cost; 36.67 tCO2 (8.72 %) less CO2`` or n/a with why."""
    k = fleet.kpis
    cost = k.get(f"cost_saving_vs_{name}")
    if cost is None:
        return f"n/a: {missing_reason(fleet, name)}"
    return (_change(f"cost_saving_vs_{name}", cost, f"cost_saving_vs_{name}_pct",
                    k.get(f"cost_saving_vs_{name}_pct"), fleet.currency, "cost") + "; "
            + _change(f"carbon_saving_vs_{name}_t", k.get(f"carbon_saving_vs_{name}_t"),
                      f"carbon_saving_vs_{name}_pct", k.get(f"carbon_saving_vs_{name}_pct"),
                      "tCO2", "CO2"))


def fleet_sites_table(fleet: FleetRun) -> doc.Table:
    """First page: each site, what it is, its climate, its PUE against its own target."""
    rows = []
    for name, run in fleet.sites.items():
        k = fleet.site_kpis(name)
        rows.append([doc.text(name), doc.text(run.scenario.site.name),
                     doc.text(scenario_short(fleet, name)),
                     doc.text(role_text(fleet, name)), doc.text(climate_short(run)),
                     doc.kpi("pue", k.get("pue")), target_cell(k), met_cell(k)])
    rows.append([doc.text("Fleet"), doc.text(f"{len(fleet.sites)} sites, one schedule"),
                 doc.text(""), doc.text(f"{fleet.kpis.get('jobs', 0)} jobs"), doc.text(""),
                 doc.kpi("pue", fleet.kpis["pue"]), doc.text(""), doc.text("")])
    return doc.Table(
        "fleet_sites", "The sites and their PUE against their own targets",
        [doc.Column("Site", width=0.75), doc.Column("Hub / location", width=1.6),
         doc.Column("Scenario", width=0.8), doc.Column("Role in this run", width=1.45),
         doc.Column("Climate", width=1.2), doc.Column("PUE", width=0.5, numeric=True),
         doc.Column("Target", width=0.55, numeric=True),
         doc.Column("Target met", width=0.5, numeric=True)],
        rows, font_scale=0.9)


def findings(fleet: FleetRun) -> list[str]:
    """Plain-language key points generated from the numbers."""
    k, out = fleet.kpis, []
    counts = flow_counts(fleet)
    jobs = int(k.get("jobs") or counts["home_jobs"].sum())
    moved = int(k.get("moved_jobs") or 0)
    if moved:
        top = counts["received_jobs"].idxmax()
        out.append(
            f"{moved} of {jobs} jobs ran away from home ({F.kpi_text('moved_energy_mwh', k.get('moved_energy_mwh'))} "
            f"MWh of compute, {F.kpi_text('moved_data_tb', k.get('moved_data_tb'))} TB of data); "
            f"{top} took in the most ({int(counts.loc[top, 'received_jobs'])} jobs). Moving the "
            f"data cost {F.kpi_text('network_energy_mwh', k.get('network_energy_mwh'))} MWh of "
            "network energy.")
    else:
        out.append(f"Every one of the {jobs} jobs ran at its home site.")
    missed = [n for n in fleet.names if fleet.site_kpis(n).get("pue_target_met") is False]
    targeted = [n for n in fleet.names if fleet.site_kpis(n).get("pue_target") is not None]
    if targeted and not missed:
        out.append(f"Every site with a PUE target met it ({', '.join(targeted)}).")
    for name in missed:
        s = fleet.site_kpis(name)
        out.append(f"{name} missed its PUE target: {F.kpi_text('pue', s.get('pue'))} against "
                   f"{F.kpi_text('pue_target', s.get('pue_target'))}.")
    untargeted = [n for n in fleet.names if n not in targeted]
    if untargeted:
        out.append(f"No PUE target is set for {', '.join(untargeted)} (its scenario has none).")
    synthetic = [n for n, r in fleet.sites.items() if "SYNTHETIC" in climate_short(r)]
    if synthetic:
        out.append(f"The weather of {', '.join(synthetic)} is a synthetic year built from "
                   "monthly climate normals, not a measured year: treat cooling energy there "
                   "as an estimate.")
    site = k.get("cost_saving_vs_asap_site")
    total = k.get("cost_saving_vs_asap")
    if site is not None and total:
        out.append(f"Of the saving against everything at home, "
                   f"{F.kpi_text('cost_saving_vs_asap_site', site)} {fleet.currency} "
                   f"({100 * site / total:.0f} %) comes from where jobs ran; the rest from "
                   "halls, hours and peaks (see 'The saving by lever').")
    return out


def summary_section(fleet: FleetRun) -> doc.Section:
    """The first page: the fleet, the plan, the savings and the headline numbers."""
    k = fleet.kpis
    hours = fleet.first.hours
    basis = ("annual PUE (12 months of hourly energy)" if hours >= 8760 else
             f"period PUE over {hours:,d} h, not an annual PUE (ISO/IEC 30134-2 asks for 12 "
             "months)")
    facts = [
        ("Period", period_text(fleet.first)),
        ("Jobs", f"{k.get('jobs', 'n/a')} deferrable jobs; "
                 f"{F.kpi_text('moved_jobs', k.get('moved_jobs'))} ran away from home"),
        ("Plan", status_text(fleet)),
        ("PUE basis", basis),
        *((SAVING_LABELS[name], saving_text(fleet, name)) for name, _ in BASELINES
          if name != fleet.main),
    ]
    facts_table = doc.Table(
        "fleet_summary", "At a glance",
        [doc.Column("Item", width=1.1), doc.Column("Value", width=4.9)],
        [[doc.text(a), doc.text(b)] for a, b in facts], font_scale=0.95)
    headline = doc.Table(
        "fleet_headline", "Headline indicators of the fleet",
        [doc.Column("Indicator", width=1.5), doc.Column("Value", width=0.9, numeric=True),
         doc.Column("Unit", width=0.6), doc.Column("Definition", width=3.0)],
        [[doc.text(F.label(key)), doc.kpi(key, k.get(key)), doc.text(unit(fleet, key)),
          doc.text(definition(key))] for key in HEADLINE],
        font_scale=0.95)
    blocks: list = []
    if fleet.description:
        blocks.append(doc.Paragraph(" ".join(fleet.description.split()), "lead"))
    blocks += [fleet_sites_table(fleet), facts_table, headline,
               doc.Subheading("Key points"), doc.Bullets(findings(fleet))]
    return doc.Section(f"Fleet summary: {fleet.label}", blocks, anchor="fleet-summary")


# --------------------------------------------------------------------------- fleet tables


def sites_table(fleet: FleetRun) -> doc.Table:
    """One row per site, the fleet (their sum), and the network's part of it."""
    counts = flow_counts(fleet)
    keys = ("it_energy_mwh", "facility_energy_mwh", "pue", "carbon_location_t", "total_cost",
            "water_m3")
    rows = []
    for name in fleet.names:
        s = fleet.site_kpis(name)
        rows.append([doc.text(name), doc.num(counts.loc[name, "ran_jobs"], 0)]
                    + [doc.kpi(key, s.get(key)) for key in keys] + [target_cell(s), met_cell(s)])
    k = fleet.kpis
    rows.append([doc.text("Fleet"), doc.kpi("jobs", k.get("jobs"))]
                + [doc.kpi(key, k.get(key)) for key in keys] + [doc.text(""), doc.text("")])
    rows.append([doc.text("of which: network (moving data)"), doc.text(""), doc.text(""),
                 doc.text(""), doc.text(""),
                 doc.kpi("network_carbon_t", k.get("network_carbon_t")),
                 doc.kpi("network_cost", k.get("network_cost")), doc.text(""), doc.text(""),
                 doc.text("")])
    cur = fleet.currency
    network_mwh = F.kpi_text("network_energy_mwh", k.get("network_energy_mwh"))
    return doc.Table(
        "sites", "Sites and the fleet",
        [doc.Column("Site", width=1.3), doc.Column("Jobs run", width=0.55, numeric=True),
         doc.Column("IT energy", "MWh", 0.75, True), doc.Column("Facility", "MWh", 0.75, True),
         doc.Column("PUE", width=0.5, numeric=True),
         doc.Column("Scope 2", "tCO2", 0.7, True), doc.Column("Total cost", cur, 0.8, True),
         doc.Column("Water", "m³", 0.65, True), doc.Column("PUE target", width=0.6, numeric=True),
         doc.Column("Met", width=0.45, numeric=True)],
        rows, font_scale=0.9,
        note="The fleet's figures are the sites' sums. Moving jobs' data is counted half at the "
             "sending and half at the receiving site: each site's Scope 2 and total cost include "
             "its half of every transfer (the last row shows that part of the fleet's). The "
             f"network's energy ({network_mwh} MWh) is not a facility's: facility energy and PUE "
             "leave it out; the fleet's PUE is its facility energy over its IT energy. Scope 2 "
             "is location-based. Each site's PUE is checked against the target of its own "
             "scenario.")


def flows_table(fleet: FleetRun) -> doc.Table:
    f = fleet.flows
    rows = [[doc.text(r.home), doc.text(r.site), doc.num(float(r.jobs), 0),
             doc.num(float(r.compute_mwh), 2), doc.num(float(r.data_tb), 2),
             doc.text("moved" if r.moved else "at home")]
            for r in f.itertuples(index=False)]
    rows.append([doc.text("All"), doc.text(""), doc.num(float(f["jobs"].sum()), 0),
                 doc.num(float(f["compute_mwh"].sum()), 2), doc.num(float(f["data_tb"].sum()), 2),
                 doc.text(f"{int(f.loc[f['moved'], 'jobs'].sum())} moved")])
    return doc.Table(
        "flows", "Where the work went: home -> site",
        [doc.Column("Home", width=1.0), doc.Column("Ran at", width=1.0),
         doc.Column("Jobs", width=0.5, numeric=True), doc.Column("Compute", "MWh", 0.8, True),
         doc.Column("Data moved", "TB", 0.8, True), doc.Column("Work", width=0.7)],
        rows,
        note="Compute: the jobs' power x hours run (IT compute, before cooling). Data counts "
             "only for work run away from home.")


def baselines_table(fleet: FleetRun) -> doc.Table:
    """The fleet schedule's saving against each baseline, cost and CO2."""
    k, cur = fleet.kpis, fleet.currency
    rows = []
    for name, what in BASELINES:
        if name == fleet.main:  # a run not optimized: its schedule is ASAP at home
            continue
        base = fleet.doc.get("baselines", {}).get(name, {})
        rows.append([doc.text(SCHEDULE_NAMES[name]), doc.text(what),
                     doc.kpi("total_cost", base.get("total_cost")),
                     doc.kpi(f"cost_saving_vs_{name}", k.get(f"cost_saving_vs_{name}")),
                     doc.kpi(f"cost_saving_vs_{name}_pct", k.get(f"cost_saving_vs_{name}_pct")),
                     doc.kpi("carbon_location_t", base.get("carbon_location_t")),
                     doc.kpi(f"carbon_saving_vs_{name}_t", k.get(f"carbon_saving_vs_{name}_t")),
                     doc.kpi(f"carbon_saving_vs_{name}_pct",
                             k.get(f"carbon_saving_vs_{name}_pct"))])
    return doc.Table(
        "savings", f"What the fleet schedule saves against each baseline ({cur})",
        [doc.Column("Baseline", width=1.2), doc.Column("What it is", width=1.75),
         doc.Column("Its cost", cur, 0.75, True), doc.Column("Saving", cur, 0.7, True),
         doc.Column("Saving", "%", 0.55, True), doc.Column("Its Scope 2", "tCO2", 0.7, True),
         doc.Column("CO2 saving", "tCO2", 0.65, True), doc.Column("CO2 saving", "%", 0.6, True)],
        rows, font_scale=0.88,
        note="Saving = the baseline's total minus the fleet schedule's, over the same jobs, "
             "sites and hours; n/a where a baseline could not place every job.")


def levers_table(fleet: FleetRun) -> doc.Table:
    k, cur = fleet.kpis, fleet.currency
    total = k.get("cost_saving_vs_asap")
    rows = []
    for lever, short, what in LEVERS:
        cost = k.get(f"cost_saving_vs_asap_{lever}")
        share = None if cost is None or not total else 100 * cost / total
        carbon = (doc.text("-") if lever == "peak"
                  else doc.kpi(f"carbon_saving_vs_asap_{lever}_t",
                               k.get(f"carbon_saving_vs_asap_{lever}_t")))
        rows.append([doc.text(short), doc.text(what),
                     doc.kpi(f"cost_saving_vs_asap_{lever}", cost), doc.num(share, 1), carbon])
    rows.append([doc.text("Total"), doc.text("against everything at home, ASAP"),
                 doc.kpi("cost_saving_vs_asap", total), doc.num(100.0 if total else None, 1),
                 doc.kpi("carbon_saving_vs_asap_t", k.get("carbon_saving_vs_asap_t"))])
    return doc.Table(
        "levers", "The saving by lever: where, how, when",
        [doc.Column("Lever", width=0.9), doc.Column("What moved", width=3.0),
         doc.Column("Cost saving", cur, 0.85, True), doc.Column("Share", "%", 0.55, True),
         doc.Column("CO2 saving", "tCO2", 0.75, True)],
        rows,
        note="Where, how and when are a Shapley split on the planner's linear model (each "
             "lever's average contribution over every order of applying them); peak is the "
             "lower demand charge (money only); other is the exact re-simulation's difference. "
             "The levers add up to the total. A negative value is a lever that cost a little "
             "so that another could save more.")


def levers_blocks(fleet: FleetRun) -> list:
    """The lever table and chart; a sentence instead when the run has no split."""
    if all(fleet.kpis.get(f"cost_saving_vs_asap_{lever}") is None for lever, _, _ in LEVERS):
        return [doc.Subheading("The saving by lever"), doc.Paragraph(
            "Not available: the saving is split by lever (where, how, when, peak) only for an "
            "optimized fleet schedule against ASAP at home"
            + ("; this run was not optimized." if not fleet.optimized else "."), "note")]
    return [levers_table(fleet),
            doc.Figure("levers", "The saving against everything at home, by lever",
                       "Green: a saving; red: a loss. Peak has no CO2 part.",
                       lambda: FC.levers_chart(fleet), height_in=2.0)]


def schedules_table(fleet: FleetRun) -> doc.Table:
    """Every indicator of the fleet schedule and of each baseline, side by side."""
    names = [fleet.main] + [n for n, _ in BASELINES if n in fleet.doc.get("baselines", {})
                            and n != fleet.main]
    values = {fleet.main: fleet.kpis, **fleet.doc.get("baselines", {})}
    rows = [[doc.text(F.label(key)), doc.text(unit(fleet, key))]
            + [doc.kpi(key, values[n].get(key)) for n in names] for key in COMPARED]
    return doc.Table(
        "schedules", "The fleet schedule and the baselines side by side",
        [doc.Column("Indicator", width=1.6), doc.Column("Unit", width=0.55)]
        + [doc.Column(SCHEDULE_NAMES.get(n, n), width=1.0, numeric=True) for n in names],
        rows, font_scale=0.9)


def all_kpis_table(fleet: FleetRun) -> doc.Table:
    """Every key of the fleet's kpis.json: indicator, value, unit, definition, source."""
    known = {**KPI_DEFINITIONS, **FLEET_KPI_DEFINITIONS}
    keys = [key for key in known if key in fleet.kpis]
    keys += [key for key in fleet.kpis if key not in known]
    rows = []
    for key in keys:
        _unit, what, standard = known.get(key, ("-", "", ""))
        rows.append([doc.text(F.label(key)), doc.kpi(key, fleet.kpis[key]),
                     doc.text(unit(fleet, key)), doc.text(SHORT_DEFINITIONS.get(key, what)),
                     doc.text(standard or "-"), doc.text(key)])
    return doc.Table(
        "kpis", "Every indicator of the fleet schedule (kpis.json)",
        [doc.Column("Indicator", width=1.55), doc.Column("Value", width=0.85, numeric=True),
         doc.Column("Unit", width=0.6), doc.Column("Definition", width=2.6),
         doc.Column("Standard or source", width=1.3),
         doc.Column("kpis.json key", width=1.4, in_pdf=False)],
        rows, font_scale=0.88,
        note="Shares (deadlines met) are shown in percent; kpis.json stores them as fractions. "
             "n/a: not available from this run (a baseline that could not place every job, "
             "or a saving split only for a MILP schedule).")


def fleet_section(fleet: FleetRun) -> doc.Section:
    """Sites, flows, savings and levers, fleet-wide."""
    blocks = [
        sites_table(fleet),
        doc.Figure("fleet_pue", "Each site's PUE against its own target",
                   "Bars: PUE over the run (sites, then the fleet); red marks: the PUE target of "
                   "each site's scenario (none where the scenario sets none).",
                   lambda: FC.site_pue_chart(fleet), height_in=0.3 * len(fleet.names) + 0.8),
        flows_table(fleet),
        doc.Figure("flows", "Where the work went",
                   "Left: each cell is the work of jobs from a home site (row) run at a site "
                   "(column): jobs, compute energy and, when moved, data. Right: the compute "
                   "each site ran, coloured by the jobs' home.",
                   lambda: FC.flows_chart(fleet), height_in=0.5 * len(fleet.names) + 1.6),
        baselines_table(fleet),
        *levers_blocks(fleet),
        schedules_table(fleet),
        all_kpis_table(fleet),
    ]
    return doc.Section("Sites, flows and savings", blocks, anchor="fleet")
