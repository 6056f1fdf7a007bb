"""The fleet report's methodology: how a fleet is scheduled, the baselines, the network
(energy per TB with its source, transfer time, latency classes), the solver's technical
status, what is modelled and not metered, and the assumptions of the fleet and of each
site, with their data sources and the software versions."""

from __future__ import annotations

from types import SimpleNamespace

from reports import document as doc
from reports import formatting as F
from reports.fleet_data import SCHEDULE_NAMES, FleetRun, site_spec, unique
from reports.methodology import runs_versions_table

METHOD = (
    "The fleet is scheduled as one problem. Each site is first prepared as if it ran alone: "
    "its weather, grid carbon factor, time-of-use tariff, demand charge and halls, with the "
    "same hour-by-hour facility physics as a single-site run, linearised around the jobs it "
    "may expect. One mixed-integer linear program (MILP, solved with HiGHS) then gives every "
    "deferrable job a site, a hall and its hours, between its release and its deadline, so "
    "that the fleet's energy cost, plus the carbon price times its emissions, plus each "
    "site's demand charge on its own monthly peak, is lowest, within each hall's IT and "
    "cooling capacity and each site's grid limit. Each site's share of the schedule is then "
    "re-simulated exactly, hour by hour, and its indicators computed as for a single site; "
    "the fleet's energy, water, carbon and cost are the sums over the sites plus the "
    "network's, and its ratios (PUE, TUE, WUE, CUE) are computed from those sums."
)
NETWORK = (
    "A job run away from its home site first moves its data: it may start only once the "
    "data have arrived (its release plus data [TB] x the transfer time per TB, rounded up to "
    "whole hours), and moving them uses the network energy per TB (counted half at the "
    "sending and half at the receiving site, at each site's mean price and carbon "
    "intensity over the period) plus any transfer charge per TB. Jobs of a home-only "
    "latency class never leave home, and a job's list of allowed sites (data residency) "
    "is kept."
)
BASELINES = (
    "The fleet schedule is measured against three baselines on the same jobs, sites and "
    "hours: ASAP at home (each job starts as soon as it is released, at its home site, in "
    "its most efficient hall with room), greedy at home (each job, in deadline order, takes "
    "the hours of its home site with the lowest price plus carbon price x intensity), and "
    "greedy at the cheapest site (the same rule over every site the job may use, paying "
    "for moving its data). Every schedule passes an independent validator (work done, "
    "windows, capacities, data arrival, allowed sites) before its indicators are computed."
)
MODELLED = (
    "Everything in this report is modelled, not metered: facility energy and water come "
    "from the physics model on a typical or synthetic weather year, carbon from published "
    "grid emission factors, money from published tariffs, and the network's energy from a "
    "literature figure per TB. The numbers compare plans on a like-for-like basis; they "
    "are not a measurement of any real facility, nor a guaranteed saving."
)


def network_table(fleet: FleetRun) -> doc.Table:
    n = fleet.manifest.get("network", {}) or {}
    k, cur = fleet.kpis, fleet.currency
    latency = n.get("home_only_latency")
    rows = [
        ("Network energy per TB", f"{F.value_text(n.get('energy_kwh_per_tb'), 2)} kWh/TB"),
        ("Its source", str(n.get("energy_source") or "not recorded")),
        ("Transfer charge per TB", f"{F.value_text(n.get('cost_per_tb'), 2)} {cur}/TB"),
        ("Transfer time per TB", f"{F.value_text(n.get('transfer_h_per_tb'), 3)} h/TB"),
        ("Home-only latency classes",
         ", ".join(map(str, latency)) if isinstance(latency, list) and latency else "none"),
        ("Data moved in this run", f"{F.kpi_text('moved_data_tb', k.get('moved_data_tb'))} TB"),
        ("Network energy, cost, CO2 (half in each end's figures)",
         f"{F.kpi_text('network_energy_mwh', k.get('network_energy_mwh'))} MWh, "
         f"{F.kpi_text('network_cost', k.get('network_cost'))} {cur}, "
         f"{F.kpi_text('network_carbon_t', k.get('network_carbon_t'))} tCO2"),
    ]
    return doc.Table("network", "The network between the sites",
                     [doc.Column("Item", width=1.5), doc.Column("Value", width=4.5)],
                     [[doc.text(a), doc.text(b)] for a, b in rows])


def _pct(value) -> str:
    return F.MISSING if not isinstance(value, (int, float)) else f"{100 * value:.2f} %"


