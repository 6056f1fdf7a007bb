"""Executive summary and the full KPI table of one run (the PUE target check is in
:mod:`reports.targets`).

The summary is the report's first page: it says first whether the weather is a real
typical year or a synthetic one, and that every figure is modelled, not metered; it
speaks of the schedule in a manager's words (the solver's status, bound and gap are in
the methodology). PUE targets are those that apply to the site (:mod:`reports.rules`).
"""

from __future__ import annotations

import re

from reports import data as D
from reports import document as doc
from reports import formatting as F
from reports import rules
from reports.assets import asset_phrases, pv_on_modelled_irradiance
from scenarios.kpis import KPI_DEFINITIONS

#: Headline definitions of the assets' indicators (they are shown only with assets, so
#: the KPI table's "(= facility ... without assets)" is left out; the summary is one page).
SHORT_DEFINITIONS = {
    "grid_energy_mwh": "energy bought from the grid (price and Scope 2 apply to it)",
    "peak_grid_import_kw": "highest hourly grid import (the demand charge applies to it)",
}
#: The solver status of a run without deferrable jobs (scenarios.schedules).
NO_JOBS = "no jobs"
#: The target table shows PUE to 4 decimals, so 1.2502 is not read as meeting 1.25.
TARGET_DECIMALS = 4
#: Said on the first page and before every regulatory table (PUE targets, Scope 2, EED).
MODELLED_NOT_METERED = (
    "Modelled, not metered: every figure in this report comes from a simulation of the "
    "planned facility (physics model hour by hour, published grid factors and tariffs), not "
    "from meters. Targets and reporting fields are estimates for planning; they are not "
    "evidence of compliance, which needs 12 months of metered data."
)
#: The KPI table's standard column where the scenarios' text does not hold for every site.
STANDARD_OVERRIDES = {"pue_target": "the scenario's [targets]"}
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


def _gap_pct(gap: float) -> str:
    """A relative gap as a percentage a reader takes in (0.00495 -> ``0.49 %``)."""
    pct = 100.0 * float(gap)
    return f"{pct:.1f} %" if pct >= 1.0 else f"{pct:.2f} %"


def plan_text(run: D.Run) -> str:
    """How good the run's schedule is, in a manager's words (the solver's status, bound
    and gap are in the methodology)."""
    s = run.manifest.get("solver", {})
    if not s.get("optimized"):
        return ("Not optimised: every job starts as soon as it is released (the ASAP "
                "baseline); run without --no-optimize to plan it.")
    status = str(s.get("status") or "")
    if status == NO_JOBS:
        return "No deferrable jobs in this scenario: there is nothing to plan."
    gap = s.get("gap")
    known = isinstance(gap, (int, float)) and not isinstance(gap, bool) and gap == gap
    rolling = status.startswith("rolling")
    window = "planned window by window over the period; " if rolling else ""
    of = "of the best possible (cost plus the carbon price)"
    if known and gap <= 1e-9:
        return (f"Best schedule found and proven the best possible: {window}no schedule costs "
                "less (cost plus the carbon price).")
    if rolling and status.endswith("optimal"):  # each window optimal, not the whole period
        return (f"Planned window by window over the period, each window's plan the best for "
                f"that window; the whole period is proven within "
                f"{_gap_pct(gap) if known else 'an unknown distance'} {of}.")
    if status.endswith("optimal"):
        return (f"Best schedule found and proven: {window}within "
                f"{_gap_pct(gap) if known else 'the planner tolerance'} {of}.")
    if known:
        return (f"A good schedule, not proven best: {window}the planner stopped at its time "
                f"limit with a schedule proven within {_gap_pct(gap)} {of}.")
    return (f"A schedule that meets every rule, not proven best: {window}how far it is from "
            "the best possible is not known.")


def plan_short(run: D.Run) -> str:
    """:func:`plan_text` in a table cell (``proven within 0.49 % of the best``)."""
    s = run.manifest.get("solver", {})
    if s.get("status") == NO_JOBS:
        return "no jobs to plan"
    if not s.get("optimized"):
        return "not optimised (ASAP)"
    gap = s.get("gap")
    if isinstance(gap, (int, float)) and not isinstance(gap, bool) and gap == gap:
        return "proven best" if gap <= 1e-9 else f"proven within {_gap_pct(gap)} of the best"
    return "optimised; distance to the best not known"


