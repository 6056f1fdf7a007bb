"""Resolve a scenario's hourly inputs into one DataFrame on the run's hours.

Columns: weather (``dry_bulb_c``, ``wet_bulb_c``, ``dew_point_c``, ``rh_pct``,
``pressure_pa``), ``carbon_g_per_kwh``, ``price_per_kwh``, ``tariff_band`` (TOU only),
``carbon_free_share`` (where hourly carbon-free data exist) and the on-site generation
``pv_kw`` and ``wind_kw`` [kW] (only with that plant: :mod:`scenarios.onsite`) and the heat
network's demand ``heat_demand_kw_th`` [kW_th] (only with ``[heat_reuse] demand = "csv"`` or
``"heating_season"``: :mod:`scenarios.heat_reuse`). The index is the run's
hour starts, tz-aware in the site's time zone. Alongside: the notes on what was filled,
dropped or assumed, which every output repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError
from scenarios.grid_factors import get_grid_factor
from scenarios.heat_reuse import heat_demand
from scenarios.importers import align_to_hours, read_carbon, read_carbon_free_share, read_price
from scenarios.onsite import onsite_generation
from scenarios.schema import Scenario
from scenarios.tariffs import get_tariff, hourly_price
from thermal.design_day import design_temperatures_c
from thermal.errors import ThermalInputError
from thermal.weather import WEATHER_COLUMNS, load_climate, warmed


@dataclass
class HourlyInputs:
    """The run's hourly inputs and their provenance."""

    frame: pd.DataFrame
    weather_attrs: dict
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    demand_charge_per_kw_month: float = 0.0
    currency: str = "USD"
    #: ASHRAE 0.4 % design dry-bulb and wet-bulb of the climate's whole typical year
    #: (before any ``site.warm_k``): what the plant is sized for [°C].
    design_dry_bulb_c: float = float("nan")
    design_wet_bulb_c: float = float("nan")


def horizon_hours(scenario: Scenario) -> pd.DatetimeIndex:
    """The run's hour starts in the site's time zone (absolute hours across DST)."""
    start = pd.Timestamp(scenario.horizon.start)
    tz = scenario.site.timezone
    if start.tzinfo is None:
        try:
            start = start.tz_localize(tz, nonexistent="raise", ambiguous="raise")
        except Exception:
            raise ScenarioError(
                f"{start} does not exist or is ambiguous in {tz} (daylight saving); start an "
                "hour earlier or later",
                field="horizon.start",
            ) from None
    else:
        start = start.tz_convert(tz)
    return pd.date_range(start, periods=scenario.horizon.hours, freq="h")


def typical_year_positions(year: pd.DatetimeIndex, hours: pd.DatetimeIndex) -> np.ndarray:
    """Row of a typical year (hourly index ``year``) for each real hour: the same month,
    day and hour of the year's own (standard-time) clock; 29 February reuses 28 February."""
    local = hours.tz_convert(year.tz)
    day = np.where((local.month == 2) & (local.day == 29), 28, local.day)
    base = pd.DatetimeIndex(
        pd.to_datetime({"year": year[0].year, "month": local.month, "day": day})
    )
    return (base.day_of_year.to_numpy() - 1) * 24 + local.hour.to_numpy()


