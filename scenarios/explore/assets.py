"""A run's battery, cold tank and on-site generation as the app shows them: the asset
indicators of every schedule side by side, the hourly asset columns of one schedule (the
names of ``hourly.parquet``), its supply and use of power, each store's state of charge;
and, before a run, the on-site generation a scenario's plants give over its horizon.

Plain functions over a finished :class:`~scenarios.run.RunResult` (or a validated
scenario); the hourly columns come from :func:`scenarios.store.asset_columns`, so the app
shows what the run directory holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.kpis import ASSET_KPIS

if TYPE_CHECKING:
    from scenarios.run import RunResult
    from scenarios.schema import Scenario

#: Supply columns of :func:`supply_and_use`, bottom of the stack first [kW].
SUPPLY = ("grid_import_kw", "pv_kw", "wind_kw", "battery_discharge_kw")
#: Use columns of :func:`supply_and_use`, in the order they are added up [kW].
USE = ("facility_kw", "battery_charge_kw", "export_kw", "curtailed_kw")


def site_has_assets(result: RunResult) -> bool:
    """Whether the run's site has a battery, a cold tank or on-site generation (heat
    reuse alone is not shown as an asset here)."""
    site = result.site_assets
    if site is None:
        return False
    a = site.assets
    return bool(a.has_battery or a.has_cold or a.has_onsite)


def asset_kpi_table(result: RunResult) -> pd.DataFrame:
    """The asset indicators (:data:`scenarios.kpis.ASSET_KPIS`) of every schedule.

    Returns
    -------
    DataFrame
        Index: the keys the site has (an absent asset's keys, null in every schedule,
        left out), in :data:`~scenarios.kpis.ASSET_KPIS` order; columns: the run's
        schedules (``milp`` when optimised, ``asap``, ``greedy``); float values, NaN
        where a schedule has none. Empty without assets.
    """
    if not site_has_assets(result):
        return pd.DataFrame()
    names = [n for n in ("milp", "asap", "greedy") if n in result.outcomes]
    names += [n for n in result.outcomes if n not in names]
    table = pd.DataFrame(
        {n: [result.outcomes[n].kpis.get(k) for k in ASSET_KPIS] for n in names},
        index=list(ASSET_KPIS),
    ).astype(float)
    return table[table.notna().any(axis=1)]


def asset_hourly(result: RunResult, schedule: str | None = None) -> pd.DataFrame:
    """One schedule's hourly asset columns, named as in ``hourly.parquet``.

    Parameters
    ----------
    result : RunResult
    schedule : str, optional
        ``milp``, ``asap`` or ``greedy``; default (or unknown) the run's main schedule.

    Returns
    -------
    DataFrame
        ``facility_kw`` (re-simulated, the tank's effect included), ``grid_kw``, and each
        with its asset only: ``pv_kw``, ``wind_kw``, ``export_kw``, ``curtailed_kw``
        [kW], ``battery_kw`` (> 0 charging) [kW], ``battery_soc_kwh`` [kWh, end of the
        hour], ``cold_soc_kwh_th`` [kWh_th, end of the hour]. Empty without assets.
    """
    from scenarios.store import asset_columns

    if not site_has_assets(result):
        return pd.DataFrame()
    outcome = result.outcomes.get(schedule or "", result.main)
    hours = result.inputs.frame.index
    out = pd.DataFrame({"facility_kw": outcome.site["facility_kw"].to_numpy(float)}, index=hours)
    for column in ("pv_kw", "wind_kw"):
        if column in result.inputs.frame:
            out[column] = result.inputs.frame[column].to_numpy(float)
    for column, series in asset_columns(outcome.flows, result.site_assets.assets).items():
        out[column] = np.asarray(series, dtype=float)
    return out


def supply_and_use(hourly: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where each hour's power comes from and where it goes, from the hourly columns.

    Every hour closes ``grid + PV + wind + battery discharge = facility + battery
    charging + export + curtailed`` (the run's settlement, scenarios.outcomes).

    Parameters
    ----------
    hourly : DataFrame
        :func:`asset_hourly` (columns absent with their asset count as 0).

    Returns
    -------
    supply : DataFrame
        The columns of :data:`SUPPLY` the site has: grid import, PV, wind, battery
        discharge (``-battery_kw`` where negative) [kW].
    use : DataFrame
        The columns of :data:`USE` the site has: facility, battery charging
        (``battery_kw`` where positive), export, curtailed [kW].
    """
    supply = pd.DataFrame({"grid_import_kw": hourly["grid_kw"]}, index=hourly.index)
    use = pd.DataFrame({"facility_kw": hourly["facility_kw"]}, index=hourly.index)
    for column in ("pv_kw", "wind_kw"):
        if column in hourly:
            supply[column] = hourly[column]
    if "battery_kw" in hourly:
        supply["battery_discharge_kw"] = (-hourly["battery_kw"]).clip(lower=0.0)
        use["battery_charge_kw"] = hourly["battery_kw"].clip(lower=0.0)
    for column in ("export_kw", "curtailed_kw"):
        if column in hourly:
            use[column] = hourly[column]
    return supply, use


def state_of_charge(result: RunResult, hourly: pd.DataFrame) -> dict[str, dict]:
    """Each store's state over the run, with its usable band.

    Parameters
    ----------
    result : RunResult
        For each store's size, band and state at the start.
    hourly : DataFrame
        :func:`asset_hourly` of the schedule shown.

    Returns
    -------
    dict
        ``"battery"`` [kWh] and / or ``"cold"`` [kWh_th], each only with its store:
        ``{"state": Series, "low": float, "high": float, "unit": str}``. The series is
        indexed by instants: the run's first hour start (the state at the start), then
        each hour's end (the columns' end-of-hour states).
    """
    out = {}
    if not len(hourly):
        return out
    a = result.site_assets.assets
    ends = hourly.index + pd.Timedelta(hours=1)
    instants = ends.insert(0, hourly.index[0])
    if "battery_soc_kwh" in hourly:
        b = a.battery
        values = [b.initial_kwh, *hourly["battery_soc_kwh"].to_numpy(float)]
        out["battery"] = {
            "state": pd.Series(values, index=instants, name="battery_soc_kwh"),
            "low": b.min_soc * b.energy_kwh,
            "high": b.max_soc * b.energy_kwh,
            "unit": "kWh",
        }
    if "cold_soc_kwh_th" in hourly:
        c = a.cold
        values = [c.initial_kwh_th, *hourly["cold_soc_kwh_th"].to_numpy(float)]
        out["cold"] = {
            "state": pd.Series(values, index=instants, name="cold_soc_kwh_th"),
            "low": 0.0,
            "high": c.capacity_kwh_th,
            "unit": "kWh_th",
        }
    return out


def generation_summary(scenario: Scenario) -> pd.DataFrame:
    """The on-site generation a scenario's plants give over its horizon (before a run).

    Returns
    -------
    DataFrame
        One row per plant the scenario has (``pv``, ``wind``): energy_mwh [MWh over the
        horizon], peak_kw [kW], mean_kw [kW], source (the model or file it rests on).
        Empty without generation.

    Raises
    ------
    ScenarioError
        What the run would refuse: no irradiance or wind speed in the weather, an
        unknown turbine, a hub below half the rotor, an unusable generation file (the
        message names the field).
    """
    from scenarios.inputs import resolve_inputs
    from scenarios.onsite import has_pv, has_wind

    if not (has_pv(scenario) or has_wind(scenario)):
        return pd.DataFrame(columns=["energy_mwh", "peak_kw", "mean_kw", "source"])
    inputs = resolve_inputs(scenario)
    rows = {}
    for plant in ("pv", "wind"):
        column = f"{plant}_kw"
        if column in inputs.frame:
            kw = inputs.frame[column].astype(float)
            rows[plant] = {
                "energy_mwh": float(kw.sum()) / 1000.0,
                "peak_kw": float(kw.max()) if len(kw) else 0.0,
                "mean_kw": float(kw.mean()) if len(kw) else 0.0,
                "source": str(inputs.sources.get(f"onsite_{plant}", "")),
            }
    return pd.DataFrame.from_dict(rows, orient="index")


def turbine_types() -> list[str]:
    """The turbine types of windpowerlib's library with a power curve
    (:func:`thermal.onsite.turbine_types`; imports windpowerlib, ~1.5 s the first time)."""
    from thermal.onsite import turbine_types as library_types

    return library_types()
