"""The site's assets in a report (issue 15): a battery, a cold tank and on-site PV and wind.

Only a run whose site has an asset gets any of this (its hourly data then hold the grid
import, ``grid_kw``); a run without assets reads as before. The section compares the
asset indicators of the run's schedule with the baselines', draws the stores' state of
charge and the hourly supply, and the methodology lists every value the assets were
built with (the manifest's ``assets``).
"""

from __future__ import annotations

import math

from reports import charts
from reports import data as D
from reports import document as doc
from reports import formatting as F
from scenarios.kpis import ASSET_KPIS, ASSET_NAMES

#: Said wherever asset flows are shown: they come from the model, not from a meter.
MODELLED = (
    "Asset flows are modelled, not metered: the battery, the tank and the generation are "
    "simulated hour by hour for each schedule, and the grid flows settled on the "
    "re-simulated facility power as the site's meter would settle them."
)
#: Display names of the manifest's asset groups.
GROUPS = {"battery": "Battery", "cold_storage": "Cold storage", "onsite": "On-site generation",
          "heat_reuse": "Heat reuse"}
#: Longest text of one manifest value the report shows [characters].
MAX_VALUE_CHARS = 300
#: Largest integer a spreadsheet cell holds exactly (2**53); larger ones are shown as text.
MAX_EXACT_INT = 2**53
#: Most rows of the asset parameter table (a manifest is data from disk).
MAX_PARAMETER_ROWS = 80


def schedule_names(run: D.Run) -> dict[str, dict]:
    """Display name -> KPIs of the run's schedule and of each baseline."""
    out = {f"{run.schedule_name} (this run)": run.kpis}
    for name, values in run.doc.get("baselines", {}).items():
        out["ASAP" if name == "asap" else name] = values
    return out


def present_keys(run: D.Run) -> list[str]:
    """The asset indicators of the run: every key of :data:`ASSET_KPIS` the run's
    schedule has a value for (an absent asset's are null)."""
    return [key for key in ASSET_KPIS if run.kpis.get(key) is not None]


def kpi_table(run: D.Run) -> doc.Table:
    """Asset indicators of the run's schedule next to ASAP's and greedy's (rows), with
    the peak facility power beside the peak grid import."""
    keys = present_keys(run)
    if "peak_grid_import_kw" in keys:
        keys.insert(keys.index("peak_grid_import_kw") + 1, "peak_facility_kw")
    short = {"onsite_generation_mwh": "On-site gen.", "battery_throughput_mwh": "Battery thr.",
             "cold_storage_shifted_mwh_th": "Cold shifted", "export_mwh": "Exported",
             "curtailed_mwh": "Curtailed", "peak_facility_kw": "Peak facility",
             "battery_wear_cost": "Battery wear"}  # fmt: skip
    columns = [doc.Column("Schedule", width=1.5)] + [
        doc.Column(short.get(key, F.label(key)), F.kpi_unit(key, run.currency), 1.0, True)
        for key in keys
    ]
    rows = [[doc.text(name)] + [doc.kpi(key, values.get(key)) for key in keys]
            for name, values in schedule_names(run).items()]
    return doc.Table(
        "assets", "Asset indicators by schedule", columns, rows,
        note="Grid import: energy bought; peak grid import: the highest hourly import (the "
             "demand charge applies to each month's); on-site gen.: PV and wind generated; "
             "exported: generation sold; curtailed: generation, or battery discharge the exact "
             "facility did not need, not used on site; battery thr.: energy "
             "discharged from the battery; cold shifted: cold the tank took off the chillers' "
             "load.",
        font_scale=0.9,
    )


def _has(run: D.Run, key: str) -> bool:
    return run.kpis.get(key) is not None


def _size(value, unit: str) -> str:
    return f"{F.value_text(value, 0)} {unit}"


