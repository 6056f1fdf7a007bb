"""Hour-by-hour simulation of pods and of the whole site.

Columns of a pod frame (per hour; kW are averages over the hour, so kW = kWh, L per hour):

* power [kW]: ``compute_kw``, ``server_fan_kw``, ``it_kw`` (= compute + server fans),
  ``ups_loss_kw``, ``distribution_loss_kw``, ``lighting_kw``, ``air_handler_fan_kw``,
  ``pump_kw`` (all loop, CDU and tower-water pumps), ``chiller_kw``,
  ``heat_rejection_fan_kw``, ``cooling_kw`` (the last four), ``facility_kw`` (all);
* heat [kW]: ``heat_to_air_kw``, ``heat_to_liquid_kw``, ``heat_rejected_kw`` (to outdoors),
  ``unmet_heat_kw`` (left in the hall when the plant runs out of capacity);
* water [L]: ``water_evaporation_l``, ``water_blowdown_l``, ``water_drift_l``, ``water_l``;
* state: ``free_fraction_air``, ``free_fraction_liquid``, ``free_fraction`` (share of heat
  removed without compressors), ``mode`` (free / partial / mechanical), ``inlet_c``,
  ``inlet_dew_point_c``, ``inlet_rh_pct``, ``within_air_class``, ``tcs_supply_c``;
* capacity: ``chiller_available_kw``, ``cooling_capacity_compute_kw`` (the largest compute
  load the plant can cool this hour, a cold tank aside);
* cold storage [kW_th] (:mod:`thermal.cold_storage`): ``chiller_load_kw_th`` (heat the pod's
  chillers remove, a tank's charge included and its discharge taken off),
  ``storage_kw_th`` (the tank flow applied: > 0 charging, < 0 discharging; 0 without one).

Energy ledger of every hour (tested to 1e-9): ``facility_kw = heat_rejected_kw +
unmet_heat_kw - storage_kw_th``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from thermal import heat_rejection, loops
from thermal.ashrae import air_class, within_class
from thermal.cold_storage import ColdStorageParams, check_storage, storage_flows
from thermal.design_day import resolved
from thermal.errors import ThermalInputError
from thermal.facility import (
    FacilityParams,
    Pod,
    PodDesign,
    _heat_sources,
    design_pod,
    loop_heats_kw,
)
from thermal.power_chain import distribution_loss_kw
from thermal.psychrometrics import relative_humidity_pct
from thermal.weather import validate_weather

#: Columns that add up across pods.
ADDITIVE_COLUMNS = (
    "compute_kw",
    "server_fan_kw",
    "it_kw",
    "ups_loss_kw",
    "distribution_loss_kw",
    "lighting_kw",
    "air_handler_fan_kw",
    "pump_kw",
    "chiller_kw",
    "heat_rejection_fan_kw",
    "cooling_kw",
    "facility_kw",
    "heat_to_air_kw",
    "heat_to_liquid_kw",
    "heat_rejected_kw",
    "unmet_heat_kw",
    "water_evaporation_l",
    "water_blowdown_l",
    "water_drift_l",
    "water_l",
    "chiller_available_kw",
    "cooling_capacity_compute_kw",
    "chiller_load_kw_th",
    "storage_kw_th",
)
#: Share of a pod's heat compressors may remove in an hour that still counts as free
#: cooling [-]: "free" hours are those in which compressors remove (almost) none of the
#: pod's heat (at most 5 %, so a liquid pod whose small residual air load is on a chiller
#: counts as free when its liquid loop is), "mechanical" those in which they remove
#: (almost) all of it. docs/physics-validation.md gives the definitions.
FREE_TOLERANCE = 0.05


def weather_arrays(weather: pd.DataFrame, params: FacilityParams | None = None) -> dict:
    """The per-hour outdoor quantities the plant needs, computed once per weather.

    Returns
    -------
    dict of arrays
        ``dry_bulb_c``, ``wet_bulb_c``, ``dew_point_c`` [°C] and the towers'
        ``evaporation_l_per_kwh`` [L/kWh].
    """
    p = params or FacilityParams()
    validate_weather(weather)
    pressure = weather["pressure_pa"].to_numpy(float) if "pressure_pa" in weather else 101_325.0
    out = {k: weather[k].to_numpy(float) for k in ("dry_bulb_c", "wet_bulb_c", "dew_point_c")}
    out["pressure_pa"] = np.broadcast_to(np.asarray(pressure, float), out["dry_bulb_c"].shape)
    out["evaporation_l_per_kwh"] = heat_rejection.tower_evaporation_l_per_kwh(
        out["dry_bulb_c"], out["dew_point_c"], pressure, p.rejection
    )
    return out


def cooling_mode(free_fraction) -> pd.Categorical:
    """Each hour's mode from its compressor-free share of heat [-]: free (compressors
    remove at most :data:`FREE_TOLERANCE` of it), mechanical (at least 1 - that), else
    partial."""
    free = np.asarray(free_fraction, float)
    mode = np.where(
        free >= 1.0 - FREE_TOLERANCE,
        "free",
        np.where(free <= FREE_TOLERANCE, "mechanical", "partial"),
    )
    return pd.Categorical(mode, categories=["free", "partial", "mechanical"])


def with_design_conditions(params: FacilityParams, outdoor: dict) -> FacilityParams:
    """``params`` with its design conditions filled from the weather where not given."""
    design = resolved(params.design, outdoor["dry_bulb_c"], outdoor["wet_bulb_c"])
    return params if design == params.design else dataclasses.replace(params, design=design)


def _compute_load(design: PodDesign, compute_kw, n_hours: int) -> np.ndarray:
    pod = design.pod
    if compute_kw is None:
        return np.full(n_hours, pod.utilisation * design.compute_design_kw)
    load = np.asarray(compute_kw, dtype=float)
    if load.ndim == 0:
        load = np.full(n_hours, float(load))
    if load.shape != (n_hours,):
        raise ThermalInputError(
            f"pod {pod.name!r}: compute load has {load.shape} values; give one per weather hour ({n_hours})"
        )
    if not np.all(np.isfinite(load)):
        raise ThermalInputError(f"pod {pod.name!r}: compute load has NaN or infinite values")
    if np.any(load < 0):
        raise ThermalInputError(
            f"pod {pod.name!r}: compute load must not be negative (min {load.min():g} kW)"
        )
    cap = design.compute_design_kw * (1 + 1e-9)
    if np.any(load > cap):
        raise ThermalInputError(
            f"pod {pod.name!r}: compute load {load.max():.1f} kW exceeds the pod's compute capacity "
            f"{design.compute_design_kw:.1f} kW ({pod.racks} racks x {pod.rack_kw:g} kW nameplate)"
        )
    return load


def simulate_pod(
    weather: pd.DataFrame,
    pod: Pod,
    compute_kw=None,
    params: FacilityParams | None = None,
    outdoor: dict | None = None,
    storage_kw_th=None,
    storage: ColdStorageParams | None = None,
) -> pd.DataFrame:
    """Simulate one pod hour by hour.

    Parameters
    ----------
    weather : DataFrame
        From :func:`thermal.weather.load_climate`.
    pod : Pod
    compute_kw : float, array or Series, optional
        Compute load per hour [kW]; default ``pod.utilisation`` x design.
    params : FacilityParams, optional
    outdoor : dict, optional
        Precomputed :func:`weather_arrays` (saves time over many pods).
    storage_kw_th : float, array or Series, optional
        Flow of a cold tank on the pod's plant per hour [kW_th]: > 0 charges it (extra load
        on the chillers), < 0 discharges it (heat taken off the chillers). Each hour it is
        limited to what the chillers can take or shed (column ``storage_kw_th`` says what
        was applied); the tank's own limits (power, state of charge) are the caller's
        (:func:`thermal.cold_storage.tank_state_kwh_th`). None or zero: no tank, every
        other column exactly as without one.
    storage : ColdStorageParams, optional
        The tank's kind (chilled water or ice) and the loop it sits on.

    Returns
    -------
    DataFrame
        One row per weather hour; columns in the module docstring.
    """
    p = params or FacilityParams()
    out = outdoor if outdoor is not None else weather_arrays(weather, p)
    p = with_design_conditions(p, out)
    design = design_pod(pod, p)
    n = len(out["dry_bulb_c"])
    compute = _compute_load(design, compute_kw, n)
    tank = check_storage(storage or ColdStorageParams())
    flows = storage_flows(storage_kw_th, n, pod.name)
    if flows is not None and tank.loop == "facility_water" and design.liquid_fraction == 0:
        raise ThermalInputError(
            f"pod {pod.name!r}: a cold tank on facility water needs a liquid-cooled pod; this "
            f"one is {pod.cooling} (put the tank on loop = 'chilled_water')"
        )
    on_air = flows if tank.loop == "chilled_water" else None
    src = _heat_sources(compute, design, p)
    air_p = p.air

    # Air loop: air handlers move the room heat to the coils; outdoor air (air-side
    # economizer) or chilled water takes it from there.
    air_fans = loops.air_handler_fan_kw(
        src["air_kw"], design.design_air_heat_kw, air_p, design.air_fan_pressure_pa
    )
    coil_heat = src["air_kw"] + air_fans
    pad_water_l = np.zeros(n)
    outdoor_dew = out["dew_point_c"]
    if pod.economizer == "air_side":
        f_outdoor_air = loops.air_economizer_fraction(out["dry_bulb_c"], out["dew_point_c"], air_p)
    elif pod.economizer == "air_side_adiabatic":
        pads = loops.adiabatic_air_economizer(
            out["dry_bulb_c"], out["wet_bulb_c"], out["dew_point_c"], out["pressure_pa"], air_p
        )
        f_outdoor_air = pads["fraction"]
        outdoor_dew = pads["dew_point_c"]
        pad_water_l = f_outdoor_air * coil_heat * pads["evaporated_l_per_kwh"]
    else:
        f_outdoor_air = np.zeros(n)
    air = loops.chilled_loop(
        (1 - f_outdoor_air) * coil_heat,
        design.chw_supply_c,
        design.chw_return_c,
        design.air_heat_rejection,
        pod.economizer == "water_side",
        out,
        design.air_chiller_ref_kw,
        air_p.chw_pump_pa,
        air_p.chw_pump_efficiency,
        p.chiller,
        p.rejection,
        air_p.pump_min_flow_frac * design.design_air_loop_kw,
        design.air_chiller_trip_c,
        on_air,
        tank,
    )
    air_free = f_outdoor_air + (1 - f_outdoor_air) * air["free_fraction"]

    if design.liquid_fraction > 0:
        liquid = loops.chilled_loop(
            src["liquid_kw"] + src["tcs_pump_kw"],
            design.fws_supply_c,
            design.fws_supply_c + p.liquid.fws_delta_t_k,
            design.heat_rejection,
            True,
            out,
            design.liquid_chiller_ref_kw,
            p.liquid.fws_pump_pa,
            p.liquid.fws_pump_efficiency,
            p.chiller,
            p.rejection,
            p.liquid.fws_min_flow_frac * design.design_liquid_loop_kw,
            design.liquid_chiller_trip_c,
            flows if tank.loop == "facility_water" else None,
            tank,
        )
    else:
        liquid = {k: np.zeros(n) for k in air}
    liquid_free = liquid["free_fraction"] if design.liquid_fraction > 0 else np.ones(n)

    pumps = (
        air["pump_kw"]
        + air["condenser_pump_kw"]
        + src["tcs_pump_kw"]
        + liquid["pump_kw"]
        + liquid["condenser_pump_kw"]
    )
    chillers = air["chiller_kw"] + liquid["chiller_kw"]
    rejection_fans = air["rejection_fan_kw"] + liquid["rejection_fan_kw"]
    cooling = air_fans + pumps + chillers + rejection_fans
    carried = src["it_kw"] + src["ups_loss_kw"] + src["lighting_kw"] + cooling
    distribution = distribution_loss_kw(carried, p.power, design.it_design_kw)
    facility = carried + distribution

    unmet = air["unmet_kw"] + liquid["unmet_kw"]
    heat_out = (
        f_outdoor_air * coil_heat
        + air["rejected_kw"]
        + liquid["rejected_kw"]
        + rejection_fans
        + distribution
    )

    loop_heat_air = air["loop_heat_kw"] + f_outdoor_air * coil_heat
    weight = loop_heat_air + liquid["loop_heat_kw"]
    free = np.divide(
        air_free * loop_heat_air + liquid_free * liquid["loop_heat_kw"],
        weight,
        out=np.ones(n),
        where=weight > 0,
    )
    mode = cooling_mode(free)

    # Short of chiller capacity, chilled water and with it the supply air warm up.
    inlet = design.nominal_inlet_c + air["supply_rise_k"]
    inlet_dew = np.where(f_outdoor_air > 0, outdoor_dew, p.technology.room_dew_point_c)
    inlet_dew = np.minimum(inlet_dew, inlet)
    inlet_rh = relative_humidity_pct(inlet, inlet_dew)

    water = {k: air[k] + liquid[k] for k in ("evaporation_l", "blowdown_l", "drift_l")}
    water["evaporation_l"] = water["evaporation_l"] + pad_water_l
    capacity = _cooling_capacity_compute_kw(design, p, air, liquid, f_outdoor_air)

    frame = pd.DataFrame(
        {
            "compute_kw": compute,
            "server_fan_kw": src["server_fan_kw"],
            "it_kw": src["it_kw"],
            "ups_loss_kw": src["ups_loss_kw"],
            "distribution_loss_kw": distribution,
            "lighting_kw": src["lighting_kw"],
            "air_handler_fan_kw": air_fans,
            "pump_kw": pumps,
            "chiller_kw": chillers,
            "heat_rejection_fan_kw": rejection_fans,
            "cooling_kw": cooling,
            "facility_kw": facility,
            "heat_to_air_kw": coil_heat,
            "heat_to_liquid_kw": src["liquid_kw"] + src["tcs_pump_kw"],
            "heat_rejected_kw": heat_out,
            "unmet_heat_kw": unmet,
            "water_evaporation_l": water["evaporation_l"],
            "water_blowdown_l": water["blowdown_l"],
            "water_drift_l": water["drift_l"],
            "water_l": water["evaporation_l"] + water["blowdown_l"] + water["drift_l"],
            "free_fraction_air": air_free,
            "free_fraction_liquid": liquid_free
            if design.liquid_fraction > 0
            else np.full(n, np.nan),
            "free_fraction": free,
            "mode": mode,
            "inlet_c": inlet,
            "inlet_dew_point_c": inlet_dew,
            "inlet_rh_pct": inlet_rh,
            "within_air_class": within_class(inlet, inlet_dew, inlet_rh, air_class(pod.air_class)),
            "tcs_supply_c": (
                design.fws_supply_c + p.liquid.cdu_approach_k + liquid["supply_rise_k"]
                if design.liquid_fraction > 0
                else np.full(n, np.nan)
            ),
            "chiller_available_kw": air["chiller_available_kw"] + liquid["chiller_available_kw"],
            "cooling_capacity_compute_kw": capacity,
            "chiller_load_kw_th": air["chiller_load_kw"] + liquid["chiller_load_kw"],
            "storage_kw_th": air["storage_kw_th"] + liquid["storage_kw_th"],
        },
        index=weather.index,
    )
    frame.attrs.update(
        pod=pod.name,
        cooling=pod.cooling,
        it_design_kw=design.it_design_kw,
        compute_design_kw=design.compute_design_kw,
    )
    return frame


def _loop_heat_line(design: PodDesign, p: FacilityParams, which: str) -> tuple[float, float]:
    """Loop heat at zero and at design compute [kW] (a secant; the curve is convex)."""
    index = 0 if which == "air" else 1
    points = [
        float(
            loop_heats_kw(
                _heat_sources(np.array([c]), design, p),
                design.design_air_heat_kw,
                p,
                design.air_fan_pressure_pa,
            )[index][0]
        )
        for c in (0.0, design.compute_design_kw)
    ]
    return points[0], points[1]


def _cooling_capacity_compute_kw(
    design: PodDesign, p: FacilityParams, air: dict, liquid: dict, f_outdoor_air: np.ndarray
) -> np.ndarray:
    """Largest compute load each hour whose mechanical cooling the chillers can carry.

    Mechanical load = (1 - free share) x loop heat(compute); loop heat is convex in compute,
    so inverting its secant through 0 and design never overstates the capacity. The result
    is capped at the hydraulic limit (airflow margin x design).
    """
    hydraulic_cap = design.compute_design_kw * p.air.airflow_margin
    caps = [np.full_like(f_outdoor_air, hydraulic_cap)]
    loop_specs = [("air", air, (1 - f_outdoor_air) * (1 - air["free_fraction"]))]
    if design.liquid_fraction > 0:
        loop_specs.append(("liquid", liquid, 1 - liquid["free_fraction"]))
    for which, loop, mech_share in loop_specs:
        h0, h1 = _loop_heat_line(design, p, which)
        slope = (h1 - h0) / design.compute_design_kw
        max_heat = np.divide(
            loop["chiller_available_kw"],
            mech_share,
            out=np.full_like(mech_share, np.inf),
            where=mech_share > 0,
        )
        caps.append(np.where(slope > 0, (max_heat - h0) / max(slope, 1e-12), np.inf))
    return np.clip(np.minimum.reduce(caps), 0.0, None)


def simulate_site(
    weather: pd.DataFrame,
    pods: Sequence[Pod],
    compute_kw: Mapping[str, object] | None = None,
    params: FacilityParams | None = None,
    storage_kw_th: Mapping[str, object] | None = None,
    storage: ColdStorageParams | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Simulate every pod and the site total.

    Parameters
    ----------
    weather : DataFrame
    pods : sequence of Pod
        Names must be unique.
    compute_kw : mapping pod name -> load, optional
        Hourly compute load per pod [kW]; pods not named run at their utilisation.
    params : FacilityParams, optional
    storage_kw_th : mapping pod name -> flow, optional
        Hourly cold-storage flow on each named pod's plant [kW_th] (see
        :func:`simulate_pod`); pods not named have none.
    storage : ColdStorageParams, optional
        The tank's kind and loop, for every pod with a flow.

    Returns
    -------
    pods : dict of DataFrame
        Per pod, as :func:`simulate_pod`.
    site : DataFrame
        Additive columns summed; ``free_fraction`` heat-weighted; ``mode`` and
        ``within_air_class`` over all pods; ``mode`` from the site's heat-weighted free
        fraction, as a pod's.
    """
    p = params or FacilityParams()
    if not pods:
        raise ThermalInputError("a site needs at least one pod")
    names = [pod.name for pod in pods]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ThermalInputError(f"pod names must be unique; repeated: {', '.join(dupes)}")
    for what, given in (("compute load", compute_kw), ("storage flow", storage_kw_th)):
        unknown = sorted(set(given or {}) - set(names))
        if unknown:
            raise ThermalInputError(f"{what} given for unknown pod(s) {unknown}; pods are {names}")
    out = weather_arrays(weather, p)
    frames = {
        pod.name: simulate_pod(
            weather,
            pod,
            (compute_kw or {}).get(pod.name),
            p,
            out,
            (storage_kw_th or {}).get(pod.name),
            storage,
        )
        for pod in pods
    }
    return frames, site_total(frames)


def site_total(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Add pod frames into a site frame (see :func:`simulate_site`)."""
    first = next(iter(frames.values()))
    site = pd.DataFrame(
        {c: sum(f[c].to_numpy() for f in frames.values()) for c in ADDITIVE_COLUMNS},
        index=first.index,
    )
    heat = sum((f["heat_to_air_kw"] + f["heat_to_liquid_kw"]).to_numpy() for f in frames.values())
    freed = sum(
        (f["free_fraction"] * (f["heat_to_air_kw"] + f["heat_to_liquid_kw"])).to_numpy()
        for f in frames.values()
    )
    site["free_fraction"] = np.divide(freed, heat, out=np.ones(len(site)), where=heat > 0)
    site["mode"] = cooling_mode(site["free_fraction"].to_numpy())
    site["within_air_class"] = np.logical_and.reduce(
        [f["within_air_class"].to_numpy() for f in frames.values()]
    )
    return site
