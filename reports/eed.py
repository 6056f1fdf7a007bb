"""The fields of the EU data-centre reporting scheme, filled where the run has them.

Delegated Regulation (EU) 2024/1364 (under the Energy Efficiency Directive (EU)
2023/1791, Article 12 and Annex VII) asks operators of data centres with at least
500 kW installed IT power to report, every year by 15 May, information about the site
(Annex I), key performance indicators (Annex II) and the sustainability indicators the
Commission derives from them (Annex III). A planning run cannot know an operator's
floor areas, traffic or contracts: those fields are marked as not available.
"""

from __future__ import annotations

import re

from reports import data as D
from reports import document as doc
from reports import rules
from reports.summary import MODELLED_NOT_METERED
from scenarios.facility import facility_params

NOT_AVAILABLE = "not available from this run"
#: Installed IT power from which the scheme applies [kW].
EED_THRESHOLD_KW = 500.0


def water_class_supply_c(water_class: str | None) -> float | None:
    """Highest facility-water supply temperature of an ASHRAE W class (W32 -> 32 °C)."""
    match = re.fullmatch(r"W(\d+)", water_class or "")
    return float(match.group(1)) if match else None


def set_points(run: D.Run) -> str:
    """Cooling set points of the run's halls, from the scenario and the physics defaults."""
    params = facility_params(run.scenario)
    parts = []
    if any(p.cooling == "air" for p in run.scenario.pods):
        parts.append(f"cold-aisle supply air {params.air.supply_air_c:g} °C")
        from thermal.loops import chilled_water_c

        chw_supply, chw_return = chilled_water_c(params.air)
        parts.append(f"chilled water {chw_supply:g} / {chw_return:g} °C")
    for p in run.scenario.pods:
        if p.cooling == "air":
            continue
        default = getattr(params.technology, f"{p.cooling}_water_class")
        wc = p.water_class or default
        supply = water_class_supply_c(wc)
        if supply is not None:
            parts.append(f"{p.name}: facility water {wc}, supply <= {supply:g} °C")
    inlet = D.mean_inlet_c(run)
    if inlet:
        parts.append("mean server inlet " + ", ".join(f"{k} {v:.1f} °C" for k, v in inlet.items()))
    return "; ".join(parts)


