"""Cooling loops: how a pod's heat reaches outdoors, hour by hour.

Each pod has up to two loops:

* the **air loop**: room heat (the air-cooled share of IT, server fans, UPS losses,
  lighting) is picked up by air handlers (CRAH fans) and given to chilled water, which a
  water-side economizer (tower or dry cooler through a heat exchanger) and a chiller cool;
  or, with an air-side economizer, partly replaced by outdoor air;
* the **liquid loop** (cold plate, immersion): IT heat goes into the technology coolant
  (TCS), through a CDU to facility water at the pod's W-class supply temperature, and to
  dry coolers or towers, with a trim chiller for the hours free cooling falls short.

Every loop returns its electricity and where its heat went, so the pod's ledger closes:
electricity in = heat rejected outdoors + heat not removed (``unmet``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermal import chiller, heat_rejection
from thermal.cold_storage import ColdStorageParams, chillers_with_storage
from thermal.coolants import volumetric_heat_capacity_mj_per_m3_k
from thermal.heat_rejection import HeatRejectionParams
from thermal.params import param

#: Air density [kg/m³] and specific heat [kJ/(kg K)] for airflow; physics.md derives
#: 0.069 m³/s per kW at 12 K from them.
AIR_DENSITY_KG_PER_M3 = 1.2
AIR_CP_KJ_PER_KG_K = 1.006


#: Lei & Masanet, "Statistical analysis for predicting location-specific data center PUE
#: and its improvement potential", Energy 201 (2020) 117556, Table A.1: the input ranges of
#: their hyperscale water-side-economizer model (also in the authors' public code).
LEI_MASANET_2020 = "Lei & Masanet, Energy 201 (2020) 117556, Table A.1"


@dataclass(frozen=True)
class AirSideParams:
    """White-space air handling and the chilled-water loop behind it.

    The chilled water follows the air: its supply is the warmest that still cools the
    return air to the supply set point through coils of the given effectiveness, and its
    return is the supply plus a design rise (:func:`chilled_water_c`). So warmer supply
    air, or a warmer chilled-water set point, never costs pump power.
    """

    supply_air_c: float = param(
        25.0,
        "°C",
        "cold-aisle supply set point: with recirculation the server inlet is ~26 °C, 1 K "
        "under the top of ASHRAE's recommended 18-27 °C for every class A1-A4 (Thermal "
        "Guidelines, 5th ed. 2021); judgement (Lei & Masanet's hyperscale range is 27-35 °C)",
    )
    rack_delta_t_k: float = param(
        15.0,
        "K",
        f"air temperature rise across contained racks; {LEI_MASANET_2020} range 13.9-19.4 K",
    )
    recirculation_frac: float = param(
        0.08,
        "-",
        "share of hot-aisle air reaching server inlets (T_in = T_supply + r dT); judgement "
        "for contained aisles (EnergyPlus ITE recirculation form)",
    )
    fan_pressure_pa: float = param(
        400.0,
        "Pa",
        f"air handler total pressure of a contained hall with fan walls; {LEI_MASANET_2020} "
        "range 400-600 Pa (the 685 Pa of their older mid-size design described raised floors "
        "and ducted returns)",
    )
    fan_efficiency: float = param(
        0.83, "-", f"air handler fan, motor and drive; {LEI_MASANET_2020} range 0.65-0.90"
    )
    fan_min_speed_frac: float = param(
        0.3,
        "-",
        "lowest fan speed of the air handlers' drives (EC fans and VFDs turn down to 20-30 "
        "%); judgement. Below it airflow no longer falls with the heat",
    )
    dense_rack_kw: float = param(
        20.0,
        "kW/rack",
        "density above which room-level air with containment needs close-coupled cooling "
        "(in-row units or rear-door coils); most operators keep racks under 20 kW (Uptime "
        "Institute 2023 survey, physics.md)",
    )
    dense_fan_pa_per_kw: float = param(
        8.0,
        "Pa per kW/rack",
        "extra air-side pressure per kW of rack density above dense_rack_kw (close-coupled "
        "coils and their fans in the air path); judgement: 30 kW racks 480 Pa, 50 kW 640 Pa",
        low=0.0,
        high=100.0,
    )
    airflow_margin: float = param(
        1.2,
        "-",
        "installed air handler airflow over design airflow (N+1 units share the load, fan "
        "power ~ flow^3); judgement",
    )
    coil_effectiveness: float = param(
        0.8,
        "-",
        f"cooling-coil effectiveness (return air to supply air over return air to "
        f"chilled-water supply); {LEI_MASANET_2020} range 0.7-0.9",
    )
    chw_supply_c: float | None = param(
        None,
        "°C",
        "chilled-water supply; None derives it from the air (return air minus its cooling "
        "over coil_effectiveness: 21.25 °C for 25 °C supply air and 15 K rise); a number "
        "overrides it and must stay at least min_coil_approach_k under supply_air_c",
    )
    chw_delta_t_k: float = param(
        7.5, "K", f"chilled-water temperature rise; {LEI_MASANET_2020} range 5-10 K"
    )
    min_coil_approach_k: float = param(
        1.0,
        "K",
        "smallest difference of supply air over chilled-water supply a real coil reaches; "
        "judgement",
    )
    chw_pump_pa: float = param(
        147e3, "Pa", f"chilled-water pump head; {LEI_MASANET_2020} (143,658 Pa +-20 %)"
    )
    chw_pump_efficiency: float = param(0.79, "-", "Lei & Masanet, Energy 2020")
    pump_min_flow_frac: float = param(
        0.3,
        "-",
        "lowest pump flow as a share of design (variable-speed pumps keep a minimum flow "
        "through chillers and coils); judgement",
    )
    air_economizer_max_dew_point_c: float = param(
        15.0,
        "°C",
        "dew point above which outdoor air (dry or through pads) may not be supplied: the top "
        "of ASHRAE's recommended envelope (dew point <= 15 °C, physics.md; the sheet's older "
        "rule of thumb for air-side economizers is ~10 °C)",
    )
    evaporative_effectiveness: float = param(
        0.85,
        "-",
        "direct evaporative media (wetted pads) of an adiabatic air-side economizer: the air "
        "leaves this share of the way from dry-bulb to wet-bulb; ASHRAE Handbook - HVAC "
        "Systems and Equipment ch. 41 gives 70-95 % for rigid media; judgement",
    )
    adiabatic_max_rh_pct: float = param(
        60.0,
        "%",
        "highest supply relative humidity after evaporative cooling: the top of ASHRAE's "
        "recommended envelope (60 % RH, Thermal Guidelines 5th ed.)",
    )


def chilled_water_c(params: AirSideParams) -> tuple[float, float]:
    """Chilled-water supply and return [°C] for the air side's set points.

    Raises
    ------
    ValueError
        A chilled-water supply (given, or derived from a low coil effectiveness) that is not
        at least ``min_coil_approach_k`` below the supply air: no coil can reach it.
    """
    return_air = params.supply_air_c + params.rack_delta_t_k
    if params.chw_supply_c is None:
        if not 0.0 < params.coil_effectiveness <= 1.0:
            raise ValueError(
                f"facility.air.coil_effectiveness must be within 0..1, got "
                f"{params.coil_effectiveness:g}"
            )
        supply = return_air - params.rack_delta_t_k / params.coil_effectiveness
    else:
        supply = float(params.chw_supply_c)
    if not supply <= params.supply_air_c - params.min_coil_approach_k:
        raise ValueError(
            f"facility.air.chw_supply_c = {supply:g} °C cannot cool air to "
            f"facility.air.supply_air_c = {params.supply_air_c:g} °C: the chilled water must be "
            f"at least {params.min_coil_approach_k:g} K colder (lower chw_supply_c, or raise "
            "supply_air_c)"
        )
    if not params.chw_delta_t_k > 0:
        raise ValueError(
            f"facility.air.chw_delta_t_k must be above 0 K, got {params.chw_delta_t_k:g}"
        )
    return supply, supply + params.chw_delta_t_k


@dataclass(frozen=True)
class LiquidParams:
    """Technology coolant (TCS), CDU and facility water (FWS)."""

    fws_delta_t_k: float = param(
        10.0,
        "K",
        "facility water temperature rise; physics.md water flow basis (1.44 L/min per kW)",
    )
    fws_pump_pa: float = param(
        147e3, "Pa", "facility water pump head; as the chilled-water pump (Lei & Masanet 2020)"
    )
    fws_pump_efficiency: float = param(0.79, "-", "Lei & Masanet, Energy 2020")
    fws_min_flow_frac: float = param(
        0.3, "-", "lowest facility-water pump flow as a share of design; judgement (as the "
        "chilled-water pumps)"
    )
    cdu_approach_k: float = param(
        4.0, "K", "CDU approach, TCS supply over facility supply; physics.md 3-5 K"
    )
    tcs_delta_t_k: float = param(10.0, "K", "technology coolant temperature rise; judgement")
    cold_plate_pump_pa: float = param(
        150e3, "Pa", "TCS head through cold plates, manifolds and CDU; judgement"
    )
    cold_plate_coolant: str = param(
        "pg25",
        "-",
        "25 % propylene glycol; properties from CoolProp (INCOMP::MPG), thermal.coolants",
    )
    immersion_pump_pa: float = param(60e3, "Pa", "TCS head through tanks and CDU; judgement")
    immersion_coolant: str = param(
        "pao",
        "-",
        "synthetic hydrocarbon (PAO) immersion oil; a constant (CoolProp has no oils), "
        "thermal.coolants",
    )
    spray_pump_pa: float = param(
        250e3,
        "Pa",
        "TCS head of a spray system: nozzles atomise at 1-3 bar, plus filters and the CDU; "
        "judgement",
    )
    spray_coolant: str = param(
        "hfe7100", "-", "HFE-7100 dielectric; properties from CoolProp (INCOMP::HFE2)"
    )
    two_phase_coolant: str = param(
        "novec649",
        "-",
        "Novec 649 (FK-5-1-12) fluoroketone, boils at 49 °C at 1 atm (CoolProp); the "
        "vapour rises and condenses on a water coil: no technology-coolant pump",
    )
    two_phase_condenser_approach_k: float = param(
        10.0,
        "K",
        "facility water supply under the fluid's boiling point for the condenser coil to "
        "condense the vapour at design heat; judgement",
    )
    tcs_pump_efficiency: float = param(0.7, "-", "judgement")


def _free_fraction(cool_c, supply_c, return_c):
    """Share of a loop's heat the outdoor side removes before any chiller (series economizer)."""
    return np.clip((return_c - np.asarray(cool_c, float)) / (return_c - supply_c), 0.0, 1.0)


