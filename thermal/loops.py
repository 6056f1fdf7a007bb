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
from thermal.heat_rejection import HeatRejectionParams
from thermal.params import param

#: Air density [kg/m³] and specific heat [kJ/(kg K)] for airflow; physics.md derives
#: 0.069 m³/s per kW at 12 K from them.
AIR_DENSITY_KG_PER_M3 = 1.2
AIR_CP_KJ_PER_KG_K = 1.006


@dataclass(frozen=True)
class AirSideParams:
    """White-space air handling and the chilled-water loop behind it."""

    supply_air_c: float = param(
        24.0, "°C", "cold-aisle supply set point, inside ASHRAE's recommended 18-27 °C; judgement"
    )
    rack_delta_t_k: float = param(
        12.0, "K", "air temperature rise across racks; physics.md airflow basis"
    )
    recirculation_frac: float = param(
        0.08,
        "-",
        "share of hot-aisle air reaching server inlets (T_in = T_supply + r dT); judgement "
        "for contained aisles (EnergyPlus ITE recirculation form)",
    )
    fan_pressure_pa: float = param(685.0, "Pa", "air handler fan; Lei & Masanet, Energy 2020")
    fan_efficiency: float = param(0.83, "-", "air handler fan; Lei & Masanet, Energy 2020")
    airflow_margin: float = param(
        1.2,
        "-",
        "installed air handler airflow over design airflow (N+1 units share the load, fan "
        "power ~ flow^3); judgement",
    )
    chw_supply_c: float = param(
        10.0,
        "°C",
        "chilled-water supply; judgement (the upper leaving temperature of the DOE-2 curve, "
        "physics.md COP table)",
    )
    chw_return_c: float = param(16.0, "°C", "chilled-water return (6 K rise); judgement")
    chw_pump_pa: float = param(147e3, "Pa", "chilled-water pump head; Lei & Masanet, Energy 2020")
    chw_pump_efficiency: float = param(0.79, "-", "Lei & Masanet, Energy 2020")
    air_economizer_max_dew_point_c: float = param(
        10.0, "°C", "outdoor dew point above which the air-side economizer closes; physics.md"
    )


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
    cdu_approach_k: float = param(
        4.0, "K", "CDU approach, TCS supply over facility supply; physics.md 3-5 K"
    )
    tcs_delta_t_k: float = param(10.0, "K", "technology coolant temperature rise; judgement")
    cold_plate_pump_pa: float = param(
        150e3, "Pa", "TCS head through cold plates, manifolds and CDU; judgement"
    )
    cold_plate_coolant_mj_per_m3_k: float = param(
        4.0,
        "MJ/(m³ K)",
        "volumetric heat capacity of 25 % propylene glycol; physics.md (1.50 L/min per kW at 10 K)",
    )
    immersion_pump_pa: float = param(60e3, "Pa", "TCS head through tanks and CDU; judgement")
    immersion_coolant_mj_per_m3_k: float = param(
        1.7,
        "MJ/(m³ K)",
        "volumetric heat capacity of a synthetic hydrocarbon (PAO) immersion fluid, ~800 kg/m³ x "
        "2.1 kJ/(kg K); judgement (physics.md: no CoolProp data, give a constant)",
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
) -> dict:
    """A liquid loop cooled by free cooling first, then a chiller, rejecting outdoors.

    Parameters
    ----------
    heat_kw : array
        Heat entering the loop from its sources [kW] (pump heat is added here).
    supply_c, return_c : float
        Loop supply and return temperatures [°C].
    rejection : {"tower", "dry_cooler"}
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

    Returns
    -------
    dict of arrays
        ``pump_kw``, ``free_fraction``, ``chiller_kw``, ``chiller_available_kw``,
        ``unmet_kw``, ``supply_rise_k`` (how far the supply warms when chillers fall short),
        ``rejected_kw`` (heat into towers / dry coolers), ``condenser_pump_kw``,
        ``rejection_fan_kw``, ``evaporation_l``, ``blowdown_l``, ``drift_l``, ``loop_heat_kw``.
    """
    heat = np.asarray(heat_kw, float)
    pump = heat_rejection.pump_kw(heat, return_c - supply_c, pump_pa, pump_efficiency)
    loop_heat = heat + pump
    db, wb = weather["dry_bulb_c"], weather["wet_bulb_c"]
    if economizer:
        cool_c = heat_rejection.supply_temperature_c(rejection, db, wb, hr_params)
        free = _free_fraction(cool_c, supply_c, return_c)
    else:
        free = np.zeros_like(loop_heat)
    mechanical = (1.0 - free) * loop_heat
    condenser_c = heat_rejection.condenser_entering_c(rejection, db, wb, hr_params)
    chiller_kw, served, available = chiller.plant_power_kw(
        mechanical, supply_c, condenser_c, chiller_ref_kw, chiller_params
    )
    unmet = mechanical - served
    # Without enough capacity the loop's supply warms until the chillers carry the load.
    sensitivity = chiller.capacity_sensitivity_per_k(
        chiller.CHILLER_CURVES[chiller_params.curve], supply_c, condenser_c
    )
    supply_rise = np.divide(
        unmet, available * sensitivity, out=np.zeros_like(unmet), where=available > 0
    )
    to_rejection = free * loop_heat + served + chiller_kw
    condenser_pump = heat_rejection.condenser_pump_kw(rejection, to_rejection, hr_params)
    rejected = to_rejection + condenser_pump
    fans = heat_rejection.fan_kw(rejection, rejected, hr_params)
    if rejection == "tower":
        evap, blowdown, drift = heat_rejection.tower_water_l(
            rejected, weather["evaporation_l_per_kwh"], hr_params
        )
    else:
        evap = blowdown = drift = np.zeros_like(rejected)
    return {
        "loop_heat_kw": loop_heat,
        "pump_kw": pump,
        "free_fraction": free,
        "chiller_kw": chiller_kw,
        "chiller_available_kw": available,
        "unmet_kw": unmet,
        "supply_rise_k": supply_rise,
        "rejected_kw": rejected,
        "condenser_pump_kw": condenser_pump,
        "rejection_fan_kw": fans,
        "evaporation_l": evap,
        "blowdown_l": blowdown,
        "drift_l": drift,
    }


