"""Executive summary, the full KPI table and the PUE target check of one run."""

from __future__ import annotations

from reports import charts
from reports import data as D
from reports import document as doc
from reports import formatting as F
from reports.assets import asset_phrases, pv_on_modelled_irradiance
from scenarios.kpis import KPI_DEFINITIONS

#: Headline definitions of the assets' indicators (they are shown only with assets, so
#: the KPI table's "(= facility ... without assets)" is left out; the summary is one page).
SHORT_DEFINITIONS = {
    "grid_energy_mwh": "energy bought from the grid (price and Scope 2 apply to it)",
    "peak_grid_import_kw": "highest hourly grid import (the demand charge applies to it)",
}
#: The target table shows PUE to 4 decimals, so 1.2502 is not read as meeting 1.25.
TARGET_DECIMALS = 4
COOLING_NAMES = {"air": "air (CRAH, chilled water)", "cold_plate": "direct-to-chip cold plates",
                 "immersion": "single-phase immersion", "spray": "direct liquid spray",
                 "two_phase_immersion": "two-phase (boiling) immersion"}


def period_text(run: D.Run) -> str:
    """``2023-07-10 00:00 – 2023-07-16 23:00 (Asia/Shanghai), 168 h``."""
    idx = run.hourly.index
    return (f"{idx[0]:%Y-%m-%d %H:%M} – {idx[-1]:%Y-%m-%d %H:%M} ({run.tz}), "
            f"{run.hours:,d} h")


def pue_basis(run: D.Run) -> str:
    """Whether the PUE is annual or for a shorter period, said plainly."""
    if run.hours >= 8760:
        return "annual PUE (12 months of hourly energy)"
    return (f"period PUE over {run.hours:,d} h, not an annual PUE (ISO/IEC 30134-2 asks for "
            "12 months): compare it with annual targets with care")


def halls_text(run: D.Run) -> str:
    return "; ".join(
        f"{p.name}: {p.cooling.replace('_', ' ')}, {p.racks} racks x {p.rack_kw:g} kW"
        for p in run.scenario.pods
    )


def solver_text(run: D.Run) -> str:
    s = run.manifest.get("solver", {})
    if not s.get("optimized"):
        return "not optimized (run with --no-optimize): the schedule is ASAP"
    gap = s.get("gap")
    gap_text = F.MISSING if gap is None else f"{100 * gap:.2f} %"
    return f"MILP (HiGHS), status {s.get('status')}, gap {gap_text}"


def missing_reason(run: D.Run, key: str) -> str:
    """Why a KPI is null in this run."""
    if key == "cfe_score":
        return "no hourly carbon-free data in the run"
    if key == "erf":
        return "no heat reuse set in the scenario ([heat_reuse])"
    if key.startswith(("pue_target",)):
        return "no PUE target set in the scenario ([targets])"
    if key.startswith("battery_"):
        return "no battery in the scenario ([storage.battery])"
    if key == "cold_storage_shifted_mwh_th":
        return "no cold tank in the scenario ([storage.cold])"
    if key in ("onsite_generation_mwh", "export_mwh", "curtailed_mwh", "export_revenue"):
        return "no on-site generation in the scenario ([onsite.pv], [onsite.wind])"
    if key.startswith("asset_value_"):
        return "the site has no such asset, or the run has no MILP schedule to measure it on"
    if "greedy" in key:
        greedy = run.doc.get("baselines", {}).get("greedy", {})
        if greedy.get("feasible") is False:
            return "the greedy rule missed deadlines or capacities, so savings against it are not reported"
        return "no greedy baseline in the run"
    if key.startswith(("cost_saving_vs_asap_", "carbon_saving_vs_asap_")) and not key.endswith(
            "_pct") and key != "carbon_saving_vs_asap_t":
        return ("split only for a MILP schedule against an ASAP schedule that placed every "
                "job")
    if "asap" in key:
        return "no ASAP baseline in the run"
    return "not available from this run"


def _saving_text(run: D.Run, name: str) -> str:
    k = run.kpis
    cost, pct = k.get(f"cost_saving_vs_{name}"), k.get(f"cost_saving_vs_{name}_pct")
    if cost is None:
        return f"n/a: {missing_reason(run, f'cost_saving_vs_{name}')}"
    carbon = k.get(f"carbon_saving_vs_{name}_t")
    return (f"{F.kpi_text(f'cost_saving_vs_{name}', cost)} {run.currency} "
            f"({F.kpi_text(f'cost_saving_vs_{name}_pct', pct)} %), "
            f"{F.kpi_text(f'carbon_saving_vs_{name}_t', carbon)} tCO2")


def target_text(run: D.Run) -> str:
    k = run.kpis
    if k.get("pue_target") is None:
        return "no target set in the scenario"
    met = "met" if k.get("pue_target_met") else "NOT met"
    return (f"{met}: PUE {F.kpi_text('pue', k['pue'])} vs target "
            f"{F.kpi_text('pue_target', k['pue_target'])} ({k.get('pue_target_label') or ''})")


