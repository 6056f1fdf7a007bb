"""Heat reuse by temperature: a pod's loop heat delivered to a heat network, hour by hour.

**Source.** Each pod offers the heat of one loop, at that loop's return temperature:

* a liquid pod (cold plate, immersion, spray, two-phase): the heat its CDUs give to
  facility water (``heat_to_liquid_kw``), at the facility-water return: the supply
  (``tcs_supply_c`` less the CDU approach; it rises only when trim chillers fall short)
  plus the loop's rise, so W32 returns 42 °C, W40 50 °C, W45 55 °C at the default 10 K.
  Below the pumps' minimum flow the rise shrinks with the heat, as the return does;
* an air pod: the room heat its chilled water carries (``heat_to_air_kw``, less the share
  an air-side economizer sends outdoors), at the chilled-water return: 28.75 °C by default
  (chilled water follows the 25 °C supply air, :func:`thermal.loops.chilled_water_c`);
  14.5 °C with ``chw_supply_c = 7``.

A liquid pod's residual air heat (UPS, lighting, the air-cooled share of the servers) stays
with its chilled-water plant: recovering it would take a second heat pump on a colder
source beside the warm one; not modelled.

**Delivery** at the network's supply temperature ``supply_c``: through a plate exchanger
where ``source_c - hx_approach_k >= supply_c``; else through a heat pump of
``COP = eta T_hot / (T_hot - T_cold)`` (temperatures in K: the network supply and the
source return), at most ``max_cop``. The compressor's electricity ends as delivered heat::

    delivered = recovered + heat_pump_kw,   heat_pump_kw = delivered / COP

**Demand.** Each pod delivers at most ``contracted_share`` of what its loop offers; the
site at most the hourly demand (an array or Series [kW_th];
:func:`thermal.heat_demand.heating_season_demand_kw_th` gives a labelled Beijing shape)
and ``capacity_kw_th``. Where these bind, heat is taken in merit order: direct exchange
first, then the heat pumps of highest COP.

**Ledger** of every pod and hour (tested to 1e-9)::

    loop_heat_kw_th + heat_pump_kw = delivered_kw_th + rejected_kw_th

with ``rejected_kw_th`` the loop heat left to the plant. The plant itself is simulated as
without reuse: the fans, pumps and chillers that the recovered heat would have spared are
not credited (conservative), and ``facility_kw`` adds the heat pumps' electricity.

ERF (ISO/IEC 30134-6) = heat delivered / facility energy, heat pumps inside the boundary
(:func:`energy_reuse_factor`). :mod:`thermal.heat_reuse_coefficients` gives the scheduler
its linear terms; :mod:`thermal.heat_demand` a labelled heating-season demand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from thermal import loops
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.params import bounds_of, param
from thermal.simulate import simulate_pod, weather_arrays, with_design_conditions

#: 0 °C in kelvin.
KELVIN = 273.15
#: Arpagaus et al., "High temperature heat pumps: Market overview, state of the art,
#: research status, refrigerants, and application potentials", Energy 152 (2018) 985-1010.
ARPAGAUS_2018 = "Arpagaus et al., Energy 152 (2018) 985-1010"


@dataclass(frozen=True)
class HeatReuseParams:
    """A heat network connection: its temperature, exchangers, heat pumps and contract."""

    supply_c: float = param(
        70.0,
        "°C",
        "network supply temperature: radiator-heated buildings are designed at 75/50 °C in "
        "China (GB 50736-2012 §5.3.1, supply <= 85 °C); 4th-generation low-temperature "
        "networks supply 50-55 °C (IEA DHC Annex X; Lund et al., Energy 68 (2014) 1-11); "
        "judgement between them for a network serving existing buildings",
        low=10.0,
        high=120.0,
    )
    hx_approach_k: float = param(
        4.0,
        "K",
        "plate exchanger between loop return and network supply, as the CDU's (physics.md "
        "3-5 K): direct delivery needs source_c - hx_approach_k >= supply_c",
    )
    carnot_efficiency: float = param(
        0.45,
        "-",
        f"COP over the Carnot COP between network supply and source return; {ARPAGAUS_2018}: "
        "research heat pumps reach COP 5.7-6.5 at 30 K lift and 2.2-2.8 at 70 K lift to "
        "120 °C, i.e. 0.44-0.50 and 0.39-0.50 of Carnot (derived from the abstract's figures)",
    )
    max_cop: float = param(
        8.0,
        "-",
        "highest COP at small lifts, where the Carnot form diverges: Carnot x 0.45 reaches "
        "7.7 at 20 K lift to 70 °C; judgement (compressor and exchanger losses dominate)",
        low=1.01,
        high=20.0,
    )
    liquid_share: float = param(
        1.0, "-", "share of a liquid pod's facility-water heat piped to the reuse exchangers"
    )
    air_share: float = param(
        1.0, "-", "share of an air pod's chilled-water heat piped to the heat pump"
    )
    contracted_share: float = param(
        1.0,
        "-",
        "share of each pod's recoverable heat the offtaker takes (a contracted share; 1: "
        "all it is offered, up to the hourly demand)",
    )
    capacity_kw_th: float | None = param(
        None,
        "kW_th",
        "largest heat the site's exchangers and heat pumps deliver in an hour; None: no "
        "limit (a design choice)",
        low=0.0,
        high=1e9,
    )


def check_params(params: HeatReuseParams) -> HeatReuseParams:
    """``params`` if every number keeps its bounds (:func:`thermal.params.bounds_of`),
    else a :class:`ThermalInputError` naming the field."""
    for f in dataclasses.fields(params):
        value = getattr(params, f.name)
        if value is None:
            continue
        low, high, low_open = bounds_of(f.name, f.default, f.metadata)
        if not (np.isfinite(value) and low <= value <= high and not (low_open and value == low)):
            raise ThermalInputError(
                f"heat_reuse.{f.name} = {value!r} is outside {low:g}{' <' if low_open else ' <='}"
                f" value <= {high:g}"
            )
    return params


def heat_pump_cop(source_c, supply_c, carnot_efficiency=None, max_cop=None):
    """Heating COP of a heat pump lifting heat from ``source_c`` to ``supply_c``.

    ``COP = min(eta T_hot / (T_hot - T_cold), max_cop)`` with ``T_hot`` the supply and
    ``T_cold`` the source [K]; ``max_cop`` where the source is not colder. Never rises
    with a hotter supply.

    Parameters
    ----------
    source_c : float or array
        Temperature of the source water entering the heat pump [°C].
    supply_c : float or array
        Network supply temperature the heat pump delivers [°C].
    carnot_efficiency : float, optional
        COP over the Carnot COP [-]; default that of :class:`HeatReuseParams`.
    max_cop : float, optional
        Upper bound [-]; default that of :class:`HeatReuseParams`.

    Returns
    -------
    float or array
        COP [kW_th delivered per kW of compressor power].
    """
    defaults = HeatReuseParams()
    eta = defaults.carnot_efficiency if carnot_efficiency is None else carnot_efficiency
    cap = defaults.max_cop if max_cop is None else max_cop
    t_hot = np.asarray(supply_c, float) + KELVIN
    lift = t_hot - (np.asarray(source_c, float) + KELVIN)
    carnot = np.divide(
        t_hot, lift, out=np.full(np.broadcast(t_hot, lift).shape, np.inf), where=lift > 0
    )
    return np.minimum(eta * carnot, cap)


def heat_pump_kw_per_kw_th(source_c, params: HeatReuseParams | None = None):
    """Compressor power per kW_th delivered from a source at ``source_c`` [°C] [kW/kW_th]:
    0 where a plate exchanger suffices (``source_c - hx_approach_k >= supply_c``), else
    ``1 / COP`` (:func:`heat_pump_cop`)."""
    p = params or HeatReuseParams()
    source = np.asarray(source_c, float)
    cop = heat_pump_cop(source, p.supply_c, p.carnot_efficiency, p.max_cop)
    return np.where(source - p.hx_approach_k >= p.supply_c, 0.0, 1.0 / cop)


def _outdoor_air_fraction(pod: Pod, outdoor: dict, air: loops.AirSideParams) -> np.ndarray:
    """Share of room heat an air-side economizer sends outdoors, as in the simulation."""
    if pod.economizer == "air_side":
        return loops.air_economizer_fraction(outdoor["dry_bulb_c"], outdoor["dew_point_c"], air)
    if pod.economizer == "air_side_adiabatic":
        return loops.adiabatic_air_economizer(
            outdoor["dry_bulb_c"],
            outdoor["wet_bulb_c"],
            outdoor["dew_point_c"],
            outdoor["pressure_pa"],
            air,
        )["fraction"]
    return np.zeros_like(outdoor["dry_bulb_c"])


def source_heat(
    weather: pd.DataFrame,
    pod: Pod,
    frame: pd.DataFrame,
    facility_params: FacilityParams | None = None,
    outdoor: dict | None = None,
) -> dict:
    """The heat a pod's reuse source offers each hour and its temperature.

    Parameters
    ----------
    weather : DataFrame
        The weather ``frame`` was simulated with.
    pod : Pod
    frame : DataFrame
        From :func:`thermal.simulate.simulate_pod` for this pod.
    facility_params : FacilityParams, optional
        Those of the simulation.
    outdoor : dict, optional
        Precomputed :func:`thermal.simulate.weather_arrays`.

    Returns
    -------
    dict of arrays
        ``loop_heat_kw_th`` (heat of the source loop [kW_th]: facility water of a liquid
        pod, chilled water of an air pod), ``source_c`` (its return temperature [°C]) and
        ``liquid`` (bool, which loop).
    """
    fp = facility_params or FacilityParams()
    out = outdoor if outdoor is not None else weather_arrays(weather, fp)
    design = design_pod(pod, with_design_conditions(fp, out))
    if design.liquid_fraction > 0:
        heat = frame["heat_to_liquid_kw"].to_numpy(float)
        supply = frame["tcs_supply_c"].to_numpy(float) - fp.liquid.cdu_approach_k
        rise_k = fp.liquid.fws_delta_t_k
        min_heat = fp.liquid.fws_min_flow_frac * design.design_liquid_loop_kw
    else:
        f_out = _outdoor_air_fraction(pod, out, fp.air)
        heat = frame["heat_to_air_kw"].to_numpy(float) * (1.0 - f_out)
        supply = design.chw_supply_c + frame["inlet_c"].to_numpy(float) - design.nominal_inlet_c
        rise_k = fp.air.chw_delta_t_k
        min_heat = fp.air.pump_min_flow_frac * design.design_air_loop_kw
    # at the pumps' minimum flow the loop warms less than its design rise
    rise = rise_k * np.clip(
        np.divide(heat, min_heat, out=np.ones_like(heat), where=min_heat > 0), 0.0, 1.0
    )
    return {
        "loop_heat_kw_th": heat,
        "source_c": supply + rise,
        "liquid": design.liquid_fraction > 0,
    }


def offer_kw_th(src: dict, params: HeatReuseParams) -> dict:
    """What a source can deliver: ``per_kw_th`` (compressor kW per kW_th delivered) and
    ``recoverable_kw_th`` (the most it delivers, contracted share applied) [kW_th]."""
    share = params.liquid_share if src["liquid"] else params.air_share
    per = heat_pump_kw_per_kw_th(src["source_c"], params)
    usable = per < 1.0  # a COP of 1 recovers nothing
    recoverable = np.where(
        usable,
        params.contracted_share * share * src["loop_heat_kw_th"] / np.where(usable, 1.0 - per, 1.0),
        0.0,
    )
    return {"per_kw_th": per, "recoverable_kw_th": recoverable}


def _hourly(values, n_hours: int, index, what: str) -> np.ndarray:
    """An hourly input as an array of ``n_hours`` finite values >= 0."""
    if isinstance(values, pd.Series) and not values.index.equals(index):
        raise ThermalInputError(f"{what}: the Series' index is not the weather's hours")
    arr = np.asarray(values, float)
    if arr.ndim == 0:
        arr = np.full(n_hours, float(arr))
    if arr.shape != (n_hours,):
        raise ThermalInputError(
            f"{what} has {arr.shape} values; give one per weather hour ({n_hours})"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ThermalInputError(f"{what} must be finite and >= 0 in every hour")
    return arr


def allocate(recoverable_kw_th: np.ndarray, per_kw_th: np.ndarray, limit_kw_th) -> np.ndarray:
    """Heat delivered per hour and pod: cheapest first until the site's limit.

    Parameters
    ----------
    recoverable_kw_th : array (hours, pods)
        The most each pod delivers [kW_th].
    per_kw_th : array (hours, pods)
        Compressor power per kW_th delivered [kW/kW_th]; pods with less go first (ties in
        pod order).
    limit_kw_th : array (hours,)
        The most the site delivers (demand, capacity) [kW_th]; inf for none.

    Returns
    -------
    array (hours, pods)
        Delivered heat [kW_th]: ``sum <= limit``, each ``<= recoverable``.
    """
    order = np.argsort(per_kw_th, axis=1, kind="stable")
    ranked = np.take_along_axis(recoverable_kw_th, order, axis=1)
    before = np.cumsum(ranked, axis=1) - ranked
    taken = np.clip(np.asarray(limit_kw_th, float)[:, None] - before, 0.0, ranked)
    out = np.empty_like(taken)
    np.put_along_axis(out, order, taken, axis=1)
    return out


def site_limit_kw_th(demand_kw_th, params: HeatReuseParams, n: int, index) -> np.ndarray:
    """The most the site delivers each hour [kW_th]: the demand (None: no limit) and
    ``capacity_kw_th``, the smaller; inf where neither limits."""
    limit = np.full(n, np.inf)
    if demand_kw_th is not None:
        limit = _hourly(demand_kw_th, n, index, "heat demand")
    if params.capacity_kw_th is not None:
        limit = np.minimum(limit, params.capacity_kw_th)
    return limit


def heat_reuse_site(
    weather: pd.DataFrame,
    pods: Sequence[Pod],
    compute_kw: Mapping[str, object] | None = None,
    demand_kw_th=None,
    params: HeatReuseParams | None = None,
    facility_params: FacilityParams | None = None,
    frames: Mapping[str, pd.DataFrame] | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Heat delivered to a heat network by every pod, hour by hour (the exact model).

    Parameters
    ----------
    weather : DataFrame
    pods : sequence of Pod
    compute_kw : mapping pod name -> hourly load, optional
        Compute load [kW]; default each pod's utilisation x design. Ignored for pods
        whose frame is given.
    demand_kw_th : float, array or Series, optional
        The network's hourly demand [kW_th]; None: no limit but the contracted share.
    params : HeatReuseParams, optional
    facility_params : FacilityParams, optional
    frames : mapping pod name -> DataFrame, optional
        Pod frames already simulated (:func:`thermal.simulate.simulate_site`).

    Returns
    -------
    pods : dict of DataFrame
        Per pod and hour: ``loop_heat_kw_th``, ``source_c`` [°C], ``direct`` (no heat
        pump), ``cop`` (NaN where direct), ``heat_pump_kw_per_kw_th``,
        ``recoverable_kw_th`` (the most the pod delivers), ``delivered_kw_th``,
        ``recovered_kw_th`` (taken from the loop), ``heat_pump_kw``, ``rejected_kw_th``
        (loop heat left to the plant), ``heat_rejected_kw`` (what the plant rejects
        outdoors: the simulation's less the heat recovered), ``unmet_heat_kw``,
        ``storage_kw_th`` and ``facility_kw`` (simulated plus heat pumps) [kW, kW_th].
    site : DataFrame
        Those summed (``source_c``, ``direct``, ``cop`` and the per-kW_th ratio aside),
        plus ``demand_kw_th`` (the site's limit: demand and capacity; inf for none) and
        ``erf`` (hourly, :func:`energy_reuse_factor`).
    """
    p = check_params(params or HeatReuseParams())
    fp = facility_params or FacilityParams()
    names = [pod.name for pod in pods]
    if not names or len(set(names)) != len(names):
        raise ThermalInputError(f"heat reuse needs pods with unique names; got {names}")
    out = weather_arrays(weather, fp)
    frames = dict(frames or {})
    for pod in pods:
        if pod.name not in frames:
            frames[pod.name] = simulate_pod(weather, pod, (compute_kw or {}).get(pod.name), fp, out)
    n = len(weather)
    srcs = {pod.name: source_heat(weather, pod, frames[pod.name], fp, out) for pod in pods}
    offers = {name: offer_kw_th(src, p) for name, src in srcs.items()}
    recoverable = np.column_stack([offers[k]["recoverable_kw_th"] for k in names])
    per = np.column_stack([offers[k]["per_kw_th"] for k in names])
    limit = site_limit_kw_th(demand_kw_th, p, n, weather.index)
    delivered = allocate(recoverable, per, limit)
    result = {}
    for j, name in enumerate(names):
        frame, src, d = frames[name], srcs[name], delivered[:, j]
        heat_pump = d * per[:, j]
        recovered = d - heat_pump
        direct = per[:, j] == 0.0
        result[name] = pd.DataFrame(
            {
                "loop_heat_kw_th": src["loop_heat_kw_th"],
                "source_c": src["source_c"],
                "direct": direct,
                "cop": np.where(direct, np.nan, 1.0 / np.where(direct, 1.0, per[:, j])),
                "heat_pump_kw_per_kw_th": per[:, j],
                "recoverable_kw_th": recoverable[:, j],
                "delivered_kw_th": d,
                "recovered_kw_th": recovered,
                "heat_pump_kw": heat_pump,
                "rejected_kw_th": src["loop_heat_kw_th"] - recovered,
                "heat_rejected_kw": frame["heat_rejected_kw"].to_numpy(float) - recovered,
                "unmet_heat_kw": frame["unmet_heat_kw"].to_numpy(float),
                "storage_kw_th": frame["storage_kw_th"].to_numpy(float),
                "facility_kw": frame["facility_kw"].to_numpy(float) + heat_pump,
            },
            index=weather.index,
        )
    additive = [
        c
        for c in next(iter(result.values())).columns
        if c not in ("source_c", "direct", "cop", "heat_pump_kw_per_kw_th")
    ]
    site = pd.DataFrame(
        {c: sum(f[c].to_numpy() for f in result.values()) for c in additive}, index=weather.index
    )
    site["demand_kw_th"] = limit
    site["erf"] = energy_reuse_factor(site["delivered_kw_th"], site["facility_kw"])[0]
    return result, site


def energy_reuse_factor(reused_kw_th, facility_kw) -> tuple:
    """ERF = energy reused outside the data centre / facility energy (ISO/IEC 30134-6;
    The Green Grid), per hour and over the period.

    Parameters
    ----------
    reused_kw_th : array or Series
        Heat delivered to the offtaker per hour [kW_th = kWh_th per hour].
    facility_kw : array or Series
        Facility power per hour, heat pumps included [kW].

    Returns
    -------
    hourly : array or Series
        ERF of each hour [-] (NaN where the facility draws nothing).
    period : float
        Sum of reused over sum of facility energy [-] (NaN if that is 0).
    """
    reused, facility = np.asarray(reused_kw_th, float), np.asarray(facility_kw, float)
    hourly = np.divide(reused, facility, out=np.full(reused.shape, np.nan), where=facility > 0)
    total = float(facility.sum())
    period = float(reused.sum()) / total if total > 0 else float("nan")
    if isinstance(facility_kw, pd.Series):
        hourly = pd.Series(hourly, index=facility_kw.index, name="erf")
    return hourly, period
