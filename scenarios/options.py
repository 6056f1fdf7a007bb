"""Cooling options side by side over a typical year: physics, plant size and money.

:func:`compare_options` serves ``coolshift thermal``: each technology's hall is simulated
for the whole weather year, its plant sized at full IT load on the design day
(:mod:`thermal.sizing`), and priced over its life (:mod:`scenarios.costs`), with payback and
NPV against an air-cooled hall of the same racks (when air can cool them).
:func:`year_tco` prices a simulated year, here and for the Halls page's options
(:mod:`scenarios.explore.tco`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.costs import Tco, Versus, cost_params, tco, usd_factor, versus
from thermal.facility import FacilityParams, Pod, max_rack_kw
from thermal.simulate import simulate_pod, weather_arrays, with_design_conditions
from thermal.sizing import PlantSizing, WorstHour, size_pod_at, station_pressure_pa, worst_hour
from thermal.summary import period_summary

#: Energy price when none is given [USD/kWh]: the US industrial average of 2023, about 8 US
#: cents per kWh (U.S. EIA, Electric Power Monthly, table 5.3, average price to industrial
#: customers, 2023).
DEFAULT_PRICE_USD_PER_KWH = 0.08


@dataclass(frozen=True)
class CoolingOption:
    """One technology's hall over the year: indicators, plant, money."""

    cooling: str
    summary: dict[str, float]
    sizing: PlantSizing
    worst: WorstHour
    tco: Tco
    #: against the air-cooled hall of the same racks (None: air cannot cool these racks)
    versus_air: Versus | None


def year_tco(frame: pd.DataFrame, sizings: Sequence[PlantSizing], costs,
             price_per_kwh: float | np.ndarray, demand_charge_per_kw_month: float) -> Tco:
    """The TCO of halls simulated over a year (a site or pod frame of hourly kW).

    Energy at ``price_per_kwh`` [currency/kWh]: one price for every hour, or one per hour
    of the frame; the demand charge [currency/kW/month] on each calendar month's peak
    facility power (the frame's index gives the months).
    """
    facility = frame["facility_kw"]
    monthly_peaks = facility.groupby([facility.index.year, facility.index.month]).max()
    prices = np.broadcast_to(np.asarray(price_per_kwh, dtype=float), (len(facility),))
    return tco(
        sizings,
        costs,
        energy_cost=float(np.dot(facility.to_numpy(dtype=float), prices)),
        demand_cost=float(monthly_peaks.sum()) * demand_charge_per_kw_month,
        water_l=float(frame["water_l"].sum()),
        compute_kwh=float(frame["compute_kw"].sum()),
        hours=len(frame),
    )


def compare_options(
    weather: pd.DataFrame,
    pods: Sequence[Pod],
    params: FacilityParams | None = None,
    price_per_kwh: float | None = None,
    currency: str = "USD",
    cost_changes: Mapping[str, object] | None = None,
    demand_charge_per_kw_month: float = 0.0,
    simulated_weather: pd.DataFrame | None = None,
) -> list[CoolingOption]:
    """Each pod (one per technology) over the year, sized and priced.

    Parameters
    ----------
    weather : DataFrame
        The typical year the plant is sized for (its ASHRAE 0.4 % design day).
    pods : sequence of Pod
        One hall per technology to compare; each runs at its ``utilisation``.
    params : FacilityParams, optional
    price_per_kwh : float, optional
        Flat energy price [currency/kWh]; default :data:`DEFAULT_PRICE_USD_PER_KWH`
        converted to ``currency`` at the cost model's rate.
    currency : str
        Currency of the price and of every result.
    cost_changes : mapping, optional
        Overrides of the cost defaults (``[costs]`` keys).
    demand_charge_per_kw_month : float
        Demand charge on each calendar month's peak facility power [currency/kW/month].
    simulated_weather : DataFrame, optional
        The weather actually simulated (a warmer year); default ``weather``.

    Raises
    ------
    ScenarioError
        A bad cost override or currency; ThermalInputError for a pod the physics refuses.
    """
    costs = cost_params(cost_changes, currency)
    if price_per_kwh is None:
        price_per_kwh = DEFAULT_PRICE_USD_PER_KWH * usd_factor(
            dataclasses.replace(costs, location_factor=1.0)
        )
    p = with_design_conditions(params or FacilityParams(), weather_arrays(weather, params))
    year = simulated_weather if simulated_weather is not None else weather
    outdoor = weather_arrays(year, p)

    pressure = station_pressure_pa(weather)

    def one(pod: Pod) -> tuple[pd.DataFrame, PlantSizing, Tco]:
        frame = simulate_pod(year, pod, params=p, outdoor=outdoor)
        sizing = size_pod_at(pod, p, pressure)
        return frame, sizing, year_tco(frame, [sizing], costs, price_per_kwh,
                                       demand_charge_per_kw_month)

    done = {pod.name: one(pod) for pod in pods}
    air_pod = next((pod for pod in pods if pod.cooling == "air"), None)
    reference = None
    if air_pod is not None:
        reference = done[air_pod.name][2]
    elif pods and pods[0].rack_kw <= max_rack_kw("air", p.technology):
        first = pods[0]
        air = dataclasses.replace(first, name="air", cooling="air", water_class=None,
                                  liquid_fraction=None)
        reference = one(air)[2]
    options = []
    for pod in pods:
        frame, sizing, cost = done[pod.name]
        options.append(
            CoolingOption(
                cooling=pod.cooling,
                summary=period_summary(frame),
                sizing=sizing,
                # a pod at full load already has its full-load year
                worst=worst_hour(year, pod, sizing, p,
                                 full_load=frame if pod.utilisation == 1.0 else None),
                tco=cost,
                versus_air=None if reference is None else versus(cost, reference),
            )
        )
    return options


def finite_or_none(value: float) -> float | None:
    """A number for JSON: NaN and infinity as None."""
    return float(value) if math.isfinite(value) else None