def asset_phrases(run: D.Run) -> list[str]:
    """One phrase per asset, from the scenario (sizes) and the manifest (kinds)."""
    s = run.scenario
    out = []
    if _has(run, "battery_throughput_mwh") and s.storage and s.storage.battery:
        b = s.storage.battery
        out.append(f"battery {_size(b.energy_kwh, 'kWh')} / {_size(b.power_kw, 'kW')}")
    if _has(run, "cold_storage_shifted_mwh_th") and s.storage and s.storage.cold:
        c = s.storage.cold
        kind = _manifest_assets(run).get("cold_storage", {}).get("kind") or c.kind or "cold"
        out.append(f"{str(kind).replace('_', '-')} tank {_size(c.capacity_kwh_th, 'kWh_th')} / "
                   f"{_size(c.power_kw_th, 'kW_th')}")
    onsite = s.onsite
    if "pv_kw" in run.hourly and onsite and onsite.pv:
        out.append("PV " + (_size(onsite.pv.kwp, "kWp") if onsite.pv.csv is None
                            else "from the plant's generation file"))
    if "wind_kw" in run.hourly and onsite and onsite.wind:
        w = onsite.wind
        if w.csv is not None:
            out.append("wind from the plant's generation file")
        else:
            out.append(f"wind: {w.turbine or 'a power curve'}, hub at "
                       f"{F.value_text(w.hub_height_m, 0)} m"
                       + (f", {w.count} turbines" if w.count is not None else ""))
    if _has(run, "onsite_generation_mwh"):
        out.append(export_text(run))
    return out


def export_text(run: D.Run) -> str:
    spec = run.scenario.onsite
    if spec is None or not spec.export:
        return "surplus generation curtailed (no export)"
    if spec.export_price_per_kwh is not None:
        return (f"surplus exported at {F.value_text(spec.export_price_per_kwh, 4)} "
                f"{run.currency}/kWh")
    return (f"surplus exported at {F.value_text(100 * (spec.export_price_share or 0.0), 1)} % "
            "of the hour's import price")


def pv_on_modelled_irradiance(run: D.Run) -> bool:
    """PV was modelled from an irradiance the weather does not have (a synthetic year):
    the run recorded it as an assumption (scenarios.onsite)."""
    pv = run.scenario.onsite.pv if run.scenario.onsite else None
    if pv is None or pv.csv is not None or "pv_kw" not in run.hourly:
        return False
    weather = str(run.manifest.get("sources", {}).get("weather", ""))
    return "synthetic" in weather.lower()


#: Display names of the assets whose value kpis.json gives (``asset_value_<name>``).
VALUE_NAMES = {"battery": "Battery", "cold_storage": "Cold tank",
               "onsite_generation": "On-site generation", "heat_reuse": "Heat reuse"}


def values_table(run: D.Run) -> doc.Table | doc.Paragraph | None:
    """What each asset is worth with the run's schedule (cost and carbon), or a note that
    the values need the MILP; None when kpis.json has no such keys."""
    k = run.kpis
    keys = [n for n in ASSET_NAMES if f"asset_value_{n}" in k]
    if not keys:
        return None
    rows = [[doc.text(VALUE_NAMES.get(n, n)), doc.kpi(f"asset_value_{n}", k[f"asset_value_{n}"]),
             doc.kpi(f"asset_value_{n}_t", k.get(f"asset_value_{n}_t"))]
            for n in keys if k[f"asset_value_{n}"] is not None]
    if not rows:
        return doc.Paragraph("What each asset is worth is measured on the MILP's schedule: not "
                             "available from this run.", "note")
    return doc.Table(
        "asset_values", "What each asset is worth with the run's schedule",
        [doc.Column("Asset", width=1.6), doc.Column("Cost value", run.currency, 1.0, True),
         doc.Column("Carbon value", "tCO2", 1.0, True)],
        rows,
        note="The total cost (and the location-based carbon) of the run's schedule with the "
             "other assets run optimally and this asset taken away, minus that with all of "
             "them, on the optimizer's linear model; the values need not add up to the saving.")


