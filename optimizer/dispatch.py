"""How the assets run for a given job schedule: as well as they can (an LP over the
same rows as the MILP) or by the baselines' documented rule.

* :func:`optimal_dispatch`: the assets' rows of :mod:`optimizer.asset_constraints` with
  the job load fixed, solved by HiGHS (an LP; a few binaries where charging and
  discharging at once would pay). Every heuristic schedule is judged with it, so the
  search compares schedules as the MILP would.
* :func:`rule_dispatch`: what an operator's controller does without an optimiser, for
  the baselines (ASAP, greedy), so their savings are fair:
  - on-site generation serves the facility first; surplus charges the battery, then is
    exported (if allowed) or curtailed;
  - the battery charges at full power in the day's valley hours (price at most the
    day's 25th percentile and below its highest) and discharges in its peak hours (at
    least the 75th percentile and above its lowest), never more than the import it
    offsets; it cycles only on days where it pays (the cheapest peak price, less the
    wear, times the round-trip efficiency above the dearest valley price), and with a
    demand charge its charging never lifts the import above the month's own peak
    without the battery (a controller with a demand limit);
  - the cold tank charges in valley hours (within the chillers' spare capacity) and
    discharges in peak hours (at most the chillers' load), under the same two conditions
    as the battery (a cycle pays: the chiller power it saves at the peak price, after
    half a day's standing loss, above the charging power at the valley price; and
    charging stays under the month's own peak with a demand charge);
  - each store keeps back what it needs to end the horizon at least as full as it
    started: it discharges only down to what the valley hours left can refill, and
    tops up in the last hours if it must;
  - nothing it does (charging, heat pumps of heat reuse) takes the import above the site
    grid limit;
  - surplus generation is exported only in hours its export price is above zero
    (curtailed otherwise).

(Before the cycling, demand-limit and export-price conditions the rule cycled a battery
of 1e-9 round-trip efficiency every day, charged a 1 MW battery on top of the month's
peak and exported at a negative price, which inflated the savings against the
baselines: 27.5 % instead of 8 % with the useless battery.)
"""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd

from optimizer import asset_constraints as A
from optimizer import constraints as C
from optimizer.assets import DISPATCH_EPS, Dispatch
from optimizer.linear import add_columns, new_model, set_objective, to_highs
from optimizer.problem import Problem
from optimizer.schedule import it_load_kw

#: Price percentiles of a local day that make its valley and peak hours for the rule
#: [-] (judgement: a quarter of the day each, as China's time-of-use bands are about
#: 6-8 h valley and 4-8 h peak; reference/china_tou_tariffs.md).
VALLEY_QUANTILE = 0.25
PEAK_QUANTILE = 0.75
#: Hours the rule's cold is held from its valley to its peak hours, for the standing loss
#: in whether a tank cycle pays [h] (judgement: night valley to day peak, about half a day
#: in China's time-of-use bands; reference/china_tou_tariffs.md).
TANK_HOLD_H = 12


def _jobs_facility_kw(problem: Problem, load_kw: np.ndarray) -> np.ndarray:
    """Facility power per hour (T,); a fleet's per site (S, T) (fleets have no assets)."""
    facility = problem.base_facility_kw + problem.site_total(problem.facility_factor * load_kw)
    return facility if problem.is_fleet else facility[0]


def optimal_dispatch(problem: Problem, load_kw: np.ndarray) -> Dispatch:
    """The assets' cheapest operation for a fixed job load (P, T) [kW].

    Falls back to leaving the assets idle (import = facility - generation used) when
    HiGHS finds no optimum, e.g. a schedule above the grid limit.
    """
    facility = _jobs_facility_kw(problem, load_kw)
    if not problem.assets.active:
        return Dispatch.without_assets(facility, len(problem.pods))
    n_p, n_t = len(problem.pods), problem.n_hours
    model = new_model("coolshift_dispatch")
    v: dict = {}
    pod, t = np.repeat(np.arange(n_p), n_t), np.tile(np.arange(n_t), n_p)
    fixed = load_kw[pod, t]
    v["load_pod"], v["load_t"] = pod, t
    v["it_load_kw"] = add_columns(model, "it_load_kw", list(zip(
        np.asarray(problem.pods, dtype=object)[pod].tolist(), t.tolist(), strict=True)),
        fixed, fixed, False)
    C.add_peak_columns(model, problem, v)
    A.add_asset_variables(model, problem, v)
    C.add_peak_demand(model, problem, None, v)
    for family in A.ASSET_FAMILIES:
        family(model, problem, None, v)
    cols, coefs = A.asset_objective_terms(problem, v)
    if len(v["peak_kw"]):
        cols = np.concatenate([cols, v["peak_kw"]])
        coefs = np.concatenate([coefs, problem.demand_weight_per_kw[0]])
    set_objective(model, cols, coefs)
    h = to_highs(model)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return idle_dispatch(problem, facility)
    x = np.array(h.getSolution().col_value)
    return net_simultaneous(problem, A.dispatch_from_values(problem, v, x, facility))


