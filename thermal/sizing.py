"""Plant sizing: what a pod's plant must carry at full IT load on the design day.

A plant is sized for the hour it is hardest to cool: full IT load (every rack at its
nameplate) at the design outdoor conditions, the ASHRAE 0.4 % annual dry-bulb and wet-bulb
(:mod:`thermal.design_day`; ASHRAE Handbook - Fundamentals 2021, ch. 14). This module
simulates that one hour with the same model as the year (:func:`thermal.simulate.simulate_pod`)
and reads the capacities off it:

* ``design_facility_kw``: facility power on the design hour [kW] - the grid connection the
  hall needs (no growth margin is added: say so to a utility);
* ``ups_kw``: the UPS rating, the IT load at nameplate [kW] (server fans included);
* ``chiller_kw_th``: chiller capacity the model installs (the reference capacity of every
  loop's chillers) [kW_th], and ``chiller_load_kw_th`` what they carry on the design hour;
* ``heat_rejection_kw_th``: heat rejected outdoors on the design hour [kW_th] (towers, dry or
  hybrid coolers: ``heat_rejection``);
* ``air_handling_kw_th``: heat to the room air handlers (CRAH coils) [kW_th];
* ``cdu_kw_th``: heat to the liquid loops through the CDUs (or tank heat exchangers) [kW_th];
* ``pump_kw``: all pumps on the design hour [kW].

:func:`worst_hour` runs the whole weather year at full IT load and says how the plant fares
in its hardest hour (hotter than design in ~35 hours of a typical year): facility power
against the grid connection, chiller load against what the chillers can give that hour, and
unmet heat. :func:`racks_that_fit` answers the planner's reverse question: how many racks of
a technology fit in a grid connection and a floor area.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.psychrometrics import (
    MOLAR_MASS_RATIO,
    STANDARD_PRESSURE_PA,
    dew_point_c,
    humidity_ratio_from_wet_bulb,
    saturation_vapor_pressure_pa,
)
from thermal.simulate import simulate_pod, weather_arrays, with_design_conditions


@dataclass(frozen=True)
class PlantSizing:
    """A pod's plant at full IT load on the design hour (kW electric, kW_th heat)."""

    pod: str
    cooling: str
    racks: int
    rack_kw: float
    design_dry_bulb_c: float
    design_wet_bulb_c: float
    it_design_kw: float
    compute_design_kw: float
    design_facility_kw: float
    design_pue: float
    ups_kw: float
    chiller_kw_th: float
    chiller_load_kw_th: float
    heat_rejection: str
    heat_rejection_kw_th: float
    air_handling_kw_th: float
    cdu_kw_th: float
    pump_kw: float
    unmet_heat_kw: float


@dataclass(frozen=True)
class WorstHour:
    """How the sized plant fares in the year's hardest hour at full IT load."""

    timestamp: pd.Timestamp
    dry_bulb_c: float
    wet_bulb_c: float
    facility_kw: float
    #: grid connection (design facility kW) minus the hour's facility power [kW]; < 0: the
    #: hour draws more than the design-day connection
    grid_margin_kw: float
    #: least spare chiller capacity over the year [kW_th]; < 0: the chillers fall short
    chiller_margin_kw_th: float
    unmet_heat_h: int
    unmet_heat_kwh: float


def design_hour(
    dry_bulb_c: float, wet_bulb_c: float, pressure_pa: float = STANDARD_PRESSURE_PA
) -> pd.DataFrame:
    """A one-hour weather frame at the given dry-bulb and wet-bulb [°C] and pressure [Pa].

    Raises
    ------
    ThermalInputError
        Wet-bulb above dry-bulb, or temperatures outside -60..60 °C.
    """
    for name, value in (("dry-bulb", dry_bulb_c), ("wet-bulb", wet_bulb_c)):
        if not (math.isfinite(value) and -60.0 <= value <= 60.0):
            raise ThermalInputError(f"design {name} must be within -60..60 °C, got {value!r}")
    if wet_bulb_c > dry_bulb_c + 1e-9:
        raise ThermalInputError(
            f"design wet-bulb {wet_bulb_c:g} °C is above the dry-bulb {dry_bulb_c:g} °C; "
            "air's wet-bulb never exceeds its dry-bulb"
        )
    w = float(humidity_ratio_from_wet_bulb(dry_bulb_c, wet_bulb_c, pressure_pa))
    vapour_pa = w * pressure_pa / (MOLAR_MASS_RATIO + w)
    rh_pct = min(100.0, 100.0 * vapour_pa / float(saturation_vapor_pressure_pa(dry_bulb_c)))
    return pd.DataFrame(
        {
            "dry_bulb_c": [float(dry_bulb_c)],
            "wet_bulb_c": [float(wet_bulb_c)],
            "dew_point_c": [float(dew_point_c(dry_bulb_c, rh_pct))],
            "rh_pct": [rh_pct],
            "pressure_pa": [float(pressure_pa)],
        },
        index=pd.DatetimeIndex([pd.Timestamp("2001-07-21 15:00")], name="time"),
    )