def chilled_loop(
    heat_kw,
    supply_c: float,
    return_c: float,
    rejection: str,
    economizer: bool,
    weather: dict,
    chiller_ref_kw: float,
    pump_pa: float,
    pump_efficiency: float,
    chiller_params: chiller.ChillerParams,
    hr_params: HeatRejectionParams,
    pump_min_heat_kw: float = 0.0,
    chiller_trip_c: float = np.inf,
    storage_kw_th=None,
    storage: ColdStorageParams | None = None,
) -> dict:
    """A liquid loop cooled by free cooling first, then a chiller, rejecting outdoors.

    Parameters
    ----------
    heat_kw : array
        Heat entering the loop from its sources [kW] (pump heat is added here).
    supply_c, return_c : float
        Loop supply and return temperatures [°C].
    rejection : {"tower", "dry_cooler", "hybrid"}
        Heat rejection kind.
    economizer : bool
        Whether outdoor-side free cooling may carry part of the heat.
    weather : dict of arrays
        ``dry_bulb_c``, ``wet_bulb_c`` and ``evaporation_l_per_kwh`` per hour.
    chiller_ref_kw : float
        Reference capacity of the loop's chillers [kW].
    pump_pa, pump_efficiency : float
        Loop pump head [Pa] and efficiency [-].
    chiller_params, hr_params
        Chiller and heat-rejection parameters.
    pump_min_heat_kw : float
        The pumps' minimum flow, as the heat it carries at the loop's rise [kW]: while the
        loop carries any heat, its pumps move at least this flow.
    chiller_trip_c : float
        Entering condenser temperature at which the chillers trip [°C].
    storage_kw_th : array, optional
        A cold tank on this loop (:mod:`thermal.cold_storage`): heat the chillers take out
        of it (> 0, charging) or it takes off them (< 0) [kW_th]; None or all zero: no tank.
    storage : ColdStorageParams, optional
        The tank's kind; default :class:`~thermal.cold_storage.ColdStorageParams`.

    Returns
    -------
    dict of arrays
        ``pump_kw`` (with the tank's charging flow), ``free_fraction``, ``chiller_kw``,
        ``chiller_available_kw``, ``chiller_load_kw`` (heat the chillers remove, tank
        included), ``storage_kw_th`` (the tank flow applied), ``unmet_kw``,
        ``supply_rise_k`` (how far the supply warms when chillers fall short),
        ``rejected_kw`` (heat into towers / dry coolers), ``condenser_pump_kw``,
        ``rejection_fan_kw``, ``evaporation_l``, ``blowdown_l``, ``drift_l``, ``loop_heat_kw``.
    """
    heat = np.asarray(heat_kw, float)
    pumped = np.where(heat > 0, np.maximum(heat, pump_min_heat_kw), 0.0)
    pump = heat_rejection.pump_kw(pumped, return_c - supply_c, pump_pa, pump_efficiency)
    loop_heat = heat + pump
    db, wb = weather["dry_bulb_c"], weather["wet_bulb_c"]
    cool_c = heat_rejection.supply_temperature_c(rejection, db, wb, hr_params)
    if economizer:
        free = _free_fraction(cool_c, supply_c, return_c)
    else:
        free = np.zeros_like(loop_heat)
    mechanical = (1.0 - free) * loop_heat
    condenser_c = heat_rejection.condenser_entering_c(rejection, db, wb, hr_params)
    if storage_kw_th is None or not np.any(storage_kw_th):
        chiller_kw, served, available = chiller.plant_power_kw(
            mechanical, supply_c, condenser_c, chiller_ref_kw, chiller_params, chiller_trip_c
        )
        unmet = mechanical - served
        applied = np.zeros_like(loop_heat)
    else:
        tank = chillers_with_storage(
            mechanical,
            storage_kw_th,
            supply_c,
            condenser_c,
            chiller_ref_kw,
            chiller_params,
            chiller_trip_c,
            float(heat_rejection.pump_kw(1.0, return_c - supply_c, pump_pa, pump_efficiency)),
            storage or ColdStorageParams(),
        )
        chiller_kw, served, available = tank["chiller_kw"], tank["served_kw"], tank["available_kw"]
        unmet, applied = tank["unmet_kw"], tank["storage_kw_th"]
        pump = pump + tank["charge_pump_kw"]
    # Without enough capacity the loop's supply warms until the chillers carry the load.
    sensitivity = chiller.capacity_sensitivity_per_k(
        chiller.CHILLER_CURVES[chiller_params.curve], supply_c, condenser_c
    )
    by_capacity = np.divide(
        unmet, available * sensitivity, out=np.full_like(unmet, np.inf), where=available > 0
    )
    # ... but no warmer than the fluid the outdoor side delivers on its own (chillers
    # tripped: the loop runs at what the towers or dry coolers give)
    outdoor_rise = np.maximum(cool_c - supply_c, 0.0)
    supply_rise = np.where(unmet > 0, np.minimum(by_capacity, outdoor_rise), 0.0)
    to_rejection = free * loop_heat + served + chiller_kw
    condenser_pump = heat_rejection.condenser_pump_kw(rejection, to_rejection, hr_params)
    rejected = to_rejection + condenser_pump
    fans = heat_rejection.fan_kw(rejection, rejected, hr_params)
    wet = heat_rejection.wet_mode(rejection, db, hr_params)
    evap, blowdown, drift = heat_rejection.tower_water_l(
        np.where(wet, rejected, 0.0), weather["evaporation_l_per_kwh"], hr_params
    )
    return {
        "loop_heat_kw": loop_heat,
        "pump_kw": pump,
        "free_fraction": free,
        "chiller_kw": chiller_kw,
        "chiller_available_kw": available,
        "chiller_load_kw": served,
        "storage_kw_th": applied,
        "unmet_kw": unmet,
        "supply_rise_k": supply_rise,
        "rejected_kw": rejected,
        "condenser_pump_kw": condenser_pump,
        "rejection_fan_kw": fans,
        "evaporation_l": evap,
        "blowdown_l": blowdown,
        "drift_l": drift,
    }


