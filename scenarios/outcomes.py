"""One schedule re-simulated exactly: its job loads, facility frames and KPIs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scenarios import kpis as K
from scenarios.inputs import HourlyInputs
from scenarios.schema import Scenario
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod
from thermal.simulate import simulate_site
from thermal.weather import WEATHER_COLUMNS


@dataclass
class ScheduleOutcome:
    """One schedule re-simulated: its job loads, facility frames and KPIs."""

    name: str
    schedule: pd.DataFrame
    job_load_kw: pd.DataFrame  # hours x pods, compute kW
    pods: dict[str, pd.DataFrame]
    site: pd.DataFrame
    kpis: dict


def job_load(schedule: pd.DataFrame, hours: pd.DatetimeIndex, pods: list[str]) -> pd.DataFrame:
    """Compute load of scheduled jobs per hour and pod [kW] from a schedule table."""
    if schedule is None or schedule.empty:
        return pd.DataFrame(0.0, index=hours, columns=pods)
    stamps = pd.DatetimeIndex(schedule["timestamp"]).tz_convert(hours.tz)
    table = (
        pd.DataFrame({"t": stamps, "pod": schedule["pod"].astype(str), "kw": schedule["power_kw"]})
        .groupby(["t", "pod"])["kw"]
        .sum()
        .unstack(fill_value=0.0)
    )
    return table.reindex(index=hours, columns=pods, fill_value=0.0).astype(float)


def resimulate(
    name: str,
    schedule: pd.DataFrame,
    scenario: Scenario,
    inputs: HourlyInputs,
    pods: list[Pod],
    params: FacilityParams,
    baseline: pd.DataFrame,
) -> ScheduleOutcome:
    """Simulate the facility for the baseline plus a schedule's job load; its KPIs."""
    hours = baseline.index
    names = list(baseline.columns)
    load = job_load(schedule, hours, names)
    total = baseline + load
    weather = inputs.frame[list(WEATHER_COLUMNS)]
    try:
        frames, site = simulate_site(weather, pods, {n: total[n].to_numpy() for n in names}, params)
    except ThermalInputError as exc:  # a schedule above pod capacity would be a bug upstream
        raise RuntimeError(f"{name} schedule could not be simulated: {exc}") from exc
    grid = scenario.grid
    out = K.energy_kpis(site)
    facility = site["facility_kw"]
    out.update(
        K.carbon_kpis(
            facility,
            inputs.frame["carbon_g_per_kwh"],
            float(site["it_kw"].sum()),
            grid.market.renewable_share,
            grid.market.residual_mix_g_per_kwh,
            inputs.frame.get("carbon_free_share"),
        )
    )
    out.update(
        K.cost_kpis(
            facility,
            inputs.frame["price_per_kwh"],
            inputs.demand_charge_per_kw_month,
            scenario.site.timezone,
            grid.price.billing,
        )
    )
    reuse = scenario.heat_reuse
    if reuse.liquid_share or reuse.air_share:
        reused = (
            reuse.liquid_share * site["heat_to_liquid_kw"].sum()
            + reuse.air_share * site["heat_to_air_kw"].sum()
        )
        out["erf"] = float(reused / facility.sum()) if facility.sum() else None
    else:
        out["erf"] = None
    return ScheduleOutcome(name, schedule, load, frames, site, out)
