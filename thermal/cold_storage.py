"""Cold thermal storage: a chilled-water or ice tank on one loop of a pod's plant.

A tank is charged only by the chillers of the loop it sits on, and discharging it takes
heat off those chillers. Flows are hourly averages of heat [kW_th = kWh_th per hour]:

* ``storage_kw_th > 0`` **charges** the tank: the chillers take that heat out of the tank
  water (or freeze it) on top of the loop's own load, at the hour's condenser temperature,
  and reject it outdoors with their compressor power. The charging flow between chillers
  and tank is pumped at the loop's head and temperature rise, and the pump's heat is one
  more load on the chillers. Charging runs the chillers even in a free-cooling hour (the
  economizer never charges the tank: conservative), and it is limited to the capacity the
  chillers have left at the hour's conditions, so it never leaves heat unmet.
* ``storage_kw_th < 0`` **discharges** it: the tank takes that much heat off the loop's
  chillers. It can replace only heat the chillers are asked to remove that hour (heat the
  economizer removes needs no tank); in an hour the chillers fall short it carries the
  shortfall first.

Which loop: a tank sits on the pod's **chilled-water loop** by default (``loop =
"chilled_water"``): the loop of an air pod, and of a liquid pod's residual air heat (UPS,
lighting, the air-cooled share of the servers). That is where a liquid pod's chillers run
most: a cold-plate pod at W32 in Miami draws 91 % of its chiller energy there and its W32
trim chillers 9 %; an immersion pod at W40 draws all of it there. ``loop =
"facility_water"`` puts the tank on a liquid pod's facility-water loop instead (its trim
chillers; a warm W17-W27 loop runs them often).

Ice (``kind = "ice"``) is made by the same chillers at an ice-making evaporator
temperature: the plant's COP falls to ``ice_cop_ratio`` and its capacity to
``ice_capacity_ratio`` of its chilled-water duty at the same hour's condenser
temperature (the DOE-2 curve is fitted for 5-10 °C leaving water and cannot be
extrapolated to -5 °C glycol, so the penalty is a ratio). Discharging ice, like chilled
water, offsets the loop's chiller load one for one.

Hourly energy ledger of a pod with a tank (tested to 1e-9)::

    facility_kw = heat_rejected_kw + unmet_heat_kw - storage_kw_th

Heat charged is rejected now but stored as cold (so more heat leaves than electricity
enters); heat discharged stays in the tank and is rejected later by the chillers that
charge it. The tank's state of charge follows :func:`tank_state_kwh_th`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from thermal import chiller
from thermal.errors import ThermalInputError
from thermal.params import param

KINDS = ("chilled_water", "ice")
LOOPS = ("chilled_water", "facility_water")

#: ASHRAE Handbook - HVAC Applications (2019), ch. 51 "Thermal Storage".
ASHRAE_TES = "ASHRAE Handbook - HVAC Applications (2019) ch. 51 'Thermal Storage'"
#: Trane Air Conditioning Clinic "Ice Storage Systems", TRG-TRC019-EN (2005/2012), period two
#: "Ice-making chiller": chillers freeze ice-on-coil tanks with 22-26 °F (-5.6..-3.3 °C) glycol.
TRANE_ICE = "Trane Air Conditioning Clinic 'Ice Storage Systems' TRG-TRC019-EN"


@dataclass(frozen=True)
class ColdStorageParams:
    """A cold thermal storage tank and how it charges."""

    kind: str = param(
        "chilled_water",
        "-",
        "'chilled_water' (stratified tank at the loop's supply and return temperatures: "
        "sensible heat, 8.7 kWh_th per m³ at the default 7.5 K chilled-water rise) or 'ice' "
        f"(latent heat, ~5-10x denser; charged at a lower evaporator temperature); {ASHRAE_TES}",
    )
    loop: str = param(
        "chilled_water",
        "-",
        "the loop the tank sits on and whose chillers charge it: 'chilled_water' (every pod "
        "has it; a liquid pod's residual air heat) or 'facility_water' (a liquid pod's trim "
        "chillers); module docstring",
    )
    capacity_kwh_th: float = param(
        20_000.0,
        "kWh_th",
        "usable capacity (after the thermocline's share of a stratified tank: figure of merit "
        f"0.8-0.9, {ASHRAE_TES}); the issue's example size (a 20 MWh_th tank, about 2,300 m³ "
        "of chilled water at 7.5 K); a design choice",
        low=0.0,
        high=1e9,
    )
    power_kw_th: float = param(
        5_000.0,
        "kW_th",
        "largest charge or discharge rate of the tank's exchangers and pumps: the capacity "
        "over 4 h, the length of a typical on-peak window; judgement (a design choice)",
        low=0.0,
        high=1e9,
    )
    standing_loss_per_h: float = param(
        1.0 - (1.0 - 0.015) ** (1.0 / 24.0),
        "1/h",
        "share of the stored cold lost to ambient heat gain each hour: 1.5 %/day (6.3e-4 "
        "per hour), the middle of the 1-2 %/day of insulated stratified chilled-water tanks "
        f"({ASHRAE_TES}; Dorgan & Elleson, ASHRAE Design Guide for Cool Thermal Storage, "
        "1993; the range as commonly quoted, not checked against the page text); insulated "
        "ice tanks lose similar shares",
        low=0.0,
        high=0.5,
    )
    ice_cop_ratio: float = param(
        0.70,
        "-",
        "COP of the chillers making ice over their COP making chilled water at the same "
        "condenser temperature: ice-on-coil tanks freeze with -5.6..-3.3 °C glycol "
        f"({TRANE_ICE}), a 10-15 K colder evaporator than 6.7 °C chilled water; chillers "
        f"making ice are quoted at ~1.3-1.5x the kW per ton ({ASHRAE_TES}; {TRANE_ICE}). "
        "Derived check: at equal Carnot efficiency, evaporating at -7.5 °C instead of 4.7 °C "
        "with condensing at 37 °C gives 0.69 (the quoted ranges not checked against the "
        "page text)",
        low=0.05,
        high=1.0,
    )
    ice_capacity_ratio: float = param(
        0.65,
        "-",
        "capacity of the chillers making ice over their chilled-water capacity: 60-70 % "
        f"(the suction gas is thinner at the lower evaporator temperature; {ASHRAE_TES}; "
        f"{TRANE_ICE}; as commonly quoted, not checked against the page text); middle of "
        "that range",
        low=0.05,
        high=1.0,
    )


def check_storage(params: ColdStorageParams) -> ColdStorageParams:
    """``params`` if its kind and loop are known, else a :class:`ThermalInputError`."""
    if params.kind not in KINDS:
        raise ThermalInputError(
            f"cold storage kind {params.kind!r} is unknown; use one of {', '.join(KINDS)}"
        )
    if params.loop not in LOOPS:
        raise ThermalInputError(
            f"cold storage loop {params.loop!r} is unknown; use one of {', '.join(LOOPS)}"
        )
    return params


def storage_flows(storage_kw_th, n_hours: int, pod_name: str) -> np.ndarray | None:
    """A requested hourly storage flow as an array [kW_th], or None when there is none.

    Raises
    ------
    ThermalInputError
        Wrong length, NaN or infinite values (the message names the pod).
    """
    if storage_kw_th is None:
        return None
    flows = np.asarray(storage_kw_th, dtype=float)
    if flows.ndim == 0:
        flows = np.full(n_hours, float(flows))
    if flows.shape != (n_hours,):
        raise ThermalInputError(
            f"pod {pod_name!r}: storage flow has {flows.shape} values; give one per weather "
            f"hour ({n_hours})"
        )
    if not np.all(np.isfinite(flows)):
        raise ThermalInputError(f"pod {pod_name!r}: storage flow has NaN or infinite values")
    return flows


def chillers_with_storage(
    mechanical_kw,
    storage_kw_th,
    leaving_c,
    condenser_c,
    ref_capacity_kw: float,
    chiller_params: chiller.ChillerParams,
    trip_c: float,
    charge_pump_kw_per_kw_th: float,
    params: ColdStorageParams,
) -> dict:
    """A loop's chiller plant with a tank charging from it or discharging into its load.

    Parameters
    ----------
    mechanical_kw : array
        Heat the loop asks of its chillers without the tank [kW_th].
    storage_kw_th : array
        Requested flow [kW_th]: > 0 charges the tank, < 0 discharges it.
    leaving_c, condenser_c : float or array
        Leaving chilled-water and entering condenser temperatures [°C].
    ref_capacity_kw : float
        Reference capacity of the loop's chillers [kW_th].
    chiller_params : ChillerParams
    trip_c : float
        Entering condenser temperature at which the chillers trip [°C].
    charge_pump_kw_per_kw_th : float
        Pump power of the charging flow per kW_th it carries [kW/kW_th].
    params : ColdStorageParams

    Returns
    -------
    dict of arrays
        ``chiller_kw`` (compressor power [kW]), ``served_kw`` (heat the chillers remove
        [kW_th]), ``unmet_kw`` [kW_th], ``available_kw`` (chilled-water capacity at the
        hour's conditions [kW_th]), ``storage_kw_th`` (the flow applied [kW_th]) and
        ``charge_pump_kw`` [kW].
    """
    mech = np.asarray(mechanical_kw, float)
    wanted = np.asarray(storage_kw_th, float)
    _, _, available = chiller.plant_power_kw(
        mech, leaving_c, condenser_c, ref_capacity_kw, chiller_params, trip_c
    )
    ice = params.kind == "ice"
    cap_ratio = params.ice_capacity_ratio if ice else 1.0
    cop_ratio = params.ice_cop_ratio if ice else 1.0
    per_kw = 1.0 + charge_pump_kw_per_kw_th  # chiller load per kW_th charged (pump heat)
    max_charge = np.maximum(available - mech, 0.0) * cap_ratio / per_kw
    charge = np.clip(wanted, 0.0, max_charge)
    discharge = np.clip(-wanted, 0.0, mech)
    own = mech - discharge  # the loop's own heat left to the chillers
    # charging occupies the plant's capacity (and, for ice, its power) as a chilled-water
    # load of charge x per_kw / cap_ratio; ice then costs cap_ratio / cop_ratio of that power
    power, served_eq, _ = chiller.plant_power_kw(
        own + charge * per_kw / cap_ratio,
        leaving_c,
        condenser_c,
        ref_capacity_kw,
        chiller_params,
        trip_c,
    )
    charging = charge > 0
    if ice and np.any(charging):
        own_power, _, _ = chiller.plant_power_kw(
            own, leaving_c, condenser_c, ref_capacity_kw, chiller_params, trip_c
        )
        power = np.where(charging, own_power + (power - own_power) * cap_ratio / cop_ratio, power)
    # a charging hour has spare capacity by construction: the chillers carry all its heat
    # (no rounding residue of min(load, capacity) left as unmet heat)
    served = np.where(charging, own + charge * per_kw, served_eq)
    return {
        "chiller_kw": power,
        "served_kw": served,
        "unmet_kw": np.where(charging, 0.0, own - served_eq),
        "available_kw": available,
        "storage_kw_th": charge - discharge,
        "charge_pump_kw": charge * charge_pump_kw_per_kw_th,
    }


def tank_state_kwh_th(
    charge_kw_th, discharge_kw_th, params: ColdStorageParams, initial_kwh_th: float = 0.0
) -> np.ndarray:
    """State of charge of a tank at the end of each hour [kWh_th].

    ``E[t] = E[t-1] (1 - standing_loss_per_h) + charge[t] - discharge[t]``, with
    ``E[-1] = initial_kwh_th``: the standing loss takes its share of what was stored at the
    start of the hour; the hour's flows [kW_th over one hour] come in whole. No bounds are
    applied: a caller checks ``0 <= E <= capacity_kwh_th`` (and ``|flow| <= power_kw_th``).

    Parameters
    ----------
    charge_kw_th, discharge_kw_th : array
        Hourly heat taken out of the tank by the chillers, and heat it takes off them
        [kW_th], both >= 0 (or one signed flow as ``charge`` and 0).
    params : ColdStorageParams
    initial_kwh_th : float
        Stored cold before the first hour [kWh_th].

    Returns
    -------
    array
        One value per hour [kWh_th].
    """
    net = np.asarray(charge_kw_th, float) - np.asarray(discharge_kw_th, float)
    keep = 1.0 - params.standing_loss_per_h
    if net.ndim != 1:
        raise ThermalInputError("tank flows must be one value per hour (a 1-D array)")
    if net.size == 0:
        return net.copy()
    state, _ = lfilter([1.0], [1.0, -keep], net, zi=[keep * float(initial_kwh_th)])
    return state


def flows_within_state(
    applied_kw_th: dict, params: ColdStorageParams, initial_kwh_th: float = 0.0
) -> dict:
    """Tank flows cut, hour by hour, to what the tank holds and to its room.

    A plan's discharges assume the charges before them; where the chillers could not
    carry a planned charge (:func:`chillers_with_storage` cuts it to their spare
    capacity), a later discharge would take cold the tank never held, and a discharge cut
    in turn leaves more cold for a later charge than the tank has room for. Walking the
    hours with :func:`tank_state_kwh_th`'s balance, each hour's discharges (over every pod
    the tank serves, in proportion) are cut to ``E[t-1] (1 - loss) + charge[t]`` and its
    charges to ``capacity - E[t-1] (1 - loss) + discharge[t]``, so ``0 <= E <= capacity``.

    Parameters
    ----------
    applied_kw_th : dict of str -> array
        Each pod's tank flow as applied [kW_th] (> 0 charging, < 0 discharging).
    params : ColdStorageParams
    initial_kwh_th : float
        Stored cold before the first hour [kWh_th].

    Returns
    -------
    dict of str -> array
        The flows, cut where the state requires [kW_th]; the same arrays' values where
        it does not.
    """
    names = list(applied_kw_th)
    if not names:
        return {}
    flows = np.vstack([np.asarray(applied_kw_th[n], float) for n in names])
    cap = params.capacity_kwh_th
    state = tank_state_kwh_th(flows.sum(axis=0), 0.0, params, initial_kwh_th)
    slack = 1e-9 * max(cap, 1.0)  # rounding of the balance, not a cut
    if state.size == 0 or (state.min() >= -slack and state.max() <= cap + slack):
        return dict(applied_kw_th)  # the usual case: the state allows every flow
    charge = np.clip(flows, 0.0, None)
    discharge = np.clip(-flows, 0.0, None)
    charge_sum, discharge_sum = charge.sum(axis=0), discharge.sum(axis=0)
    keep = 1.0 - params.standing_loss_per_h
    charge_share = np.ones(flows.shape[1])
    discharge_share = np.ones(flows.shape[1])
    state = float(initial_kwh_th)
    for t in range(flows.shape[1]):  # sequential: each hour's cut changes the next state
        kept = state * keep
        c, d = charge_sum[t], discharge_sum[t]
        if d > kept + c:  # more taken than held
            discharge_share[t] = max(kept + c, 0.0) / d
            d = d * discharge_share[t]
        if c > cap - kept + d:  # more put in than there is room for
            charge_share[t] = max(cap - kept + d, 0.0) / c
            c = c * charge_share[t]
        state = min(max(kept + c - d, 0.0), cap)
    out = charge * charge_share - discharge * discharge_share
    return {n: out[i] for i, n in enumerate(names)}