def air_fan_pressure_pa(rack_kw: float, params: AirSideParams) -> float:
    """Air handler pressure [Pa] for racks of ``rack_kw`` [kW]: the contained hall's, plus
    close-coupled coils and fans for the racks above ``dense_rack_kw``."""
    extra = max(rack_kw - params.dense_rack_kw, 0.0) * params.dense_fan_pa_per_kw
    return params.fan_pressure_pa + extra


def air_handler_fan_kw(
    air_heat_kw, design_air_heat_kw: float, params: AirSideParams, pressure_pa: float | None = None
):
    """Air handler (CRAH / AHU / fan wall) fan power for the room heat to move.

    Airflow follows the heat at the rack temperature rise; the installed fleet is sized
    ``airflow_margin`` above design and all units share the flow, so power ~ speed³,
    with the speed never below ``fan_min_speed_frac`` while the hall has any heat.

    Parameters
    ----------
    air_heat_kw : array
        Heat the air must carry [kW] (the fans' own heat is not re-circulated).
    design_air_heat_kw : float
        That heat at design load [kW].
    params : AirSideParams
    pressure_pa : float, optional
        Fan total pressure [Pa]; default ``params.fan_pressure_pa`` (see
        :func:`air_fan_pressure_pa` for dense racks).

    Returns
    -------
    array
        Fan power [kW].
    """
    per_kw = 1.0 / (
        AIR_DENSITY_KG_PER_M3 * AIR_CP_KJ_PER_KG_K * params.rack_delta_t_k
    )  # m³/s per kW
    heat = np.asarray(air_heat_kw, float)
    installed = max(design_air_heat_kw, 1e-9) * per_kw * params.airflow_margin
    pressure = params.fan_pressure_pa if pressure_pa is None else pressure_pa
    installed_kw = installed * pressure / params.fan_efficiency / 1000.0
    speed = np.where(heat > 0, np.maximum(heat * per_kw / installed, params.fan_min_speed_frac), 0.0)
    return installed_kw * speed**3