def solver_text(run: D.Run) -> str:
    """The solver's technical status (methodology): method, status, gap, bound, time."""
    s = run.manifest.get("solver", {})
    if not s.get("optimized"):
        return "not optimized (run with --no-optimize): the schedule is ASAP"
    gap = s.get("gap")
    gap_text = F.MISSING if gap is None else f"{100 * gap:.2f} %"
    bound = s.get("bound")
    seconds = s.get("solve_s")
    return (f"MILP (HiGHS), status {s.get('status')}, relative gap {gap_text}"
            + (f", bound {F.value_text(bound, 2)}" if bound is not None else "")
            + (f", solve time {F.value_text(seconds, 1)} s" if seconds is not None else ""))


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
    """The PUE target line of the first page: the scenario's own target, China's where the
    site is in China, or why none applies."""
    k = run.kpis
    refs = rules.policy_targets(run.scenario, run.doc.get("targets", {}).get("references", []))
    parts = []
    if k.get("pue_target") is not None:
        met = "met" if k.get("pue_target_met") else "NOT met"
        parts.append(f"{met}: PUE {F.kpi_text('pue', k['pue'])} vs target "
                     f"{F.kpi_text('pue_target', k['pue_target'])} "
                     f"({k.get('pue_target_label') or 'the scenario'})")
    if refs:
        met = [r for r in refs if r["met"]]
        parts.append(f"China's targets (site in China): {len(met)} of {len(refs)} met on the "
                     "period's PUE")
    if parts:
        return "; ".join(parts)
    where = rules.site_jurisdiction(run.scenario)
    return (f"none applies: the scenario sets none, and China's targets cover sites in China "
            f"(this site: {where.where}, {where.basis})")


def findings(run: D.Run) -> list[str]:
    """Plain-language key points generated from the numbers."""
    k, pods = run.kpis, run.doc.get("pods", {})
    out = []
    refs = rules.applicable_references(run.scenario,
                                       run.doc.get("targets", {}).get("references", []))
    targets = [r for r in refs if rules.is_china_reference(r)]
    context = [r for r in refs if not rules.is_china_reference(r)]
    basis = "annual" if run.hours >= 8760 else "period"
    if targets:
        met = [r for r in targets if r["met"]]
        missed = [r for r in targets if not r["met"]]
        line = f"Site PUE {F.kpi_text('pue', k['pue'])} ({basis})"
        if met:
            line += " is within " + ", ".join(f"{r['pue']:.2f} ({r['label']})" for r in met)
        if missed:
            line += ("; above " if met else " is above ") + ", ".join(
                f"{r['pue']:.2f} ({r['label']})" for r in missed)
        out.append(line + ".")
    for r in context:
        side = "below" if r["met"] else "above"
        out.append(f"Site PUE {F.kpi_text('pue', k['pue'])} ({basis}) is {side} the "
                   f"{r['label'][:1].lower()}{r['label'][1:]}, {r['pue']:.2f} (annual; context, "
                   "not a target).")
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
        out.append(f"The planned schedule against ASAP: {_saving_text(run, 'asap')}; "
                   f"{F.kpi_text('shifted_energy_share', k.get('shifted_energy_share'))} % of job "
                   "energy moved.")
    else:
        out.append("This run was not optimized: its schedule is the ASAP baseline.")
    return out


def is_synthetic(run: D.Run) -> bool:
    """The run's weather is a synthetic year from monthly normals: scenarios writes
    ``synthetic hourly year ... from monthly normals`` as the manifest's weather source
    (thermal.weather marks the frame ``synthetic``)."""
    source = str(run.manifest.get("sources", {}).get("weather", "")) or run.scenario.site.climate
    return "synthetic" in source.lower()


def _station(run: D.Run) -> str:
    weather = run.manifest.get("weather", {})
    text = " ".join(str(v) for v in (run.manifest.get("sources", {}).get("weather", ""),
                                     weather.get("annual_ghi_source", "")))
    match = re.search(r"(?:seed|typical year) (\d{5})\b", text)
    return f"WMO station {match.group(1)}" if match else ""


def climate_text(run: D.Run) -> str:
    """Where the weather comes from, saying plainly when it is synthetic (first page)."""
    source = str(run.manifest.get("sources", {}).get("weather", "")) or run.scenario.site.climate
    if is_synthetic(run):
        name = run.manifest.get("weather", {}).get("name") or run.scenario.site.climate
        station = _station(run)
        text = (f"SYNTHETIC weather, not a measured year: an hourly year generated from the "
                f"monthly climate normals of {name} (CSWD-derived"
                + (f", {station}" if station else "") + ")")
    else:
        text = f"REAL typical-year weather (a typical meteorological year file): {source}"
    warm_k = getattr(run.scenario.site, "warm_k", 0.0)
    if warm_k:
        text += f"; shifted {warm_k:+g} K (plant sized for the climate as it is)"
    return text