def final_dispatch(problem: Problem, assignment) -> Dispatch:
    """The dispatch a result reports: the cheapest for its schedule (never worse than the
    incumbent's own asset columns, which are one feasible operation of the same rows)."""
    return optimal_dispatch(problem, it_load_kw(problem, assignment))


def idle_dispatch(problem: Problem, facility_kw: np.ndarray) -> Dispatch:
    """Stores idle (and at their start state throughout); generation used where the
    facility needs it, the rest exported (if allowed) or curtailed."""
    a = problem.assets
    d = Dispatch.without_assets(facility_kw, len(problem.pods))
    onsite = np.asarray(a.onsite_kw, dtype=float) if a.has_onsite else np.zeros(len(facility_kw))
    surplus = np.maximum(onsite - facility_kw, 0.0)
    export = surplus if a.can_export else np.zeros_like(surplus)
    n_t = len(facility_kw)
    return Dispatch(
        "rule", facility_kw, np.maximum(facility_kw - onsite, 0.0), export, surplus - export,
        onsite, d.battery_charge_kw, d.battery_discharge_kw,
        np.full(n_t, a.battery.initial_kwh if a.has_battery else 0.0),
        d.cold_charge_kw_th, d.cold_discharge_kw_th,
        np.full(n_t, a.cold.initial_kwh_th * (1 - a.cold.loss_per_h) ** np.arange(1, n_t + 1)
                if a.has_cold else 0.0), d.heat_delivered_kw_th)


def net_simultaneous(problem: Problem, dispatch: Dispatch) -> Dispatch:
    """Remove charging and discharging of a store in the same hour where an optimum has
    them only as a tie.

    Battery (a tie: import at 0 with generation to spare, no wear cost): charge c and
    discharge d at once are replaced by charge c - e and discharge d - eta e (eta =
    round-trip efficiency), e as large as keeps both >= 0: the stored energy is
    unchanged and the import falls by (1 - eta) e, which becomes curtailment when the
    import is already 0. Cold tank (a tie: the same pod-hour's charge cost and discharge
    saving per kW_th are equal): both fall by their smaller value, which changes neither
    the stored cold nor any power.
    """
    a = problem.assets
    if a.has_cold:
        c = a.cold
        tie = np.isclose(c.charge_kw_per_kw_th, c.discharge_kw_per_kw_th, rtol=0, atol=1e-12)
        e = np.where(tie, np.minimum(dispatch.cold_charge_kw_th, dispatch.cold_discharge_kw_th),
                     0.0)
        if e.any():
            dispatch = _replace(dispatch, cold_charge_kw_th=dispatch.cold_charge_kw_th - e,
                                cold_discharge_kw_th=dispatch.cold_discharge_kw_th - e)
    if not a.has_battery:
        return dispatch
    b = a.battery
    eta = b.round_trip_efficiency
    c, d = dispatch.battery_charge_kw.copy(), dispatch.battery_discharge_kw.copy()
    e = np.minimum(c, d / eta)
    both = e > 0
    if not both.any():
        return dispatch
    c[both] -= e[both]
    d[both] -= eta * e[both]
    freed = (1 - eta) * e
    grid = dispatch.grid_kw - freed
    curtailed = dispatch.curtailed_kw + np.maximum(-grid, 0.0)
    grid = np.maximum(grid, 0.0)
    return _replace(dispatch, battery_charge_kw=c, battery_discharge_kw=d, grid_kw=grid,
                    curtailed_kw=curtailed)