def air_economizer_fraction(dry_bulb_c, dew_point_c, params: AirSideParams):
    """Share of room heat removed by outdoor air (air-side economizer) [-].

    Outdoor air replaces return air when it is colder than the return and dry enough;
    below the supply set point it is mixed down to it and carries everything.
    """
    return_c = params.supply_air_c + params.rack_delta_t_k
    frac = _free_fraction(dry_bulb_c, params.supply_air_c, return_c)
    dry_enough = np.asarray(dew_point_c, float) <= params.air_economizer_max_dew_point_c
    return np.where(dry_enough, frac, 0.0)


def adiabatic_air_economizer(
    dry_bulb_c, wet_bulb_c, dew_point_c, pressure_pa, params: AirSideParams
) -> dict:
    """Outdoor air, through wetted pads when that helps (adiabatic air-side economizer).

    The same humidity rule as the dry economizer (:func:`air_economizer_fraction`): the
    air reaching the servers may hold no more moisture than ``air_economizer_max_dew_point_c``
    and no more than ``adiabatic_max_rh_pct`` relative humidity at the supply. Each hour
    the pads are wetted only when the cooled air still meets that rule and carries more
    of the room heat than dry outdoor air would; then they cool it toward its wet-bulb
    (``evaporative_effectiveness``). The water evaporated is the outdoor airflow times the
    humidity it gains; the outdoor airflow is what carries the heat from the air's
    temperature up to the return.

    Parameters
    ----------
    dry_bulb_c, wet_bulb_c, dew_point_c : array
        Outdoor dry-bulb, wet-bulb and dew point [°C].
    pressure_pa : float or array
        Atmospheric pressure [Pa].
    params : AirSideParams

    Returns
    -------
    dict of arrays
        ``fraction``: share of room heat the outdoor air removes [-]; ``evaporated_l_per_kwh``:
        water evaporated per kWh of room heat the outdoor air carries [L/kWh];
        ``dew_point_c``: dew point of the air supplied [°C].
    """
    from thermal.psychrometrics import (
        MOLAR_MASS_RATIO,
        humidity_ratio_from_wet_bulb,
        saturation_vapor_pressure_pa,
    )
    from thermal.psychrometrics import (
        dew_point_c as dew_from_rh,
    )

    db = np.asarray(dry_bulb_c, float)
    wb = np.asarray(wet_bulb_c, float)
    p = np.broadcast_to(np.asarray(pressure_pa, float), db.shape)
    supply, ret = params.supply_air_c, params.supply_air_c + params.rack_delta_t_k
    dry = air_economizer_fraction(db, dew_point_c, params)
    cooled = db - params.evaporative_effectiveness * (db - wb)
    w_in = humidity_ratio_from_wet_bulb(db, wb, p)
    w_out = humidity_ratio_from_wet_bulb(cooled, wb, p)  # same wet-bulb, lower dry-bulb
    vapour = w_out * p / (MOLAR_MASS_RATIO + w_out)
    at_supply = np.maximum(cooled, supply)  # colder air is mixed up to the set point
    rh = np.clip(100.0 * vapour / saturation_vapor_pressure_pa(at_supply), 1e-3, 100.0)
    dew = dew_from_rh(at_supply, rh)
    pads_ok = (
        (db > supply)
        & (rh <= params.adiabatic_max_rh_pct)
        & (dew <= params.air_economizer_max_dew_point_c)
    )
    wet_frac = np.where(pads_ok, _free_fraction(cooled, supply, ret), 0.0)
    pads = wet_frac > dry
    frac = np.where(pads, wet_frac, dry)
    # kg of outdoor air per kWh of heat it carries, warming from the pads to the return
    air_kg_per_kwh = 3600.0 / (AIR_CP_KJ_PER_KG_K * np.maximum(ret - cooled, 1e-6))
    evaporated = np.where(pads, np.maximum(w_out - w_in, 0.0) * air_kg_per_kwh, 0.0)
    supplied_dew = np.where(pads, dew, np.asarray(dew_point_c, float))
    return {"fraction": frac, "evaporated_l_per_kwh": evaporated, "dew_point_c": supplied_dew}


def tcs_pump_kw(heat_kw, cooling: str, params: LiquidParams):
    """Technology-coolant pump power in the CDU [kW] for ``heat_kw`` [kW] of liquid heat.

    The flow carries the heat at ``tcs_delta_t_k`` with the coolant's ``rho cp`` (from
    CoolProp, :mod:`thermal.coolants`); a two-phase system boils and condenses without a
    pump.
    """
    heat = np.asarray(heat_kw, float)
    if cooling == "two_phase_immersion":
        return np.zeros_like(heat)
    pa = getattr(params, f"{cooling}_pump_pa")
    vhc = volumetric_heat_capacity_mj_per_m3_k(getattr(params, f"{cooling}_coolant"))
    flow_m3_per_s = heat / (vhc * 1000.0 * params.tcs_delta_t_k)
    return pa * flow_m3_per_s / params.tcs_pump_efficiency / 1000.0
