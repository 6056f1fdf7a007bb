"""Energy by component, PUE / carbon / cost by period, Scope 2 both ways, and halls."""

from __future__ import annotations

import math

from reports import charts
from reports import data as D
from reports import document as doc
from reports import formatting as F
from reports.summary import MODELLED_NOT_METERED
from scenarios.grid_factors import get_grid_factor


def component_table(run: D.Run) -> doc.Table:
    energy = D.component_energy_mwh(run)
    it_mwh = float(energy["Compute"] + energy["Server fans"])
    facility = float(energy.sum())
    rows = []
    for name, mwh in energy.items():
        rows.append([doc.text(name), doc.num(mwh, 2), doc.num(100 * mwh / facility, 1),
                     doc.num(mwh / it_mwh, 4)])
    rows.append([doc.text("IT (compute + server fans)"), doc.num(it_mwh, 2),
                 doc.num(100 * it_mwh / facility, 1), doc.num(1.0, 4)])
    rows.append([doc.text("Facility (sum of all)"), doc.num(facility, 2), doc.num(100.0, 1),
                 doc.num(facility / it_mwh, 4)])
    return doc.Table(
        "energy", "Energy by component over the run",
        [doc.Column("Component", width=2.2), doc.Column("Energy", "MWh", 1, True),
         doc.Column("Share of facility", "%", 1, True),
         doc.Column("Per IT energy", "kWh/kWh", 1, True)],
        rows,
        note="Per IT energy of the overhead components adds up to PUE - 1; the facility row "
             "is the PUE.",
    )


def period_rows(run: D.Run) -> tuple[list[doc.Column], list[list[doc.Cell]], str]:
    periods = D.period_table(run)
    kind = periods.index.name
    cur = run.currency
    assets = D.bills_grid_import(run)
    cols = [doc.Column(kind.capitalize(), width=1.1), doc.Column("Hours", "h", 0.6, True),
            doc.Column("IT energy", "MWh", 0.9, True), doc.Column("Facility", "MWh", 0.9, True)]
    if assets:
        cols.append(doc.Column("Grid import", "MWh", 0.9, True))
    cols += [doc.Column("PUE", "-", 0.6, True), doc.Column("Scope 2 location", "tCO2", 1.0, True),
             doc.Column("Scope 2 market", "tCO2", 1.0, True),
             doc.Column("Energy cost", cur, 1.0, True)]
    if kind == "month":
        cols += [doc.Column("Demand cost", cur, 1.0, True), doc.Column("Total cost", cur, 1.0, True)]
    rows = []
    for label, r in periods.iterrows():
        row = [doc.text(label), doc.num(r["hours"], 0), doc.num(r["it_mwh"], 1),
               doc.num(r["facility_mwh"], 1)]
        if assets:
            row.append(doc.num(r["grid_mwh"], 1))
        row += [doc.kpi("pue", r["pue"]), doc.num(r["carbon_location_t"], 2),
                doc.num(r["carbon_market_t"], 2), doc.num(r["energy_cost"], 0)]
        if kind == "month":
            row += [doc.num(r["demand_cost"], 0), doc.num(r["total_cost"], 0)]
        rows.append(row)
    k = run.kpis
    total = [doc.text("Run total"), doc.num(run.hours, 0), doc.num(k["it_energy_mwh"], 1),
             doc.num(k["facility_energy_mwh"], 1)]
    if assets:
        total.append(doc.num(k.get("grid_energy_mwh"), 1))
    total += [doc.kpi("pue", k["pue"]), doc.num(k["carbon_location_t"], 2),
              doc.num(k["carbon_market_t"], 2), doc.num(k["energy_cost"], 0)]
    if kind == "month":
        total += [doc.num(k["demand_cost"], 0), doc.num(k["total_cost"], 0)]
    rows.append(total)
    peak = "peak grid import kW" if assets else "peak facility kW"
    if kind == "month":
        prorated = D.billing(run) == "prorated"
        note = (f"Demand cost: each calendar month's {peak} x the demand charge "
                f"({F.value_text(D.demand_charge_per_kw_month(run), 2)} {cur}/kW/month)"
                + (", prorated to the share of the month's hours in the run. "
                   if prorated else ", a whole month's charge for every month the run touches. ")
                + "Partial months are marked by their hours.")
    else:
        note = (f"By day, because the run is shorter than two months ({run.hours} h). The demand "
                f"charge is billed on each calendar month's {peak} and is not split by day: "
                f"{F.kpi_text('demand_cost', k['demand_cost'])} {cur} for the run, so the run's "
                f"total cost is {F.kpi_text('total_cost', k['total_cost'])} {cur}.")
    if assets:
        note += (" With the site's assets, price, Scope 2 and the demand charge apply to the grid "
                 "import, not the facility's power (PUE stays facility / IT energy)"
                 + ("; the energy cost is net of what exports earned"
                    f" ({F.value_text(float(periods['export_revenue'].sum()), 0)} {cur})"
                    if D.export_price_per_kwh(run) is not None else "")
                 + (f"; the total cost adds the battery's wear "
                    f"({F.value_text(float(periods['wear_cost'].sum()), 0)} {cur})"
                    if float(periods["wear_cost"].sum()) > 0 else "")
                 + (f"; the total cost takes off what the heat network paid "
                    f"({F.value_text(float(periods['heat_revenue'].sum()), 0)} {cur})"
                    if float(periods["heat_revenue"].sum()) > 0 else "")
                 + ".")
    return cols, rows, note