def balance_frame(run: D.Run, schedule: str = "") -> dict[str, float]:
    """The run's energy balance of one schedule (``""``: the run's, else ``"asap"`` or
    ``"greedy"``) [MWh]: each supply and use, and their totals (equal: the balance
    closes every hour)."""
    h = run.hourly
    pre = f"{schedule}." if schedule else ""
    facility = h[f"{pre}facility_kw"] if schedule else D.site(run, "facility_kw")
    battery = D.battery_kw(run, schedule)
    generation = {name: h[col] for col, name in (("pv_kw", "PV"), ("wind_kw", "Wind")) if col in h}
    supply = {"Grid import": D.grid_kw(run, schedule), **generation}
    uses = {"Facility": facility}
    if battery is not None:
        supply["Battery discharge"] = battery[1]
        uses["Battery charging"] = battery[0]
    for col, name in (("export_kw", "Export"), ("curtailed_kw", "Curtailed")):
        if f"{pre}{col}" in h:
            uses[name] = h[f"{pre}{col}"]
    out = {name: float(v.sum()) / 1000.0 for name, v in supply.items()}
    out["Supply, total"] = sum(out.values())
    used = {name: float(v.sum()) / 1000.0 for name, v in uses.items()}
    used["Uses, total"] = sum(used.values())
    return {**out, **used}


def balance_table(run: D.Run) -> doc.Table:
    """Supply and uses over the run by schedule [MWh] (baselines where the run holds
    their flows)."""
    columns = {f"{run.schedule_name} (this run)": balance_frame(run)}
    for name in D.BASELINES:
        if f"{name}.grid_kw" in run.hourly and f"{name}.facility_kw" in run.hourly:
            columns["ASAP" if name == "asap" else name] = balance_frame(run, name)
    names = list(next(iter(columns.values())))
    rows = [[doc.text(name)] + [doc.num(c.get(name), 1) for c in columns.values()]
            for name in names]
    return doc.Table(
        "energy_balance", "Energy balance over the run by schedule",
        [doc.Column("Flow", width=1.6)] + [doc.Column(c, "MWh", 1.0, True) for c in columns],
        rows,
        note="Supply (grid import, generation, battery discharge) equals its uses (facility, "
             "battery charging, export, curtailment) every hour, so the totals are equal; the "
             "battery's charging exceeds its discharge by its losses and what it holds at the "
             "end beyond its start.")


def operation_text(run: D.Run) -> str:
    rule = ("ASAP and greedy run the same assets by the optimizer's documented rule (charge "
            "in each local day's valley hours, discharge in its peak hours), so the savings "
            "against them are those of moving jobs and of running the assets optimally, not of "
            "owning them.")
    if run.optimized:
        return "The MILP operated the assets together with the jobs. " + rule
    return "This run was not optimized: its schedule is ASAP, its assets run by the rule. " + rule


def assets_section(run: D.Run) -> doc.Section | None:
    """The assets' section, or None when the site has none."""
    if not D.has_assets(run):
        return None
    blocks: list = [
        doc.Paragraph("Site assets: " + "; ".join(asset_phrases(run)) + ". " + operation_text(run)),
        doc.Paragraph(
            "Energy price, Scope 2 carbon and the demand charge apply to the grid import (= "
            "facility + battery charging + export + curtailed - on-site generation - battery "
            "discharge, every hour), not the facility's power; PUE stays facility / IT energy. "
            + MODELLED),
    ]
    if pv_on_modelled_irradiance(run):
        blocks.append(doc.Paragraph(
            "PV output rests on a modelled irradiance, not a measured one: the synthetic "
            "weather has none (the run's assumptions, in the methodology, give the basis).",
            "warning"))
    blocks.append(kpi_table(run))
    values = values_table(run)
    if values is not None:
        blocks.append(values)
    stores = [name for name, col in (("battery", "battery_soc_kwh"), ("tank", "cold_soc_kwh_th"))
              if col in run.hourly]
    step = "Hourly values." if run.hours / 24 <= charts.HOURLY_MAX_DAYS else "Daily means."
    if stores:
        blocks.append(doc.Figure(
            "state_of_charge", "State of charge over time",
            "Stored energy at the end of each hour by schedule: "
            + " and ".join({"battery": "the battery's [kWh]",
                            "tank": "the cold tank's [kWh_th]"}[s] for s in stores)
            + "; dotted: the store's capacity"
            + ("; time-of-use bands shaded. " if "tariff_band" in run.hourly
               and step.startswith("Hourly") else ". ") + step,
            lambda: charts.state_of_charge(run), height_in=1.5 + 1.1 * len(stores)))
    blocks.append(doc.Figure(
        "supply", "Where the power comes from and where it goes",
        f"The run's schedule ({run.schedule_name}). Above zero, stacked: the supply (grid "
        "import, on-site generation, battery discharge); below zero: what it serves besides "
        "the facility (battery charging, export, curtailment). Line: the facility's power. "
        + step,
        lambda: charts.supply_stack(run), height_in=3.2))
    blocks.append(balance_table(run))
    return doc.Section("Site assets: storage and on-site generation", blocks, new_page=False,
                       anchor="assets")