def findings(run: D.Run) -> list[str]:
    """Plain-language key points generated from the numbers."""
    k, pods = run.kpis, run.doc.get("pods", {})
    out = []
    refs = run.doc.get("targets", {}).get("references", [])
    met = [r for r in refs if r["met"]]
    missed = [r for r in refs if not r["met"]]
    if refs:
        line = f"Site PUE {F.kpi_text('pue', k['pue'])} ({'annual' if run.hours >= 8760 else 'period'})"
        if met:
            line += " is within " + ", ".join(f"{r['pue']:.2f} ({r['label']})" for r in met)
        if missed:
            line += ("; above " if met else " is above ") + ", ".join(
                f"{r['pue']:.2f} ({r['label']})" for r in missed)
        out.append(line + ".")
    idle = [p for p in pods if pods[p].get("pue") is None]
    if idle:
        out.append(f"Hall(s) {', '.join(idle)} carried no IT load in this period: no PUE, TUE or "
                   "WUE for them (their fixed losses count in the site's energy).")
    rated = {p: v for p, v in pods.items() if v.get("pue") is not None}
    if rated:
        best = min(rated, key=lambda p: rated[p]["pue"])
        worst = max(rated, key=lambda p: rated[p]["pue"])
        if best != worst:
            out.append(
                f"Hall {best} has the lowest PUE ({F.kpi_text('pue', pods[best]['pue'])}, TUE "
                f"{F.kpi_text('tue', pods[best]['tue'])}); {worst} the highest "
                f"({F.kpi_text('pue', pods[worst]['pue'])}, TUE {F.kpi_text('tue', pods[worst]['tue'])})."
            )
    if k.get("carbon_market_t") is not None:
        if abs(k["carbon_market_t"] - k["carbon_location_t"]) < 1e-9:
            out.append("Market-based Scope 2 equals location-based: no contractual instruments "
                       "are given and the grid average stands in for the residual mix.")
        else:
            out.append(
                f"Scope 2: {F.kpi_text('carbon_location_t', k['carbon_location_t'])} tCO2 "
                f"location-based, {F.kpi_text('carbon_market_t', k['carbon_market_t'])} tCO2 market-based.")
    if run.optimized:
        out.append(f"The MILP schedule against ASAP: {_saving_text(run, 'asap')}; "
                   f"{F.kpi_text('shifted_energy_share', k.get('shifted_energy_share'))} % of job energy moved.")
    else:
        out.append("This run was not optimized: its schedule is the ASAP baseline.")
    return out


def climate_text(run: D.Run) -> str:
    """Where the weather comes from, saying plainly when it is synthetic (first page)."""
    source = str(run.manifest.get("sources", {}).get("weather", "")) or run.scenario.site.climate
    if "synthetic" in source.lower():
        text = (f"SYNTHETIC weather: a year generated from monthly climate normals "
                f"({run.scenario.site.climate}), not a measured hourly year; {source}")
    else:
        text = f"typical-year weather file: {source}"
    warm_k = getattr(run.scenario.site, "warm_k", 0.0)
    if warm_k:
        text += f"; shifted {warm_k:+g} K (plant sized for the climate as it is)"
    return text


def executive_summary(run: D.Run) -> doc.Section:
    """One page: site, halls, cooling, period, PUE, carbon, cost, savings, target."""
    k, cur = run.kpis, run.currency
    s = run.scenario
    facts = [
        ("Site", f"{s.site.name} ({s.site.latitude:g}, {s.site.longitude:g}; {s.site.timezone})"),
        ("Halls", halls_text(run)),
        ("Cooling", ", ".join(sorted({COOLING_NAMES[p.cooling] for p in s.pods}))),
        *([("Site assets", "; ".join(asset_phrases(run))
            + ("; PV on modelled irradiance (synthetic weather)"
               if pv_on_modelled_irradiance(run) else ""))] if D.has_assets(run) else []),
        ("Installed IT power", f"{F.value_text(D.installed_it_kw(s), 0)} kW (nameplate)"),
        ("Period", period_text(run)),
        ("Climate", climate_text(run)),
        ("Schedule", solver_text(run)),
        ("PUE basis", pue_basis(run)),
        ("PUE target", target_text(run)),
        ("Savings vs ASAP", _saving_text(run, "asap")),
        ("Savings vs greedy", _saving_text(run, "greedy")),
    ]
    fact_table = doc.Table(
        key="summary", title="At a glance",
        columns=[doc.Column("Item", width=0.9), doc.Column("Value", width=4.1)],
        rows=[[doc.text(a), doc.text(b)] for a, b in facts],
    )
    headline_keys = ["pue", "tue", "wue_l_per_kwh", "cue_kg_per_kwh", "it_energy_mwh",
                     "facility_energy_mwh", "water_m3", "carbon_location_t", "carbon_market_t",
                     "total_cost", "peak_facility_kw", "deadlines_met_share"]
    if D.has_assets(run):  # what the money and carbon apply to
        headline_keys.insert(headline_keys.index("facility_energy_mwh") + 1, "grid_energy_mwh")
        headline_keys.insert(headline_keys.index("peak_facility_kw") + 1, "peak_grid_import_kw")
    headline = doc.Table(
        key="headline", title="Headline indicators",
        columns=[doc.Column("Indicator", width=1.6), doc.Column("Value", width=1.0, numeric=True),
                 doc.Column("Unit", width=0.8), doc.Column("Definition", width=3.2)],
        rows=[[doc.text(F.label(key)), doc.kpi(key, k.get(key)), doc.text(F.kpi_unit(key, cur)),
               doc.text(SHORT_DEFINITIONS.get(key, KPI_DEFINITIONS[key][1]))]
              for key in headline_keys],
    )
    blocks = [doc.Paragraph(s.description.replace("\n", " "), "lead")] if s.description else []
    blocks += [fact_table, headline, doc.Subheading("Key points"), doc.Bullets(findings(run))]
    return doc.Section(f"Executive summary: {run.label}", blocks, anchor="summary")


