"""Heat rejection to outdoors: open cooling towers and dry coolers.

A cooling tower delivers water at ``approach`` above the outdoor wet-bulb and evaporates
water; a dry cooler delivers fluid at ``approach`` above the dry-bulb and uses none; a
hybrid (adiabatic) cooler is a dry cooler that wets its coils or pads above a switch-over
dry-bulb and then delivers fluid ``wet approach`` above the wet-bulb, evaporating water
only in those hours.

Tower water (EnergyPlus cooling-tower model, ``SaturatedExit`` evaporation mode): the air
leaves saturated, its enthalpy raised by the heat it took; evaporation is the rise of its
humidity ratio. So towers evaporate less per kWh in cold, dry weather, when part of the
heat leaves as sensible heat. Blowdown keeps the cycles of concentration; drift is a
small share of the circulating water.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermal.params import param
from thermal.psychrometrics import (
    humidity_ratio_from_vapor_pressure,
    moist_air_enthalpy_kj_per_kg,
    saturation_humidity_ratio,
)

#: Specific heat of liquid water [kJ/(kg K)] and its density [kg/m³] near 25 °C (IAPWS).
WATER_CP_KJ_PER_KG_K = 4.18
WATER_DENSITY_KG_PER_M3 = 997.0

RejectionKind = str  # "tower" | "dry_cooler" | "hybrid"
REJECTION_KINDS = ("tower", "dry_cooler", "hybrid")


@dataclass(frozen=True)
class HeatRejectionParams:
    """Cooling towers, dry coolers and the heat exchanger between them and a loop."""

    tower_approach_k: float = param(
        5.0,
        "K",
        "open wet tower leaving water above wet-bulb; market median, Energies 2023 16(9):3661 "
        "(closed towers 6.5 K)",
    )
    dry_cooler_approach_k: float = param(
        10.0,
        "K",
        "dry cooler leaving fluid above dry-bulb; market median, Energies 2023 16(9):3661",
    )
    hx_approach_k: float = param(
        1.5,
        "K",
        "plate heat exchanger between open-tower water and a closed loop; judgement "
        "(economizer plate exchangers are commonly selected at 1-2 K)",
    )
    tower_fan_kw_per_kw: float = param(
        0.015,
        "kW/kW",
        "tower fan electricity per kW of heat rejected; open wet towers draw 0.012-0.021 "
        "kW/kW, Energies 2023 16(9):3661",
    )
    dry_cooler_fan_kw_per_kw: float = param(
        0.025,
        "kW/kW",
        "dry cooler fan electricity per kW of heat; judgement: dry cooling needs about 8x the "
        "airflow of evaporative cooling (Sustainability 2023 15(21):15454), specific demand "
        "varies widely by design (Energies 2023 16(9):3661)",
    )
    condenser_range_k: float = param(
        5.6,
        "K",
        "tower water temperature range; AHRI 550/590 rating flow of 3 gpm/ton (10 °F range)",
    )
    condenser_pump_pa: float = param(
        212e3, "Pa", "tower water pump head; Lei & Masanet, Energy 2020 (hyperscale model)"
    )
    condenser_pump_efficiency: float = param(0.72, "-", "Lei & Masanet, Energy 2020")
    liquid_to_gas_ratio: float = param(
        1.2,
        "kg water / kg air",
        "tower water-to-air mass flow ratio, sets the air's enthalpy rise; judgement "
        "(typical design range 0.75-1.5)",
        low=0.1,
        high=10.0,
    )
    hybrid_switch_over_c: float = param(
        24.0,
        "°C",
        "dry-bulb above which a hybrid cooler runs wet (evaporative assist); judgement: "
        "adiabatic coolers typically switch at 20-28 °C, trading water for fan and chiller "
        "energy",
    )
    hybrid_wet_approach_k: float = param(
        6.5,
        "K",
        "hybrid cooler leaving fluid above wet-bulb when wet: as a closed-circuit tower, "
        "Energies 2023 16(9):3661 (physics.md)",
    )
    cycles_of_concentration: float = param(
        3.0, "-", "physics.md (EnergyPlus; 3-5, default 3)", low=1.5, high=20.0
    )
    drift_frac: float = param(
        0.00008, "of circulating water", "0.008 % of circulating flow; physics.md (EnergyPlus)"
    )


def wet_mode(kind: RejectionKind, dry_bulb_c, params: HeatRejectionParams):
    """Hours in which the heat rejection evaporates water (towers always; hybrid coolers
    above their switch-over dry-bulb; dry coolers never) [bool array]."""
    db = np.asarray(dry_bulb_c, float)
    if kind == "tower":
        return np.ones(db.shape, bool)
    if kind == "hybrid":
        return db > params.hybrid_switch_over_c
    return np.zeros(db.shape, bool)


def _leaving_c(kind: RejectionKind, dry_bulb_c, wet_bulb_c, params: HeatRejectionParams):
    """Fluid leaving the towers / coolers [°C]."""
    db = np.asarray(dry_bulb_c, float)
    wb = np.asarray(wet_bulb_c, float)
    if kind == "tower":
        return wb + params.tower_approach_k
    dry = db + params.dry_cooler_approach_k
    if kind == "hybrid":
        wet = np.minimum(dry, wb + params.hybrid_wet_approach_k)
        return np.where(wet_mode(kind, db, params), wet, dry)
    return dry


def supply_temperature_c(kind: RejectionKind, dry_bulb_c, wet_bulb_c, params: HeatRejectionParams):
    """Coldest fluid temperature the heat rejection can deliver to a loop [°C].

    Towers include the plate heat exchanger that keeps open-tower water out of the loop;
    dry and hybrid coolers are closed circuits.
    """
    leaving = _leaving_c(kind, dry_bulb_c, wet_bulb_c, params)
    return leaving + params.hx_approach_k if kind == "tower" else leaving


def condenser_entering_c(kind: RejectionKind, dry_bulb_c, wet_bulb_c, params: HeatRejectionParams):
    """Fluid temperature entering a chiller condenser from this heat rejection [°C]."""
    return _leaving_c(kind, dry_bulb_c, wet_bulb_c, params)


def fan_kw(kind: RejectionKind, heat_kw, params: HeatRejectionParams):
    """Fan electricity [kW] of towers or dry coolers rejecting ``heat_kw`` [kW]."""
    per_kw = params.tower_fan_kw_per_kw if kind == "tower" else params.dry_cooler_fan_kw_per_kw
    # a hybrid cooler in wet mode moves the air of the dry design (judgement: fans stay on)
    return np.asarray(heat_kw, float) * per_kw


def pump_kw(heat_kw, delta_t_k: float, pressure_pa: float, efficiency: float):
    """Pump power for a water-like loop carrying ``heat_kw`` at a temperature rise.

    Differential-pressure control holds the head, so power is linear in flow:
    ``P = dp * V / eta`` with ``V = Q / (rho cp dT)``.

    Parameters
    ----------
    heat_kw : float or array
        Heat carried [kW].
    delta_t_k : float
        Fluid temperature rise [K].
    pressure_pa : float
        Pump head [Pa].
    efficiency : float
        Wire-to-water efficiency [-].

    Returns
    -------
    float or array
        Pump power [kW].
    """
    flow_m3_per_s = np.asarray(heat_kw, float) / (
        WATER_DENSITY_KG_PER_M3 * WATER_CP_KJ_PER_KG_K * delta_t_k
    )
    return pressure_pa * flow_m3_per_s / efficiency / 1000.0


def condenser_pump_kw(kind: RejectionKind, heat_kw, params: HeatRejectionParams):
    """Tower water pump power [kW]; a dry cooler's fluid is moved by the loop pump."""
    if kind != "tower":
        return np.zeros_like(np.asarray(heat_kw, float))
    return pump_kw(
        heat_kw,
        params.condenser_range_k,
        params.condenser_pump_pa,
        params.condenser_pump_efficiency,
    )


