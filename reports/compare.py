"""Several runs side by side: every indicator in one table (the runs' sections do not
repeat it), halls by cooling technology, charts; and the indicators' definitions, once."""

from __future__ import annotations

from reports import charts
from reports import data as D
from reports import document as doc
from reports import formatting as F
from reports.summary import (
    MODELLED_NOT_METERED,
    is_synthetic,
    period_text,
    plan_short,
    standard,
)
from scenarios.kpis import KPI_DEFINITIONS

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


def compared_keys(runs: list[D.Run]) -> list[str]:
    """:data:`COMPARED` first, then every other indicator some run has a value for (in
    the order of scenarios.kpis.KPI_DEFINITIONS, then as the runs hold them)."""
    keys = list(COMPARED)
    for run in runs:
        extra = list(KPI_DEFINITIONS) + list(run.kpis)
        keys += [k for k in extra if k not in keys and run.kpis.get(k) is not None]
    return keys


def _unit(key: str, runs: list[D.Run]) -> str:
    currencies = sorted({r.currency for r in runs})
    if len(currencies) == 1:
        return F.kpi_unit(key, currencies[0])
    unit = F.kpi_unit(key, "currency")
    return "currency (see row)" if unit == "currency" else unit


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
            [doc.text("Climate"), doc.text("")] + [doc.text(
                "synthetic year (monthly normals)" if is_synthetic(r) else "real typical year")
                for r in chunk],
            [doc.text("Schedule"), doc.text("")] + [doc.text(plan_short(r)) for r in chunk],
            [doc.text("Currency"), doc.text("")] + [doc.text(r.currency) for r in chunk],
        ]
        for key in compared_keys(runs):
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


#: Per-hall keys of kpis.json in the comparison's hall table (the runs' sections leave
#: their own hall tables out), with short headings.
HALL_KEYS = (("pue", "PUE"), ("ppue_cooling", "pPUE cool."), ("tue", "TUE"),
             ("wue_l_per_kwh", "WUE"), ("facility_mwh", "Facility"), ("water_m3", "Water"),
             ("free_cooling_share", "No compressors"),
             ("hours_outside_air_class", "Outside air class"), ("unmet_heat_h", "Unmet heat"))


def halls_table(runs: list[D.Run]) -> doc.Table:
    """Every hall of every run, one row each: what each run's own hall table would show."""
    rows = []
    for r in runs:
        inlet = D.mean_inlet_c(r)
        for p in r.scenario.pods:
            v = r.doc.get("pods", {}).get(p.name, {})
            rows.append([doc.text(r.label), doc.text(p.name), doc.text(p.cooling.replace("_", " ")),
                         doc.num(inlet.get(p.name), 1)]
                        + [doc.kpi(key, v.get(key)) for key, _ in HALL_KEYS])
    return doc.Table(
        "compare_halls", "Halls of every run (air vs cold plate vs immersion)",
        [doc.Column("Run", width=1.2), doc.Column("Hall", width=1.25),
         doc.Column("Cooling", width=0.8), doc.Column("Inlet", "°C", 0.55, True)]
        + [doc.Column(name, F.kpi_unit(key, ""), 0.9 if key in ("free_cooling_share",
                      "hours_outside_air_class") else 0.6, True) for key, name in HALL_KEYS],
        rows, font_scale=0.85,
        note="Inlet: mean server inlet temperature; No compressors: share of the heat removed "
             "without compressors; Outside air class: hours with server inlets outside the "
             "hall's ASHRAE class; Unmet heat: hours the plant could not remove all heat.")


def comparison_section(runs: list[D.Run]) -> doc.Section:
    blocks: list = [
        doc.Paragraph(f"{len(runs)} runs: " + "; ".join(
            f"{r.label} ({r.scenario.site.name}, {r.hours} h, "
            + ("SYNTHETIC weather from monthly normals" if is_synthetic(r)
               else "real typical-year weather") + ")" for r in runs)
            + ". Each run's own sections follow this comparison; the methodology, the "
              "definitions of the indicators and the publications cited come once at the end."),
        doc.Paragraph(MODELLED_NOT_METERED, "note"),
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


def definitions_section(runs: list[D.Run]) -> doc.Section:
    """What each indicator of the comparison means and the standard it follows, once."""
    rows = []
    for key in compared_keys(runs):
        definition = KPI_DEFINITIONS.get(key, ("", "", ""))[1]
        rows.append([doc.text(F.label(key)), doc.text(_unit(key, runs)), doc.text(definition),
                     doc.text(standard(key)), doc.text(key)])
    table = doc.Table(
        "definitions", "Indicators: definitions and standards",
        [doc.Column("Indicator", width=1.5), doc.Column("Unit", width=0.8),
         doc.Column("Definition", width=2.7), doc.Column("Standard", width=1.4),
         doc.Column("kpis.json key", width=1.4, in_pdf=False)],
        rows, font_scale=0.88,
        note="Shares (REF, ERF, 24/7 CFE, deadlines met, shifted energy) are shown in percent; "
             "each run's kpis.json stores them as fractions.")
    return doc.Section("Definitions", [table], new_page=False, anchor="definitions")