def eed_rows(run: D.Run) -> list[tuple[str, str, doc.Cell, str, str]]:
    """(group, field, value cell, unit, how it was filled) for every field."""
    k, s = run.kpis, run.scenario
    installed = D.installed_it_kw(s)
    reused = D.heat_reused_kwh(run)
    na = doc.text(NOT_AVAILABLE)
    ren_kwh = None if k.get("ref") is None else k["ref"] * k["facility_energy_mwh"] * 1000.0
    onsite_kwh = None  # on-site generation used on site (kpis.json), with generation only
    if k.get("onsite_generation_mwh") is not None:
        onsite_kwh = 1000.0 * (k["onsite_generation_mwh"] - (k.get("export_mwh") or 0.0)
                               - (k.get("curtailed_mwh") or 0.0))
    idx = run.hourly.index
    period = f"{idx[0]:%Y-%m-%d} to {idx[-1]:%Y-%m-%d} ({run.hours} h)"
    annual = run.hours >= 8760
    return [
        ("Annex I", "Name of the data centre", doc.text(s.site.name), "", "scenario [site]"),
        ("Annex I", "Location", doc.text(f"{s.site.latitude:g}, {s.site.longitude:g}"), "lat, lon",
         "scenario [site]"),
        ("Annex I", "Owner / operator, type (enterprise, colocation, co-hosting)", na, "", "not modelled"),
        ("Annex I", "Date of commissioning", na, "", "not modelled"),
        ("Annex I", "Total floor area; computer room floor area", na, "m²", "not modelled"),
        ("Annex I", "Installed IT power demand", doc.num(installed, 0), "kW",
         f"racks x rack kW (nameplate); the scheme applies from {EED_THRESHOLD_KW:g} kW: "
         + ("applies" if installed >= EED_THRESHOLD_KW else "below the threshold")),
        ("Annex I", "Reporting period", doc.text(period), "",
         "the run's period" + ("" if annual else "; the scheme reports a calendar year")),
        ("Annex II", "Total energy consumption (E_DC)",
         doc.num(k["facility_energy_mwh"] * 1000.0, 0), "kWh", "facility energy, EN 50600-4-2"),
        ("Annex II", "Energy consumption of the IT equipment (E_IT)",
         doc.num(k["it_energy_mwh"] * 1000.0, 0), "kWh", "IT energy incl. server fans"),
        ("Annex II", "Temperature set points", doc.text(set_points(run)), "°C",
         "scenario [facility] and physics defaults"),
        ("Annex II", "Waste heat reused", na if reused is None else doc.num(reused, 0), "kWh",
         "no heat reuse set in the scenario" if reused is None else "ERF x E_DC ([heat_reuse] shares)"),
        ("Annex II", "Average waste heat temperature", na, "°C", "not modelled"),
        ("Annex II", "Total water input", doc.num(k["water_m3"], 1), "m³",
         "cooling towers: evaporation, blowdown, drift"),
        ("Annex II", "Potable water input", na, "m³", "the model does not split water sources"),
        ("Annex II", "Total renewable energy consumption", doc.num(ren_kwh, 0), "kWh",
         "REF x E_DC (contracted and retired renewables"
         + (", and on-site generation used on site)" if onsite_kwh is not None else ")")),
        ("Annex II", "Renewable energy from guarantees of origin / PPAs / on-site",
         na if onsite_kwh is None else doc.num(onsite_kwh, 0), "kWh",
         "the scenario gives one contracted share, not its instruments" if onsite_kwh is None
         else "on-site PV and wind used on site (generated less exported and curtailed; "
              "modelled, not metered); guarantees of origin and PPAs: not available"),
        ("Annex II", "Backup generators, grid functions, ICT capacity, data traffic", na, "",
         "not modelled"),
        ("Annex III", "Power usage effectiveness (PUE)", doc.kpi("pue", k["pue"]), "-",
         "EN 50600-4-2" + ("" if annual else "; period, not annual")),
        ("Annex III", "Water usage effectiveness (WUE)", doc.kpi("wue_l_per_kwh", k["wue_l_per_kwh"]),
         "L/kWh", "EN 50600-4-9 / ISO/IEC 30134-9"),
        ("Annex III", "Energy reuse factor (ERF)",
         na if k.get("erf") is None else doc.kpi("erf", k["erf"]), "%", "EN 50600-4-6"),
        ("Annex III", "Renewable energy factor (REF)", doc.kpi("ref", k.get("ref")), "%",
         "EN 50600-4-3"),
    ]


def eed_section(run: D.Run, requested: bool | None = None) -> doc.Section:
    """The EED fields of the run (the report builder adds it where
    :func:`reports.rules.eed_applies`)."""
    rows = [[doc.text(g), doc.text(f), v, doc.text(u), doc.text(h)] for g, f, v, u, h in eed_rows(run)]
    table = doc.Table(
        "eu_eed", "EU data-centre reporting scheme (Delegated Regulation (EU) 2024/1364)",
        [doc.Column("Annex", width=0.6), doc.Column("Field", width=2.0),
         doc.Column("Value", width=1.6), doc.Column("Unit", width=0.5),
         doc.Column("Filled from", width=1.9)],
        rows, font_scale=0.92)
    filled = sum(1 for r in rows if r[2].text != NOT_AVAILABLE)
    blocks = [
        doc.Paragraph(MODELLED_NOT_METERED, "note"),
        doc.Paragraph(
            "The EU Energy Efficiency Directive (EU) 2023/1791, Article 12, and its Delegated "
            "Regulation (EU) 2024/1364 ask data centres of at least 500 kW installed IT power to "
            "report yearly, by 15 May, to the European database. Fields a planning run cannot "
            f"know are marked '{NOT_AVAILABLE}'. {filled} of {len(rows)} fields are filled. "
            f"The fields are {rules.eed_text(run.scenario, requested)}."),
        table,
    ]
    return doc.Section("EU Energy Efficiency Directive reporting fields", blocks, new_page=False,
                       anchor="eed")


__all__ = ["NOT_AVAILABLE", "eed_rows", "eed_section", "set_points", "water_class_supply_c"]
