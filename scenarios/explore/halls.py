"""The halls of a scenario over a full year at inference load: each pod checked against
the physics (density limits and all), simulated hour by hour, and summarised by
technology, by hour of day and day of year, by component and by cooling mode."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError
from scenarios.facility import facility_params, thermal_pod
from scenarios.inputs import horizon_hours, load_weather, weather_on_hours
from scenarios.schema import Scenario
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, design_pod
from thermal.simulate import simulate_site
from thermal.summary import period_summary

#: Components of facility power [label -> pod-frame column]; they add up to facility_kw
#: (IT = compute + server fans; cooling = air handler fans + pumps + chillers + heat
#: rejection fans; see thermal.simulate).
COMPONENTS = {
    "compute": "compute_kw",
    "server fans": "server_fan_kw",
    "UPS losses": "ups_loss_kw",
    "distribution losses": "distribution_loss_kw",
    "lighting": "lighting_kw",
    "air handler fans": "air_handler_fan_kw",
    "pumps": "pump_kw",
    "chillers": "chiller_kw",
    "heat rejection fans": "heat_rejection_fan_kw",
}

def pod_problems(scenario: Scenario, params: FacilityParams | None = None) -> dict[str, str]:
    """Pods the physics rejects, each with the reason (density limits and all).

    Parameters
    ----------
    scenario : Scenario
    params : FacilityParams, optional
        The scenario's facility parameters (computed when not given).

    Returns
    -------
    dict
        Pod name -> message naming the pod, the limit and the fix; empty when every pod
        is valid.
    """
    params = params or facility_params(scenario)
    out = {}
    for spec in scenario.pods:
        try:
            design_pod(thermal_pod(spec), params)
        except ThermalInputError as exc:
            out[spec.name] = str(exc)
    return out


def year_hours(scenario: Scenario) -> pd.DatetimeIndex:
    """Every hour of the calendar year of the scenario's horizon start, site local time."""
    start = horizon_hours(scenario)[0]
    tz = scenario.site.timezone
    first = pd.Timestamp(year=start.year, month=1, day=1, tz=tz)
    last = pd.Timestamp(year=start.year + 1, month=1, day=1, tz=tz)
    return pd.date_range(first, last, freq="h", inclusive="left")


def simulate_year(scenario: Scenario) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Every valid pod simulated hour by hour over a full year at its inference load.

    The typical-year weather of the site is laid on the calendar year of the horizon
    start; each pod carries its inference (baseline) compute load, the daily cycle of
    ``pods[].inference``. Pods the physics rejects (see :func:`pod_problems`) are left
    out, so one bad pod does not hide the others.

    Returns
    -------
    pods : dict of DataFrame
        Pod name -> hourly frame (columns of :func:`thermal.simulate.simulate_pod`).
    site : DataFrame
        The valid pods added up.

    Raises
    ------
    ScenarioError
        Bad climate or facility overrides, or no valid pod at all.
    """
    params = facility_params(scenario)
    problems = pod_problems(scenario, params)
    specs = [spec for spec in scenario.pods if spec.name not in problems]
    if not specs:
        raise ScenarioError(
            "no pod passes the physics checks; fix the pods first: " + "; ".join(problems.values())
        )
    hours = year_hours(scenario)
    weather = weather_on_hours(load_weather(scenario.site.climate), hours)
    pods = [thermal_pod(spec) for spec in specs]
    designs = [design_pod(pod, params) for pod in pods]
    return simulate_at_inference(scenario, specs, pods, designs, params, weather)


def simulate_at_inference(scenario: Scenario, specs, pods, designs, params: FacilityParams,
                          weather: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Pods simulated on ``weather``'s hours at their inference load.

    Parameters
    ----------
    specs : sequence of scenarios.schema.PodSpec
        The pods as the scenario writes them (their ``inference`` daily cycle).
    pods, designs : sequence of thermal.facility.Pod, PodDesign
        The same pods as the physics models them, and their designs (same order).
    weather : DataFrame
        Hourly weather on the hours to simulate (site local time).

    Returns
    -------
    pods : dict of DataFrame
        Pod name -> hourly frame.
    site : DataFrame
        The pods added up.
    """
    from scenarios.workload import inference_compute_kw

    loads = {
        spec.name: inference_compute_kw(spec, design.compute_design_kw, weather.index,
                                        scenario.site.timezone)
        for spec, design in zip(specs, designs, strict=True)
    }
    return simulate_site(weather, pods, loads, params)


def technology_table(scenario: Scenario, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Indicators of each simulated pod side by side.

    Returns
    -------
    DataFrame
        One row per pod: cooling, racks, rack_kw [kW], pue, ppue_cooling, tue, itue [-],
        wue_l_per_kwh [L/kWh], free_cooling_h [h], free_cooling_share [-], it_mwh,
        facility_mwh [MWh], water_m3 [m³], peak_facility_kw [kW].
    """
    specs = {spec.name: spec for spec in scenario.pods}
    rows = []
    for name, frame in frames.items():
        s = period_summary(frame)
        spec = specs[name]
        rows.append(
            {
                "pod": name,
                "cooling": spec.cooling,
                "racks": spec.racks,
                "rack_kw": spec.rack_kw,
                **{
                    key: s[key]
                    for key in (
                        "pue",
                        "ppue_cooling",
                        "tue",
                        "itue",
                        "wue_l_per_kwh",
                        "free_cooling_h",
                        "free_cooling_share",
                        "it_mwh",
                        "facility_mwh",
                        "water_m3",
                        "peak_facility_kw",
                    )
                },
            }
        )
    return pd.DataFrame(rows).set_index("pod")


def pue_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """Hourly PUE laid out as day of year x hour of day (local clock).

    Parameters
    ----------
    frame : DataFrame
        A pod or site frame with ``facility_kw`` and ``it_kw`` on tz-aware hours.

    Returns
    -------
    DataFrame
        Index day of year (1..365 or 366), columns hour of day 0..23, values PUE [-]
        (NaN where IT power is zero; the repeated hour when daylight saving ends is
        averaged, the skipped one is NaN).
    """
    it = frame["it_kw"].to_numpy(float)
    pue = np.divide(
        frame["facility_kw"].to_numpy(float), it, out=np.full(len(it), np.nan), where=it > 0
    )
    table = pd.DataFrame(
        {"day": frame.index.day_of_year, "hour": frame.index.hour, "pue": pue}
    ).pivot_table(index="day", columns="hour", values="pue", aggfunc="mean")
    table = table.reindex(columns=range(24))
    table.index.name, table.columns.name = "day_of_year", "hour"
    return table


def energy_by_component(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Energy of every facility component per pod [MWh] over the frames' hours.

    Returns
    -------
    DataFrame
        Index pods, columns the labels of :data:`COMPONENTS`; each row adds up to the
        pod's facility energy.
    """
    return pd.DataFrame(
        {
            label: {name: float(f[col].sum()) / 1000.0 for name, f in frames.items()}
            for label, col in COMPONENTS.items()
        }
    )


def cooling_mode_hours(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Hours each pod spends in free, partial and mechanical cooling [h].

    Free: no compressor runs; partial: economizer and chillers share the heat;
    mechanical: chillers carry it all.
    """
    modes = ("free", "partial", "mechanical")
    return pd.DataFrame(
        {
            name: {m: int((f["mode"].astype(str) == m).sum()) for m in modes}
            for name, f in frames.items()
        }
    ).T.reindex(columns=list(modes))