def _replace(dispatch: Dispatch, **changes) -> Dispatch:
    values = {name: getattr(dispatch, name) for name in Dispatch.__dataclass_fields__}
    values.update(changes)
    return Dispatch(**values)


def price_bands(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """(valley, peak) hour masks of the rule: price at most the local day's
    :data:`VALLEY_QUANTILE` and below its highest / at least its :data:`PEAK_QUANTILE`
    and above its lowest (a flat day has neither: a controller does not cycle for
    nothing)."""
    price = pd.Series(problem.price_per_kwh[0], index=problem.hours)
    day = problem.hours.normalize()
    by_day = price.groupby(day)
    low = by_day.transform(lambda s: s.quantile(VALLEY_QUANTILE)).to_numpy()
    high = by_day.transform(lambda s: s.quantile(PEAK_QUANTILE)).to_numpy()
    lowest = by_day.transform("min").to_numpy()
    highest = by_day.transform("max").to_numpy()
    p = price.to_numpy()
    valley = (p <= low + 1e-12) & (p < highest - 1e-12)
    peak = (p >= high - 1e-12) & (p > lowest + 1e-12)
    return valley, peak


def rule_dispatch(problem: Problem, load_kw: np.ndarray) -> Dispatch:
    """The baselines' asset operation (module doc) for a job load (P, T) [kW]."""
    jobs_facility = _jobs_facility_kw(problem, load_kw)
    a = problem.assets
    if not a.active:
        return Dispatch.without_assets(jobs_facility, len(problem.pods))
    n_p, n_t = len(problem.pods), problem.n_hours
    valley, peak = price_bands(problem)
    cold_charge, cold_discharge = np.zeros((n_p, n_t)), np.zeros((n_p, n_t))
    cold_soc = np.zeros(n_t)
    facility = jobs_facility.copy()
    if a.has_cold:
        facility, cold_soc = _rule_cold(problem, load_kw, valley, peak, cold_charge,
                                        cold_discharge, facility)
    heat = _rule_heat(problem, load_kw)
    onsite = np.asarray(a.onsite_kw, dtype=float) if a.has_onsite else np.zeros(n_t)
    if a.has_heat:
        pumps = (a.heat.heat_pump_kw_per_kw_th * heat).sum(0)
        room = np.maximum(problem.grid_limit_kw[0] - np.maximum(facility - onsite, 0.0), 0.0)
        # heat pumps run only as far as the grid limit allows
        heat = heat * np.minimum(1.0, np.divide(room, pumps, out=np.ones(n_t),
                                                where=pumps > 0))[None, :]
        facility = facility + (a.heat.heat_pump_kw_per_kw_th * heat).sum(0)
    net = facility - onsite  # < 0: surplus generation
    charge, discharge, soc = np.zeros(n_t), np.zeros(n_t), np.zeros(n_t)
    if a.has_battery:
        charge, discharge, soc = _rule_battery(problem, net, valley, peak)
    grid = net + charge - discharge
    surplus = np.maximum(-grid, 0.0)
    grid = np.maximum(grid, 0.0)
    export = np.zeros(n_t)
    if a.can_export:  # only where it earns (curtailed otherwise)
        paid = np.asarray(a.export_price_per_kwh, dtype=float) > 0
        export = np.where(paid, np.minimum(surplus, onsite), 0.0)
    return Dispatch("rule", facility, grid, export, surplus - export, onsite, charge,
                    discharge, soc, cold_charge, cold_discharge, cold_soc, heat)


def _rule_heat(problem: Problem, load_kw: np.ndarray) -> np.ndarray:
    """Heat delivered by the rule [kW_th] (P, T): every hour, as much as the customer
    takes, from the pods whose heat pumps need the least power first, wherever the heat
    earns more than the heat pump's energy costs at that hour's price."""
    a = problem.assets
    n_p, n_t = len(problem.pods), problem.n_hours
    out = np.zeros((n_p, n_t))
    if not a.has_heat:
        return out
    h = a.heat
    available = np.maximum(h.recoverable_kw_th + h.recoverable_per_kw * load_kw, 0.0)
    worth = np.asarray(h.price_per_kwh_th)[None, :] > h.heat_pump_kw_per_kw_th * \
        problem.price_per_kwh[0][None, :]
    left = np.asarray(h.demand_kw_th, dtype=float).copy()
    order = np.argsort(h.heat_pump_kw_per_kw_th, axis=0, kind="stable")
    for k in range(n_p):
        p = order[k]
        take = np.where(worth[p, np.arange(n_t)], np.minimum(available[p, np.arange(n_t)],
                                                              left), 0.0)
        out[p, np.arange(n_t)] = take
        left -= take
    return out


def _rule_battery(problem: Problem, net: np.ndarray, valley: np.ndarray, peak: np.ndarray):
    """The battery by the rule (module doc); its refill is planned with what each hour
    can really charge (power, surplus generation and the grid limit's headroom)."""
    b = problem.assets.battery
    n_t = len(net)
    eta_c, eta_d = b.charge_efficiency, b.discharge_efficiency
    low, high = b.min_soc * b.energy_kwh, b.max_soc * b.energy_kwh
    headroom = np.maximum(problem.grid_limit_kw[0] - np.maximum(net, 0.0), 0.0)
    rate = np.minimum(b.power_kw, np.maximum(-net, 0.0) + headroom)  # AC charge possible
    later_any = _after(rate * eta_c)
    # valley charging: on days where cycling pays, under the month's own peak import
    valley_rate = np.where(valley & _cycling_pays(problem, valley, peak),
                           np.minimum(rate, _under_own_peak_kw(problem, net)), 0.0)
    later_valley = _after(valley_rate * eta_c)
    charge, discharge, soc = np.zeros(n_t), np.zeros(n_t), np.zeros(n_t)
    s = b.initial_kwh
    for t in range(n_t):
        room = max(high - s, 0.0) / eta_c
        must_level = b.end_kwh - later_any[t]  # least energy after hour t to still end full
        if net[t] < 0:  # surplus generation
            charge[t] = min(b.power_kw, -net[t], room)
        if valley[t]:
            charge[t] = max(charge[t], min(valley_rate[t], room))
        if s + eta_c * charge[t] < must_level:
            need = (must_level - s) / eta_c
            charge[t] = min(rate[t], room, max(charge[t], need))
        elif peak[t] and net[t] > 0:
            floor = max(low, must_level, b.end_kwh - later_valley[t])
            discharge[t] = min(b.power_kw, net[t], max(s - floor, 0.0) * eta_d)
        s += eta_c * charge[t] - discharge[t] / eta_d
        soc[t] = s
    return charge, discharge, soc


def _cycling_pays(problem: Problem, valley: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Per hour, whether its local day is worth a battery cycle [-] (T,): a kWh bought at
    the day's dearest valley price comes back as eta_c eta_d kWh, sold at (offsetting)
    the day's cheapest peak price less the wear per kWh discharged."""
    b = problem.assets.battery
    price = problem.price_per_kwh[0]
    sell = (price - b.degradation_cost_per_kwh) * b.charge_efficiency * b.discharge_efficiency
    return _day_pays(problem, valley, peak, price, sell)


def _day_pays(problem: Problem, valley: np.ndarray, peak: np.ndarray, buy: np.ndarray,
              sell: np.ndarray) -> np.ndarray:
    """Per hour, whether its local day's cheapest value of a stored unit in its peak
    hours (``sell``) is above the dearest cost of storing it in its valley hours
    (``buy``) [-] (T,)."""
    day = problem.hours.normalize()
    dearest = pd.Series(buy, index=problem.hours).where(valley).groupby(day).transform("max")
    cheapest = pd.Series(sell, index=problem.hours).where(peak).groupby(day).transform("min")
    return np.nan_to_num((cheapest - dearest).to_numpy(), nan=-1.0) > 0


def _under_own_peak_kw(problem: Problem, net: np.ndarray) -> np.ndarray:
    """How much charging each hour takes without lifting the import above its calendar
    month's peak without the battery [kW] (T,); unlimited without a demand charge."""
    if not problem.has_demand_charge:
        return np.full(len(net), np.inf)
    months = problem.month
    own_peak = pd.Series(np.maximum(net, 0.0)).groupby(months).transform("max").to_numpy()
    return np.maximum(own_peak - np.maximum(net, 0.0), 0.0)


def _rule_cold(problem: Problem, load_kw, valley, peak, charge_out, discharge_out, facility):
    """The tank by the rule (module doc), planning its refill with the chillers' real
    spare capacity and the standing loss, so it ends at least at its end state."""
    c = problem.assets.cold
    n_t = problem.n_hours
    keep = 1.0 - c.loss_per_h
    pods = np.flatnonzero(c.serves)
    chiller = c.chiller_load_kw_th + c.chiller_load_per_kw * load_kw
    spare = np.maximum(c.chiller_spare_kw_th - c.spare_per_kw * load_kw, 0.0)
    # the grid limit: charging adds facility power, which the import must still carry
    onsite = np.asarray(problem.assets.onsite_kw, dtype=float) if problem.assets.has_onsite \
        else 0.0
    headroom_kw = np.maximum(problem.grid_limit_kw[0] - np.maximum(facility - onsite, 0.0), 0.0)
    dearest = np.max(c.charge_kw_per_kw_th[pods], axis=0)
    by_grid = np.where(dearest > 0, headroom_kw / np.maximum(dearest, 1e-12), np.inf)
    spare[pods] = np.minimum(spare[pods], by_grid[None, :])
    rate = np.minimum(c.power_kw_th, np.minimum(spare[pods].sum(0), by_grid))  # per hour
    # valley charging as the battery's: on days where it pays (the cheapest pod's charging
    # power against the dearest pod's chiller power saved, half a day's standing loss),
    # under the month's own peak import with a demand charge
    price = problem.price_per_kwh[0]
    buy = price * np.min(c.charge_kw_per_kw_th[pods], axis=0)
    sell = price * np.max(c.discharge_kw_per_kw_th[pods], axis=0) * keep ** TANK_HOLD_H
    under_kw_th = np.where(dearest > 0, _under_own_peak_kw(problem, facility - onsite)
                           / np.maximum(dearest, 1e-12), np.inf)
    valley_rate = np.where(valley & _day_pays(problem, valley, peak, buy, sell),
                           np.minimum(rate, under_kw_th), 0.0)
    # cold each hour's charge still holds at the end, summed over the hours after t
    to_end = keep ** (n_t - 1 - np.arange(n_t))
    later_any = _after(rate * to_end)
    later_valley = _after(valley_rate * to_end)
    target = c.end_kwh_th
    soc = np.zeros(n_t)
    s = c.initial_kwh_th
    for t in range(n_t):
        s_keep = keep * s
        # least stored cold at the end of hour t from which the charging left can still
        # reach the target, with any hours / with valley hours only
        must_level = (target - later_any[t]) / to_end[t]
        valley_level = (target - later_valley[t]) / to_end[t]
        room = 0.0
        if valley[t]:
            room = min(valley_rate[t], max(c.capacity_kwh_th - s_keep, 0.0))
        if s_keep + room < must_level:
            room = min(rate[t], must_level - s_keep)
        if room > 0:
            for p in pods[np.argsort(c.charge_kw_per_kw_th[pods, t], kind="stable")]:
                take = min(room, spare[p, t])
                charge_out[p, t] = take
                room -= take
        elif peak[t]:
            floor = max(must_level, valley_level, 0.0)
            room = min(c.power_kw_th, max(s_keep - floor, 0.0))
            for p in pods[np.argsort(-c.discharge_kw_per_kw_th[pods, t], kind="stable")]:
                take = min(room, chiller[p, t])
                discharge_out[p, t] = take
                room -= take
        s = s_keep + charge_out[:, t].sum() - discharge_out[:, t].sum()
        soc[t] = s
    facility = facility + (c.charge_kw_per_kw_th * charge_out
                           - c.discharge_kw_per_kw_th * discharge_out).sum(0)
    return facility, soc


def _after(values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over the hours after each hour (T,)."""
    return np.cumsum(values[::-1])[::-1] - values


__all__ = ["DISPATCH_EPS", "net_simultaneous", "optimal_dispatch", "price_bands",
           "rule_dispatch"]
