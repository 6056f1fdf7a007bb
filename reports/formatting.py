"""One display rule per indicator, shared by the PDF, HTML and XLSX reports.

Every number a report shows goes through :func:`kpi_number` (the rounded value, as
stored in XLSX cells) and :func:`kpi_text` (the same value as text, as printed in the
PDF and HTML). Shares (0-1 in ``kpis.json``) are shown as percentages. The tests use
the same two functions, so a value can be looked up in every format with one rule.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from scenarios.kpis import FLEET_KPI_DEFINITIONS, KPI_DEFINITIONS

#: Text shown for a missing value (``null`` in kpis.json). Never "nan".
MISSING = "n/a"


@dataclass(frozen=True)
class Rule:
    """How one indicator is shown.

    Attributes
    ----------
    label : str
        Short human name (fits one line of the PDF's indicator column).
    decimals : int
        Digits after the decimal point of the shown value.
    percent : bool
        The value is a share [-] shown as a percentage [%] (value x 100).
    kind : str
        ``"number"``, ``"count"`` (integer), ``"bool"`` (yes / no) or ``"text"``.
    """

    label: str
    decimals: int = 3
    percent: bool = False
    kind: str = "number"


#: key -> display rule, for every key of kpis.json's ``kpis``, ``baselines`` and ``pods``.
RULES: dict[str, Rule] = {
    "pue": Rule("PUE", 3),
    "ppue_cooling": Rule("pPUE cooling", 3),
    "itue": Rule("ITUE", 3),
    "tue": Rule("TUE", 3),
    "wue_l_per_kwh": Rule("WUE", 3),
    "cue_kg_per_kwh": Rule("CUE", 3),
    "it_energy_mwh": Rule("IT energy (E_IT)", 1),
    "compute_energy_mwh": Rule("Compute energy", 1),
    "facility_energy_mwh": Rule("Facility energy (E_DC)", 1),
    "water_m3": Rule("Water", 1),
    "free_cooling_h": Rule("Free-cooling hours", 0),
    "peak_facility_kw": Rule("Peak facility power", 0),
    "grid_energy_mwh": Rule("Grid import", 1),
    "peak_grid_import_kw": Rule("Peak grid import", 0),
    "onsite_generation_mwh": Rule("On-site generation", 1),
    "export_mwh": Rule("Exported generation", 1),
    "curtailed_mwh": Rule("Curtailed supply", 1),
    "export_revenue": Rule("Export revenue", 0),
    "battery_throughput_mwh": Rule("Battery throughput", 1),
    "battery_wear_cost": Rule("Battery wear cost", 0),
    "cold_storage_shifted_mwh_th": Rule("Cold storage shifted", 1),
    "carbon_location_t": Rule("Scope 2 location-based", 1),
    "carbon_market_t": Rule("Scope 2 market-based", 1),
    "ref": Rule("REF", 1, percent=True),
    "erf": Rule("ERF", 1, percent=True),
    "heat_reused_mwh_th": Rule("Heat reused", 1),
    "heat_revenue": Rule("Heat revenue", 0),
    "cfe_score": Rule("24/7 CFE score", 1, percent=True),
    "energy_cost": Rule("Energy cost", 0),
    "demand_cost": Rule("Demand cost", 0),
    "total_cost": Rule("Total cost", 0),
    "jobs": Rule("Deferrable jobs", 0, kind="count"),
    "deadlines_met_share": Rule("Deadlines met", 1, percent=True),
    "job_energy_mwh": Rule("Job energy", 2),
    "shifted_energy_share": Rule("Shifted energy", 1, percent=True),
    "cost_saving_vs_asap": Rule("Cost saving vs ASAP", 0),
    "cost_saving_vs_asap_pct": Rule("Cost saving vs ASAP %", 2),
    "carbon_saving_vs_asap_t": Rule("CO2 saving vs ASAP", 2),
    "carbon_saving_vs_asap_pct": Rule("CO2 saving vs ASAP %", 2),
    "cost_saving_vs_asap_placement": Rule("Cost saving: hall choice", 0),
    "cost_saving_vs_asap_timing": Rule("Cost saving: timing", 0),
    "cost_saving_vs_asap_peak": Rule("Cost saving: lower peak", 0),
    "cost_saving_vs_asap_other": Rule("Cost saving: re-sim. rest", 0),
    "carbon_saving_vs_asap_placement_t": Rule("CO2 saving: hall choice", 2),
    "carbon_saving_vs_asap_timing_t": Rule("CO2 saving: timing", 2),
    "carbon_saving_vs_asap_other_t": Rule("CO2 saving: re-sim. rest", 2),
    "cost_saving_vs_asap_jobs": Rule("Cost saving: jobs", 0),
    "cost_saving_vs_asap_asset_operation": Rule("Cost saving: asset operation", 0),
    "carbon_saving_vs_asap_jobs_t": Rule("CO2 saving: jobs", 2),
    "carbon_saving_vs_asap_asset_operation_t": Rule("CO2 saving: asset operation", 2),
    "asset_value_battery": Rule("Value of the battery", 0),
    "asset_value_battery_t": Rule("CO2 value of the battery", 2),
    "asset_value_cold_storage": Rule("Value of the cold tank", 0),
    "asset_value_cold_storage_t": Rule("CO2 value of the cold tank", 2),
    "asset_value_onsite_generation": Rule("Value of on-site gen.", 0),
    "asset_value_onsite_generation_t": Rule("CO2 value of on-site gen.", 2),
    "asset_value_heat_reuse": Rule("Value of heat reuse", 0),
    "asset_value_heat_reuse_t": Rule("CO2 value of heat reuse", 2),
    "cost_saving_vs_greedy": Rule("Cost saving vs greedy", 0),
    "cost_saving_vs_greedy_pct": Rule("Cost saving vs greedy %", 2),
    "carbon_saving_vs_greedy_t": Rule("CO2 saving vs greedy", 2),
    "carbon_saving_vs_greedy_pct": Rule("CO2 saving vs greedy %", 2),
    "forecast_carbon_nmae_pct": Rule("Carbon forecast error %", 1),
    "forecast_price_nmae_pct": Rule("Price forecast error %", 1),
    "forecast_regret": Rule("Forecast regret (MILP)", 0),
    "forecast_regret_pct": Rule("Forecast regret %", 2),
    "forecast_greedy_regret": Rule("Forecast regret (greedy)", 0),
    "forecast_carbon_regret_t": Rule("CO2 regret of forecasts", 2),
    "perfect_cost_saving_vs_asap_pct": Rule("Cost saving, perfect info %", 2),
    "perfect_carbon_saving_vs_asap_pct": Rule("CO2 saving, perfect info %", 2),
    # a fleet of sites (scenarios.kpis.FLEET_KPI_DEFINITIONS)
    "sites": Rule("Sites", 0, kind="count"),
    "moved_jobs": Rule("Jobs moved from home", 0, kind="count"),
    "moved_energy_mwh": Rule("Compute moved", 1),
    "moved_data_tb": Rule("Data moved", 1),
    "network_energy_mwh": Rule("Network energy", 2),
    "network_cost": Rule("Network cost", 0),
    "network_carbon_t": Rule("Network CO2", 2),
    "cost_saving_vs_asap_site": Rule("Cost saving: site choice", 0),
    "carbon_saving_vs_asap_site_t": Rule("CO2 saving: site choice", 2),
    "cost_saving_vs_cheapest_site": Rule("Cost saving vs cheapest site", 0),
    "cost_saving_vs_cheapest_site_pct": Rule("Cost saving vs cheapest site %", 2),
    "carbon_saving_vs_cheapest_site_t": Rule("CO2 saving vs cheapest site", 2),
    "carbon_saving_vs_cheapest_site_pct": Rule("CO2 saving vs cheapest site %", 2),
    # money over the plant's life (scenarios.money)
    "capex": Rule("Capital cost (capex)", 0),
    "capex_per_kw_it": Rule("Capex per kW of IT", 0),
    "annualised_capex": Rule("Annualised capex", 0),
    "opex_per_year": Rule("Operating cost per year", 0),
    "tco_per_year": Rule("TCO per year", 0),
    "tco_per_mwh_compute": Rule("TCO per MWh of compute", 1),
    "embodied_carbon_t": Rule("Embodied carbon", 0),
    "pue_target": Rule("PUE target", 2),
    "pue_target_label": Rule("PUE target basis", kind="text"),
    "pue_target_met": Rule("PUE target met", kind="bool"),
    # baselines
    "feasible": Rule("Schedule feasible", kind="bool"),
    # per-hall indicators (thermal.summary.period_summary)
    "it_mwh": Rule("IT energy", 1),
    "compute_mwh": Rule("Compute energy", 1),
    "facility_mwh": Rule("Facility energy", 1),
    "free_cooling_share": Rule("Heat removed without compressors", 1, percent=True),
    "hours_outside_air_class": Rule("Hours outside air class", 0),
    "unmet_heat_h": Rule("Hours with unmet heat", 0),
    "unmet_heat_mwh": Rule("Unmet heat", 1),
}

#: Units of the per-hall keys (kpis.json lists units of the run-level keys only).
_POD_UNITS = {
    "it_mwh": "MWh",
    "compute_mwh": "MWh",
    "facility_mwh": "MWh",
    "free_cooling_share": "-",
    "hours_outside_air_class": "h",
    "unmet_heat_h": "h",
    "unmet_heat_mwh": "MWh",
    "feasible": "-",
}


def rule(key: str) -> Rule:
    """The display rule of ``key``; an unknown key gets a plain 3-decimal rule."""
    return RULES.get(key, Rule(key.replace("_", " "), 3))


def label(key: str) -> str:
    """Short human name of an indicator."""
    return rule(key).label


def kpi_unit(key: str, currency: str = "") -> str:
    """Unit as shown next to the value: ``%`` for shares, the currency code for money."""
    r = rule(key)
    if r.percent:
        return "%"
    if r.kind in ("bool", "text"):
        return ""
    if key in KPI_DEFINITIONS:
        unit = KPI_DEFINITIONS[key][0]
    elif key in FLEET_KPI_DEFINITIONS:
        unit = FLEET_KPI_DEFINITIONS[key][0]
    else:
        unit = _POD_UNITS.get(key, "-")
    if unit == "-":
        return ""
    # money and money per unit (currency/kW, currency/year) in the run's currency
    return re.sub(r"\bcurrency\b", currency or "currency", unit)


def round_half_away(value: float, decimals: int) -> float:
    """Round half away from zero on the shortest decimal text of ``value`` (as a reader
    sees it: 1.005 -> 1.01, 0.125 -> 0.13); never returns negative zero."""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    out = float(exact)
    return 0.0 if out == 0 else out


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def kpi_number(key: str, value):
    """The value as shown, rounded by the key's rule: a float, an int, a bool, text or None.

    Shares are returned as percentages [%]. This is what the XLSX stores in the cell.
    """
    r = rule(key)
    if _is_missing(value):
        return None
    if r.kind == "text":
        return str(value)
    if r.kind == "bool":
        return bool(value)
    if isinstance(value, bool):  # a number rule given a flag: keep it readable
        return value
    number = float(value) * (100.0 if r.percent else 1.0)
    if r.kind == "count":
        return round(number)
    return round_half_away(number, r.decimals)


def number_text(number: float | int, decimals: int) -> str:
    """A number with thousands separators and a fixed number of decimals (ASCII minus)."""
    return f"{number:,.{decimals}f}"


def kpi_text(key: str, value) -> str:
    """The value as text by the key's rule ("1.236", "265,180", "100.0", "yes", "n/a")."""
    shown = kpi_number(key, value)
    r = rule(key)
    if shown is None:
        return MISSING
    if isinstance(shown, bool):
        return "yes" if shown else "no"
    if isinstance(shown, str):
        return shown
    if isinstance(shown, int):
        return f"{shown:,d}"
    return number_text(shown, r.decimals)


def excel_format(key: str) -> str:
    """openpyxl number format matching :func:`kpi_text` (e.g. ``#,##0.000``)."""
    r = rule(key)
    if r.kind == "count" or r.decimals == 0:
        return "#,##0"
    return "#,##0." + "0" * r.decimals


def value_text(value, decimals: int = 1) -> str:
    """Any number (not a KPI) with a fixed number of decimals; missing -> ``n/a``."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number_text(round_half_away(float(value), decimals), decimals)
    return str(value)


def value_number(value, decimals: int = 1):
    """The rounded number :func:`value_text` shows (None when missing)."""
    if _is_missing(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return round_half_away(float(value), decimals)