def kpi_rows(run: D.Run) -> list[list[doc.Cell]]:
    """Every key of kpis.json's ``kpis``: indicator, value, unit, definition, standard."""
    keys = list(KPI_DEFINITIONS) + [key for key in run.kpis if key not in KPI_DEFINITIONS]
    rows = []
    for key in keys:
        if key not in run.kpis:
            continue
        _unit, definition, standard = KPI_DEFINITIONS.get(key, ("-", "", ""))
        rows.append([doc.text(F.label(key)), doc.kpi(key, run.kpis[key]),
                     doc.text(F.kpi_unit(key, run.currency)), doc.text(definition),
                     doc.text(standard or "-"), doc.text(key)])
    return rows


def kpi_section(run: D.Run) -> doc.Section:
    table = doc.Table(
        key="kpis", title=f"All indicators of the run's schedule ({run.schedule_name})",
        columns=[doc.Column("Indicator", width=1.55), doc.Column("Value", width=0.85, numeric=True),
                 doc.Column("Unit", width=0.75), doc.Column("Definition", width=2.35),
                 doc.Column("Standard", width=1.45),
                 doc.Column("kpis.json key", width=1.4, in_pdf=False)],
        rows=kpi_rows(run), font_scale=0.92,
    )
    nulls = [key for key, value in run.kpis.items() if value is None]
    blocks: list = [
        doc.Paragraph("Shares (REF, ERF, 24/7 CFE, deadlines met, shifted energy) are shown in "
                      "percent; kpis.json stores them as fractions. Money is in "
                      f"{run.currency}. " + pue_basis(run)[0].upper() + pue_basis(run)[1:] + "."),
        table,
    ]
    if nulls:
        blocks.append(doc.Paragraph("n/a means not available from this run:", "note"))
        blocks.append(doc.Bullets([f"{F.label(key)}: {missing_reason(run, key)}" for key in nulls]))
    return doc.Section("Key performance indicators", blocks, anchor="kpis")


def targets_section(run: D.Run) -> doc.Section:
    k = run.kpis
    refs = list(run.doc.get("targets", {}).get("references", []))
    rows = []
    if k.get("pue_target") is not None:
        rows.append(("Scenario target: " + (k.get("pue_target_label") or ""), k["pue_target"]))
    rows += [(r["label"], r["pue"]) for r in refs]
    pods = run.doc.get("pods", {})
    names = [p for p in run.pods if p in pods]
    values = [k["pue"]] + [pods[p]["pue"] for p in names]
    columns = [doc.Column("Reference", width=2.2), doc.Column("PUE limit", width=0.7, numeric=True),
               doc.Column("Site", width=0.75, numeric=True)]
    columns += [doc.Column(p, width=1.05, numeric=True) for p in names]
    table_rows = [[doc.text("PUE of the run (4 decimals)"), doc.text("")]
                  + [doc.num(v, TARGET_DECIMALS) for v in values]]
    for name, limit in rows:
        table_rows.append([doc.text(name), doc.kpi("pue_target", limit)]
                          + [doc.text("no load" if v is None else "met" if v <= limit else "not met")
                             for v in values])
    table = doc.Table("targets", "PUE against targets (met when PUE <= limit)", columns,
                      table_rows, font_scale=0.95)
    figure = doc.Figure("targets", "Site and hall PUE against the targets",
                        "Bars: this run's PUE; lines: the scenario's target and the policy references.",
                        lambda: charts.targets_chart(run), height_in=2.5)
    blocks = [
        doc.Paragraph(
            "China's targets: new large and hyperscale data centres below 1.3 by 2025 and "
            "national hub nodes below 1.25 (four-ministry plan, Dec 2021); Yangtze River Delta "
            "clusters at most 1.25; Qingyang (Gansu) at most 1.2. The industry average is given "
            "for context only. China's GB 40879-2021 uses an annual 'power ratio' (电能比), so "
            f"a target is formally checked on 12 months; this run's PUE is a {pue_basis(run)}."),
        table, figure,
    ]
    return doc.Section("PUE target check", blocks, anchor="targets")


