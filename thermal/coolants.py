"""Coolant properties from CoolProp: the technology coolants of liquid-cooled racks.

Single-phase coolants (cold-plate water-glycol, spray and immersion dielectrics) carry
heat as sensible heat: what matters is the volumetric heat capacity ``rho cp``, which
sets the flow (and pump power) per kW at a temperature rise. A two-phase immersion fluid
carries heat by boiling: its saturation temperature at atmospheric pressure bounds the
facility water that can condense its vapour.

CoolProp (Bell et al., Ind. Eng. Chem. Res. 53 (2014) 2498) has water-glycol mixtures,
HFE-7100 and Novec 649 (FK-5-1-12); it has no mineral oil or PAO, so those are given as
constants with their source (physics.md).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from thermal.errors import ThermalInputError

#: Pressure at which the coolants are evaluated [Pa] (open tanks, low-pressure loops).
ATMOSPHERIC_PA = 101_325.0
#: Temperature at which single-phase properties are evaluated [°C] (mid-loop).
REFERENCE_C = 35.0


@dataclass(frozen=True)
class Coolant:
    """A technology coolant: its CoolProp name (or a constant) and what it is."""

    key: str
    coolprop: str | None
    description: str
    #: rho*cp [MJ/(m³ K)] where CoolProp has no data; None: from CoolProp.
    constant_mj_per_m3_k: float | None = None


COOLANTS = {
    c.key: c
    for c in (
        Coolant("pg25", "INCOMP::MPG[0.25]", "25 % propylene glycol in water (cold plates)"),
        Coolant("water", "Water", "water (cold plates in a clean loop)"),
        Coolant("hfe7100", "INCOMP::HFE2", "HFE-7100 hydrofluoroether (spray, single-phase immersion)"),
        Coolant(
            "pao",
            None,
            "synthetic hydrocarbon (PAO) immersion oil: ~800 kg/m³ x 2.1 kJ/(kg K); "
            "physics.md (no CoolProp data)",
            constant_mj_per_m3_k=1.7,
        ),
        Coolant("novec649", "Novec649", "Novec 649 / FK-5-1-12 fluoroketone (two-phase immersion)"),
    )
}


def _coolant(key: str) -> Coolant:
    try:
        return COOLANTS[key]
    except KeyError:
        raise ThermalInputError(
            f"unknown coolant {key!r}; known coolants: {', '.join(COOLANTS)}"
        ) from None


@functools.lru_cache(maxsize=64)
def volumetric_heat_capacity_mj_per_m3_k(key: str, temperature_c: float = REFERENCE_C) -> float:
    """``rho cp`` of a single-phase coolant [MJ/(m³ K)] at ``temperature_c`` [°C], 1 atm."""
    coolant = _coolant(key)
    if coolant.constant_mj_per_m3_k is not None:
        return coolant.constant_mj_per_m3_k
    from CoolProp.CoolProp import PropsSI

    t_k = temperature_c + 273.15
    rho = PropsSI("D", "T", t_k, "P", ATMOSPHERIC_PA, coolant.coolprop)
    cp = PropsSI("C", "T", t_k, "P", ATMOSPHERIC_PA, coolant.coolprop)
    return float(rho * cp / 1e6)


@functools.lru_cache(maxsize=16)
def boiling_point_c(key: str) -> float:
    """Saturation temperature of a two-phase coolant at 1 atm [°C]."""
    coolant = _coolant(key)
    if coolant.coolprop is None:
        raise ThermalInputError(f"coolant {key!r} has no two-phase data")
    from CoolProp.CoolProp import PropsSI

    return float(PropsSI("T", "P", ATMOSPHERIC_PA, "Q", 0, coolant.coolprop) - 273.15)


@functools.lru_cache(maxsize=16)
def latent_heat_kj_per_kg(key: str) -> float:
    """Heat of vaporisation of a two-phase coolant at 1 atm [kJ/kg]."""
    coolant = _coolant(key)
    if coolant.coolprop is None:
        raise ThermalInputError(f"coolant {key!r} has no two-phase data")
    from CoolProp.CoolProp import PropsSI

    h_vap = PropsSI("H", "P", ATMOSPHERIC_PA, "Q", 1, coolant.coolprop)
    h_liq = PropsSI("H", "P", ATMOSPHERIC_PA, "Q", 0, coolant.coolprop)
    return float((h_vap - h_liq) / 1000.0)