def solver_table(fleet: FleetRun) -> doc.Table:
    """The technical status of the fleet schedule (the summary says it in words)."""
    s = fleet.manifest.get("solver", {}) or {}
    options = fleet.fleet.get("solver", {}) if isinstance(fleet.fleet.get("solver"), dict) else {}
    objective = fleet.fleet.get("objective", {}) if isinstance(
        fleet.fleet.get("objective"), dict) else {}
    size = s.get("model_size", {}) or {}
    rows = [
        ("Schedule", SCHEDULE_NAMES.get(fleet.main, fleet.main)),
        ("Solver status", str(s.get("status", F.MISSING))),
        ("Objective", f"{F.value_text(s.get('objective'), 2)} (cost + carbon price x CO2 + "
                      f"demand charges, {fleet.currency})"),
        ("Bound", F.value_text(s.get("bound"), 2)),
        ("Relative gap", _pct(s.get("gap"))),
        ("Relative gap asked", _pct(options.get("rel_gap"))),
        ("Carbon price", f"{F.value_text(objective.get('carbon_price_per_t'), 2)} "
                         f"{fleet.currency}/tCO2"),
        ("Best schedule from", str(s.get("source", F.MISSING))),
        ("Rolling horizon", str(s.get("rolling", F.MISSING))),
        ("Model size", ", ".join(f"{F.value_text(v, 0)} {k}" for k, v in size.items())
         or F.MISSING),
        ("Validation", ", ".join(f"{SCHEDULE_NAMES.get(k, k)}: {F.value_text(v, 0)} "
                                 "violation(s)" for k, v in (s.get("validation") or {}).items())
         or F.MISSING),
        *(("Warning", str(w)) for w in s.get("warnings", [])),
        *((f"Time: {k}", f"{F.value_text(v, 2)} s")
          for k, v in (fleet.manifest.get("timings_s") or {}).items()),
    ]
    return doc.Table("solver", "The fleet schedule's solve",
                     [doc.Column("Item", width=1.5), doc.Column("Value", width=4.5)],
                     [[doc.text(a), doc.text(b)] for a, b in rows], font_scale=0.9)


def sources_table(fleet: FleetRun) -> doc.Table:
    rows = []
    for name in fleet.names:
        run = fleet.sites[name]
        sources = run.manifest.get("sources", {}) or site_spec(fleet, name).get("sources", {})
        for kind, text in sources.items():
            rows.append([doc.text(name), doc.text(kind), doc.text(text)])
    return doc.Table("sources", "Data sources of each site",
                     [doc.Column("Site", width=0.9), doc.Column("Input", width=0.9),
                      doc.Column("Source", width=4.2)], rows, font_scale=0.88)


def assumptions_table(fleet: FleetRun) -> doc.Table:
    """The fleet's assumptions and notes, then each site's (each text once per site)."""
    m = fleet.manifest
    rows = [("fleet", "assumption", a) for a in unique(m.get("assumptions", []))]
    rows += [("fleet", "note", n) for n in unique(m.get("notes", []))]
    for name in fleet.names:
        spec = site_spec(fleet, name)
        rows += [(name, "assumption", a) for a in unique(spec.get("assumptions", []))]
        rows += [(name, "note", n) for n in unique(spec.get("notes", []))]
    if not rows:
        rows = [("fleet", "note", "the run recorded no assumptions or notes")]
    return doc.Table("assumptions", "Assumptions and notes of the fleet and of each site",
                     [doc.Column("Of", width=0.8), doc.Column("Kind", width=0.8),
                      doc.Column("Text", width=4.4)],
                     [[doc.text(a), doc.text(b), doc.text(c)] for a, b, c in rows],
                     font_scale=0.88)


def provenance_table(fleet: FleetRun) -> doc.Table:
    m = fleet.manifest
    rows = [("Fleet run directory", str(fleet.path))]
    rows += [(f"sha256 {k}", str(v)) for k, v in (m.get("input_hashes") or {}).items()]
    rows += [(f"site {n}", str(fleet.path / "sites" / n)) for n in fleet.names]
    return doc.Table("provenance", "Run provenance",
                     [doc.Column("Item", width=1.4), doc.Column("Value", width=4.6)],
                     [[doc.text(a), doc.text(b)] for a, b in rows], font_scale=0.9)


def methodology_section(fleet: FleetRun, report_versions: dict[str, str]) -> doc.Section:
    blocks: list = [
        doc.Paragraph(METHOD), doc.Paragraph(NETWORK), doc.Paragraph(BASELINES),
        doc.Paragraph(MODELLED, "lead"),
        network_table(fleet), solver_table(fleet), sources_table(fleet),
        assumptions_table(fleet), provenance_table(fleet),
    ]
    # runs_versions_table reads each run's manifest only
    blocks.append(runs_versions_table([SimpleNamespace(manifest=fleet.manifest)],
                                      report_versions))
    return doc.Section("Methodology, assumptions and data provenance", blocks,
                       anchor="methodology")