def air_handler_fan_kw(air_heat_kw, design_air_heat_kw: float, params: AirSideParams):
    """Air handler (CRAH / AHU) fan power for the room heat to move.

    Airflow follows the heat at the rack temperature rise; the installed fleet is sized
    ``airflow_margin`` above design and all units share the flow, so power ~ flow³.

    Parameters
    ----------
    air_heat_kw : array
        Heat the air must carry [kW] (the fans' own heat is not re-circulated).
    design_air_heat_kw : float
        That heat at design load [kW].
    params : AirSideParams

    Returns
    -------
    array
        Fan power [kW].
    """
    per_kw = 1.0 / (
        AIR_DENSITY_KG_PER_M3 * AIR_CP_KJ_PER_KG_K * params.rack_delta_t_k
    )  # m³/s per kW
    flow = np.asarray(air_heat_kw, float) * per_kw
    installed = max(design_air_heat_kw, 1e-9) * per_kw * params.airflow_margin
    installed_kw = installed * params.fan_pressure_pa / params.fan_efficiency / 1000.0
    return installed_kw * (flow / installed) ** 3


def air_economizer_fraction(dry_bulb_c, dew_point_c, params: AirSideParams):
    """Share of room heat removed by outdoor air (air-side economizer) [-].

    Outdoor air replaces return air when it is colder than the return and dry enough;
    below the supply set point it is mixed down to it and carries everything.
    """
    return_c = params.supply_air_c + params.rack_delta_t_k
    frac = _free_fraction(dry_bulb_c, params.supply_air_c, return_c)
    dry_enough = np.asarray(dew_point_c, float) <= params.air_economizer_max_dew_point_c
    return np.where(dry_enough, frac, 0.0)


def tcs_pump_kw(heat_kw, cooling: str, params: LiquidParams):
    """Technology-coolant pump power in the CDU [kW] for ``heat_kw`` [kW] of liquid heat."""
    if cooling == "immersion":
        pa, vhc = params.immersion_pump_pa, params.immersion_coolant_mj_per_m3_k
    else:
        pa, vhc = params.cold_plate_pump_pa, params.cold_plate_coolant_mj_per_m3_k
    flow_m3_per_s = np.asarray(heat_kw, float) / (vhc * 1000.0 * params.tcs_delta_t_k)
    return pa * flow_m3_per_s / params.tcs_pump_efficiency / 1000.0
