"""Money per cooling option for a scenario's halls: the same pods cooled by each technology
that can cool them, each over a typical year at inference load, sized on the design day and
priced over the plant's life (:mod:`scenarios.costs`), with payback and NPV against air.

The halls page shows it beside the year and the design-day peak; a run prices only the
design as it is (kpis.json ``capex``, ``tco_per_year``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios.costs import Tco, Versus, cost_params, versus
from scenarios.errors import ScenarioError
from scenarios.explore.halls import simulate_at_inference, year_hours
from scenarios.facility import facility_params, thermal_pod
from scenarios.inputs import load_weather, resolve_inputs, weather_on_hours
from scenarios.money import scenario_sizings
from scenarios.options import year_tco
from scenarios.schema import Scenario
from scenarios.tariffs import get_tariff, hourly_price
from thermal.design_day import design_temperatures_c
from thermal.errors import ThermalInputError
from thermal.facility import COOLING_TECHNOLOGIES, design_pod, max_rack_kw
from thermal.sizing import station_pressure_pa


@dataclass(frozen=True)
class HallOption:
    """The scenario's halls with every pod on one technology."""

    cooling: str
    tco: Tco
    facility_mwh_per_year: float
    pue: float
    #: against the same halls air-cooled (None: air cannot cool these racks)
    versus_air: Versus | None


@dataclass(frozen=True)
class YearPrices:
    """What the year's energy and peaks are priced at."""

    #: import price of each hour of the year [currency/kWh]
    per_kwh: np.ndarray
    #: how the hourly prices were found, in words
    basis: str
    #: on each calendar month's peak [currency/kW/month]
    demand_charge_per_kw_month: float

    @property
    def mean_per_kwh(self) -> float:
        """Unweighted mean over the year's hours [currency/kWh]."""
        return float(np.mean(self.per_kwh))


@dataclass(frozen=True)
class HallOptions:
    """Every technology that can cool the scenario's racks, and why the others cannot."""

    currency: str
    prices: YearPrices
    options: list[HallOption]
    skipped: dict[str, str] = field(default_factory=dict)


def year_prices(scenario: Scenario, hours: pd.DatetimeIndex) -> YearPrices:
    """The import price of each hour of the year the halls are priced over.

    A flat price or a time-of-use tariff gives every hour of the year its own price (a
    tariff's seasons and bands included); a price file covers only the run's hours, so
    the year gets their mean (said in ``basis``). The demand charge is the run's.
    """
    inputs = resolve_inputs(scenario)  # the checked price settings and demand charge
    demand = float(inputs.demand_charge_per_kw_month or 0.0)
    spec = scenario.grid.price
    if spec.source == "tou":
        price, _ = hourly_price(get_tariff(spec.tariff), hours, scenario.site.timezone,
                                spec.base_per_kwh, spec.adder_per_kwh)
        return YearPrices(price.to_numpy(dtype=float), "the tariff's price of each hour of "
                          "the year", demand)  # fmt: skip
    if spec.source == "flat":
        return YearPrices(np.full(len(hours), float(spec.flat_per_kwh)), "the flat price",
                          demand)
    mean = float(np.mean(inputs.frame["price_per_kwh"].to_numpy()))
    return YearPrices(np.full(len(hours), mean), "the mean of the price file over the "
                      "run's hours (the file does not cover the year)", demand)  # fmt: skip


def hall_options(scenario: Scenario) -> HallOptions:
    """The scenario's pods re-cooled by each technology, over a typical year, priced.

    Energy is priced hour by hour over the year (:func:`year_prices`: the tariff's price
    of each hour; a price file's mean), the demand charge on each month's peak of the year.

    Raises
    ------
    ScenarioError
        Bad climate, price, facility or cost settings.
    """
    costs = cost_params(scenario.costs, scenario.grid.currency)
    weather_year = load_weather(scenario.site.climate)
    params = facility_params(
        scenario, design_temperatures_c(weather_year["dry_bulb_c"], weather_year["wet_bulb_c"])
    )
    hours = year_hours(scenario)
    prices = year_prices(scenario, hours)
    weather = weather_on_hours(weather_year, hours)
    pressure = station_pressure_pa(weather_year)
    options, skipped, by_tech = [], {}, {}
    for tech in COOLING_TECHNOLOGIES:
        limit = max_rack_kw(tech, params.technology)
        too_dense = [s.name for s in scenario.pods if s.rack_kw > limit]
        if too_dense:
            skipped[tech] = (f"{tech} cools racks up to {limit:g} kW; pod(s) "
                             f"{', '.join(too_dense)} are denser")  # fmt: skip
            continue
        pods = [
            dataclasses.replace(thermal_pod(spec), cooling=tech, water_class=None,
                                liquid_fraction=None)
            for spec in scenario.pods
        ]
        try:  # one technology the settings cannot design leaves the others priced
            designs = [design_pod(pod, params) for pod in pods]
        except ThermalInputError as err:
            skipped[tech] = str(err)
            continue
        _, site = simulate_at_inference(scenario, scenario.pods, pods, designs, params, weather)
        facility = site["facility_kw"]
        sizings = scenario_sizings(pods, params, pressure)
        cost = year_tco(site, sizings, costs, prices.per_kwh, prices.demand_charge_per_kw_month)
        by_tech[tech] = cost
        it = float(site["it_kw"].sum())
        options.append((tech, cost, float(facility.sum()) / 1000.0, float(facility.sum()) / it))
    if not options:
        raise ScenarioError("no cooling technology can cool every pod's racks: "
                            + "; ".join(skipped.values()), field="pods")  # fmt: skip
    air = by_tech.get("air")
    return HallOptions(
        currency=costs.currency,
        prices=prices,
        options=[
            HallOption(tech, cost, mwh, pue, None if air is None else versus(cost, air))
            for tech, cost, mwh, pue in options
        ],
        skipped=skipped,
    )
