"""Methodology, assumptions and data provenance.

Two parts: each run's own data (:func:`provenance_section`: its sources, tariff rule,
assumptions, the rules applied to its site, the solver's technical status, input hashes
and timings), and the method shared by every run of a report, said once at its end
(:func:`methodology_section`: the method, the software versions and every physics
parameter with its source).
"""

from __future__ import annotations

import dataclasses

from reports import assets as A
from reports import data as D
from reports import document as doc
from reports import formatting as F
from reports import rules
from reports.summary import solver_text
from scenarios.facility import facility_params
from scenarios.grid_factors import get_grid_factor
from scenarios.tariffs import get_tariff
from thermal import FacilityParams, describe

METHOD = (
    "Each hour of the period, the facility model computes every component's power (IT with "
    "server fans, UPS and distribution losses, lighting, air handler fans, pumps, chillers, heat "
    "rejection fans), heat to air and liquid and water use, from the weather and the IT load. "
    "Deferrable jobs are scheduled (MILP, or ASAP without optimization) with a linear model of "
    "the facility; every schedule is then re-simulated exactly, and all indicators come from "
    "the re-simulated hours. Energy indicators are sums of hourly energy over the run "
    "(ISO/IEC 30134 and EN 50600-4 definitions); Scope 2 follows the GHG Protocol Scope 2 "
    "Guidance; money is energy price x facility energy plus the demand charge on each calendar "
    "month's peak."
)
#: Said after :data:`METHOD` when the site has a battery, a cold tank or on-site generation.
METHOD_ASSETS = (
    "The site's assets (battery, cold tank, on-site generation) are operated with each "
    "schedule: by the MILP together with the jobs, and by a documented rule for ASAP and "
    "greedy. The re-simulation applies each schedule's tank flows to the chillers, and the "
    "grid flows are settled on the exact facility power (generation used first, then "
    "import; surplus exported where allowed, else curtailed), so every hour closes grid "
    "import + on-site generation + battery discharge = facility + battery charging + export "
    "+ curtailment. Energy price, Scope 2 carbon and the demand charge then apply to the grid "
    "import, not the facility's power, less what exports earned and plus the battery's wear. "
)


def sources_table(run: D.Run) -> doc.Table:
    rows = [[doc.text(k), doc.text(v)] for k, v in run.manifest.get("sources", {}).items()]
    weather = run.manifest.get("weather", {})
    if weather:
        rows.append([doc.text("weather station"), doc.text(", ".join(
            f"{k} {v}" for k, v in weather.items() if k != "source"))])
    spec = run.scenario.grid.carbon
    if spec.source == "factor" and spec.factor:
        f = get_grid_factor(spec.factor)
        rows.append([doc.text("grid factor"), doc.text(
            f"{f.key}: {f.name}, {f.g_per_kwh:g} g/kWh ({f.year}); {f.source}")])
    return doc.Table("sources", "Data sources",
                     [doc.Column("Input", width=1.0), doc.Column("Source", width=5.0)], rows)


def tariff_table(run: D.Run) -> doc.Table | None:
    price = run.scenario.grid.price
    if price.source != "tou" or not price.tariff:
        return None
    t = get_tariff(price.tariff)
    rows = [
        ("Tariff", f"{t.key}: {t.name} ({t.region})"),
        ("Rule", t.rule),
        ("Effective date", t.effective),
        ("Bands and ratios", t.source),
        ("Price level", t.price_source),
        ("Floating base / adder", f"{t.base_per_kwh:g} / {t.adder_per_kwh:g} {t.currency}/kWh"
         + (" (overridden by the scenario)" if price.base_per_kwh or price.adder_per_kwh else "")),
        ("Demand charge", (f"{t.demand_charge_per_kw_month:g} {t.currency}/kW/month; "
                           if t.demand_charge_per_kw_month is not None else "") + t.demand_source),
        ("Assumption", t.assumption or "none"),
        ("Notes", t.notes or "none"),
    ]
    return doc.Table("tariff", "Time-of-use tariff: rule and effective date",
                     [doc.Column("Item", width=1.0), doc.Column("Value", width=5.0)],
                     [[doc.text(a), doc.text(b)] for a, b in rows])


