"""One schedule re-simulated exactly: its job loads, facility frames, grid flows and KPIs.

With site assets (:mod:`scenarios.assets`) the schedule comes with the assets' hourly
operation (an :class:`optimizer.assets.Dispatch`: optimised for the MILP, by the rule for
the baselines), planned on the linear facility model. The re-simulation then

1. feeds the cold tank's flows (charge - discharge per pod [kW_th]) into the exact
   thermal simulation (:func:`thermal.simulate.simulate_site`; it limits each hour's flow
   to what the chillers can take or shed, and the tank's state follows the flows
   applied);
2. settles the grid flows on the exact facility power with the battery and generation as
   planned (:func:`settle`), as the site's meter would: where the exact facility needs
   more than the linear model predicted, generation that was curtailed is used first,
   then generation that was exported, then import; where it needs less, import falls,
   and below zero the surplus is exported (where allowed, within the generation) or
   curtailed;
3. so that every hour closes ``grid + onsite + battery discharge = facility + battery
   charge + export + curtailed`` (:func:`balance_residual`, tested to 1e-9).

With modelled heat reuse the heat each schedule planned to deliver is settled on its exact
pod frames before step 2 (:func:`scenarios.heat_reuse.settle_heat`): the heat pumps'
electricity joins facility power, and the site frame's ledger becomes ``facility_kw =
heat_rejected_kw + heat_reused_kw_th + unmet_heat_kw - storage_kw_th``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios import kpis as K
from scenarios.heat_reuse import heat_kpis, settle_heat, with_heat
from scenarios.inputs import HourlyInputs
from scenarios.schema import Scenario
from thermal.coefficients import linear_facility_kw
from thermal.cold_storage import flows_within_state, tank_state_kwh_th
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod
from thermal.heat_reuse import energy_reuse_factor
from thermal.simulate import simulate_site
from thermal.weather import WEATHER_COLUMNS

#: Grid import above the limit by less than this is rounding, not a broken limit [kW].
GRID_LIMIT_TOLERANCE_KW = 1e-6


@dataclass
class ScheduleOutcome:
    """One schedule re-simulated: its job loads, facility frames, flows and KPIs."""

    name: str
    schedule: pd.DataFrame
    job_load_kw: pd.DataFrame  # hours x pods, compute kW
    pods: dict[str, pd.DataFrame]
    site: pd.DataFrame
    kpis: dict
    #: hourly flows of the assets (:func:`settle`), None without assets
    flows: pd.DataFrame | None = None


def job_load(schedule: pd.DataFrame, hours: pd.DatetimeIndex, pods: list[str]) -> pd.DataFrame:
    """Compute load of scheduled jobs per hour and pod [kW] from a schedule table."""
    if schedule is None or schedule.empty:
        return pd.DataFrame(0.0, index=hours, columns=pods)
    stamps = pd.DatetimeIndex(schedule["timestamp"]).tz_convert(hours.tz)
    table = (
        pd.DataFrame({"t": stamps, "pod": schedule["pod"].astype(str), "kw": schedule["power_kw"]})
        .groupby(["t", "pod"])["kw"]
        .sum()
        .unstack(fill_value=0.0)
    )
    return table.reindex(index=hours, columns=pods, fill_value=0.0).astype(float)


def tank_flows(site_assets, dispatch) -> dict[str, np.ndarray] | None:
    """The cold tank's planned flow on each pod it serves [kW_th] (> 0 charging), for
    :func:`thermal.simulate.simulate_site`; None without a tank."""
    if site_assets is None or dispatch is None or site_assets.tank is None:
        return None
    names = site_assets.names
    return {
        n: dispatch.cold_charge_kw_th[names.index(n)] - dispatch.cold_discharge_kw_th[names.index(n)]
        for n in site_assets.tank_pods
    }


def settle(facility_kw: np.ndarray, dispatch, frames: dict, site_assets,
           heat: pd.DataFrame | None = None) -> pd.DataFrame:
    """The hourly flows of a dispatch on the exact facility power (module doc).

    Parameters
    ----------
    facility_kw : ndarray (T,)
        Re-simulated facility power, the tank's effect included [kW].
    dispatch : optimizer.assets.Dispatch
        The planned operation (its ``facility_kw`` is the linear model's prediction).
    frames : dict
        The re-simulated pod frames (their ``storage_kw_th``: the tank flow applied).
    site_assets : scenarios.assets.SiteAssets
    heat : DataFrame, optional
        The settled heat (:func:`scenarios.heat_reuse.settle_heat`), with heat reuse.

    Returns
    -------
    DataFrame
        Columns (hourly): ``facility_kw``, ``predicted_facility_kw``, ``grid_kw``,
        ``predicted_grid_kw``, ``onsite_kw``, ``export_kw``, ``curtailed_kw``,
        ``battery_charge_kw``, ``battery_discharge_kw`` [kW], ``battery_soc_kwh``
        [kWh, end of the hour], ``cold_charge_kw_th``, ``cold_discharge_kw_th`` (applied,
        summed over pods) [kW_th], ``cold_planned_kw_th`` (planned net flow) [kW_th],
        ``cold_soc_kwh_th`` [kWh_th, end of the hour, from the flows applied]; with
        heat reuse also ``heat_reused_kw_th`` and ``heat_planned_kw_th`` [kW_th],
        ``heat_pump_kw`` and ``predicted_heat_pump_kw`` [kW] and ``erf`` (heat delivered
        / facility power of the hour [-]).
    """
    f = np.asarray(facility_kw, dtype=float)
    d = dispatch
    curtailed = np.asarray(d.curtailed_kw, dtype=float).copy()
    export = np.asarray(d.export_kw, dtype=float).copy()
    more = np.maximum(f - d.facility_kw, 0.0)
    for flow in (curtailed, export):  # generation not used on site, in that order
        used = np.minimum(flow, more)
        flow -= used
        more -= used
    grid = f + d.battery_charge_kw + export + curtailed - d.onsite_kw - d.battery_discharge_kw
    surplus = np.maximum(-grid, 0.0)
    grid += surplus
    if site_assets.assets.can_export:  # sold only where selling earns: else curtailed
        paid = np.asarray(site_assets.assets.export_price_per_kwh, dtype=float) > 0
        sold = np.where(paid, np.minimum(surplus, np.maximum(d.onsite_kw - export - curtailed,
                                                             0.0)), 0.0)
        export += sold
        surplus -= sold
    out = pd.DataFrame({
        "facility_kw": f, "predicted_facility_kw": d.facility_kw,
        "grid_kw": grid, "predicted_grid_kw": d.grid_kw, "onsite_kw": d.onsite_kw,
        "export_kw": export, "curtailed_kw": curtailed + surplus,
        "battery_charge_kw": d.battery_charge_kw, "battery_discharge_kw": d.battery_discharge_kw,
        "battery_soc_kwh": d.battery_soc_kwh,
    })  # fmt: skip
    applied = sum((frames[n]["storage_kw_th"].to_numpy() for n in site_assets.tank_pods),
                  np.zeros(len(f)))
    out["cold_charge_kw_th"] = sum(
        (np.maximum(frames[n]["storage_kw_th"].to_numpy(), 0.0) for n in site_assets.tank_pods),
        np.zeros(len(f)))
    out["cold_discharge_kw_th"] = out["cold_charge_kw_th"] - applied
    out["cold_planned_kw_th"] = (d.cold_charge_kw_th - d.cold_discharge_kw_th).sum(axis=0)
    tank = site_assets.tank
    cold = site_assets.assets.cold
    out["cold_soc_kwh_th"] = (
        tank_state_kwh_th(applied, np.zeros(len(f)), tank, cold.initial_kwh_th)
        if tank is not None else 0.0
    )
    if heat is not None:
        h = site_assets.assets.heat
        out["heat_reused_kw_th"] = heat["heat_reused_kw_th"].to_numpy()
        out["heat_planned_kw_th"] = heat["heat_planned_kw_th"].to_numpy()
        out["heat_pump_kw"] = heat["heat_pump_kw"].to_numpy()
        out["predicted_heat_pump_kw"] = (h.heat_pump_kw_per_kw_th
                                         * d.heat_delivered_kw_th).sum(axis=0)
        out["erf"] = energy_reuse_factor(out["heat_reused_kw_th"].to_numpy(), f)[0]
    out.index = frames[next(iter(frames))].index
    return out


def balance_residual(flows: pd.DataFrame) -> float:
    """Largest hourly imbalance of ``grid + onsite + battery discharge = facility +
    battery charge + export + curtailed``, relative to the hour's supply [-]."""
    supply = flows["grid_kw"] + flows["onsite_kw"] + flows["battery_discharge_kw"]
    use = (flows["facility_kw"] + flows["battery_charge_kw"] + flows["export_kw"]
           + flows["curtailed_kw"])
    scale = np.maximum(np.maximum(supply.abs(), use.abs()), 1e-12)
    return float(((supply - use).abs() / scale).max()) if len(flows) else 0.0


def resimulate(
    name: str,
    schedule: pd.DataFrame,
    scenario: Scenario,
    inputs: HourlyInputs,
    pods: list[Pod],
    params: FacilityParams,
    baseline: pd.DataFrame,
    site_assets=None,
    dispatch=None,
) -> ScheduleOutcome:
    """Simulate the facility for the baseline plus a schedule's job load (and, with
    assets, the dispatch's cold-tank flows); settle its heat delivery (with heat reuse)
    and its grid flows; its KPIs."""
    hours = baseline.index
    names = list(baseline.columns)
    load = job_load(schedule, hours, names)
    total = baseline + load
    weather = inputs.frame[list(WEATHER_COLUMNS)]
    tank = site_assets.tank if site_assets is not None else None
    loads = {n: total[n].to_numpy() for n in names}
    planned = tank_flows(site_assets, dispatch)
    try:
        frames, site = simulate_site(weather, pods, loads, params, planned, tank)
        if planned is not None:  # cut charges leave later discharges short: apply what is held
            applied = {n: frames[n]["storage_kw_th"].to_numpy() for n in planned}
            held = flows_within_state(applied, tank, site_assets.assets.cold.initial_kwh_th)
            if any(not np.array_equal(held[n], applied[n]) for n in planned):
                frames, site = simulate_site(weather, pods, loads, params, held, tank)
    except ThermalInputError as exc:  # a schedule above pod capacity would be a bug upstream
        raise RuntimeError(f"{name} schedule could not be simulated: {exc}") from exc
    flows = heat = None
    if site_assets is not None and dispatch is not None and site_assets.heat is not None:
        frames, heat = settle_heat(weather, pods, params, frames, dispatch.heat_delivered_kw_th,
                                   site_assets.heat)
        site = with_heat(site, heat)
    if site_assets is not None and dispatch is not None:
        flows = settle(site["facility_kw"].to_numpy(), dispatch, frames, site_assets, heat)
    out = schedule_kpis(scenario, inputs, site, flows, site_assets)
    return ScheduleOutcome(name, schedule, load, frames, site, out, flows)


def schedule_kpis(scenario: Scenario, inputs: HourlyInputs, site: pd.DataFrame,
                  flows: pd.DataFrame | None, site_assets) -> dict:
    """The KPIs of one re-simulated schedule (with assets: price, carbon and the demand
    charge on the grid import; with heat reuse: ERF, the heat delivered and its revenue,
    taken off the total cost; :mod:`scenarios.kpis`)."""
    grid = scenario.grid
    out = K.energy_kpis(site)
    facility = site["facility_kw"]
    supply = facility if flows is None else flows["grid_kw"]
    own = None if flows is None else K.onsite_used_kw(flows)
    out.update(
        K.carbon_kpis(
            facility,
            inputs.frame["carbon_g_per_kwh"],
            float(site["it_kw"].sum()),
            grid.market.renewable_share,
            grid.market.residual_mix_g_per_kwh,
            inputs.frame.get("carbon_free_share"),
            grid_kw=None if flows is None else supply,
            onsite_used_kw=own,
        )
    )
    assets = K.asset_kpis(facility, flows, None if site_assets is None else site_assets.assets)
    heat = heat_kpis(scenario, site, flows)
    out.update(
        K.cost_kpis(
            supply,
            inputs.frame["price_per_kwh"],
            inputs.demand_charge_per_kw_month,
            scenario.site.timezone,
            grid.price.billing,
            export_revenue=assets["export_revenue"] or 0.0,
            wear_cost=assets["battery_wear_cost"] or 0.0,
            heat_revenue=heat["heat_revenue"] or 0.0,
        )
    )
    out.update(heat)
    out.update(assets)
    return out


def grid_limit_excess(outcome: ScheduleOutcome, grid_limit_kw: float | None) -> dict:
    """Where the exact re-simulation puts grid import (the facility without assets) above
    the site's grid limit, which the optimizer held on its linear facility model:
    ``grid_limit_exceeded_h`` [h] and ``grid_limit_max_excess_kw`` [kW] (0 without a
    limit)."""
    supply = (outcome.site["facility_kw"] if outcome.flows is None
              else outcome.flows["grid_kw"]).to_numpy()
    if grid_limit_kw is None or not np.isfinite(grid_limit_kw):
        return {"grid_limit_exceeded_h": 0, "grid_limit_max_excess_kw": 0.0}
    excess = supply - grid_limit_kw
    over = excess > GRID_LIMIT_TOLERANCE_KW
    return {"grid_limit_exceeded_h": int(over.sum()),
            "grid_limit_max_excess_kw": float(max(excess.max(), 0.0)) if len(excess) else 0.0}


def grid_limit_note(excess: dict, grid_limit_kw: float) -> str | None:
    """What a reader is told when the exact facility broke the grid limit (None if not)."""
    hours = excess["grid_limit_exceeded_h"]
    if not hours:
        return None
    most = excess["grid_limit_max_excess_kw"]
    return (f"The exact re-simulation puts grid import above grid.grid_limit_kw "
            f"({grid_limit_kw:,.0f} kW) in {hours} hour(s), by up to {most:,.1f} kW "
            f"({100 * most / grid_limit_kw:.2f} %): the schedule was planned on the linear "
            "facility model (manifest: linearisation). To hold the limit with margin, set "
            f"grid.grid_limit_kw about {math.ceil(most):,} kW lower.")


def checked_linearisation(coefficients: pd.DataFrame, baseline: pd.DataFrame,
                          main: ScheduleOutcome, grid_limit_kw: float | None,
                          notes: list[str]) -> dict:
    """:func:`linearisation` with :func:`grid_limit_excess`; the excess, if any, said in
    ``notes`` (:func:`grid_limit_note`)."""
    out = linearisation(coefficients, baseline, main)
    out.update(grid_limit_excess(main, grid_limit_kw))
    if (note := grid_limit_note(out, grid_limit_kw or 0.0)) is not None:
        notes.append(note)
    return out


def linearisation(coefficients: pd.DataFrame, baseline: pd.DataFrame,
                  main: ScheduleOutcome) -> dict:
    """The MILP's linear facility model against the re-simulation of its schedule (with
    assets: the dispatch's predicted facility power, the tank's terms included, and the
    grid import it planned against the settled one)."""
    if main.flows is not None:
        predicted = main.flows["predicted_facility_kw"].to_numpy()
    else:
        load = {n: (baseline[n] + main.job_load_kw[n]).to_numpy() for n in baseline.columns}
        predicted = linear_facility_kw(coefficients, load).sum(axis=1).to_numpy()
    simulated = main.site["facility_kw"].to_numpy()
    total_predicted, total_simulated = predicted.sum() / 1000.0, simulated.sum() / 1000.0
    out = {
        "predicted_facility_mwh": float(total_predicted),
        "simulated_facility_mwh": float(total_simulated),
        "relative_error": float(abs(total_predicted - total_simulated) / total_simulated)
        if total_simulated
        else 0.0,
        "max_hourly_relative_error": float((np.abs(predicted - simulated) / simulated).max()),
    }
    if main.flows is not None:
        out.update(grid_settlement(main.flows))
    return out


def grid_settlement(flows: pd.DataFrame) -> dict:
    """How the exact facility power moved the planned grid flows: grid import planned and
    settled [MWh], its largest hourly change [kW], the surplus curtailed because the exact
    facility needed less than planned [MWh], the largest hourly difference between the
    tank flow planned and the one the chillers could take [kW_th], and the largest hourly
    imbalance of the settled flows (relative; :func:`balance_residual`); with heat reuse,
    the heat planned and settled [MWh_th], the largest hourly shortfall of the settled
    heat [kW_th] and the heat pumps' energy planned and settled [MWh]."""
    planned, settled = flows["predicted_grid_kw"], flows["grid_kw"]
    extra = np.maximum(flows["curtailed_kw"] - (flows["onsite_kw"] - flows["export_kw"]), 0.0)
    applied = flows["cold_charge_kw_th"] - flows["cold_discharge_kw_th"]
    heat = {}
    if "heat_reused_kw_th" in flows:
        heat = {
            "predicted_heat_reused_mwh_th": float(flows["heat_planned_kw_th"].sum()) / 1e3,
            "settled_heat_reused_mwh_th": float(flows["heat_reused_kw_th"].sum()) / 1e3,
            "max_hourly_heat_shortfall_kw_th": float(
                (flows["heat_planned_kw_th"] - flows["heat_reused_kw_th"]).max()),
            "predicted_heat_pump_mwh": float(flows["predicted_heat_pump_kw"].sum()) / 1e3,
            "settled_heat_pump_mwh": float(flows["heat_pump_kw"].sum()) / 1e3,
        }
    return {
        "predicted_grid_mwh": float(planned.sum()) / 1000.0,
        "settled_grid_mwh": float(settled.sum()) / 1000.0,
        "max_hourly_grid_change_kw": float((settled - planned).abs().max()),
        "surplus_beyond_generation_mwh": float(extra.sum()) / 1000.0,
        "max_hourly_tank_flow_limited_kw_th": float((flows["cold_planned_kw_th"] - applied)
                                                    .abs().max()),
        "energy_balance_max_relative_residual": balance_residual(flows),
        **heat,
    }
