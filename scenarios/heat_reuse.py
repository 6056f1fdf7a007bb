"""A scenario's heat reuse by temperature (``[heat_reuse]`` with ``demand``; issue 15,
item 5): the network's demand on the run's hours, the optimizer's
:class:`optimizer.assets.HeatReuse`, and the exact settlement of each schedule's heat.

* **Physics.** :class:`thermal.heat_reuse.HeatReuseParams` with the fields the scenario
  gives (``supply_c`` is required: no published default fits every network); every other
  field keeps that class's default and its source.
* **Demand** (input column ``heat_demand_kw_th``): an hourly ``timestamp,kw_th`` CSV
  (:func:`scenarios.generation.read_heat_demand_csv`), or the labelled heating-season
  shape (:func:`thermal.heat_demand.heating_season_demand_kw_th`, Beijing's season and
  design temperature unless given; its label joins the run's assumptions), or ``"all"``:
  the offtaker takes every kW_th the contract offers (no column).
* **Scheduler terms** (:func:`build_heat`): :func:`thermal.heat_reuse_coefficients.
  heat_reuse_coefficients` around the same operating load as the facility coefficients
  (inference baseline plus the jobs' expected load), re-based to the inference baseline
  the optimizer adds job load to: ``recoverable_kw_th - recoverable_per_compute x (job
  load)``, the slope taken >= 0 (a negative slope is taken as 0: it only understates the
  heat at the baseline). The demand the optimizer sees is the hourly demand (for
  ``"all"``: the most every pod could recover at its full compute load), capped by
  ``capacity_kw_th``.
* **Settlement** (:func:`settle_heat`): each schedule's planned delivery, summed over the
  pods, is the demand of the exact :func:`thermal.heat_reuse.heat_reuse_site` on that
  schedule's re-simulated pod frames: it delivers that much where the exact loops can,
  in merit order (direct exchange first, then the heat pumps of highest COP), and adds
  the heat pumps' electricity to facility power. Planned and settled heat are reported
  side by side (``manifest.json`` ``linearisation``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError
from scenarios.schema import HeatReuse as HeatReuseSpec
from scenarios.schema import Scenario
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.heat_reuse import HeatReuseParams, energy_reuse_factor, heat_reuse_site
from thermal.params import override
from thermal.weather import WEATHER_COLUMNS

if TYPE_CHECKING:
    from optimizer.assets import HeatReuse

#: The input column of the network's hourly demand [kW_th] (not with ``demand = "all"``).
DEMAND_COLUMN = "heat_demand_kw_th"
#: Fields of ``[heat_reuse]`` that are :class:`HeatReuseParams` fields.
PARAM_FIELDS = ("supply_c", "hx_approach_k", "carnot_efficiency", "max_cop", "liquid_share",
                "air_share", "contracted_share", "capacity_kw_th")
#: Naive timestamps of a demand CSV are read as the site's clock time unless the
#: scenario says ``timestamps = "utc"`` (as a generation CSV's).
DEMAND_TIMESTAMPS = "local"


def modelled(scenario: Scenario) -> bool:
    """Whether the scenario models heat reuse by temperature (``[heat_reuse] demand``)."""
    return scenario.heat_reuse.modelled


def heat_params(spec: HeatReuseSpec) -> HeatReuseParams:
    """The physics: the scenario's values over :class:`HeatReuseParams`' defaults."""
    given = {k: getattr(spec, k) for k in PARAM_FIELDS if getattr(spec, k) is not None}
    try:
        return override(HeatReuseParams(), given, where="heat_reuse")
    except ThermalInputError as exc:
        raise ScenarioError(str(exc)) from None


def heat_demand(scenario: Scenario, frame: pd.DataFrame, inputs) -> pd.Series | None:
    """The network's hourly demand on the run's hours [kW_th], or None (``"all"``, or no
    modelled heat reuse).

    Parameters
    ----------
    scenario : Scenario
    frame : DataFrame
        The run's weather on its hours (``dry_bulb_c``), indexed by the site's local hours.
    inputs : scenarios.inputs.HourlyInputs
        Its ``sources``, ``notes`` and ``assumptions`` gain what the series rests on.

    Raises
    ------
    ScenarioError
        An unusable CSV (named, with the row), or a heating season the physics refuses.
    """
    spec = scenario.heat_reuse
    if spec.demand == "csv":
        from scenarios.generation import read_heat_demand_csv

        series = read_heat_demand_csv(Path(spec.csv), frame.index,
                                      naive=spec.timestamps or DEMAND_TIMESTAMPS,
                                      what="heat_reuse.csv")
        inputs.sources["heat_demand"] = str(series.attrs.get("source", spec.csv))
        inputs.notes.extend(series.attrs.get("notes", []))
        return series.rename(DEMAND_COLUMN)
    if spec.demand == "heating_season":
        from thermal.heat_demand import (
            BEIJING_HEATING_DESIGN_C,
            BEIJING_HEATING_SEASON,
            heating_season_demand_kw_th,
        )

        season = (spec.season_start or BEIJING_HEATING_SEASON[0],
                  spec.season_end or BEIJING_HEATING_SEASON[1])
        design = (BEIJING_HEATING_DESIGN_C if spec.design_outdoor_c is None
                  else spec.design_outdoor_c)
        try:
            series = heating_season_demand_kw_th(frame, spec.peak_kw_th, season,
                                                 design_outdoor_c=design)
        except ThermalInputError as exc:
            raise ScenarioError(str(exc), field="heat_reuse") from None
        label = series.attrs["label"]
        inputs.sources["heat_demand"] = f"thermal.heat_demand ({label})"
        inputs.assumptions.append(
            f"Heat network demand: {label}, peak {spec.peak_kw_th:g} kW_th "
            "(thermal.heat_demand; Beijing's season and design temperature unless given). "
            "Give the offtaker's hourly demand (heat_reuse.csv) for a measured basis."
        )
        return series.rename(DEMAND_COLUMN)
    return None


def build_heat(
    scenario: Scenario,
    frame: pd.DataFrame,
    pods: list[Pod],
    params: FacilityParams,
    baseline_kw: pd.DataFrame,
    operating_kw: pd.DataFrame,
) -> tuple[HeatReuse, HeatReuseParams, dict]:
    """The optimizer's heat reuse (module doc), the physics it was built with, and what
    the manifest lists.

    Parameters
    ----------
    scenario : Scenario
        With modelled heat reuse.
    frame : DataFrame
        The run's hourly inputs (weather, and :data:`DEMAND_COLUMN` unless ``"all"``).
    pods : list of Pod
        In the optimizer's order.
    params : FacilityParams
    baseline_kw, operating_kw : DataFrame
        Inference compute load and the load the coefficients are linearised around [kW].
    """
    from optimizer.assets import HeatReuse
    from thermal.heat_reuse_coefficients import heat_reuse_coefficients

    spec = scenario.heat_reuse
    physics = heat_params(spec)
    names = [p.name for p in pods]
    coef = heat_reuse_coefficients(
        frame[list(WEATHER_COLUMNS)], pods, {n: operating_kw[n].to_numpy() for n in names},
        physics, params)  # fmt: skip
    per = np.vstack([np.maximum(coef["recoverable_per_compute"][n].to_numpy(), 0.0)
                     for n in names])
    jobs = np.vstack([(operating_kw[n] - baseline_kw[n]).to_numpy() for n in names])
    at_operating = np.vstack([coef["recoverable_kw_th"][n].to_numpy() for n in names])
    recoverable = np.maximum(at_operating - per * jobs, 0.0)
    heat_pump = np.vstack([coef["heat_pump_kw_per_kw_th"][n].to_numpy() for n in names])
    if DEMAND_COLUMN in frame:
        demand = frame[DEMAND_COLUMN].to_numpy(dtype=float)
    else:  # "all": the most the pods could recover at full load never binds
        design = np.array([design_pod(p, params).compute_design_kw for p in pods])
        room = np.maximum(design[:, None] - baseline_kw[names].to_numpy().T, 0.0)
        demand = (recoverable + per * room).sum(axis=0)
    if physics.capacity_kw_th is not None:
        demand = np.minimum(demand, physics.capacity_kw_th)
    price = np.full(len(frame), float(spec.price_per_kwh_th))
    heat = HeatReuse(recoverable_kw_th=recoverable, recoverable_per_kw=per,
                     heat_pump_kw_per_kw_th=heat_pump, demand_kw_th=demand,
                     price_per_kwh_th=price)
    described = {
        **dataclasses.asdict(physics),
        "demand": spec.demand,
        "demand_mwh_th": (float(frame[DEMAND_COLUMN].sum()) / 1e3
                          if DEMAND_COLUMN in frame else None),
        "price_per_kwh_th": spec.price_per_kwh_th,
        "direct_pod_hours_share": float((heat_pump == 0.0).mean()) if heat_pump.size else None,
    }
    return heat, physics, described


def settle_heat(
    weather: pd.DataFrame,
    pods: list[Pod],
    params: FacilityParams,
    frames: dict[str, pd.DataFrame],
    planned_kw_th: np.ndarray,
    physics: HeatReuseParams,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """A schedule's heat delivery on its exact pod frames (module doc).

    Parameters
    ----------
    weather : DataFrame
        The weather the frames were simulated with.
    pods : list of Pod
    params : FacilityParams
    frames : dict of DataFrame
        The schedule's re-simulated pod frames (:func:`thermal.simulate.simulate_site`).
    planned_kw_th : ndarray (P, T)
        Heat the dispatch planned to deliver from each pod [kW_th].
    physics : HeatReuseParams

    Returns
    -------
    frames : dict of DataFrame
        The pod frames with ``facility_kw`` (heat pumps added), ``heat_rejected_kw`` (the
        heat recovered taken off), ``heat_reused_kw_th`` (delivered) and ``heat_pump_kw``.
    heat : DataFrame
        Per hour, summed over pods: ``heat_reused_kw_th``, ``heat_pump_kw``,
        ``heat_recovered_kw_th`` (taken from the loops), ``heat_planned_kw_th`` [kW, kW_th]
        and ``facility_kw``, ``heat_rejected_kw`` of the site as settled.
    """
    planned = np.maximum(np.asarray(planned_kw_th, dtype=float), 0.0).sum(axis=0)
    try:
        exact, site = heat_reuse_site(weather, pods, demand_kw_th=planned, params=physics,
                                      facility_params=params, frames=frames)
    except ThermalInputError as exc:  # the inputs were checked when the assets were built
        raise RuntimeError(f"heat reuse could not be settled: {exc}") from exc
    out = {}
    for name, frame in frames.items():
        e = exact[name]
        out[name] = frame.assign(
            facility_kw=e["facility_kw"].to_numpy(), heat_rejected_kw=e["heat_rejected_kw"].to_numpy(),
            heat_reused_kw_th=e["delivered_kw_th"].to_numpy(), heat_pump_kw=e["heat_pump_kw"].to_numpy())
    heat = pd.DataFrame({
        "heat_reused_kw_th": site["delivered_kw_th"].to_numpy(),
        "heat_pump_kw": site["heat_pump_kw"].to_numpy(),
        "heat_recovered_kw_th": site["recovered_kw_th"].to_numpy(),
        "heat_planned_kw_th": planned,
        "facility_kw": site["facility_kw"].to_numpy(),
        "heat_rejected_kw": site["heat_rejected_kw"].to_numpy(),
    }, index=weather.index)  # fmt: skip
    return out, heat


def with_heat(site: pd.DataFrame, heat: pd.DataFrame) -> pd.DataFrame:
    """The site frame with the settled heat: ``facility_kw`` with the heat pumps,
    ``heat_rejected_kw`` less the heat recovered, and the columns ``heat_reused_kw_th``
    and ``heat_pump_kw``; its ledger ``facility_kw = heat_rejected_kw +
    heat_reused_kw_th + unmet_heat_kw - storage_kw_th`` closes every hour."""
    out = site.copy()
    for col in ("facility_kw", "heat_rejected_kw", "heat_reused_kw_th", "heat_pump_kw"):
        out[col] = heat[col].to_numpy()
    return out


def declared_reuse_kwh(spec: HeatReuseSpec, site: pd.DataFrame) -> float:
    """Heat counted as reused by the declared shares (no ``demand``) [kWh_th]:
    ``liquid_share`` x heat to liquid + ``air_share`` x heat to air, as before heat reuse
    was modelled."""
    return float((spec.liquid_share or 0.0) * site["heat_to_liquid_kw"].sum()
                 + (spec.air_share or 0.0) * site["heat_to_air_kw"].sum())


def heat_kpis(scenario: Scenario, site: pd.DataFrame, flows: pd.DataFrame | None) -> dict:
    """``erf``, ``heat_reused_mwh_th`` and ``heat_revenue`` of a re-simulated schedule.

    Modelled: the settled delivery over the facility energy (heat pumps inside it), its
    energy and what it earned (0 where no hour had demand). Declared: the declared shares'
    heat (no revenue). None each without heat reuse.
    """
    spec = scenario.heat_reuse
    facility = float(site["facility_kw"].sum())
    if spec.modelled:
        reused = (flows["heat_reused_kw_th"].to_numpy()
                  if flows is not None and "heat_reused_kw_th" in flows else np.zeros(len(site)))
        erf = energy_reuse_factor(reused, site["facility_kw"].to_numpy())[1]
        return {"erf": erf if np.isfinite(erf) else None,
                "heat_reused_mwh_th": float(reused.sum()) / 1e3,
                "heat_revenue": float(spec.price_per_kwh_th * reused.sum())}
    if spec.declared:
        reused = declared_reuse_kwh(spec, site)
        return {"erf": float(reused / facility) if facility else None,
                "heat_reused_mwh_th": reused / 1e3, "heat_revenue": None}
    return {"erf": None, "heat_reused_mwh_th": None, "heat_revenue": None}
