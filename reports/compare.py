"""Several runs side by side: a comparison table, halls by cooling technology, charts."""

from __future__ import annotations

from reports import charts
from reports import data as D
from reports import document as doc
from reports import formatting as F
from reports.summary import period_text, solver_text

#: kpis.json keys in the comparison table, in order.
COMPARED = ("pue", "ppue_cooling", "itue", "tue", "wue_l_per_kwh", "cue_kg_per_kwh",
            "it_energy_mwh", "facility_energy_mwh", "water_m3", "free_cooling_h",
            "peak_facility_kw", "carbon_location_t", "carbon_market_t", "ref", "erf", "cfe_score",
            "energy_cost", "demand_cost", "total_cost", "jobs", "deadlines_met_share",
            "shifted_energy_share", "cost_saving_vs_asap", "cost_saving_vs_asap_pct",
            "carbon_saving_vs_asap_t", "carbon_saving_vs_asap_pct", "cost_saving_vs_greedy",
            "cost_saving_vs_greedy_pct", "carbon_saving_vs_greedy_t", "carbon_saving_vs_greedy_pct",
            "pue_target", "pue_target_met")
RUNS_PER_TABLE = 5


def _unit(key: str, runs: list[D.Run]) -> str:
    currencies = sorted({r.currency for r in runs})
    unit = F.kpi_unit(key, "currency")
    if unit == "currency":
        return currencies[0] if len(currencies) == 1 else "currency (see row)"
    return unit


def comparison_tables(runs: list[D.Run]) -> list[doc.Table]:
    chunks = [runs[i:i + RUNS_PER_TABLE] for i in range(0, len(runs), RUNS_PER_TABLE)]
    tables = []
    for n, chunk in enumerate(chunks):
        rows = [
            [doc.text("Site"), doc.text("")] + [doc.text(r.scenario.site.name) for r in chunk],
            [doc.text("Period"), doc.text("")] + [doc.text(period_text(r)) for r in chunk],
            [doc.text("Halls"), doc.text("")] + [doc.text(", ".join(
                f"{p.cooling.replace('_', ' ')} {p.racks}x{p.rack_kw:g} kW" for p in r.scenario.pods))
                for r in chunk],
            [doc.text("Installed IT power"), doc.text("kW")]
            + [doc.num(D.installed_it_kw(r.scenario), 0) for r in chunk],
            [doc.text("Schedule"), doc.text("")] + [doc.text(solver_text(r)) for r in chunk],
            [doc.text("Currency"), doc.text("")] + [doc.text(r.currency) for r in chunk],
        ]
        for key in COMPARED:
            rows.append([doc.text(F.label(key)), doc.text(_unit(key, runs))]
                        + [doc.kpi(key, r.kpis.get(key)) for r in chunk])
        rows.append([doc.text("Cost per facility MWh"), doc.text("currency/MWh")]
                    + [doc.num(r.kpis["total_cost"] / r.kpis["facility_energy_mwh"], 2) for r in chunk])
        key = "compare" if len(chunks) == 1 else f"compare_{n + 1}"
        tables.append(doc.Table(
            key, "Runs compared" + (f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else ""),
            [doc.Column("Indicator", width=1.7), doc.Column("Unit", width=0.7)]
            + [doc.Column(r.label, width=1.3, numeric=True) for r in chunk],
            rows, font_scale=0.9,
            note="Energy, water, carbon and money are totals over each run's own period; "
                 "compare runs of different lengths by PUE, TUE, WUE, CUE and cost per MWh."))
    return tables


def halls_table(runs: list[D.Run]) -> doc.Table:
    rows = []
    for r in runs:
        for p in r.scenario.pods:
            v = r.doc.get("pods", {}).get(p.name, {})
            rows.append([doc.text(r.label), doc.text(p.name), doc.text(p.cooling.replace("_", " ")),
                         doc.kpi("pue", v.get("pue")), doc.kpi("tue", v.get("tue")),
                         doc.kpi("wue_l_per_kwh", v.get("wue_l_per_kwh")),
                         doc.kpi("free_cooling_share", v.get("free_cooling_share")),
                         doc.kpi("facility_mwh", v.get("facility_mwh"))])
    return doc.Table(
        "compare_halls", "Halls of every run (air vs cold plate vs immersion)",
        [doc.Column("Run", width=1.4), doc.Column("Hall", width=1.3), doc.Column("Cooling", width=0.9),
         doc.Column("PUE", width=0.6, numeric=True), doc.Column("TUE", width=0.6, numeric=True),
         doc.Column("WUE", "L/kWh", 0.8, True),
         doc.Column("Without compressors", "%", 0.9, True),
         doc.Column("Facility", "MWh", 0.8, True)],
        rows)


def comparison_section(runs: list[D.Run]) -> doc.Section:
    blocks: list = [
        doc.Paragraph(f"{len(runs)} runs: " + "; ".join(
            f"{r.label} ({r.scenario.site.name}, {r.hours} h)" for r in runs)
            + ". Each run's own sections follow this comparison."),
        *comparison_tables(runs),
        doc.Figure("compare_pue", "PUE, TUE and overhead by run",
                   "Left: PUE and TUE of each run. Right: each overhead component's energy per "
                   "kWh of IT energy; the stack height is PUE - 1.",
                   lambda: charts.compare_pue(runs), height_in=3.0),
        halls_table(runs),
        doc.Figure("compare_tech", "Hall PUE by cooling technology",
                   "PUE of the halls of each cooling technology (energy-weighted when a run "
                   "has several halls of one technology).",
                   lambda: charts.compare_technologies(runs), height_in=2.4),
    ]
    return doc.Section(f"Comparison of {len(runs)} runs", blocks, anchor="compare")