def station_pressure_pa(frame: pd.DataFrame) -> float:
    """The median station pressure of an hourly frame [Pa] (altitude matters to towers);
    standard pressure without the column."""
    if "pressure_pa" in frame and len(frame):
        return float(np.median(frame["pressure_pa"].to_numpy(float)))
    return STANDARD_PRESSURE_PA


def size_pod(
    weather: pd.DataFrame, pod: Pod, params: FacilityParams | None = None
) -> PlantSizing:
    """Size a pod's plant at full IT load on the weather's design hour.

    Parameters
    ----------
    weather : DataFrame
        The hourly weather year (:func:`thermal.weather.load_climate`); its 0.4 % dry-bulb
        and wet-bulb are the design conditions unless ``params.design`` fixes them.
    pod : Pod
        Its ``utilisation`` is ignored: the plant is sized for every rack at nameplate.
    params : FacilityParams, optional

    Returns
    -------
    PlantSizing
    """
    p = with_design_conditions(params or FacilityParams(), weather_arrays(weather, params))
    return size_pod_at(pod, p, station_pressure_pa(weather))


def size_pod_at(
    pod: Pod, params: FacilityParams, pressure_pa: float = STANDARD_PRESSURE_PA
) -> PlantSizing:
    """Size a pod's plant at full IT load on the design hour ``params.design`` gives.

    Parameters
    ----------
    pod : Pod
    params : FacilityParams
        With both design temperatures set (:func:`thermal.simulate.with_design_conditions`).
    pressure_pa : float
        Station pressure of the site [Pa].
    """
    p = params
    if p.design.dry_bulb_c is None or p.design.wet_bulb_c is None:
        raise ThermalInputError(
            "sizing needs the design dry-bulb and wet-bulb: give facility.design or size "
            "from a weather year (size_pod)"
        )
    full = dataclasses.replace(pod, utilisation=1.0)
    hour = design_hour(p.design.dry_bulb_c, p.design.wet_bulb_c, pressure_pa)
    design = design_pod(full, p)
    row = simulate_pod(hour, full, params=p).iloc[0]
    return PlantSizing(
        pod=pod.name,
        cooling=pod.cooling,
        racks=int(pod.racks),
        rack_kw=float(pod.rack_kw),
        design_dry_bulb_c=float(p.design.dry_bulb_c),
        design_wet_bulb_c=float(p.design.wet_bulb_c),
        it_design_kw=float(design.it_design_kw),
        compute_design_kw=float(design.compute_design_kw),
        design_facility_kw=float(row["facility_kw"]),
        design_pue=float(row["facility_kw"] / row["it_kw"]),
        ups_kw=float(row["it_kw"]),
        chiller_kw_th=float(design.air_chiller_ref_kw + design.liquid_chiller_ref_kw),
        chiller_load_kw_th=float(row["chiller_load_kw_th"]),
        heat_rejection=design.heat_rejection,
        heat_rejection_kw_th=float(row["heat_rejected_kw"]),
        air_handling_kw_th=float(row["heat_to_air_kw"]),
        cdu_kw_th=float(row["heat_to_liquid_kw"]),
        pump_kw=float(row["pump_kw"]),
        unmet_heat_kw=float(row["unmet_heat_kw"]),
    )


