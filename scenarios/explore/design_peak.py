"""The design-day peak of a scenario's halls: each pod at full IT load in the hour its
plant is sized for (ASHRAE's 0.4 % annual dry-bulb and wet-bulb of the site's climate).

What a grid connection, transformers and the electrical room must carry: the year at
inference load (:mod:`scenarios.explore.halls`) peaks far lower. The sizing itself is
:func:`thermal.sizing.size_pod_at` (one weather hour at the design conditions through the
same physics as every other hour, each pod's compute at its design power), with the
conditions and pressure the run uses (:mod:`scenarios.money`); this module adds the
scenario's side: the climate's design day, the pods the physics rejects, one table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from scenarios.explore.halls import pod_problems
from scenarios.facility import facility_params, thermal_pod
from scenarios.inputs import load_weather
from scenarios.money import scenario_sizings
from scenarios.schema import Scenario
from thermal.design_day import design_temperatures_c
from thermal.sizing import station_pressure_pa

#: Columns of :attr:`DesignPeak.table` [kW, kW_th, -] and the
#: :class:`thermal.sizing.PlantSizing` field each is read from.
PEAK_COLUMNS = {
    "compute_kw": "compute_design_kw",
    "it_kw": "ups_kw",
    "facility_kw": "design_facility_kw",
    "pue": "design_pue",
    "chiller_load_kw_th": "chiller_load_kw_th",
    "heat_rejected_kw_th": "heat_rejection_kw_th",
    "unmet_heat_kw": "unmet_heat_kw",
}


@dataclass(frozen=True)
class DesignPeak:
    """Every valid pod at full IT load in the design hour.

    Attributes
    ----------
    dry_bulb_c, wet_bulb_c : float
        The design hour's outdoor conditions [°C] (the climate's 0.4 % values unless the
        scenario's ``[facility.design]`` fixes them).
    table : DataFrame
        Index pod; columns compute_kw (the compute design power), it_kw (compute and
        server fans), facility_kw [kW], pue [-], chiller_load_kw_th and
        heat_rejected_kw_th [kW_th], unmet_heat_kw [kW] (heat left in the hall: 0 when
        the plant carries the full load).
    problems : dict
        Pods the physics rejects (name -> message), left out of ``table``.
    fixed : bool
        Whether ``[facility.design]`` sets a condition (else both are the climate's).
    """

    dry_bulb_c: float
    wet_bulb_c: float
    table: pd.DataFrame
    problems: dict[str, str] = field(default_factory=dict)
    fixed: bool = False

    @property
    def facility_kw(self) -> float:
        """The pods' design-hour facility power added up [kW]."""
        return float(self.table["facility_kw"].sum())


def design_day_peak(scenario: Scenario) -> DesignPeak:
    """Each pod's plant at full IT load in the design hour.

    The design conditions are read off the climate's whole typical year, before any
    ``site.warm_k`` (the plant is sized for the climate as it is, as a run sizes it), or
    taken from ``[facility.design]``; the hour's humidity follows from its wet-bulb at
    the climate's median pressure. Pods the physics rejects are left out (``problems``).

    Raises
    ------
    ScenarioError
        Unknown climate or bad ``[facility]`` overrides.
    """
    weather = load_weather(scenario.site.climate)
    own = facility_params(scenario).design
    fixed = own.dry_bulb_c is not None or own.wet_bulb_c is not None
    design = design_temperatures_c(weather["dry_bulb_c"], weather["wet_bulb_c"])
    params = facility_params(scenario, design_day_c=design)
    problems = pod_problems(scenario, params)
    pods = [thermal_pod(spec) for spec in scenario.pods if spec.name not in problems]
    sizings = scenario_sizings(pods, params, station_pressure_pa(weather))
    table = pd.DataFrame(
        [{column: getattr(s, name) for column, name in PEAK_COLUMNS.items()} for s in sizings],
        index=pd.Index([s.pod for s in sizings], name="pod"),
        columns=list(PEAK_COLUMNS),
    ).astype(float)
    return DesignPeak(params.design.dry_bulb_c, params.design.wet_bulb_c, table, problems, fixed)
