"""The facility model: pods of air, cold-plate, immersion, spray or two-phase immersion
racks, hour by hour.

:func:`simulate_pod` turns weather and a pod's compute load into the power of every
component, the heat flows, water and cooling mode of each hour; :func:`simulate_site`
does it for all pods and adds them up. Everything is vectorised over hours.

Energy ledger of every hour (tested to 1e-9):
``facility_kw = heat_rejected_kw + unmet_heat_kw`` — all electricity ends as heat sent
outdoors (towers, dry coolers, exhaust air, outdoor transformers) or, if the plant runs
out of capacity, as heat left in the hall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from thermal import chiller, heat_rejection, loops
from thermal.ashrae import air_class
from thermal.coolants import boiling_point_c
from thermal.design_day import DesignConditions
from thermal.errors import ThermalInputError
from thermal.it_power import ServerParams, compute_per_rack_kw, server_fan_kw
from thermal.loops import AirSideParams, LiquidParams
from thermal.params import param
from thermal.power_chain import PowerChainParams, fixed_site_kw, ups_loss_kw

COOLING_TECHNOLOGIES = ("air", "cold_plate", "immersion", "spray", "two_phase_immersion")
#: Liquid technologies (every one but air).
LIQUID_TECHNOLOGIES = COOLING_TECHNOLOGIES[1:]
ECONOMIZERS = ("water_side", "air_side", "air_side_adiabatic", "none")
MODES = ("free", "partial", "mechanical")


@dataclass(frozen=True)
class TechnologyParams:
    """Per-technology limits and defaults."""

    air_max_rack_kw: float = param(
        30.0,
        "kW/rack",
        "air cooling with containment; up to ~50 kW only with rear-door heat exchangers "
        "(physics.md judgement)",
    )
    cold_plate_max_rack_kw: float = param(120.0, "kW/rack", "physics.md judgement")
    immersion_max_rack_kw: float = param(200.0, "kW/rack", "physics.md judgement")
    spray_max_rack_kw: float = param(
        48.0,
        "kW/rack",
        "spray liquid cooling tops out around 48 kW per rack today (IDC / Inspur 2023-2024 "
        "China AI compute report, physics.md)",
    )
    two_phase_immersion_max_rack_kw: float = param(
        150.0,
        "kW/rack",
        "two-phase (boiling) immersion: vendors quote 100-250 kW per tank; judgement within "
        "that range (the very dense AI racks of ~130 kW fit, physics.md)",
    )
    cold_plate_liquid_fraction: float = param(
        0.75, "-", "share of compute heat to the cold plates; DESIGN.md default"
    )
    immersion_liquid_fraction: float = param(
        1.0, "-", "single-phase immersion: practically all heat to liquid; DESIGN.md"
    )
    spray_liquid_fraction: float = param(
        0.9,
        "-",
        "share of compute heat the dielectric spray removes (processors, accelerators, "
        "memory and power stages are sprayed; drives and boards keep some air); judgement",
    )
    two_phase_immersion_liquid_fraction: float = param(
        1.0, "-", "boiling immersion: all IT heat to the fluid, no server fans; judgement"
    )
    cold_plate_water_class: str = param(
        "W32", "-", "W32 and above run without chillers most of the year (physics.md); judgement"
    )
    immersion_water_class: str = param("W40", "-", "judgement")
    spray_water_class: str = param(
        "W32", "-", "judgement, as cold plates (the spray fluid returns at ~40-45 °C)"
    )
    two_phase_immersion_water_class: str = param(
        "W32",
        "-",
        "the condenser coil's water must stay two_phase_condenser_approach_k under the "
        "fluid's boiling point (Novec 649: 49 °C at 1 atm, CoolProp): W32 leaves 7 K; judgement",
    )
    air_heat_rejection: str = param(
        "tower", "-", "chilled water with water-side economizer and open towers"
    )
    liquid_heat_rejection: str = param(
        "hybrid",
        "-",
        "warm-water loops reject heat dry, wetting the coolers only on hot afternoons "
        "(hybrid / adiabatic coolers); judgement. 'dry_cooler' uses no water at all",
    )
    room_dew_point_c: float = param(
        10.0,
        "°C",
        "dew point held by humidity control in halls without outdoor air; judgement inside "
        "ASHRAE's recommended <= 15 °C",
    )


@dataclass(frozen=True)
class FacilityParams:
    """Every default of the facility model, grouped by module; override with
    :func:`thermal.params.override`."""

    server: ServerParams = field(default_factory=ServerParams)
    power: PowerChainParams = field(default_factory=PowerChainParams)
    air: AirSideParams = field(default_factory=AirSideParams)
    liquid: LiquidParams = field(default_factory=LiquidParams)
    chiller: chiller.ChillerParams = field(default_factory=chiller.ChillerParams)
    rejection: heat_rejection.HeatRejectionParams = field(
        default_factory=heat_rejection.HeatRejectionParams
    )
    technology: TechnologyParams = field(default_factory=TechnologyParams)
    design: DesignConditions = field(default_factory=DesignConditions)


@dataclass(frozen=True)
class Pod:
    """A group of identical racks with one cooling technology.

    Parameters
    ----------
    name : str
    cooling : {"air", "cold_plate", "immersion", "spray", "two_phase_immersion"}
    racks : int
        Number of racks.
    rack_kw : float
        Nameplate IT power per rack [kW], as an air-cooled rack of the same servers at the
        reference inlet (fans included); the compute part is the same whatever cools it.
    water_class : str, optional
        Facility water class of a liquid pod, ``W17`` .. ``W45`` (the facility supply
        temperature [°C]); default by technology.
    heat_rejection : {"tower", "dry_cooler", "hybrid"}, optional
        Default by technology.
    economizer : {"water_side", "air_side", "air_side_adiabatic", "none"}
        Free cooling of the air loop.
    liquid_fraction : float, optional
        Share of compute heat to liquid (cold plate); default by technology.
    air_class : str
        ASHRAE class of the air inlet, A1..A4.
    utilisation : float
        Compute load as a share of design when no hourly load is given [-].
    """

    name: str
    cooling: Literal["air", "cold_plate", "immersion", "spray", "two_phase_immersion"]
    racks: int
    rack_kw: float
    water_class: str | None = None
    heat_rejection: str | None = None
    economizer: str = "water_side"
    liquid_fraction: float | None = None
    air_class: str = "A2"
    utilisation: float = 1.0


@dataclass(frozen=True)
class PodDesign:
    """A pod with every default resolved and its plant sized (numbers only)."""

    pod: Pod
    compute_design_kw: float
    it_design_kw: float
    liquid_fraction: float
    fws_supply_c: float
    heat_rejection: str  # the main loop's: the air loop of air pods, else the liquid loop
    design_air_heat_kw: float
    design_air_loop_kw: float
    design_liquid_loop_kw: float
    air_chiller_ref_kw: float
    liquid_chiller_ref_kw: float
    nominal_inlet_c: float
    chw_supply_c: float = float("nan")
    chw_return_c: float = float("nan")
    air_fan_pressure_pa: float = float("nan")
    air_chiller_trip_c: float = float("inf")
    liquid_chiller_trip_c: float = float("inf")
    #: heat rejection of the air loop (a liquid pod's residual air load): the pod's own
    #: choice when given, else the air default (towers), as in an air hall
    air_heat_rejection: str = "tower"


def _bad(pod: Pod, what: str) -> ThermalInputError:
    return ThermalInputError(f"pod {pod.name!r}: {what}")


def parse_water_class(value: str | float | int) -> float:
    """Facility supply temperature [°C] of a water class ``W17``..``W45`` (or a number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        temp = float(value)
    else:
        match = re.fullmatch(r"\s*[Ww]?\s*(\d+(?:\.\d+)?)\s*", str(value))
        if not match:
            raise ThermalInputError(f"water class {value!r} is not of the form W17..W45")
        temp = float(match.group(1))
    if not 17.0 <= temp <= 45.0:
        raise ThermalInputError(
            f"water class {value!r}: facility supply must be 17..45 °C (ASHRAE W17..W45)"
        )
    return temp


def design_pod(pod: Pod, params: FacilityParams | None = None) -> PodDesign:
    """Check a pod and size its plant.

    Raises
    ------
    ThermalInputError
        Unknown technology, non-positive or NaN sizes, or a rack density above the
        technology's limit (the message says which pod, what limit and what to change).
    """
    p = params or FacilityParams()
    tech = p.technology
    if pod.cooling not in COOLING_TECHNOLOGIES:
        raise _bad(
            pod, f"unknown cooling {pod.cooling!r}; use one of {', '.join(COOLING_TECHNOLOGIES)}"
        )
    if not isinstance(pod.racks, (int, np.integer)) or isinstance(pod.racks, bool) or pod.racks < 1:
        raise _bad(pod, f"racks must be a whole number >= 1, got {pod.racks!r}")
    if not np.isfinite(pod.rack_kw) or pod.rack_kw <= 0:
        raise _bad(pod, f"rack_kw must be a positive number of kW, got {pod.rack_kw!r}")
    if not (np.isfinite(pod.utilisation) and 0.0 <= pod.utilisation <= 1.0):
        raise _bad(pod, f"utilisation must be within 0..1, got {pod.utilisation!r}")
    limit = max_rack_kw(pod.cooling, tech)
    if pod.rack_kw > limit:
        better = [t for t in LIQUID_TECHNOLOGIES if max_rack_kw(t, tech) >= pod.rack_kw]
        raise _bad(
            pod,
            f"{pod.rack_kw:g} kW per rack exceeds the {pod.cooling} cooling limit of {limit:g} kW "
            f"per rack; lower rack_kw to {limit:g} or less"
            + (f", or use cooling = {' or '.join(repr(b) for b in better)}" if better else "")
            + f" (limit: facility.technology.{pod.cooling}_max_rack_kw)",
        )
    if pod.economizer not in ECONOMIZERS:
        raise _bad(
            pod, f"unknown economizer {pod.economizer!r}; use one of {', '.join(ECONOMIZERS)}"
        )
    air_class(pod.air_class)

    if pod.cooling == "air":
        f_liq = 0.0
        default_class, default_rej = None, tech.air_heat_rejection
    else:
        f_liq = (
            getattr(tech, f"{pod.cooling}_liquid_fraction")
            if pod.liquid_fraction is None
            else pod.liquid_fraction
        )
        default_class = getattr(tech, f"{pod.cooling}_water_class")
        default_rej = tech.liquid_heat_rejection
    if not (np.isfinite(f_liq) and 0.0 <= f_liq <= 1.0):
        raise _bad(pod, f"liquid_fraction must be within 0..1, got {f_liq!r}")
    if pod.cooling == "air" and pod.water_class is not None:
        raise _bad(pod, "water_class applies to liquid cooling only; remove it or change cooling")
    rejection = pod.heat_rejection or default_rej
    air_rejection = pod.heat_rejection or tech.air_heat_rejection
    if rejection not in heat_rejection.REJECTION_KINDS or air_rejection not in (
        heat_rejection.REJECTION_KINDS
    ):
        rejection = rejection if rejection not in heat_rejection.REJECTION_KINDS else air_rejection
        raise _bad(
            pod,
            f"unknown heat_rejection {rejection!r}; use one of "
            f"{', '.join(heat_rejection.REJECTION_KINDS)}",
        )
    try:
        fws = parse_water_class(pod.water_class or default_class) if default_class else float("nan")
    except ThermalInputError as exc:
        raise _bad(pod, str(exc)) from None
    if pod.cooling == "two_phase_immersion":
        fluid = p.liquid.two_phase_coolant
        warmest = boiling_point_c(fluid) - p.liquid.two_phase_condenser_approach_k
        if fws > warmest:
            raise _bad(
                pod,
                f"water class W{fws:g} is too warm to condense {fluid} (boils at "
                f"{boiling_point_c(fluid):.1f} °C; the condenser water must stay "
                f"{p.liquid.two_phase_condenser_approach_k:g} K under it, at most "
                f"{warmest:.1f} °C): use W{int(warmest) if int(warmest) >= 17 else 17} or "
                "lower (facility.liquid.two_phase_condenser_approach_k sets the margin)",
            )

    try:
        chw_supply, chw_return = loops.chilled_water_c(p.air)
    except ValueError as exc:
        raise ThermalInputError(str(exc)) from None
    fan_pressure = loops.air_fan_pressure_pa(pod.rack_kw, p.air)
    compute_design = pod.racks * compute_per_rack_kw(pod.rack_kw, p.server)
    nominal_inlet = p.air.supply_air_c + p.air.recirculation_frac * p.air.rack_delta_t_k
    it_design = compute_design + float(
        server_fan_kw(compute_design, nominal_inlet, 1 - f_liq, p.server)
    )
    partial = PodDesign(
        pod,
        compute_design,
        it_design,
        f_liq,
        fws,
        rejection,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        nominal_inlet,
        chw_supply,
        chw_return,
        fan_pressure,
    )
    src = _heat_sources(np.array([compute_design]), partial, p)
    air_heat = float(src["air_kw"][0])
    air_loop, liquid_loop = (
        float(x[0]) for x in loop_heats_kw(src, air_heat, p, fan_pressure)
    )
    curve = chiller.CHILLER_CURVES[p.chiller.curve]
    condenser = design_condenser_c(rejection, p)
    trip = np.inf if condenser is None else condenser + p.chiller.trip_margin_k
    air_condenser = design_condenser_c(air_rejection, p)
    air_trip = np.inf if air_condenser is None else air_condenser + p.chiller.trip_margin_k
    return PodDesign(
        pod=pod,
        compute_design_kw=compute_design,
        it_design_kw=it_design,
        liquid_fraction=f_liq,
        fws_supply_c=fws,
        heat_rejection=rejection,
        design_air_heat_kw=air_heat,
        design_air_loop_kw=air_loop,
        design_liquid_loop_kw=liquid_loop,
        air_chiller_ref_kw=chiller.reference_capacity_kw(
            curve, air_loop, chw_supply, p.chiller, air_condenser
        ),
        liquid_chiller_ref_kw=(
            chiller.reference_capacity_kw(curve, liquid_loop, fws, p.chiller, condenser)
            if f_liq > 0
            else 0.0
        ),
        nominal_inlet_c=nominal_inlet,
        chw_supply_c=chw_supply,
        chw_return_c=chw_return,
        air_fan_pressure_pa=fan_pressure,
        air_chiller_trip_c=air_trip,
        liquid_chiller_trip_c=trip if f_liq > 0 else np.inf,
        air_heat_rejection=air_rejection,
    )


def max_rack_kw(cooling: str, tech: TechnologyParams) -> float:
    """The rack-density limit of a technology [kW/rack]."""
    return float(getattr(tech, f"{cooling}_max_rack_kw"))


def design_condenser_c(rejection: str, p: FacilityParams) -> float | None:
    """Entering condenser temperature on the design day [°C] (None without design
    conditions: chillers are then sized at their curve's hottest condenser temperature)."""
    d = p.design
    if d.dry_bulb_c is None or d.wet_bulb_c is None:
        return None
    design = float(
        heat_rejection.condenser_entering_c(rejection, d.dry_bulb_c, d.wet_bulb_c, p.rejection)
    )
    if rejection == "hybrid" and d.dry_bulb_c > p.rejection.hybrid_switch_over_c:
        # just below the switch-over the cooler still runs dry: its warmest fluid of the
        # year may be there rather than on the (wet) design day
        dry_at_switch = p.rejection.hybrid_switch_over_c + p.rejection.dry_cooler_approach_k
        design = max(design, dry_at_switch)
    return design


def _heat_sources(compute_kw: np.ndarray, design: PodDesign, p: FacilityParams) -> dict:
    """IT power and where the hall's heat goes, for a compute load (weather-independent)."""
    f_liq = design.liquid_fraction
    fans = server_fan_kw(compute_kw, design.nominal_inlet_c, 1.0 - f_liq, p.server)
    it = compute_kw + fans
    ups = ups_loss_kw(it, design.it_design_kw, p.power)
    lighting = np.full_like(it, fixed_site_kw(design.it_design_kw, p.power))
    liquid = compute_kw * f_liq
    tcs = (
        loops.tcs_pump_kw(liquid, design.pod.cooling, p.liquid) if f_liq > 0 else np.zeros_like(it)
    )
    return {
        "server_fan_kw": fans,
        "it_kw": it,
        "ups_loss_kw": ups,
        "lighting_kw": lighting,
        "air_kw": compute_kw * (1.0 - f_liq) + fans + ups + lighting,
        "liquid_kw": liquid,
        "tcs_pump_kw": tcs,
    }


def loop_heats_kw(
    src: dict, design_air_heat_kw: float, p: FacilityParams, fan_pressure_pa: float | None = None
) -> tuple:
    """Heat each loop brings to its plant: sources, air handler fans and loop pumps [kW].

    Parameters
    ----------
    src : dict
        From :func:`_heat_sources`.
    design_air_heat_kw : float
        Room heat at design load, which sizes the air handlers [kW].
    p : FacilityParams
    fan_pressure_pa : float, optional
        Air handler pressure [Pa] (:func:`thermal.loops.air_fan_pressure_pa`).

    Returns
    -------
    air_loop_kw, liquid_loop_kw : arrays
    """
    air = src["air_kw"] + loops.air_handler_fan_kw(
        src["air_kw"], design_air_heat_kw, p.air, fan_pressure_pa
    )
    air = air + heat_rejection.pump_kw(
        air, p.air.chw_delta_t_k, p.air.chw_pump_pa, p.air.chw_pump_efficiency
    )
    liquid = src["liquid_kw"] + src["tcs_pump_kw"]
    liquid = liquid + heat_rejection.pump_kw(
        liquid, p.liquid.fws_delta_t_k, p.liquid.fws_pump_pa, p.liquid.fws_pump_efficiency
    )
    return air, liquid