def worst_hour(
    weather: pd.DataFrame,
    pod: Pod,
    sizing: PlantSizing,
    params: FacilityParams | None = None,
    full_load: pd.DataFrame | None = None,
) -> WorstHour:
    """The year's hardest hour for a plant sized by :func:`size_pod`, at full IT load.

    The hardest hour is the one of highest facility power; the chiller margin is the least
    spare chiller capacity of any hour [kW_th]. ``full_load``: the pod's year already
    simulated at utilisation 1 (:func:`thermal.simulate.simulate_pod`), else simulated here.
    """
    frame = full_load
    if frame is None:
        p = with_design_conditions(params or FacilityParams(), weather_arrays(weather, params))
        frame = simulate_pod(weather, dataclasses.replace(pod, utilisation=1.0), params=p)
    i = int(np.argmax(frame["facility_kw"].to_numpy()))
    spare = frame["chiller_available_kw"] - frame["chiller_load_kw_th"]
    unmet = frame["unmet_heat_kw"].to_numpy()
    return WorstHour(
        timestamp=frame.index[i],
        dry_bulb_c=float(weather["dry_bulb_c"].iloc[i]),
        wet_bulb_c=float(weather["wet_bulb_c"].iloc[i]),
        facility_kw=float(frame["facility_kw"].iloc[i]),
        grid_margin_kw=float(sizing.design_facility_kw - frame["facility_kw"].iloc[i]),
        chiller_margin_kw_th=float(spare.min()),
        unmet_heat_h=int(np.count_nonzero(unmet > 1e-6)),
        unmet_heat_kwh=float(unmet.sum()),
    )


@dataclass(frozen=True)
class RackFit:
    """How many racks of one design fit in a grid connection and a floor area."""

    cooling: str
    rack_kw: float
    racks_by_grid: int
    racks_by_floor: int | None
    racks: int
    limited_by: str
    design_facility_kw_per_rack: float
    it_kw: float


def racks_that_fit(
    weather: pd.DataFrame,
    cooling: str,
    rack_kw: float,
    grid_kw: float,
    floor_m2: float | None = None,
    m2_per_rack: float | None = None,
    params: FacilityParams | None = None,
    **pod_fields,
) -> RackFit:
    """Racks of a technology at ``rack_kw`` that fit a grid connection and a floor area.

    Facility power on the design hour grows with the number of racks, so the largest count
    that fits is found by bisection, each step sizing that many racks on the design hour
    (:func:`size_pod`): fixed loads (transformer no-load, pump minimum flows) are counted
    as they are, not pro rata.

    Parameters
    ----------
    grid_kw : float
        Grid connection [kW] (facility power on the design hour must stay within it).
    floor_m2, m2_per_rack : float, optional
        White-space floor area [m²] and the area one rack takes with its share of aisles
        and (for immersion) tank footprint [m²]; both or neither.
    **pod_fields
        Further :class:`Pod` fields (water_class, heat_rejection, economizer...).
    """
    if not (math.isfinite(grid_kw) and grid_kw > 0):
        raise ThermalInputError(f"grid connection must be a positive number of kW, got {grid_kw!r}")
    if (floor_m2 is None) != (m2_per_rack is None):
        raise ThermalInputError("give both the floor area and the area per rack, or neither")
    if floor_m2 is not None and not (
        math.isfinite(floor_m2) and floor_m2 > 0 and math.isfinite(m2_per_rack) and m2_per_rack > 0
    ):
        raise ThermalInputError(
            f"floor area and area per rack must be positive numbers of m², got {floor_m2!r} "
            f"and {m2_per_rack!r}"
        )

    p = with_design_conditions(params or FacilityParams(), weather_arrays(weather, params))
    pressure = station_pressure_pa(weather)

    def facility_kw(racks: int) -> float:
        pod = Pod(name=cooling, cooling=cooling, racks=racks, rack_kw=rack_kw, **pod_fields)
        return size_pod_at(pod, p, pressure).design_facility_kw

    per_rack = facility_kw(100) / 100.0
    # facility power grows with the racks and is at least their IT power: bisect on the
    # count between 0 (fits) and grid / rack_kw + 1 (cannot fit)
    fits, too_many = 0, int(grid_kw // rack_kw) + 1
    while too_many - fits > 1:
        mid = (fits + too_many) // 2
        if facility_kw(mid) <= grid_kw:
            fits = mid
        else:
            too_many = mid
    by_grid = fits
    by_floor = None if floor_m2 is None else int(floor_m2 // m2_per_rack)
    racks = by_grid if by_floor is None else min(by_grid, by_floor)
    limited = "grid" if by_floor is None or by_grid <= by_floor else "floor"
    it_kw = 0.0
    if racks > 0:
        pod = Pod(name=cooling, cooling=cooling, racks=racks, rack_kw=rack_kw, **pod_fields)
        it_kw = size_pod_at(pod, p, pressure).it_design_kw
    return RackFit(
        cooling=cooling,
        rack_kw=float(rack_kw),
        racks_by_grid=by_grid,
        racks_by_floor=by_floor,
        racks=racks,
        limited_by=limited,
        design_facility_kw_per_rack=per_rack,
        it_kw=it_kw,
    )
