"""ASHRAE thermal guideline classes for air-cooled IT equipment.

Allowable envelopes from ASHRAE *Thermal Guidelines for Data Processing Environments*,
5th ed. (2021), as quoted in the EnergyPlus Input/Output Reference
(ElectricEquipment:ITE:AirCooled); see physics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermal.errors import ThermalInputError


@dataclass(frozen=True)
class AirClass:
    """Allowable inlet envelope of one class."""

    name: str
    min_dry_bulb_c: float
    max_dry_bulb_c: float
    max_dew_point_c: float
    min_rh_pct: float
    max_rh_pct: float


ASHRAE_CLASSES = {
    c.name: c
    for c in (
        AirClass("A1", 15.0, 32.0, 17.0, 8.0, 80.0),
        AirClass("A2", 10.0, 35.0, 21.0, 8.0, 80.0),
        AirClass("A3", 5.0, 40.0, 24.0, 8.0, 85.0),
        AirClass("A4", 5.0, 45.0, 24.0, 8.0, 90.0),
    )
}

#: Recommended envelope (all classes): 18-27 °C, dew point <= 15 °C, RH <= 60 %.
RECOMMENDED = AirClass("recommended", 18.0, 27.0, 15.0, 0.0, 60.0)


def air_class(name: str) -> AirClass:
    """The class named ``name`` (A1..A4, case-insensitive)."""
    key = str(name).upper()
    if key not in ASHRAE_CLASSES:
        raise ThermalInputError(
            f"unknown ASHRAE air class {name!r}; use one of {', '.join(ASHRAE_CLASSES)}"
        )
    return ASHRAE_CLASSES[key]


def within_class(inlet_c, inlet_dew_point_c, inlet_rh_pct, cls: AirClass):
    """Whether each hour's server inlet air lies inside the class's allowable envelope.

    Parameters
    ----------
    inlet_c, inlet_dew_point_c, inlet_rh_pct : array
        Inlet dry-bulb [°C], dew point [°C] and relative humidity [%].
    cls : AirClass

    Returns
    -------
    array of bool
    """
    t = np.asarray(inlet_c, float)
    td = np.asarray(inlet_dew_point_c, float)
    rh = np.asarray(inlet_rh_pct, float)
    return (
        (t >= cls.min_dry_bulb_c)
        & (t <= cls.max_dry_bulb_c)
        & (td <= cls.max_dew_point_c)
        & (rh >= cls.min_rh_pct)
        & (rh <= cls.max_rh_pct)
    )
