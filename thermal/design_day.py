"""Design-day conditions: the outdoor temperatures a plant is sized for.

ASHRAE's climatic design conditions (ASHRAE Handbook - Fundamentals, ch. 14) give, for
each station, the dry-bulb and wet-bulb temperatures exceeded in 0.4 %, 1 % and 2 % of
the hours of a year. Cooling plants are sized at the 0.4 % values (35 hours a year are
hotter). Here they are read off the hourly weather being simulated, unless a scenario
fixes them (to keep a plant sized for today's climate while simulating a warmer one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermal.params import param

#: Annual share of hours above the design temperature (ASHRAE's 0.4 % condition).
DESIGN_EXCEEDANCE = 0.004


@dataclass(frozen=True)
class DesignConditions:
    """Outdoor design conditions the plant is sized for (None: from the weather)."""

    dry_bulb_c: float | None = param(
        None,
        "°C",
        "design dry-bulb: None takes the weather's 0.4 % annual value (ASHRAE Handbook - "
        "Fundamentals, ch. 14, cooling design conditions)",
    )
    wet_bulb_c: float | None = param(
        None,
        "°C",
        "design wet-bulb: None takes the weather's 0.4 % annual value of the hourly wet-bulb "
        "(ASHRAE's evaporation design condition)",
    )


def design_temperatures_c(dry_bulb_c, wet_bulb_c) -> tuple[float, float]:
    """The 0.4 % annual dry-bulb and wet-bulb [°C] of hourly series [°C]."""
    q = 100.0 * (1.0 - DESIGN_EXCEEDANCE)
    return (
        float(np.percentile(np.asarray(dry_bulb_c, float), q)),
        float(np.percentile(np.asarray(wet_bulb_c, float), q)),
    )


def resolved(conditions: DesignConditions, dry_bulb_c, wet_bulb_c) -> DesignConditions:
    """``conditions`` with any missing value read off the weather's hours."""
    if conditions.dry_bulb_c is not None and conditions.wet_bulb_c is not None:
        return conditions
    db, wb = design_temperatures_c(dry_bulb_c, wet_bulb_c)
    return DesignConditions(
        dry_bulb_c=db if conditions.dry_bulb_c is None else conditions.dry_bulb_c,
        wet_bulb_c=wb if conditions.wet_bulb_c is None else conditions.wet_bulb_c,
    )