def assumptions_table(run: D.Run) -> doc.Table:
    m = run.manifest
    rows = [[doc.text("assumption"), doc.text(a)] for a in m.get("assumptions", [])]
    rows += [[doc.text("note"), doc.text(n)] for n in m.get("notes", [])]
    if not rows:
        rows = [[doc.text("note"), doc.text("the run recorded no assumptions or notes")]]
    return doc.Table("assumptions", "Assumptions and notes recorded by the run",
                     [doc.Column("Kind", width=0.8), doc.Column("Text", width=5.2)], rows)


def physics_table(run: D.Run | None) -> doc.Table:
    """Every physics parameter of the run (None: the defaults) with unit and source;
    scenario overrides marked."""
    defaults = {r["name"]: r["value"] for r in describe(FacilityParams())}
    rows = []
    params = FacilityParams() if run is None else facility_params(run.scenario)
    for r in describe(params):
        changed = r["value"] != defaults.get(r["name"])
        value = r["value"]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cell = doc.Cell(value, f"{value:g}", "General")  # as written, not padded
        else:
            cell = doc.text(value)
        rows.append([doc.text(r["name"]), cell, doc.text(r["unit"]),
                     doc.text("scenario" if changed else "default"), doc.text(r["source"])])
    return doc.Table(
        "physics", "Physics parameters with their sources",
        [doc.Column("Parameter", width=1.6), doc.Column("Value", width=0.7, numeric=True),
         doc.Column("Unit", width=0.7), doc.Column("Set by", width=0.55),
         doc.Column("Source", width=3.0)],
        rows, font_scale=0.85)


def runs_versions_table(runs: list, report_versions: dict[str, str]) -> doc.Table:
    """Versions at run time (one column per distinct set among the runs' manifests) and
    at report time."""
    sets: list[tuple[list[str], dict]] = []
    for run in runs:
        v = run.manifest.get("versions", {})
        label = str(getattr(run, "label", ""))
        for labels, known in sets:
            if known == v:
                labels.append(label)
                break
        else:
            sets.append(([label], v))
    names = list(dict.fromkeys([n for _, v in sets for n in v] + list(report_versions)))
    heads = ["Run" if len(runs) == 1 else "Runs " + ", ".join(labels) if len(sets) > 1
             else "Runs" for labels, _ in sets]
    rows = [[doc.text(n)] + [doc.text(v.get(n, "-")) for _, v in sets]
            + [doc.text(report_versions.get(n, "-"))] for n in names]
    return doc.Table("versions", "Software versions",
                     [doc.Column("Package", width=1.5)]
                     + [doc.Column(h, width=1.5) for h in heads]
                     + [doc.Column("Report", width=1.5)], rows)


def solver_table(run: D.Run) -> doc.Table:
    """The solver's technical status: what the summary says in words, in numbers."""
    s = run.manifest.get("solver", {})
    lin = run.manifest.get("linearisation", {})
    size = s.get("model_size", {})
    rows = [
        ("Schedule", doc.text(solver_text(run))),
        ("Solver status", doc.text(s.get("status", F.MISSING))),
        ("Objective [cost + carbon price x carbon]", doc.num(s.get("objective"), 2)),
        ("Best bound", doc.num(s.get("bound"), 2)),
        ("Relative gap [%]", doc.num(None if s.get("gap") is None else 100 * s["gap"], 2)),
        ("Solve time [s]", doc.num(s.get("solve_s"), 1)),
        ("Model size", doc.text(", ".join(f"{v:,} {k}" for k, v in size.items()) or F.MISSING)),
        ("Schedules checked by validate()", doc.text(
            ", ".join(f"{k}: {v} violations" for k, v in s.get("validation", {}).items()) or F.MISSING)),
        ("Linearisation error (MILP facility model vs re-simulation) [%]",
         doc.num(None if lin.get("relative_error") is None else 100 * lin["relative_error"], 3)),
    ]
    rows += [("Solver warning", doc.text(w)) for w in s.get("warnings", [])]
    return doc.Table("solver", "Solver (technical status)",
                     [doc.Column("Item", width=2.2), doc.Column("Value", width=3.0)],
                     [[doc.text(a), b] for a, b in rows], font_scale=0.9,
                     note="The gap is (objective - bound) / objective: the schedule costs at "
                          "most this share more than the best possible one (cost plus the "
                          "carbon price). The summary says it in words.")