def _manifest_assets(run: D.Run) -> dict:
    value = run.manifest.get("assets")
    return value if isinstance(value, dict) else {}


#: Units of the manifest's asset values, by name (first match of the name's ending).
_PARAMETER_UNITS = (
    ("_per_kwh", "currency/kWh"), ("_kwh_th", "kWh_th"), ("_kw_th", "kW_th"), ("_mwh", "MWh"),
    ("_kwh", "kWh"), ("_kw", "kW"), ("_per_h", "1/h"), ("_soc", "- (share of energy)"),
    ("_share", "-"), ("_efficiency", "-"), ("_ratio", "-"),
)
#: Scenario fields of each manifest group (which values the scenario set).
_SPECS = {"battery": ("storage", "battery"), "cold_storage": ("storage", "cold"),
          "onsite": ("onsite", None), "heat_reuse": ("heat_reuse", None)}


def parameter_unit(name: str, currency: str) -> str:
    for suffix, unit in _PARAMETER_UNITS:
        if name.endswith(suffix):
            return unit.replace("currency", currency)
    return ""


def _value_cell(value) -> doc.Cell:
    """A manifest value as written: numbers as numbers (``%g``), everything else text."""
    if isinstance(value, bool) or value is None:
        return doc.text(F.value_text(value))
    if isinstance(value, (int, float)):
        if isinstance(value, int) and abs(value) > MAX_EXACT_INT:  # no spreadsheet number
            return doc.text(str(value)[:MAX_VALUE_CHARS])
        if not math.isfinite(float(value)):
            return doc.text(F.MISSING)
        return doc.Cell(value, f"{value:g}", "General")
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return doc.text(text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…")


def _spec(run: D.Run, group: str):
    where = _SPECS.get(group)
    if where is None:
        return None
    spec = getattr(run.scenario, where[0], None)
    return spec if where[1] is None or spec is None else getattr(spec, where[1], None)


def _set_by(run: D.Run, group: str, name: str) -> str:
    """``scenario`` (a field the scenario set), ``the run`` (an amount over the run, such
    as the generation) or ``default`` (the library's value)."""
    spec = _spec(run, group)
    if spec is not None and name in type(spec).model_fields:
        return "scenario" if getattr(spec, name) is not None else "default"
    return "the run" if name.endswith("_mwh") else "default"


def parameters_table(run: D.Run) -> doc.Table | None:
    """Every value the assets were built with (manifest ``assets``), with its unit and
    whether the scenario set it; None without assets."""
    described = _manifest_assets(run)
    if not described and not D.has_assets(run):
        return None
    rows = []
    order = [g for g in GROUPS if g in described] + [g for g in described if g not in GROUPS]
    for group in order:
        values = described[group]
        items = values.items() if isinstance(values, dict) else [("value", values)]
        for name, value in items:
            name = str(name)
            rows.append([doc.text(GROUPS.get(str(group), str(group))), doc.text(name),
                         _value_cell(value), doc.text(parameter_unit(name, run.currency)),
                         doc.text(_set_by(run, str(group), name))])
    rows = rows[:MAX_PARAMETER_ROWS]
    if not rows:
        rows = [[doc.text("-"), doc.text("the run recorded no asset parameters"),
                 doc.text(""), doc.text(""), doc.text("")]]
    return doc.Table(
        "asset_parameters", "Site assets: the values they were built with (manifest)",
        [doc.Column("Asset", width=1.0), doc.Column("Parameter", width=1.4),
         doc.Column("Value", width=2.4, numeric=True), doc.Column("Unit", width=0.9),
         doc.Column("Set by", width=0.7)],
        rows, font_scale=0.9,
        note="default: coolshift's default value for the asset (battery, cold tank, PV and "
             "wind models), each published with its source in coolshift's scenario "
             "documentation; the run: an amount over the run (generation). The PV and wind models and what they "
             "rest on are in the data sources (onsite_pv, onsite_wind). " + MODELLED)
