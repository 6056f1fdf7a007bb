"""The design-day peak of a scenario's halls: each pod at full IT load in the hour its
plant is sized for (ASHRAE's 0.4 % annual dry-bulb and wet-bulb of the site's climate).

What a grid connection, transformers and the electrical room must carry: the year at
inference load (:mod:`scenarios.explore.halls`) peaks far lower. One weather hour at the
design conditions goes through the same physics as every other hour
(:func:`thermal.simulate.simulate_pod`), each pod's compute at its design power.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios.explore.halls import pod_problems
from scenarios.facility import facility_params, thermal_pod
from scenarios.inputs import horizon_hours, load_weather
from scenarios.schema import Scenario
from thermal.design_day import design_temperatures_c
from thermal.facility import design_pod
from thermal.psychrometrics import (
    MOLAR_MASS_RATIO,
    STANDARD_PRESSURE_PA,
    dew_point_c,
    humidity_ratio_from_wet_bulb,
    relative_humidity_pct,
    saturation_vapor_pressure_pa,
)
from thermal.simulate import simulate_pod

#: Columns of :attr:`DesignPeak.table`.
PEAK_COLUMNS = ("compute_kw", "it_kw", "cooling_kw", "facility_kw", "pue", "unmet_heat_kw", "mode")


@dataclass(frozen=True)
class DesignPeak:
    """Every valid pod at full IT load in the design hour.

    Attributes
    ----------
    dry_bulb_c, wet_bulb_c : float
        The design hour's outdoor conditions [°C] (the climate's 0.4 % values unless the
        scenario's ``[facility.design]`` fixes them).
    table : DataFrame
        Index pod; columns compute_kw (the pod's compute design power), it_kw (compute
        and server fans), cooling_kw, facility_kw [kW], pue [-], unmet_heat_kw
        [kW] (heat left in the hall: 0 when the plant carries the full load), mode.
    problems : dict
        Pods the physics rejects (name -> message), left out of ``table``.
    """

    dry_bulb_c: float
    wet_bulb_c: float
    table: pd.DataFrame
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def facility_kw(self) -> float:
        """The pods' design-hour facility power added up [kW]."""
        return float(self.table["facility_kw"].sum())


def design_hour(
    dry_bulb_c: float, wet_bulb_c: float, pressure_pa: float, when: pd.Timestamp
) -> pd.DataFrame:
    """One weather hour at a dry-bulb and wet-bulb [°C] and pressure [Pa].

    Returns
    -------
    DataFrame
        One row at ``when``: dry_bulb_c, wet_bulb_c, dew_point_c [°C], rh_pct [%],
        pressure_pa [Pa] (a wet-bulb above the dry-bulb is read as saturated air).
    """
    wb = min(float(wet_bulb_c), float(dry_bulb_c))
    w = float(humidity_ratio_from_wet_bulb(dry_bulb_c, wb, pressure_pa))
    vapour_pa = w * pressure_pa / (MOLAR_MASS_RATIO + w)
    rh = float(np.clip(100.0 * vapour_pa / saturation_vapor_pressure_pa(dry_bulb_c), 1e-3, 100))
    dew = float(dew_point_c(dry_bulb_c, rh))
    return pd.DataFrame(
        {
            "dry_bulb_c": [float(dry_bulb_c)],
            "wet_bulb_c": [wb],
            "dew_point_c": [dew],
            "rh_pct": [float(relative_humidity_pct(dry_bulb_c, dew))],
            "pressure_pa": [float(pressure_pa)],
        },
        index=pd.DatetimeIndex([when]),
    )


def design_day_peak(scenario: Scenario) -> DesignPeak:
    """Each pod's facility power at full IT load in the design hour.

    The design conditions are read off the climate's whole typical year, before any
    ``site.warm_k`` (the plant is sized for the climate as it is), or taken from
    ``[facility.design]``; the hour's humidity follows from its wet-bulb at the
    climate's median pressure. Pods the physics rejects are left out (``problems``).

    Raises
    ------
    ScenarioError
        Unknown climate or bad ``[facility]`` overrides.
    """
    weather = load_weather(scenario.site.climate)
    design = design_temperatures_c(weather["dry_bulb_c"], weather["wet_bulb_c"])
    params = facility_params(scenario, design_day_c=design)
    db, wb = params.design.dry_bulb_c, params.design.wet_bulb_c
    pressure = (float(weather["pressure_pa"].median()) if "pressure_pa" in weather
                else STANDARD_PRESSURE_PA)  # fmt: skip
    hour = design_hour(db, wb, pressure, horizon_hours(scenario)[0])
    problems = pod_problems(scenario, params)
    rows = {}
    for spec in scenario.pods:
        if spec.name in problems:
            continue
        pod = thermal_pod(spec)
        full_kw = design_pod(pod, params).compute_design_kw
        frame = simulate_pod(hour, pod, compute_kw=full_kw, params=params)
        row = frame.iloc[0]
        rows[spec.name] = {
            "compute_kw": float(row["compute_kw"]),
            "it_kw": float(row["it_kw"]),
            "cooling_kw": float(row["cooling_kw"]),
            "facility_kw": float(row["facility_kw"]),
            "pue": float(row["facility_kw"] / row["it_kw"]),
            "unmet_heat_kw": float(row["unmet_heat_kw"]),
            "mode": str(row["mode"]),
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(PEAK_COLUMNS))
    table.index.name = "pod"
    return DesignPeak(float(db), float(wb), table, problems)