def provenance_table(run: D.Run, eed: bool | None = None) -> doc.Table:
    m = run.manifest
    rows = [
        ("Run directory", str(run.path)),
        ("China's PUE targets", rules.targets_text(run.scenario)),
        ("EU EED reporting fields", rules.eed_text(run.scenario, eed)),
    ]
    rows += [(f"sha256 {k}", v) for k, v in m.get("input_hashes", {}).items()]
    rows += [(f"timing {k}", f"{v:g} s") for k, v in m.get("timings_s", {}).items()]
    return doc.Table("provenance", "Run provenance and the rules applied to the site",
                     [doc.Column("Item", width=1.4), doc.Column("Value", width=4.6)],
                     [[doc.text(a), doc.text(b)] for a, b in rows], font_scale=0.9)


def overrides(run: D.Run) -> list[str]:
    """Scenario overrides of the physics defaults, as ``group.name = value``."""
    base = dataclasses.asdict(FacilityParams())
    mine = dataclasses.asdict(facility_params(run.scenario))
    out = []
    for group, values in mine.items():
        if isinstance(values, dict):
            out += [f"{group}.{k} = {v}" for k, v in values.items() if base[group].get(k) != v]
        elif base.get(group) != values:
            out.append(f"{group} = {values}")
    return out


def provenance_section(run: D.Run, eed: bool | None = None) -> doc.Section:
    """The run's own data: overrides, sources, tariff, assumptions, assets' values, the
    solver's technical status, provenance and the rules applied to the site."""
    changed = overrides(run)
    blocks: list = [
        doc.Paragraph("Physics defaults overridden by the scenario: "
                      + ("; ".join(changed) if changed else "none") + "."),
        sources_table(run),
    ]
    tariff = tariff_table(run)
    if tariff is not None:
        blocks.append(tariff)
    blocks.append(assumptions_table(run))
    if D.has_assets(run):
        if A.pv_on_modelled_irradiance(run):
            blocks.append(doc.Paragraph(
                "On-site PV is modelled on a modelled irradiance (the synthetic weather has "
                "none), as the assumptions above say: its output is an estimate, not a "
                "measurement.", "note"))
        blocks.append(A.parameters_table(run))
    blocks += [solver_table(run), provenance_table(run, eed)]
    return doc.Section("Data sources, assumptions and provenance", blocks, new_page=False,
                       anchor="provenance")


def methodology_section(runs: list[D.Run], report_versions: dict[str, str]) -> doc.Section:
    """The method every run of the report shares, once: how the numbers are made, the
    software versions and every physics parameter with its source."""
    assets = any(D.has_assets(r) for r in runs)
    changed = [r for r in runs if overrides(r)]
    blocks: list = [
        doc.Paragraph(METHOD + (" " + METHOD_ASSETS + A.MODELLED if assets else "")),
        runs_versions_table(runs, report_versions),
    ]
    if len(runs) == 1:
        blocks.append(physics_table(runs[0]))
    else:
        blocks.append(doc.Paragraph(
            "The physics parameters below are the defaults; "
            + ("the scenario overrides of " + ", ".join(r.label for r in changed)
               + " are listed in each run's data section." if changed
               else "no run overrides any of them.")))
        blocks.append(physics_table(None))
    return doc.Section("Methodology", blocks, new_page=False, anchor="methodology")
