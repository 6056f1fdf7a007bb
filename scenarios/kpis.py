"""Key performance indicators of a run, per ``reference/kpis-policy.md``.

Every key of ``kpis.json`` is listed in :data:`KPI_DEFINITIONS` with its unit, its
definition and the standard it follows; the README's table is generated from it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from thermal.summary import period_summary

#: key -> (unit, definition, standard)
KPI_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "pue": ("-", "facility energy / IT energy over the run", "ISO/IEC 30134-2, EN 50600-4-2"),
    "ppue_cooling": ("-", "(IT + cooling energy) / IT energy", "partial PUE, ISO/IEC 30134-2"),
    "itue": (
        "-",
        "IT energy / compute energy (server fans count against IT)",
        "The Green Grid ITUE",
    ),
    "tue": ("-", "ITUE x PUE = facility energy / compute energy", "The Green Grid TUE"),
    "wue_l_per_kwh": ("L/kWh", "site water / IT energy", "ISO/IEC 30134-9"),
    "cue_kg_per_kwh": ("kgCO2/kWh", "location-based CO2 / IT energy", "ISO/IEC 30134-8"),
    "it_energy_mwh": ("MWh", "IT energy (compute + server fans)", "EN 50600-4-2 E_IT"),
    "compute_energy_mwh": ("MWh", "compute energy (IT without server fans)", ""),
    "facility_energy_mwh": ("MWh", "total facility energy", "EN 50600-4-2 E_DC"),
    "water_m3": ("m³", "site water (towers: evaporation, blowdown, drift)", ""),
    "free_cooling_h": ("h", "hours with no compressor running anywhere", ""),
    "peak_facility_kw": ("kW", "highest hourly facility power", ""),
    "grid_energy_mwh": (
        "MWh",
        "energy imported from the grid (= facility energy without a battery, a cold tank "
        "or on-site generation)",
        "",
    ),
    "peak_grid_import_kw": (
        "kW",
        "highest hourly grid import (= peak facility power without assets)",
        "",
    ),
    "onsite_generation_mwh": (
        "MWh",
        "on-site PV and wind generation, used, stored, exported or curtailed (null without "
        "on-site generation)",
        "",
    ),
    "export_mwh": ("MWh", "generation exported to the grid (null without on-site generation)", ""),
    "curtailed_mwh": (
        "MWh",
        "generation curtailed, and supply (generation or battery discharge) the exact "
        "facility did not need (null without on-site generation or a battery)",
        "",
    ),
    "export_revenue": (
        "currency",
        "what the exports earned, in energy_cost as a negative (null without on-site "
        "generation)",
        "",
    ),
    "battery_throughput_mwh": ("MWh", "energy discharged from the battery (null without one)", ""),
    "battery_wear_cost": (
        "currency",
        "battery degradation cost of that energy, in total_cost (null without a battery)",
        "",
    ),
    "cold_storage_shifted_mwh_th": (
        "MWh_th",
        "cold the tank took off the chillers' load (re-simulated; null without a tank)",
        "",
    ),
    "carbon_location_t": (
        "tCO2",
        "sum over hours of grid intensity x grid import (= facility energy without assets)",
        "GHG Protocol Scope 2, location-based",
    ),
    "carbon_market_t": (
        "tCO2",
        "grid import not covered by contracted renewables x residual mix",
        "GHG Protocol Scope 2, market-based",
    ),
    "ref": (
        "-",
        "(contracted and retired renewables x grid import + on-site generation used on site) "
        "/ facility energy, at most 1",
        "ISO/IEC 30134-3",
    ),
    "erf": (
        "-",
        "energy reused outside the data centre / facility energy, heat pumps included "
        "([heat_reuse] with demand: the heat delivered as settled on the exact "
        "simulation; with only liquid_share / air_share: those shares of the heat to "
        "liquid and to air; null without heat reuse)",
        "ISO/IEC 30134-6",
    ),
    "heat_reused_mwh_th": (
        "MWh_th",
        "heat delivered to the heat network (ERF's numerator; null without heat reuse)",
        "",
    ),
    "heat_revenue": (
        "currency",
        "what the heat delivered earned at heat_reuse.price_per_kwh_th (or the cost of the "
        "heat it replaced), taken off total_cost (null unless heat reuse has a demand)",
        "",
    ),
    "cfe_score": (
        "-",
        "hourly matched carbon-free share of consumption (the grid's carbon-free share of the "
        "import plus on-site generation used on site), each hour capped at 100 % (null "
        "without hourly carbon-free data)",
        "24/7 CFE",
    ),
    "energy_cost": (
        "currency",
        "sum over hours of price x grid import (= facility energy without assets), less "
        "export revenue",
        "",
    ),
    "demand_cost": (
        "currency",
        "sum over calendar months of the month's peak grid import kW (= facility power "
        "without assets) x demand charge x the share of the month's hours in the run (1 "
        "with full_month billing)",
        "two-part tariff",
    ),
    "total_cost": (
        "currency",
        "energy cost + demand cost (+ battery wear cost, - heat revenue)",
        "",
    ),
    "jobs": ("-", "number of deferrable jobs", ""),
    "deadlines_met_share": ("-", "share of jobs whose work is done inside their window", ""),
    "job_energy_mwh": ("MWh", "compute energy of the deferrable jobs", ""),
    "shifted_energy_share": (
        "-",
        "share of job energy run in a different hour or pod than ASAP",
        "",
    ),
    "cost_saving_vs_asap": (
        "currency",
        "total cost of ASAP minus this schedule's (re-simulated)",
        "",
    ),
    "cost_saving_vs_asap_pct": ("%", "cost saving against ASAP / ASAP total cost", ""),
    "carbon_saving_vs_asap_t": ("tCO2", "location-based carbon of ASAP minus this schedule's", ""),
    "carbon_saving_vs_asap_pct": ("%", "carbon saving against ASAP / ASAP carbon", ""),
    "cost_saving_vs_asap_placement": (
        "currency",
        "part of the cost saving vs ASAP from the halls jobs run in (each job's energy cost "
        "in its ASAP and its scheduled hours, ASAP's hall minus the scheduled hall, "
        "averaged; linear facility model)",
        "",
    ),
    "cost_saving_vs_asap_timing": (
        "currency",
        "part of the cost saving vs ASAP from the hours jobs run in (each job's energy cost "
        "in its ASAP and its scheduled hall, ASAP's hours minus the scheduled hours, "
        "averaged; linear facility model)",
        "",
    ),
    "cost_saving_vs_asap_peak": (
        "currency",
        "part of the cost saving vs ASAP from lower billed monthly peaks (demand charge)",
        "",
    ),
    "cost_saving_vs_asap_other": (
        "currency",
        "rest of the cost saving vs ASAP: the exact re-simulation against the linear "
        "facility model and, with assets, how the assets run by the rule answer the moved "
        "job load (placement + timing + peak + other = the saving, or with assets the "
        "jobs' part)",
        "",
    ),
    "cost_saving_vs_asap_jobs": (
        "currency",
        "with assets, the jobs' part of the cost saving vs ASAP: the saving less "
        "asset_operation (on the linear model M(ASAP, rule) - M(schedule, rule), both "
        "schedules' assets run by the rule; = placement + timing + peak + other; null "
        "without assets)",
        "",
    ),
    "cost_saving_vs_asap_asset_operation": (
        "currency",
        "with assets, the part of the cost saving vs ASAP from running the assets "
        "optimally instead of by the rule for this schedule, M(schedule, rule) - "
        "M(schedule, optimal) on the linear model (jobs + asset_operation = the saving; "
        "null without assets)",
        "",
    ),
    "carbon_saving_vs_asap_placement_t": (
        "tCO2", "part of the carbon saving vs ASAP from the halls jobs run in", ""),
    "carbon_saving_vs_asap_timing_t": (
        "tCO2", "part of the carbon saving vs ASAP from the hours jobs run in", ""),
    "carbon_saving_vs_asap_other_t": (
        "tCO2",
        "rest of the carbon saving vs ASAP: re-simulation against the linear model and, "
        "with assets, how the assets run by the rule answer the moved job load",
        "",
    ),
    "carbon_saving_vs_asap_jobs_t": (
        "tCO2",
        "with assets, the jobs' part of the carbon saving vs ASAP (the saving less "
        "asset_operation; = placement + timing + other; null without assets)",
        "",
    ),
    "carbon_saving_vs_asap_asset_operation_t": (
        "tCO2",
        "with assets, the carbon saved by running them optimally instead of by the rule "
        "for this schedule (linear model; null without assets)",
        "",
    ),
    **{
        f"asset_value_{name}{suffix}": (
            unit,
            f"what the {label} is worth with the optimised schedule: {what} of the "
            f"schedule with the other assets run optimally and the {label} taken away, "
            "minus that with all of them (linear model; null without the asset or "
            "without the MILP)",
            "",
        )
        for name, label in (("battery", "battery"), ("cold_storage", "cold tank"),
                            ("onsite_generation", "on-site generation"),
                            ("heat_reuse", "heat reuse"))
        for suffix, unit, what in (("", "currency", "total cost"),
                                   ("_t", "tCO2", "location-based carbon"))
    },
    "cost_saving_vs_greedy": (
        "currency",
        "total cost of the greedy rule minus this schedule's",
        "",
    ),
    "cost_saving_vs_greedy_pct": ("%", "cost saving against greedy / greedy total cost", ""),
    "carbon_saving_vs_greedy_t": (
        "tCO2",
        "location-based carbon of greedy minus this schedule's",
        "",
    ),
    "carbon_saving_vs_greedy_pct": ("%", "carbon saving against greedy / greedy carbon", ""),
    "forecast_carbon_nmae_pct": (
        "%",
        "error of the carbon forecast the run planned on: sum of absolute errors over sum "
        "of actual values, forecasts issued every 24 h for the next 24 h (null with "
        "perfect foresight or when carbon is not an hourly file series)",
        "",
    ),
    "forecast_price_nmae_pct": (
        "%",
        "the same for the market price (null unless grid.price is a file series)",
        "",
    ),
    "forecast_regret": (
        "currency",
        "objective (cost + carbon price x carbon) of the MILP schedule planned on forecasts "
        "minus that of the perfect-foresight schedule, both settled on the actual signals "
        "(the optimizer's metrics; null with perfect foresight or without the MILP)",
        "",
    ),
    "forecast_regret_pct": ("%", "forecast regret / perfect-foresight objective (null unless that objective is above 0)", ""),
    "forecast_greedy_regret": (
        "currency",
        "the same regret for the greedy rule, each job decided at its release (null with "
        "perfect foresight or when the rule misses a job)",
        "",
    ),
    "forecast_carbon_regret_t": (
        "tCO2",
        "location-based carbon of this schedule (planned on forecasts) minus that of the "
        "perfect-foresight MILP schedule, both re-simulated (null with perfect foresight)",
        "",
    ),
    "perfect_cost_saving_vs_asap_pct": (
        "%",
        "cost saving against ASAP of the perfect-foresight MILP schedule, beside "
        "cost_saving_vs_asap_pct of the schedule planned on forecasts (null with perfect "
        "foresight)",
        "",
    ),
    "perfect_carbon_saving_vs_asap_pct": (
        "%",
        "carbon saving against ASAP of the perfect-foresight MILP schedule, beside "
        "carbon_saving_vs_asap_pct (null with perfect foresight)",
        "",
    ),
    "pue_target": ("-", "the scenario's PUE target (null if none)", "China hub targets"),
    "pue_target_label": ("-", "what the target is (text; null if none)", ""),
    "pue_target_met": ("-", "PUE <= target (null if no target)", ""),
    # money (scenarios.money, scenarios.costs)
    "capex": (
        "currency",
        "capital cost of the halls: white space, power chain, chillers, heat rejection, air "
        "handling, CDUs, racks or tanks, coolant fill; plant sized at full IT load on the "
        "design day (costs in docs/costs.md)",
        "",
    ),
    "capex_per_kw_it": ("currency/kW", "capex / IT power at nameplate", ""),
    "annualised_capex": (
        "currency/year",
        "capex x capital recovery factor (costs.discount_rate, costs.lifetime_years)",
        "",
    ),
    "opex_per_year": (
        "currency/year",
        "energy and demand charges and water of the run scaled to a year (x 8760 / run "
        "hours: a run of one season carries that season's weather and prices), maintenance "
        "(a share of capex) and coolant top-up",
        "",
    ),
    "tco_per_year": ("currency/year", "annualised capex + opex per year", ""),
    "tco_per_mwh_compute": (
        "currency/MWh",
        "TCO per year / compute energy per year (IT without server fans, scaled like opex)",
        "",
    ),
    "embodied_carbon_t": (
        "t CO2e",
        "embodied carbon of building and plant (costs.embodied_kg_per_kw_it x IT kW; null "
        "unless given)",
        "",
    ),
}

#: KPIs only a fleet run has (scenarios.fleet; kpis.json ``kpis`` of a fleet): unit,
#: definition, standard or source. A fleet's other KPIs are the sites' sums and ratios of
#: sums with the meanings of :data:`KPI_DEFINITIONS`.
FLEET_KPI_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "sites": ("-", "number of sites in the fleet", ""),
    "moved_jobs": ("-", "jobs run away from their home site", ""),
    "moved_energy_mwh": ("MWh", "compute energy of the moved jobs as scheduled (restart "
                         "overheads in; the moved rows of flows.csv add up to it)", ""),
    "moved_data_tb": ("TB", "data moved to run jobs away from home", ""),
    "network_energy_mwh": (
        "MWh", "network energy of moving the data (per-TB figure x TB, half at each end); not "
        "a facility's: outside facility energy and PUE", "Aslan et al. 2018, J. Ind. Ecol. "
        "22(4), extrapolated"),
    "network_cost": ("currency", "transfer charge plus the network energy at each end's mean "
                     "price; in total cost (not in energy cost); a site's is its half of each "
                     "transfer it sends or receives", ""),
    "network_carbon_t": ("tCO2", "network energy at each end's mean carbon intensity; in the "
                         "carbon totals (not in CUE); a site's is its half", ""),
    "cost_saving_vs_asap_site": (
        "currency", "part of the saving against ASAP at home from the site jobs run at, net of "
        "moving their data (linear model; Shapley split with the hall and the hours)", ""),
    "carbon_saving_vs_asap_site_t": (
        "tCO2", "part of the carbon saving against ASAP at home from the site jobs run at, net "
        "of the network's carbon", ""),
    "cost_saving_vs_cheapest_site": (
        "currency", "total cost of greedy over every site a job may use minus this schedule's",
        ""),
    "cost_saving_vs_cheapest_site_pct": ("%", "cost saving against greedy at the cheapest site "
                                         "/ its total cost", ""),
    "carbon_saving_vs_cheapest_site_t": (
        "tCO2", "location-based carbon of greedy at the cheapest site minus this schedule's",
        ""),
    "carbon_saving_vs_cheapest_site_pct": ("%", "carbon saving against greedy at the cheapest "
                                           "site / its carbon", ""),
}

#: Policy context for the PUE target check (reference/kpis-policy.md): label, PUE, and
#: where it is a target (ISO 3166 country code; "" for context that binds nowhere).
PUE_REFERENCES = (
    ("China: new large and hyperscale data centres (2025)", 1.30, "CN"),
    ("China: national hub nodes; Yangtze River Delta clusters", 1.25, "CN"),
    ("China: Qingyang (Gansu) and western hub target", 1.20, "CN"),
    ("Industry average (Uptime Institute 2023-2024 surveys)", 1.58, ""),
)


def _nan_to_none(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def monthly_peaks_kw(facility_kw: pd.Series, tz: str) -> pd.Series:
    """Peak facility power [kW] of each calendar month (site local time) in the run."""
    local = facility_kw.index.tz_convert(tz)
    return facility_kw.groupby([local.year, local.month]).max()


def monthly_demand(facility_kw: pd.Series, demand_charge: float, tz: str,
                   billing: str = "prorated") -> pd.DataFrame:
    """Each calendar month's peak and demand cost, as the optimizer bills them.

    Parameters
    ----------
    facility_kw : Series
        Hourly facility power [kW], tz-aware index.
    demand_charge : float
        Demand charge [currency / kW / month].
    tz : str
        Site time zone (months are local calendar months).
    billing : str
        "prorated" (a month's charge times the share of its hours in the run) or
        "full_month" (see :class:`optimizer.options.Objective`).

    Returns
    -------
    DataFrame
        Index ``YYYY-MM``; columns ``peak_kw`` [kW], ``share`` [-] (hours in the run /
        hours of the month), ``demand_cost`` [currency].
    """
    from optimizer.problem import billing_months

    local = facility_kw.index.tz_convert(tz)
    codes, labels, share = billing_months(local)
    peaks = np.full(len(labels), -np.inf)
    np.maximum.at(peaks, codes, facility_kw.to_numpy(dtype=float))
    billed = share if billing == "prorated" else np.ones(len(labels))
    return pd.DataFrame(
        {"peak_kw": peaks, "share": share, "demand_cost": demand_charge * billed * peaks},
        index=pd.Index(labels, name="month"),
    )


def energy_kpis(site: pd.DataFrame) -> dict:
    """PUE family, energy and water of a re-simulated site frame."""
    s = period_summary(site)
    return {
        "pue": s["pue"],
        "ppue_cooling": s["ppue_cooling"],
        "itue": s["itue"],
        "tue": s["tue"],
        "wue_l_per_kwh": s["wue_l_per_kwh"],
        "it_energy_mwh": s["it_mwh"],
        "compute_energy_mwh": s["compute_mwh"],
        "facility_energy_mwh": s["facility_mwh"],
        "water_m3": s["water_m3"],
        "free_cooling_h": s["free_cooling_h"],
        "peak_facility_kw": s["peak_facility_kw"],
    }


def carbon_kpis(
    facility_kw: pd.Series,
    carbon_g_per_kwh: pd.Series,
    it_kwh: float,
    renewable_share: float,
    residual_mix_g_per_kwh: float | None,
    carbon_free_share: pd.Series | None,
    grid_kw: pd.Series | None = None,
    onsite_used_kw: pd.Series | None = None,
) -> dict:
    """Scope 2 location- and market-based carbon, CUE, REF and the 24/7 CFE score
    (reference/kpis-policy.md).

    Scope 2 counts purchased electricity: the grid import (``grid_kw``; without assets
    the facility energy). Market-based: contracted renewables cover ``renewable_share``
    of the import at zero emissions; the rest carries the residual mix (or, when none is
    given, the grid average of each hour, which a report labels as an assumption).
    On-site generation used on site (``onsite_used_kw``: generated less exported and
    curtailed) counts as renewable energy in REF (owned renewables, ISO/IEC 30134-3,
    at most 1) and as carbon-free supply of its hour in the 24/7 CFE score; energy a
    battery discharges is not counted as carbon-free (conservative).

    Parameters
    ----------
    facility_kw : Series
        Facility power per hour [kW] (the tank's effect included).
    carbon_g_per_kwh : Series
        Grid carbon intensity [gCO2/kWh].
    it_kwh : float
        IT energy [kWh].
    renewable_share : float
        Contracted, retired renewables as a share of the grid import [-].
    residual_mix_g_per_kwh : float or None
    carbon_free_share : Series or None
        The grid's hourly carbon-free share [-].
    grid_kw, onsite_used_kw : Series, optional
        Grid import and on-site generation used on site per hour [kW], with assets.
    """
    energy = facility_kw.to_numpy()
    bought = energy if grid_kw is None else grid_kw.to_numpy()
    own = 0.0 if onsite_used_kw is None else onsite_used_kw.to_numpy()
    location_kg = float((bought * carbon_g_per_kwh.to_numpy()).sum() / 1000.0)
    if residual_mix_g_per_kwh is None:
        uncovered_kg = location_kg * (1 - renewable_share)
    else:
        uncovered_kg = float(bought.sum() * (1 - renewable_share) * residual_mix_g_per_kwh / 1000.0)
    cfe = None
    if carbon_free_share is not None:
        matched = np.minimum(bought * carbon_free_share.to_numpy() + own, energy)
        cfe = float(matched.sum() / energy.sum()) if energy.sum() else None
    ref = renewable_share
    if onsite_used_kw is not None:
        renewable_kwh = renewable_share * bought.sum() + np.sum(own)
        ref = float(min(renewable_kwh / energy.sum(), 1.0)) if energy.sum() else None
    return {
        "carbon_location_t": location_kg / 1000.0,
        "carbon_market_t": uncovered_kg / 1000.0,
        "cue_kg_per_kwh": location_kg / it_kwh if it_kwh else None,
        "ref": ref,
        "cfe_score": cfe,
    }


def cost_kpis(
    grid_kw: pd.Series, price_per_kwh: pd.Series, demand_charge: float, tz: str,
    billing: str = "prorated", export_revenue: float = 0.0, wear_cost: float = 0.0,
    heat_revenue: float = 0.0,
) -> dict:
    """Energy cost, demand cost on each month's peak (:func:`monthly_demand`), total.

    Parameters
    ----------
    grid_kw : Series
        Grid import per hour [kW] (the facility power without assets).
    price_per_kwh : Series
        Import price [currency/kWh].
    demand_charge : float
        [currency/kW/month].
    tz, billing : str
        See :func:`monthly_demand`.
    export_revenue : float
        What exports earned [currency]: taken off the energy cost.
    wear_cost : float
        Battery degradation cost [currency]: added to the total.
    heat_revenue : float
        What the heat delivered earned [currency]: taken off the total.
    """
    energy_cost = float((grid_kw.to_numpy() * price_per_kwh.to_numpy()).sum()) - export_revenue
    demand_cost = float(monthly_demand(grid_kw, demand_charge, tz, billing)["demand_cost"]
                        .sum())
    return {
        "energy_cost": energy_cost,
        "demand_cost": demand_cost,
        "total_cost": energy_cost + demand_cost + wear_cost - heat_revenue,
    }


def onsite_used_kw(flows: pd.DataFrame) -> pd.Series:
    """On-site generation used on site (serving the facility or charging the battery)
    [kW]: generated less exported and curtailed, never below 0."""
    used = flows["onsite_kw"] - flows["export_kw"] - flows["curtailed_kw"]
    return used.clip(lower=0.0)


#: KPIs of the site's assets (:func:`asset_kpis`).
ASSET_KPIS = (
    "grid_energy_mwh", "peak_grid_import_kw", "onsite_generation_mwh", "export_mwh",
    "curtailed_mwh", "export_revenue", "battery_throughput_mwh", "battery_wear_cost",
    "cold_storage_shifted_mwh_th",
)  # fmt: skip


def asset_kpis(facility_kw: pd.Series, flows: pd.DataFrame | None, assets) -> dict:
    """Grid import, on-site generation, battery and cold-tank indicators of a schedule.

    Parameters
    ----------
    facility_kw : Series
        Re-simulated facility power [kW].
    flows : DataFrame or None
        The settled hourly flows (:func:`scenarios.outcomes.settle`); None without assets.
    assets : optimizer.assets.Assets or None
        Which assets the site has (an absent asset's indicators are null).

    Returns
    -------
    dict
        :data:`ASSET_KPIS`: energies [MWh, MWh_th], peak [kW], money [currency].
    """
    out = dict.fromkeys(ASSET_KPIS)
    if flows is None:
        out["grid_energy_mwh"] = float(facility_kw.sum()) / 1000.0
        out["peak_grid_import_kw"] = float(facility_kw.max()) if len(facility_kw) else 0.0
        return out
    grid = flows["grid_kw"]
    out["grid_energy_mwh"] = float(grid.sum()) / 1000.0
    out["peak_grid_import_kw"] = float(grid.max()) if len(grid) else 0.0
    if assets.has_onsite or assets.has_battery:
        out["curtailed_mwh"] = float(flows["curtailed_kw"].sum()) / 1000.0
    if assets.has_onsite:
        out["onsite_generation_mwh"] = float(flows["onsite_kw"].sum()) / 1000.0
        out["export_mwh"] = float(flows["export_kw"].sum()) / 1000.0
        price = assets.export_price_per_kwh
        out["export_revenue"] = (float(np.asarray(price) @ flows["export_kw"].to_numpy())
                                 if assets.can_export else 0.0)
    if assets.has_battery:
        throughput = float(flows["battery_discharge_kw"].sum())
        out["battery_throughput_mwh"] = throughput / 1000.0
        out["battery_wear_cost"] = throughput * assets.battery.degradation_cost_per_kwh
    if assets.has_cold:
        out["cold_storage_shifted_mwh_th"] = float(flows["cold_discharge_kw_th"].sum()) / 1000.0
    return out


def shifted_energy_share(load_kw: pd.DataFrame, asap_load_kw: pd.DataFrame) -> float | None:
    """Share of job energy placed in another hour or pod than ASAP would place it [-]."""
    total = float(asap_load_kw.to_numpy().sum())
    if total <= 0:
        return None
    moved = np.maximum(load_kw.to_numpy() - asap_load_kw.to_numpy(), 0.0).sum()
    return float(moved / total)


def unplaced_note(rule: str, job_ids: list[str]) -> str:
    """What a reader is told of a baseline rule that could not place every job (no saving
    is reported against it: see :func:`savings`)."""
    return (
        f"The {rule} rule could not place job(s) {', '.join(job_ids[:8])}"
        f"{' and more' if len(job_ids) > 8 else ''} within their windows and capacities; "
        "savings against it are not reported."
    )


def share_pct(gain: float, of: float) -> float | None:
    """``gain`` as a percentage of ``of`` [%]; None unless ``of`` is above 0 (a share of a
    baseline that earns more than it pays, e.g. exports at a high price, has no meaning:
    a saving of 1.05 million on a baseline of -1.15 million read "-91 %")."""
    return 100 * gain / of if of is not None and of > 0 else None


def savings(own: dict, other: dict, name: str) -> dict:
    """Cost and carbon savings of ``own`` against a baseline's KPIs (percentages of the
    baseline's own total, null where that is not positive)."""
    out = {}
    cost_gain = other["total_cost"] - own["total_cost"]
    carbon_gain = other["carbon_location_t"] - own["carbon_location_t"]
    out[f"cost_saving_vs_{name}"] = cost_gain
    out[f"cost_saving_vs_{name}_pct"] = share_pct(cost_gain, other["total_cost"])
    out[f"carbon_saving_vs_{name}_t"] = carbon_gain
    out[f"carbon_saving_vs_{name}_pct"] = share_pct(carbon_gain, other["carbon_location_t"])
    return out


def lever_kpis(levers, kpis: dict, operation=None) -> dict:
    """The saving against ASAP split by lever, closing on the re-simulated saving.

    Parameters
    ----------
    levers : optimizer.levers.LeverSavings or None
        Placement, timing and peak savings on the optimizer's linear facility model; None
        when there is no MILP schedule or ASAP could not place every job.
    kpis : dict
        The run's KPIs so far, with ``cost_saving_vs_asap`` and
        ``carbon_saving_vs_asap_t`` (re-simulated).
    operation : optimizer.levers.AssetSaving, optional
        With assets: what running them optimally instead of by the rule saves for the
        schedule (:func:`optimizer.levers.asset_operation_saving`); None without assets.

    Returns
    -------
    dict
        ``cost_saving_vs_asap_{placement,timing,peak,other}`` [currency] and
        ``carbon_saving_vs_asap_{placement,timing,other}_t`` [t]; "other" is what the
        exact re-simulation adds to the linear model's saving, so each set sums to the
        reported saving. With assets, ``..._asset_operation`` and ``..._jobs`` (the saving
        less the asset operation): then ``jobs + asset_operation`` is the saving and the
        lever set sums to ``jobs`` (its "other" also holds how the assets run by the rule
        answer the moved job load); null without assets.
    """
    keys = [f"cost_saving_vs_asap_{k}" for k in LEVERS + PARTS] + [
        f"carbon_saving_vs_asap_{k}_t" for k in LEVERS + PARTS if k != "peak"]
    cost, carbon = kpis.get("cost_saving_vs_asap"), kpis.get("carbon_saving_vs_asap_t")
    if levers is None or cost is None or carbon is None:
        return dict.fromkeys(keys)
    jobs_cost, jobs_carbon = cost, carbon
    out = dict.fromkeys(keys)
    if operation is not None:
        jobs_cost = cost - operation.cost
        jobs_carbon = carbon - operation.carbon_kg / 1e3
        out.update({
            "cost_saving_vs_asap_jobs": jobs_cost,
            "cost_saving_vs_asap_asset_operation": operation.cost,
            "carbon_saving_vs_asap_jobs_t": jobs_carbon,
            "carbon_saving_vs_asap_asset_operation_t": operation.carbon_kg / 1e3,
        })  # fmt: skip
    out.update({
        "cost_saving_vs_asap_placement": levers.cost_placement,
        "cost_saving_vs_asap_timing": levers.cost_timing,
        "cost_saving_vs_asap_peak": levers.cost_peak,
        "cost_saving_vs_asap_other": jobs_cost - levers.cost_total,
        "carbon_saving_vs_asap_placement_t": levers.carbon_placement_kg / 1e3,
        "carbon_saving_vs_asap_timing_t": levers.carbon_timing_kg / 1e3,
        "carbon_saving_vs_asap_other_t": jobs_carbon - levers.carbon_total_kg / 1e3,
    })  # fmt: skip
    return out


#: The levers a saving is split into (:func:`lever_kpis`).
LEVERS = ("placement", "timing", "peak", "other")
#: With assets, the two parts of a saving (:func:`lever_kpis`).
PARTS = ("jobs", "asset_operation")
#: The assets whose value is reported (:func:`asset_value_kpis`; the keys of
#: :data:`optimizer.levers.ASSET_FIELDS`).
ASSET_NAMES = ("battery", "cold_storage", "onsite_generation", "heat_reuse")


def asset_value_kpis(values: dict | None) -> dict:
    """``asset_value_<asset>`` [currency] and ``asset_value_<asset>_t`` [t] of each asset
    with the optimised schedule (:func:`optimizer.levers.asset_values`), null for an
    asset the site does not have (or without the MILP: ``values`` None)."""
    out = {}
    for name in ASSET_NAMES:
        v = (values or {}).get(name)
        out[f"asset_value_{name}"] = None if v is None else v.cost
        out[f"asset_value_{name}_t"] = None if v is None else v.carbon_kg / 1e3
    return out


def deadlines_met_share(job_ids, schedule: pd.DataFrame) -> float | None:
    """Share of the jobs the schedule holds [-] (None without jobs).

    Every schedule is validated: a job it holds has its work done inside its window, so
    a job is late only when the schedule left it out (a baseline that could not place
    it)."""
    ids = {str(j) for j in job_ids}
    if not ids:
        return None
    held = set(schedule["job_id"].astype(str)) if len(schedule) else set()
    return len(ids & held) / len(ids)


def target_check(pue: float, target: float | None, label: str) -> dict:
    """The scenario's target and the policy references, each met or not."""
    known = pue is not None and np.isfinite(pue)
    references = [
        {"label": name, "pue": value, "met": bool(pue <= value) if known else None,
         "target_in": where}
        for name, value, where in PUE_REFERENCES
    ]
    return {
        "pue_target": target,
        "pue_target_label": label or None,
        "pue_target_met": None if target is None or not known else bool(pue <= target),
        "references": references,
    }


def clean(kpis: dict) -> dict:
    """JSON-ready: NaN and infinities become null, numpy scalars plain floats."""
    out = {}
    for key, value in kpis.items():
        if isinstance(value, dict):
            out[key] = clean(value)
        elif isinstance(value, (np.floating, float)):
            out[key] = _nan_to_none(float(value))
        elif isinstance(value, np.integer):
            out[key] = int(value)
        elif isinstance(value, np.bool_):
            out[key] = bool(value)
        else:
            out[key] = value
    return out
