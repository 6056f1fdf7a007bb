"""A scenario's on-site generation on the run's hours: PV and wind modelled from the site's
weather (:mod:`thermal.onsite`), or the plant's own hourly series (a generation CSV,
:mod:`scenarios.generation`).

Modelled output is computed over the whole typical year the weather comes from (the sun's
position is the one of the weather's own hours, which its irradiance belongs to) and then
placed on the run's hours as the weather is (:func:`scenarios.inputs.typical_year_positions`).
A synthetic Chinese year has no irradiance: PV then runs on the labelled modelled
irradiance of :func:`thermal.solar_estimate.with_modelled_irradiance`, and the run's
assumptions say so. It has no wind speed either, and none is invented: wind there needs
a weather file with wind or a generation CSV.

A light module (no optimizer): :func:`scenarios.inputs.resolve_inputs` calls it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scenarios.errors import ScenarioError
from scenarios.schema import PvSpec, Scenario, WindSpec
from thermal.errors import ThermalInputError

#: Naive timestamps of a generation CSV are read as the site's clock time unless the
#: scenario says ``timestamps = "utc"`` (what a plant's monitoring exports;
#: :func:`scenarios.generation.read_generation_csv`'s default).
GENERATION_TIMESTAMPS = "local"


def has_pv(scenario: Scenario) -> bool:
    """Whether the scenario has a PV plant (a generation file, or more than 0 kWp)."""
    pv = scenario.onsite.pv if scenario.onsite is not None else None
    return pv is not None and (pv.csv is not None or bool(pv.kwp))


def has_wind(scenario: Scenario) -> bool:
    """Whether the scenario has wind turbines (a generation file, or a count above 0)."""
    wind = scenario.onsite.wind if scenario.onsite is not None else None
    return wind is not None and (wind.csv is not None or wind.count is None or wind.count > 0)


def onsite_generation(
    scenario: Scenario, weather: pd.DataFrame, hours: pd.DatetimeIndex, inputs
) -> dict[str, pd.Series]:
    """Hourly on-site generation of the scenario's plants on the run's hours.

    Parameters
    ----------
    scenario : Scenario
    weather : DataFrame
        The whole typical-year weather of the run (after ``site.warm_k``).
    hours : DatetimeIndex
        The run's hour starts (tz-aware).
    inputs : scenarios.inputs.HourlyInputs
        Its ``sources``, ``notes`` and ``assumptions`` gain what the series rest on.

    Returns
    -------
    dict
        ``pv_kw`` and ``wind_kw`` [kW AC, mean over each hour] on ``hours``, each only
        when the scenario has that plant (:func:`has_pv`, :func:`has_wind`).

    Raises
    ------
    ScenarioError
        The weather lacks what a model needs (irradiance, wind speed), a parameter the
        physics refuses, an unknown turbine, or an unusable generation CSV; the message
        names the field (``onsite.pv``, ``onsite.wind``, ...) or the file.
    """
    out = {}
    if has_pv(scenario):
        out["pv_kw"] = _pv(scenario.onsite.pv, weather, hours, inputs)
    if has_wind(scenario):
        out["wind_kw"] = _wind(scenario.onsite.wind, weather, hours, inputs)
    elif scenario.onsite is not None and scenario.onsite.wind is not None:
        _check_turbine(scenario.onsite.wind)  # count = 0 (e.g. a sweep's first point)
    return out


def _check_turbine(spec: WindSpec) -> None:
    """Refuse an unknown turbine type also when no turbine runs (count = 0), so a sweep
    that sets count later does not fail in the middle."""
    if spec.turbine is None:
        return
    from thermal.onsite import turbine_power_curve

    try:
        turbine_power_curve(spec.turbine)
    except ThermalInputError as exc:  # the message names onsite.wind.turbine and the fix
        raise ScenarioError(str(exc)) from None


def _on_hours(year_kw: pd.Series, hours: pd.DatetimeIndex, name: str) -> pd.Series:
    from scenarios.inputs import typical_year_positions

    positions = typical_year_positions(year_kw.index, hours)
    return pd.Series(year_kw.to_numpy(float)[positions], index=hours, name=name)


def _from_csv(spec: PvSpec | WindSpec, what: str, hours, inputs) -> pd.Series:
    from scenarios.generation import read_generation_csv

    series = read_generation_csv(
        Path(spec.csv), hours, naive=spec.timestamps or GENERATION_TIMESTAMPS,
        what=f"{what}.csv",
    )
    inputs.sources[what.replace(".", "_")] = str(series.attrs.get("source", spec.csv))
    inputs.notes.extend(series.attrs.get("notes", []))
    return series


def _pv(spec: PvSpec, weather: pd.DataFrame, hours, inputs) -> pd.Series:
    if spec.csv is not None:
        return _from_csv(spec, "onsite.pv", hours, inputs).rename("pv_kw")
    from thermal.onsite import pv_output_kw
    from thermal.solar_estimate import with_modelled_irradiance
    from thermal.weather import IRRADIANCE_COLUMNS

    year = weather
    modelled = not set(IRRADIANCE_COLUMNS) <= set(weather) and "annual_ghi_kwh_m2" in weather.attrs
    given = {k: getattr(spec, k) for k in ("tilt_deg", "azimuth_deg", "losses_pct")}
    try:
        if modelled:
            year = with_modelled_irradiance(weather)
        year_kw = pv_output_kw(year, spec.kwp, **{k: v for k, v in given.items() if v is not None})
    except ThermalInputError as exc:  # the message names onsite.pv and the fix
        raise ScenarioError(str(exc)) from None
    irradiance = str(year.attrs.get("irradiance_source", "the weather file"))
    inputs.sources["onsite_pv"] = f"{year_kw.attrs['model']}; irradiance: {irradiance}"
    if modelled:
        inputs.assumptions.append(
            "On-site PV output rests on irradiance the synthetic weather does not have: "
            f"{irradiance}. Bring a weather file with irradiance or the plant's generation "
            "CSV (onsite.pv.csv) for a measured basis."
        )
    return _on_hours(year_kw, hours, "pv_kw")


def _wind(spec: WindSpec, weather: pd.DataFrame, hours, inputs) -> pd.Series:
    if spec.csv is not None:
        return _from_csv(spec, "onsite.wind", hours, inputs).rename("wind_kw")
    from thermal.onsite import wind_output_kw

    turbine = spec.turbine if spec.power_curve is None else spec.power_curve.model_dump()
    count = {} if spec.count is None else {"count": spec.count}
    try:
        year_kw = wind_output_kw(weather, turbine, spec.hub_height_m, **count)
    except ThermalInputError as exc:  # the message names onsite.wind and the fix
        raise ScenarioError(str(exc)) from None
    inputs.sources["onsite_wind"] = str(year_kw.attrs["model"])
    if "note" in year_kw.attrs:
        inputs.notes.append(f"On-site wind: {year_kw.attrs['note']}.")
    return _on_hours(year_kw, hours, "wind_kw")