def energy_section(run: D.Run) -> doc.Section:
    periods = D.period_table(run)
    kind = periods.index.name
    cols, rows, note = period_rows(run)
    blocks = [
        doc.Figure(
            "energy_stack", "Facility power by component",
            "Top: every site component stacked (IT at the bottom); bottom: the overhead "
            "components alone, on their own scale. "
            + ("Hourly values." if run.hours / 24 <= charts.HOURLY_MAX_DAYS else "Daily means."),
            lambda: charts.energy_stack(run), height_in=4.2),
        component_table(run),
        doc.Table(f"by_{kind}", f"PUE, Scope 2 carbon and cost by {kind}"
                  + (" (the run is shorter than two months)" if kind == "day" else ""),
                  cols, rows, note=note, font_scale=0.92),
        doc.Figure("periods", f"PUE, carbon and cost by {kind}",
                   "PUE; Scope 2 location- and market-based; "
                   + ("energy and demand cost." if kind == "month" else
                      "energy cost (the demand charge is billed per calendar month, not per day)."),
                   lambda: charts.period_panels(run, periods), height_in=2.6),
    ]
    return doc.Section("Energy, PUE, carbon and cost", blocks, new_page=False, anchor="energy")


def carbon_basis(run: D.Run) -> str:
    spec = run.scenario.grid.carbon
    if spec.source == "factor" and spec.factor:
        f = get_grid_factor(spec.factor)
        return f"annual grid average: {f.name}, {f.g_per_kwh:g} g/kWh ({f.year}), every hour"
    if spec.source == "constant":
        return f"constant {spec.g_per_kwh:g} g/kWh, every hour"
    return f"hourly grid intensity from a file ({spec.column} emissions)"