def basis_blocks(run: D.Run) -> list[doc.Paragraph]:
    """What the first page says before any number: the climate and 'modelled, not metered'."""
    style = "warning" if is_synthetic(run) else "body"
    return [doc.Paragraph("Climate: " + climate_text(run) + ".", style),
            doc.Paragraph(MODELLED_NOT_METERED, "note")]


def executive_summary(run: D.Run) -> doc.Section:
    """One page: climate and basis first; site, halls, period, plan, PUE, carbon, cost,
    savings, target."""
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
        ("Climate", "synthetic year from monthly normals" if is_synthetic(run)
         else "real typical year (weather file)"),
        ("Schedule", plan_text(run)),
        ("PUE basis", pue_basis(run)),
        ("PUE target", target_text(run)),
        ("Savings vs ASAP", _saving_text(run, "asap")),
        ("Savings vs greedy", _saving_text(run, "greedy")),
    ]
    fact_table = doc.Table(
        key="summary", title="At a glance",
        columns=[doc.Column("Item", width=0.9), doc.Column("Value", width=4.1)],
        rows=[[doc.text(a), doc.text(b)] for a, b in facts],
        # the PDF says the climate in the paragraph above the table
        pdf_rows=tuple(i for i, (a, _) in enumerate(facts) if a != "Climate"),
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
    blocks: list = basis_blocks(run)
    if s.description:
        blocks.insert(0, doc.Paragraph(" ".join(s.description.split()), "lead"))
    blocks += [fact_table, headline, doc.Subheading("Key points"), doc.Bullets(findings(run))]
    return doc.Section(f"Executive summary: {run.label}", blocks, anchor="summary")


def standard(key: str) -> str:
    """The standard or source of an indicator, as the report shows it."""
    return STANDARD_OVERRIDES.get(key) or KPI_DEFINITIONS.get(key, ("", "", ""))[2] or "-"


def kpi_rows(run: D.Run) -> list[list[doc.Cell]]:
    """Every key of kpis.json's ``kpis``: indicator, value, unit, definition, standard."""
    keys = list(KPI_DEFINITIONS) + [key for key in run.kpis if key not in KPI_DEFINITIONS]
    rows = []
    for key in keys:
        if key not in run.kpis:
            continue
        _unit, definition, _standard = KPI_DEFINITIONS.get(key, ("-", "", ""))
        rows.append([doc.text(F.label(key)), doc.kpi(key, run.kpis[key]),
                     doc.text(F.kpi_unit(key, run.currency)), doc.text(definition),
                     doc.text(standard(key)), doc.text(key)])
    return rows


def missing_groups(run: D.Run) -> list[str]:
    """The run's null indicators, one line per reason (``reason: label, label``)."""
    groups: dict[str, list[str]] = {}
    for key, value in run.kpis.items():
        if value is None:
            groups.setdefault(missing_reason(run, key), []).append(F.label(key))
    return [f"{reason[:1].upper()}{reason[1:]}: {', '.join(labels)}."
            for reason, labels in groups.items()]


def kpi_section(run: D.Run) -> doc.Section:
    """Every indicator of kpis.json: the PDF lists those with a value (the others by
    reason below the table); the HTML and XLSX hold every key."""
    rows = kpi_rows(run)
    shown = tuple(i for i, row in enumerate(rows) if row[1].value is not None)
    table = doc.Table(
        key="kpis", title=f"All indicators of the run's schedule ({run.schedule_name})",
        columns=[doc.Column("Indicator", width=1.55), doc.Column("Value", width=0.85, numeric=True),
                 doc.Column("Unit", width=0.75), doc.Column("Definition", width=2.35),
                 doc.Column("Standard", width=1.45),
                 doc.Column("kpis.json key", width=1.4, in_pdf=False)],
        rows=rows, font_scale=0.92, pdf_rows=shown,
    )
    blocks: list = [
        doc.Paragraph("Shares (REF, ERF, 24/7 CFE, deadlines met, shifted energy) are shown in "
                      "percent; the run's kpis.json stores them as fractions. Money is in "
                      f"{run.currency}. " + pue_basis(run)[0].upper() + pue_basis(run)[1:] + "."),
        table,
    ]
    groups = missing_groups(run)
    if groups:
        blocks.append(doc.Paragraph("n/a means not available from this run (these rows are in "
                                    "the HTML and XLSX reports):", "note"))
        blocks.append(doc.Bullets(groups))
    return doc.Section("Key performance indicators", blocks, new_page=False, anchor="kpis")