def _saturated_temperature_from_enthalpy(h_kj_per_kg, pressure_pa):
    """Temperature [°C] of saturated air with enthalpy ``h`` (bisection, all at once)."""
    low = np.full(np.shape(h_kj_per_kg), -40.0)
    high = np.full(np.shape(h_kj_per_kg), 80.0)
    for _ in range(50):  # 120 K / 2^50: exact in double precision
        mid = 0.5 * (low + high)
        h_mid = moist_air_enthalpy_kj_per_kg(mid, saturation_humidity_ratio(mid, pressure_pa))
        above = h_mid > h_kj_per_kg
        high = np.where(above, mid, high)
        low = np.where(above, low, mid)
    return 0.5 * (low + high)


def tower_evaporation_l_per_kwh(dry_bulb_c, dew_point_c, pressure_pa, params: HeatRejectionParams):
    """Water evaporated per kWh of heat a tower rejects, for each hour's outdoor air.

    Parameters
    ----------
    dry_bulb_c, dew_point_c : array
        Outdoor dry-bulb and dew point [°C].
    pressure_pa : float or array
        Atmospheric pressure [Pa].
    params : HeatRejectionParams

    Returns
    -------
    array
        Evaporation [L/kWh] (1 kg = 1 L); about 1.6 in hot humid hours, 0.8 in cold ones.
    """
    from thermal.psychrometrics import saturation_vapor_pressure_pa

    t = np.asarray(dry_bulb_c, float)
    p = np.broadcast_to(np.asarray(pressure_pa, float), t.shape)
    w_in = humidity_ratio_from_vapor_pressure(
        saturation_vapor_pressure_pa(np.asarray(dew_point_c, float)), p
    )
    h_in = moist_air_enthalpy_kj_per_kg(t, w_in)
    dh = params.liquid_to_gas_ratio * WATER_CP_KJ_PER_KG_K * params.condenser_range_k
    t_out = _saturated_temperature_from_enthalpy(h_in + dh, p)
    w_out = saturation_humidity_ratio(t_out, p)
    return np.maximum(w_out - w_in, 0.0) / dh * 3600.0


def tower_water_l(heat_kw, evaporation_l_per_kwh, params: HeatRejectionParams):
    """Tower make-up water for one hour of ``heat_kw`` rejected.

    Returns
    -------
    evaporation_l, blowdown_l, drift_l : arrays
        Water [L] in the hour.
    """
    heat = np.asarray(heat_kw, float)
    evaporation = heat * evaporation_l_per_kwh
    circulating_l = heat * 3600.0 / (WATER_CP_KJ_PER_KG_K * params.condenser_range_k)
    drift = circulating_l * params.drift_frac
    blowdown = np.maximum(evaporation / (params.cycles_of_concentration - 1.0) - drift, 0.0)
    return evaporation, blowdown, drift