def scope2_section(run: D.Run) -> doc.Section:
    k = run.kpis
    market = run.scenario.grid.market
    assets = D.bills_grid_import(run)
    # the factors apply to purchased electricity: the grid import (the facility's energy
    # without assets)
    bought_kwh = k["grid_energy_mwh" if assets else "facility_energy_mwh"] * 1000.0
    loc_g = k["carbon_location_t"] * 1e6 / bought_kwh if bought_kwh else math.nan
    mkt_g = k["carbon_market_t"] * 1e6 / bought_kwh if bought_kwh else math.nan
    share = market.renewable_share
    instruments = (f"contracted and retired renewables cover {100 * share:.1f} % of consumption"
                   if share else "none given in the scenario")
    if market.residual_mix_g_per_kwh is None:
        residual = ("not given: the hourly grid average stands in for the residual mix "
                    "(assumption; it understates market-based emissions where a residual mix "
                    "is published)")
    else:
        residual = f"{market.residual_mix_g_per_kwh:g} g/kWh (given in the scenario)"
    sources = run.manifest.get("sources", {})
    rows = [
        ("Emissions [tCO2]", doc.kpi("carbon_location_t", k["carbon_location_t"]),
         doc.kpi("carbon_market_t", k["carbon_market_t"])),
        ("Average factor applied [g/kWh]", doc.num(loc_g, 1), doc.num(mkt_g, 1)),
        ("Method", doc.text("sum over hours of grid intensity x "
                            + ("grid import (purchased electricity)" if assets else "facility energy")),
         doc.text("consumption not covered by instruments x residual mix")),
        ("Emission factors", doc.text(carbon_basis(run)), doc.text(residual)),
        ("Contractual instruments", doc.text("not used by this method"), doc.text(instruments)),
        ("Data source", doc.text(sources.get("carbon", F.MISSING)),
         doc.text("renewable share and residual mix: scenario [grid.market]"
                  + (f"; hourly carbon-free share (24/7 CFE): {sources['carbon_free_share']}"
                     if "carbon_free_share" in sources else ""))),
        ("Standard", doc.text("GHG Protocol Scope 2 Guidance (2015), location-based"),
         doc.text("GHG Protocol Scope 2 Guidance (2015), market-based")),
    ]
    table = doc.Table(
        "scope2", "Scope 2 emissions, location-based and market-based side by side",
        [doc.Column("", width=1.3), doc.Column("Location-based", width=2.0),
         doc.Column("Market-based", width=2.0)],
        [[doc.text(a), b, c] for a, b, c in rows],
    )
    related = [
        f"CUE (location-based): {F.kpi_text('cue_kg_per_kwh', k.get('cue_kg_per_kwh'))} kgCO2/kWh of IT energy (ISO/IEC 30134-8).",
        f"REF: {F.kpi_text('ref', k.get('ref'))} % (ISO/IEC 30134-3).",
        f"24/7 CFE score: {F.kpi_text('cfe_score', k.get('cfe_score'))} %"
        + ("" if k.get("cfe_score") is not None else " (no hourly carbon-free data in the run)") + ".",
    ]
    if D.has_assets(run):
        related.append(
            "With the site's assets, Scope 2 counts the grid import: on-site generation carries "
            "no emissions and counts in REF and the 24/7 CFE score where it is used on site; "
            "exported generation earns no carbon credit; battery discharge is not counted as "
            "carbon-free.")
    blocks = [
        doc.Paragraph(MODELLED_NOT_METERED, "note"),
        doc.Paragraph("GHG Protocol Scope 2 and ESRS E1-6 ask for both figures. Location-based "
                      "uses the grid's average intensity; market-based uses the contractual "
                      "instruments and, for the rest, the residual mix."),
        table, doc.Bullets(related),
    ]
    return doc.Section("Scope 2 emissions", blocks, new_page=False, anchor="scope2")


#: Per-hall keys of kpis.json's ``pods`` in the order the hall table shows them.
POD_KEYS = ("pue", "ppue_cooling", "itue", "tue", "wue_l_per_kwh", "it_mwh", "compute_mwh",
            "facility_mwh", "water_m3", "free_cooling_h", "free_cooling_share",
            "peak_facility_kw", "hours_outside_air_class", "unmet_heat_h", "unmet_heat_mwh")
#: Most halls one table shows side by side; more are split into several tables.
HALLS_PER_TABLE = 5


def pods_section(run: D.Run) -> doc.Section:
    pods = run.doc.get("pods", {})
    specs = {p.name: p for p in run.scenario.pods}
    names = [p for p in run.pods if p in pods]
    inlet = D.mean_inlet_c(run, names)
    blocks: list = [doc.Paragraph(
        "Per-hall indicators from each hall's own components. A hall's PUE counts its cooling, "
        "power-chain losses and lighting share; TUE adds the server fans inside IT power, which "
        "liquid cooling removes (so compare TUE too).")]
    chunks = [names[i:i + HALLS_PER_TABLE] for i in range(0, len(names), HALLS_PER_TABLE)]
    for n, chunk in enumerate(chunks):
        rows = [
            [doc.text("Cooling"), doc.text("")] + [doc.text(specs[p].cooling.replace("_", " ")) for p in chunk],
            [doc.text("Racks x rack power"), doc.text("kW")]
            + [doc.text(f"{specs[p].racks} x {specs[p].rack_kw:g}") for p in chunk],
            [doc.text("Mean server inlet"), doc.text("°C")] + [doc.num(inlet.get(p), 1) for p in chunk],
        ]
        for key in POD_KEYS:
            rows.append([doc.text(F.label(key)), doc.text(F.kpi_unit(key, run.currency))]
                        + [doc.kpi(key, pods[p].get(key)) for p in chunk])
        key = "halls" if len(chunks) == 1 else f"halls_{n + 1}"
        blocks.append(doc.Table(
            key, "Indicators by hall" + (f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else ""),
            [doc.Column("Indicator", width=2.0), doc.Column("Unit", width=0.6)]
            + [doc.Column(p, width=1.0, numeric=True) for p in chunk],
            rows))
    blocks.append(doc.Figure("halls", "Halls compared", "PUE, TUE and WUE of each hall over the run.",
                             lambda: charts.pods_chart(run), height_in=2.3))
    return doc.Section("Halls (pods)", blocks, new_page=False, anchor="halls")