def weather_on_hours(weather: pd.DataFrame, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """Typical-year weather placed on real hours (:func:`typical_year_positions`)."""
    out = weather.iloc[typical_year_positions(weather.index, hours)][list(WEATHER_COLUMNS)].copy()
    out.index = hours
    return out


def _carbon(scenario: Scenario, hours, inputs: HourlyInputs) -> pd.Series:
    spec = scenario.grid.carbon
    if spec.source == "factor":
        factor = get_grid_factor(spec.factor)
        inputs.sources["carbon"] = f"{factor.name}: {factor.g_per_kwh:g} g/kWh ({factor.source})"
        if spec.factor.startswith("cn-"):
            inputs.assumptions.append(
                "No public hourly carbon-intensity series exists for Chinese grids: the "
                f"published annual factor ({factor.name}, {factor.g_per_kwh:g} g/kWh) is used for "
                "every hour, so scheduling cannot shift carbon by time, only by facility "
                "efficiency. Bring an hourly file (grid.carbon.file) to change that."
            )
        else:
            inputs.assumptions.append(
                f"Carbon intensity is the annual average {factor.name} ({factor.g_per_kwh:g} "
                "g/kWh) in every hour; no hourly series was given."
            )
        return pd.Series(factor.g_per_kwh, index=hours)
    if spec.source == "constant":
        inputs.sources["carbon"] = f"constant {spec.g_per_kwh:g} g/kWh (scenario)"
        inputs.assumptions.append(f"Carbon intensity held constant at {spec.g_per_kwh:g} g/kWh.")
        return pd.Series(float(spec.g_per_kwh), index=hours)
    imported = read_carbon(
        Path(spec.file), column=spec.column, naive=spec.timestamps, tz=scenario.site.timezone
    )
    series = align_to_hours(imported, hours, spec.fill, "grid.carbon")
    inputs.sources["carbon"] = imported.source
    inputs.notes.extend(imported.notes)
    return series


def _price(scenario: Scenario, hours, inputs: HourlyInputs) -> tuple[pd.Series, pd.Series | None]:
    spec = scenario.grid.price
    demand = spec.demand_charge_per_kw_month
    if spec.source == "flat":
        inputs.sources["price"] = f"flat {spec.flat_per_kwh:g} {scenario.grid.currency}/kWh" + (
            f" ({spec.note})" if spec.note else ""
        )
        inputs.demand_charge_per_kw_month = demand or 0.0
        return pd.Series(float(spec.flat_per_kwh), index=hours), None
    if spec.source == "tou":
        tariff = get_tariff(spec.tariff)
        if tariff.currency != scenario.grid.currency:
            raise ScenarioError(
                f"tariff {tariff.key} is in {tariff.currency} but grid.currency is "
                f"{scenario.grid.currency}; set grid.currency = {tariff.currency!r}",
                field="grid.currency",
            )
        price, band = hourly_price(
            tariff, hours, scenario.site.timezone, spec.base_per_kwh, spec.adder_per_kwh
        )
        inputs.sources["price"] = (
            f"{tariff.name}, {tariff.rule}, in force from {tariff.effective}; bands: "
            f"{tariff.source}; price level: {tariff.price_source}"
        )
        if tariff.assumption:
            inputs.assumptions.append(f"Tariff {tariff.key}: {tariff.assumption}.")
        if tariff.notes:
            inputs.notes.append(f"Tariff {tariff.key}: {tariff.notes}")
        if demand is None:
            if tariff.demand_charge_per_kw_month is None:
                inputs.assumptions.append(
                    f"Tariff {tariff.key}: no demand charge is known ({tariff.demand_source}); "
                    "none is charged. Set grid.price.demand_charge_per_kw_month to add one."
                )
                demand = 0.0
            else:
                demand = tariff.demand_charge_per_kw_month
                inputs.sources["demand_charge"] = (
                    f"{demand:g} {tariff.currency}/kW/month ({tariff.demand_source})"
                )
        inputs.demand_charge_per_kw_month = float(demand)
        return price, band
    imported = read_price(
        Path(spec.file), naive=spec.timestamps, tz=scenario.site.timezone, unit=spec.unit
    )
    if imported.currency and imported.currency != scenario.grid.currency:
        raise ScenarioError(
            f"{Path(spec.file).name} is priced in {imported.currency} but grid.currency is "
            f"{scenario.grid.currency}; set grid.currency = {imported.currency!r}",
            field="grid.currency",
        )
    series = align_to_hours(imported, hours, spec.fill, "grid.price")
    inputs.sources["price"] = imported.source
    inputs.notes.extend(imported.notes)
    inputs.demand_charge_per_kw_month = demand or 0.0
    return series, None


def _carbon_free(scenario: Scenario, hours, inputs: HourlyInputs) -> pd.Series | None:
    market = scenario.grid.market
    path = market.carbon_free_file
    if market.carbon_free_from_carbon_file:
        if scenario.grid.carbon.source != "file":
            raise ScenarioError(
                "carbon_free_from_carbon_file needs grid.carbon.source = 'file'",
                field="grid.market",
            )
        path = scenario.grid.carbon.file
    if path is None:
        return None
    imported = read_carbon_free_share(
        Path(path), naive=market.timestamps, tz=scenario.site.timezone
    )
    inputs.sources["carbon_free_share"] = imported.source
    inputs.notes.extend(imported.notes)
    return align_to_hours(imported, hours, market.fill, "grid.market")


def load_weather(climate: str) -> pd.DataFrame:
    """The typical-year weather of a climate name or weather file.

    Parameters
    ----------
    climate : str
        A built-in climate name or a path to an EPW / TMY3 / TMY2 file.

    Returns
    -------
    DataFrame
        8760 hourly rows: dry_bulb_c, dew_point_c, rh_pct, wet_bulb_c [°C, °C, %, °C],
        pressure_pa [Pa]; ``attrs`` hold name, source and coordinates where known.

    Raises
    ------
    ScenarioError
        Unknown name or unusable file (field ``site.climate``).
    """
    try:
        return load_climate(climate)
    except ThermalInputError as exc:
        raise ScenarioError(str(exc), field="site.climate") from None


def resolve_inputs(scenario: Scenario) -> HourlyInputs:
    """Weather, carbon, price and carbon-free share on the run's hours.

    Raises
    ------
    ScenarioError
        Unknown climate, unreadable or non-covering data files, currency mismatch.
    """
    hours = horizon_hours(scenario)
    weather = load_weather(scenario.site.climate)
    design_db, design_wb = design_temperatures_c(weather["dry_bulb_c"], weather["wet_bulb_c"])
    warm_k = scenario.site.warm_k
    if warm_k:
        weather = warmed(weather, warm_k)
    inputs = HourlyInputs(
        frame=pd.DataFrame(index=hours),
        weather_attrs=dict(weather.attrs),
        design_dry_bulb_c=design_db,
        design_wet_bulb_c=design_wb,
    )
    if warm_k:
        inputs.assumptions.append(
            f"The climate is shifted {warm_k:+g} K (dry-bulb and dew point, site.warm_k); the "
            f"plant stays sized for the climate as it is (design day {design_db:.1f} °C "
            f"dry-bulb, {design_wb:.1f} °C wet-bulb)."
        )
    inputs.currency = scenario.grid.currency
    inputs.sources["weather"] = str(weather.attrs.get("source", scenario.site.climate))
    if "synthetic" in inputs.sources["weather"]:
        inputs.notes.append(
            "Weather is a deterministic synthetic year built from the CSWD monthly normals "
            "(statistics checked against the real Beijing and Shanghai CSWD years)."
        )
    frame = weather_on_hours(weather, hours)
    frame["carbon_g_per_kwh"] = _carbon(scenario, hours, inputs).to_numpy()
    price, band = _price(scenario, hours, inputs)
    frame["price_per_kwh"] = price.to_numpy()
    if band is not None:
        frame["tariff_band"] = band.to_numpy()
    cfe = _carbon_free(scenario, hours, inputs)
    if cfe is not None:
        frame["carbon_free_share"] = cfe.to_numpy()
    for column, series in onsite_generation(scenario, weather, hours, inputs).items():
        frame[column] = series.to_numpy()
    demand = heat_demand(scenario, frame, inputs)
    if demand is not None:
        frame[demand.name] = demand.to_numpy()
    inputs.frame = frame
    inputs.assumptions.extend(scenario.assumptions)
    return inputs
