"""A scenario's site assets as the optimizer takes them: a battery, a cold tank, on-site
generation and heat reuse (:class:`optimizer.assets.Assets`), built from
``[storage.battery]``, ``[storage.cold]``, ``[onsite]`` and ``[heat_reuse]`` with
``demand``.

* Battery: :class:`optimizer.assets.Battery` with the fields the scenario gives; every
  other field keeps that class's default (and its source).
* Cold tank: :class:`thermal.cold_storage.ColdStorageParams` with the fields the scenario
  gives, on the pods it names (default: every pod with chillers on the tank's loop), and
  the scheduler's linear terms from :func:`thermal.coefficients.cold_storage_coefficients`
  around the same operating load as the facility coefficients (inference baseline plus
  the jobs' expected load), re-based to the inference baseline the optimizer adds job
  load to (the optimizer's ``chiller_*_per_kw`` are per kW of job compute; its
  ``chiller_spare_per_kw`` is the spare capacity a kW *takes*, the negative of the
  physics' slope).
* On-site generation: the ``pv_kw`` and ``wind_kw`` input columns
  (:mod:`scenarios.onsite`) summed; export at ``export_price_per_kwh`` or at
  ``export_price_share`` x each hour's import price, or none (surplus curtailed).
* Heat reuse: :func:`scenarios.heat_reuse.build_heat` (its terms from the physics around
  the same operating load, re-based to the inference baseline, as the tank's); a network
  without demand in any run hour is no asset.

A section of size zero (no energy, no power, no kWp, no turbine) is no asset; a site with
no asset gets ``None``, and its run is exactly the run without the sections.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.assets import DEFAULT_INITIAL_SOC, Assets, Battery, ColdStorage
from optimizer.errors import ScheduleInputError
from scenarios.errors import ScenarioError
from scenarios.heat_reuse import build_heat
from scenarios.schema import BatterySpec, ColdStorageSpec, Scenario
from thermal.cold_storage import ColdStorageParams
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.heat_reuse import HeatReuseParams
from thermal.params import override
from thermal.weather import WEATHER_COLUMNS

#: Input columns of on-site generation (:func:`scenarios.onsite.onsite_generation`).
GENERATION_COLUMNS = ("pv_kw", "wind_kw")


@dataclass
class SiteAssets:
    """The site's assets for the optimizer, and what the re-simulation needs of them.

    Attributes
    ----------
    assets : optimizer.assets.Assets
        Arrays in the run's pod order (``names``) and hours.
    names : list of str
        The pods, in the optimizer's order.
    tank : ColdStorageParams or None
        The cold tank's physics (None without a tank).
    tank_pods : tuple of str
        The pods whose chillers the tank serves.
    described : dict
        Every value the assets were built with, for the manifest.
    heat : HeatReuseParams or None
        The heat network's physics (None without modelled heat reuse, or without demand).
    """

    assets: Assets
    names: list[str]
    tank: ColdStorageParams | None = None
    tank_pods: tuple[str, ...] = ()
    described: dict = field(default_factory=dict)
    heat: HeatReuseParams | None = None


def build_assets(
    scenario: Scenario,
    frame: pd.DataFrame,
    pods: list[Pod],
    params: FacilityParams,
    baseline_kw: pd.DataFrame,
    operating_kw: pd.DataFrame,
) -> SiteAssets | None:
    """The scenario's assets, or None when it has none (or only zero-sized ones).

    Parameters
    ----------
    scenario : Scenario
    frame : DataFrame
        The run's hourly inputs (:attr:`scenarios.inputs.HourlyInputs.frame`): weather,
        ``price_per_kwh`` [currency/kWh], the generation columns [kW] and the heat
        network's demand ``heat_demand_kw_th`` [kW_th].
    pods : list of Pod
        The checked thermal pods, in the optimizer's order.
    params : FacilityParams
        As the facility coefficients use them.
    baseline_kw, operating_kw : DataFrame
        Inference compute load, and the load the coefficients are linearised around
        (baseline plus the jobs' expected load) [kW], hours x pods.

    Raises
    ------
    ScenarioError
        A value the optimizer or the physics refuses, a pod the tank cannot serve (no
        chillers on its loop), or a tank that no pod can serve; named by field.
    """
    names = [p.name for p in pods]
    storage = scenario.storage
    out = SiteAssets(Assets(), names)
    battery = _battery(storage.battery) if storage is not None and storage.battery else None
    cold = None
    if storage is not None and storage.cold is not None and _sized(storage.cold):
        cold = _cold(storage.cold, frame, pods, params, baseline_kw, operating_kw, out)
    onsite, export_price = _generation(scenario, frame, out)
    heat = None
    if scenario.heat_reuse.modelled:
        heat, physics, described = build_heat(scenario, frame, pods, params, baseline_kw,
                                              operating_kw)
        if heat.active:
            out.heat, out.described["heat_reuse"] = physics, described
        else:
            heat = None
    out.assets = Assets(battery=battery, cold=cold, onsite_kw=onsite,
                        export_price_per_kwh=export_price, heat=heat)
    if not out.assets.active:
        return None
    if out.assets.has_battery:
        out.described["battery"] = dataclasses.asdict(battery)
    return out


def _sized(spec: ColdStorageSpec) -> bool:
    return spec.capacity_kwh_th > 0 and spec.power_kw_th > 0


def _given(spec, names) -> dict:
    return {k: getattr(spec, k) for k in names if getattr(spec, k) is not None}


def _battery(spec: BatterySpec) -> Battery | None:
    """The battery (None when zero-sized); a value it refuses names the field."""
    if not (spec.energy_kwh > 0 and spec.power_kw > 0):
        return None
    try:
        return Battery(**_given(spec, BatterySpec.model_fields))
    except ScheduleInputError as exc:  # "battery.<field>: <problem>"
        where, _, problem = str(exc).partition(": ")
        raise ScenarioError(problem, field=f"storage.{where}") from None


def tank_params(spec: ColdStorageSpec) -> ColdStorageParams:
    """The tank's physics: the scenario's values over ColdStorageParams' defaults."""
    given = _given(spec, ("kind", "loop", "capacity_kwh_th", "power_kw_th",
                          "standing_loss_per_h"))  # fmt: skip
    try:
        return override(ColdStorageParams(), given, where="storage.cold")
    except ThermalInputError as exc:
        raise ScenarioError(str(exc)) from None


def tank_pods(spec: ColdStorageSpec, tank: ColdStorageParams, pods: list[Pod],
              params: FacilityParams) -> list[Pod]:
    """The pods whose chillers the tank serves: those named, else every pod with chillers
    on the tank's loop.

    Raises
    ------
    ScenarioError
        A named pod without chillers on that loop, or no such pod at all.
    """
    def chillers_kw(pod: Pod) -> float:
        design = design_pod(pod, params)
        return (design.air_chiller_ref_kw if tank.loop == "chilled_water"
                else design.liquid_chiller_ref_kw)

    if spec.pods is None:
        served = [p for p in pods if chillers_kw(p) > 0]
        if not served:
            raise ScenarioError(
                f"no pod has chillers on its {tank.loop} loop to charge the tank; "
                f"use loop = 'chilled_water' or remove [storage.cold]", field="storage.cold")
        return served
    by_name = {p.name: p for p in pods}
    served = [by_name[n] for n in dict.fromkeys(spec.pods)]
    without = [p.name for p in served if not chillers_kw(p) > 0]
    if without:
        raise ScenarioError(
            f"pod(s) {', '.join(map(repr, without))} have no chillers on their {tank.loop} "
            "loop to charge the tank (a facility-water tank needs a liquid-cooled pod); name "
            "other pods or set loop", field="storage.cold.pods")
    return served


def _cold(spec: ColdStorageSpec, frame, pods, params, baseline_kw, operating_kw,
          out: SiteAssets) -> ColdStorage:
    """The tank with the scheduler's hourly terms (see the module doc)."""
    from thermal.coefficients import cold_storage_coefficients

    tank = tank_params(spec)
    served = tank_pods(spec, tank, pods, params)
    names = [p.name for p in pods]
    coef = cold_storage_coefficients(
        frame[list(WEATHER_COLUMNS)], served,
        {p.name: operating_kw[p.name].to_numpy() for p in served}, params, tank,
    )  # fmt: skip
    shape = (len(names), len(frame))
    arrays = {k: np.zeros(shape) for k in ("charge", "discharge", "load", "load_per",
                                          "spare", "spare_per")}
    for p in served:
        i = names.index(p.name)
        jobs_kw = (operating_kw[p.name] - baseline_kw[p.name]).to_numpy()
        load_per = np.maximum(coef["chiller_load_per_compute"][p.name].to_numpy(), 0.0)
        taken = np.maximum(-coef["chiller_spare_per_compute"][p.name].to_numpy(), 0.0)
        arrays["charge"][i] = coef["charge_kw_per_kw_th"][p.name].to_numpy()
        arrays["discharge"][i] = coef["discharge_kw_per_kw_th"][p.name].to_numpy()
        arrays["load"][i] = np.maximum(
            coef["chiller_load_kw_th"][p.name].to_numpy() - load_per * jobs_kw, 0.0)
        arrays["load_per"][i] = load_per
        arrays["spare"][i] = np.maximum(
            coef["chiller_spare_kw_th"][p.name].to_numpy() + taken * jobs_kw, 0.0)
        arrays["spare_per"][i] = taken
    initial = DEFAULT_INITIAL_SOC if spec.initial_soc is None else spec.initial_soc
    out.tank, out.tank_pods = tank, tuple(p.name for p in served)
    out.described["cold_storage"] = {
        **dataclasses.asdict(tank), "initial_soc": initial, "pods": list(out.tank_pods)}
    return ColdStorage(
        capacity_kwh_th=tank.capacity_kwh_th, power_kw_th=tank.power_kw_th,
        loss_per_h=tank.standing_loss_per_h, initial_soc=initial,
        serves=np.array([n in out.tank_pods for n in names]),
        charge_kw_per_kw_th=arrays["charge"], discharge_kw_per_kw_th=arrays["discharge"],
        chiller_load_kw_th=arrays["load"], chiller_load_per_kw=arrays["load_per"],
        chiller_spare_kw_th=arrays["spare"], chiller_spare_per_kw=arrays["spare_per"],
    )  # fmt: skip


def _generation(scenario: Scenario, frame: pd.DataFrame, out: SiteAssets):
    """(hourly generation [kW] or None, hourly export price [currency/kWh] or None)."""
    columns = [c for c in GENERATION_COLUMNS if c in frame]
    if not columns:
        return None, None
    onsite = frame[columns].sum(axis=1).to_numpy(dtype=float)
    spec = scenario.onsite
    price = None
    if spec.export:
        if spec.export_price_per_kwh is not None:
            price = np.full(len(frame), float(spec.export_price_per_kwh))
        else:
            price = spec.export_price_share * frame["price_per_kwh"].to_numpy(dtype=float)
    out.described["onsite"] = {
        **{f"{c.removesuffix('_kw')}_mwh": float(frame[c].sum()) / 1e3 for c in columns},
        "export": spec.export,
        "export_price_per_kwh": spec.export_price_per_kwh,
        "export_price_share": spec.export_price_share,
    }
    return onsite, price
