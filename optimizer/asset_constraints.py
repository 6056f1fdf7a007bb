"""The assets' variables and constraint families in the scheduling model (one function
per family, like :mod:`optimizer.constraints`), and the mapping between a
:class:`optimizer.assets.Dispatch` and the model's columns.

Added only when ``problem.assets.active``; then the demand charge, the site grid limit,
price and carbon apply to the grid import ``grid_kw[t]`` instead of facility power
(:func:`optimizer.constraints.add_peak_demand`, :func:`optimizer.model.add_objective`).
docs/optimizer.md, "Assets", gives the formulation.
"""

from __future__ import annotations

import numpy as np

from optimizer.assets import Dispatch
from optimizer.linear import add_columns, add_rows
from optimizer.problem import Problem


def _hours(problem: Problem) -> list[int]:
    return list(range(problem.n_hours))


def battery_mode_hours(problem: Problem) -> np.ndarray:
    """Hours that need a charge-or-discharge binary: where energy has no positive
    weight, charging and discharging at once would burn energy for money. Elsewhere an
    optimum never does both (doing less of both lowers import at no cost; ties are
    netted by :func:`optimizer.dispatch.net_simultaneous`)."""
    if not problem.assets.has_battery:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(problem.energy_weight_per_kwh[0] <= 0)


def _load_column_grid(problem: Problem, v: dict) -> np.ndarray:
    """The ``it_load_kw`` column of every (pod, hour), -1 where no job can run (P, T)."""
    grid = np.full((len(problem.pods), problem.n_hours), -1, dtype=np.int64)
    grid[v["load_pod"], v["load_t"]] = v["it_load_kw"]
    return grid


def add_asset_variables(model, problem: Problem, v: dict) -> None:
    """Columns of the grid import and of each asset (see the module doc)."""
    a, n_t = problem.assets, problem.n_hours
    hours = _hours(problem)
    limit = problem.grid_limit_kw[0]
    v["grid_kw"] = add_columns(model, "grid_kw", hours, 0.0, limit, False)
    empty = np.zeros(0, dtype=np.int64)
    onsite = np.asarray(a.onsite_kw, dtype=float) if a.has_onsite else np.zeros(n_t)
    v["curtailed_kw"] = (add_columns(model, "curtailed_kw", hours, 0.0, onsite, False)
                         if a.has_onsite else empty)
    v["export_kw"] = (add_columns(model, "export_kw", hours, 0.0, np.minimum(onsite, limit),
                                  False) if a.can_export else empty)
    if a.has_battery:
        b = a.battery
        v["battery_charge_kw"] = add_columns(model, "battery_charge_kw", hours, 0.0,
                                             b.power_kw, False)
        v["battery_discharge_kw"] = add_columns(model, "battery_discharge_kw", hours, 0.0,
                                                b.power_kw, False)
        lower = np.full(n_t, b.min_soc * b.energy_kwh)
        lower[-1] = max(lower[-1], b.end_kwh)
        v["battery_soc_kwh"] = add_columns(model, "battery_soc_kwh", hours, lower,
                                           b.max_soc * b.energy_kwh, False)
        mode = battery_mode_hours(problem)
        v["battery_mode_t"] = mode
        v["battery_charging"] = add_columns(model, "battery_charging", mode.tolist(), 0.0,
                                            1.0, True)
    else:
        for name in ("battery_charge_kw", "battery_discharge_kw", "battery_soc_kwh",
                     "battery_charging", "battery_mode_t"):
            v[name] = empty
    if a.has_cold:
        c = a.cold
        pods = np.flatnonzero(c.serves)
        p_idx, t_idx = np.repeat(pods, n_t), np.tile(np.arange(n_t), len(pods))
        has_load = _load_column_grid(problem, v)[p_idx, t_idx] >= 0
        # without a job column the limits are plain bounds
        charge_ub = np.where(has_load, c.power_kw_th,
                             np.minimum(c.power_kw_th, c.chiller_spare_kw_th[p_idx, t_idx]))
        discharge_ub = np.where(has_load, c.power_kw_th,
                                np.minimum(c.power_kw_th, c.chiller_load_kw_th[p_idx, t_idx]))
        keys = [(problem.pods[p], int(t)) for p, t in zip(p_idx, t_idx, strict=True)]
        v["cold_pod"], v["cold_t"], v["cold_has_load"] = p_idx, t_idx, has_load
        v["cold_charge_kw_th"] = add_columns(model, "cold_charge_kw_th", keys, 0.0,
                                             charge_ub, False)
        v["cold_discharge_kw_th"] = add_columns(model, "cold_discharge_kw_th", keys, 0.0,
                                                discharge_ub, False)
        lower = np.zeros(n_t)
        lower[-1] = min(c.end_kwh_th, c.capacity_kwh_th)
        v["cold_soc_kwh_th"] = add_columns(model, "cold_soc_kwh_th", hours, lower,
                                           c.capacity_kwh_th, False)
    else:
        for name in ("cold_charge_kw_th", "cold_discharge_kw_th", "cold_soc_kwh_th",
                     "cold_pod", "cold_t", "cold_has_load"):
            v[name] = empty
    _add_heat_variables(model, problem, v)


def _add_heat_variables(model, problem: Problem, v: dict) -> None:
    """``heat_delivered_kw_th[pod,t]``: heat each pod gives the heat customer [kW_th]."""
    a, n_t = problem.assets, problem.n_hours
    if not a.has_heat:
        for name in ("heat_delivered_kw_th", "heat_pod", "heat_t", "heat_has_load"):
            v[name] = np.zeros(0, dtype=np.int64)
        return
    h = a.heat
    n_p = len(problem.pods)
    p_idx, t_idx = np.repeat(np.arange(n_p), n_t), np.tile(np.arange(n_t), n_p)
    has_load = _load_column_grid(problem, v)[p_idx, t_idx] >= 0
    demand = np.asarray(h.demand_kw_th, dtype=float)[t_idx]
    upper = np.where(has_load, demand, np.minimum(demand, h.recoverable_kw_th[p_idx, t_idx]))
    keys = [(problem.pods[p], int(t)) for p, t in zip(p_idx, t_idx, strict=True)]
    v["heat_pod"], v["heat_t"], v["heat_has_load"] = p_idx, t_idx, has_load
    v["heat_delivered_kw_th"] = add_columns(model, "heat_delivered_kw_th", keys, 0.0, upper,
                                            False)


def add_grid_balance(model, problem: Problem, layout, v: dict) -> None:
    """``grid_balance[t]``: grid import = facility (jobs, baseline, the cold tank's effect
    on the chillers, heat pumps of heat reuse) + battery charge - discharge - on-site generation + export +
    curtailment [kW], every hour."""
    a, n_t = problem.assets, problem.n_hours
    rows = [np.arange(n_t), v["load_t"]]
    cols = [v["grid_kw"], v["it_load_kw"]]
    coefs = [np.ones(n_t), -problem.facility_factor[v["load_pod"], v["load_t"]]]
    if a.has_cold:
        c = a.cold
        p, t = v["cold_pod"], v["cold_t"]
        rows += [t, t]
        cols += [v["cold_charge_kw_th"], v["cold_discharge_kw_th"]]
        coefs += [-c.charge_kw_per_kw_th[p, t], c.discharge_kw_per_kw_th[p, t]]
    if a.has_battery:
        rows += [np.arange(n_t), np.arange(n_t)]
        cols += [v["battery_charge_kw"], v["battery_discharge_kw"]]
        coefs += [-np.ones(n_t), np.ones(n_t)]
    if a.has_heat:
        rows.append(v["heat_t"])
        cols.append(v["heat_delivered_kw_th"])
        coefs.append(-a.heat.heat_pump_kw_per_kw_th[v["heat_pod"], v["heat_t"]])
    for name in ("export_kw", "curtailed_kw"):
        if len(v[name]):
            rows.append(np.arange(n_t))
            cols.append(v[name])
            coefs.append(-np.ones(n_t))
    onsite = np.asarray(a.onsite_kw, dtype=float) if a.has_onsite else 0.0
    rhs = problem.base_facility_kw[0] - onsite
    add_rows(model, "grid_balance", _hours(problem), np.concatenate(rows),
             np.concatenate(cols), np.concatenate(coefs), rhs, rhs)


def add_onsite_use(model, problem: Problem, layout, v: dict) -> None:
    """``onsite_use[t]``: export + curtailment <= on-site generation [kW] (only when
    export is allowed; curtailment alone is bounded by its column)."""
    if not len(v["export_kw"]):
        return
    n_t = problem.n_hours
    rows = np.concatenate([np.arange(n_t), np.arange(n_t)])
    cols = np.concatenate([v["export_kw"], v["curtailed_kw"]])
    add_rows(model, "onsite_use", _hours(problem), rows, cols, np.ones(2 * n_t), -np.inf,
             np.asarray(problem.assets.onsite_kw, dtype=float))


def add_battery_balance(model, problem: Problem, layout, v: dict) -> None:
    """``battery_balance[t]``: soc_t = soc_{t-1} + eta_c charge_t - discharge_t / eta_d
    [kWh], soc_{-1} = the initial energy."""
    if not problem.assets.has_battery:
        return
    b, n_t = problem.assets.battery, problem.n_hours
    t = np.arange(n_t)
    rows = [t, t[1:], t, t]
    cols = [v["battery_soc_kwh"], v["battery_soc_kwh"][:-1], v["battery_charge_kw"],
            v["battery_discharge_kw"]]
    coefs = [np.ones(n_t), -np.ones(n_t - 1), np.full(n_t, -b.charge_efficiency),
             np.full(n_t, 1.0 / b.discharge_efficiency)]
    rhs = np.zeros(n_t)
    rhs[0] = b.initial_kwh
    add_rows(model, "battery_balance", _hours(problem), np.concatenate(rows),
             np.concatenate(cols), np.concatenate(coefs), rhs, rhs)


def add_battery_mode(model, problem: Problem, layout, v: dict) -> None:
    """``battery_charge_mode[t]``, ``battery_discharge_mode[t]``: charge <= P u,
    discharge <= P (1 - u), in the hours of :func:`battery_mode_hours`."""
    mode = v["battery_mode_t"]
    if not len(mode):
        return
    power = problem.assets.battery.power_kw
    n = len(mode)
    r = np.arange(n)
    keys = mode.tolist()
    add_rows(model, "battery_charge_mode", keys, np.concatenate([r, r]),
             np.concatenate([v["battery_charge_kw"][mode], v["battery_charging"]]),
             np.concatenate([np.ones(n), np.full(n, -power)]), -np.inf, 0.0)
    add_rows(model, "battery_discharge_mode", keys, np.concatenate([r, r]),
             np.concatenate([v["battery_discharge_kw"][mode], v["battery_charging"]]),
             np.concatenate([np.ones(n), np.full(n, power)]), -np.inf, power)


def add_cold_balance(model, problem: Problem, layout, v: dict) -> None:
    """``cold_balance[t]``: s_t = (1 - loss) s_{t-1} + sum_p charge[p,t] - sum_p
    discharge[p,t] [kWh_th], s_{-1} = the initial cold."""
    if not problem.assets.has_cold:
        return
    c, n_t = problem.assets.cold, problem.n_hours
    keep = 1.0 - c.loss_per_h
    t = np.arange(n_t)
    m = len(v["cold_t"])
    rows = [t, t[1:], v["cold_t"], v["cold_t"]]
    cols = [v["cold_soc_kwh_th"], v["cold_soc_kwh_th"][:-1], v["cold_charge_kw_th"],
            v["cold_discharge_kw_th"]]
    coefs = [np.ones(n_t), np.full(n_t - 1, -keep), -np.ones(m), np.ones(m)]
    rhs = np.zeros(n_t)
    rhs[0] = keep * c.initial_kwh_th
    add_rows(model, "cold_balance", _hours(problem), np.concatenate(rows),
             np.concatenate(cols), np.concatenate(coefs), rhs, rhs)


def add_cold_power(model, problem: Problem, layout, v: dict) -> None:
    """``cold_charge_power[t]``, ``cold_discharge_power[t]``: the tank's charge and
    discharge summed over the pods it serves <= its power [kW_th] (rows only when it
    serves more than one pod; else the columns' bounds say it)."""
    c = problem.assets.cold
    if not problem.assets.has_cold or np.count_nonzero(c.serves) < 2:
        return
    t = v["cold_t"]
    for name, col in (("cold_charge_power", "cold_charge_kw_th"),
                      ("cold_discharge_power", "cold_discharge_kw_th")):
        add_rows(model, name, _hours(problem), t, v[col], np.ones(len(t)), -np.inf,
                 c.power_kw_th)


def add_cold_chiller_limits(model, problem: Problem, layout, v: dict) -> None:
    """``cold_discharge_limit[pod,t]``: discharge <= the heat the pod's chillers remove,
    ``L[p,t] + a[p,t] it_load[p,t]``; ``cold_charge_limit[pod,t]``: charge + a it_load
    <= the chillers' spare capacity (``a`` here: the spare a kW takes) [kW_th] (pod-hours a job can touch; elsewhere the
    columns' bounds say it)."""
    if not problem.assets.has_cold:
        return
    c = problem.assets.cold
    sel = np.flatnonzero(v["cold_has_load"])
    if not len(sel):
        return
    p, t = v["cold_pod"][sel], v["cold_t"][sel]
    load_cols = _load_column_grid(problem, v)[p, t]
    per_kw = c.chiller_load_per_kw[p, t]
    spare_per_kw = c.spare_per_kw[p, t]
    keys = [(problem.pods[a], int(b)) for a, b in zip(p, t, strict=True)]
    r = np.arange(len(sel))
    add_rows(model, "cold_discharge_limit", keys, np.concatenate([r, r]),
             np.concatenate([v["cold_discharge_kw_th"][sel], load_cols]),
             np.concatenate([np.ones(len(sel)), -per_kw]), -np.inf,
             c.chiller_load_kw_th[p, t])
    add_rows(model, "cold_charge_limit", keys, np.concatenate([r, r]),
             np.concatenate([v["cold_charge_kw_th"][sel], load_cols]),
             np.concatenate([np.ones(len(sel)), spare_per_kw]), -np.inf,
             c.chiller_spare_kw_th[p, t])


def add_heat_reuse(model, problem: Problem, layout, v: dict) -> None:
    """``heat_recoverable[pod,t]``: heat delivered from a pod <= what it recovers,
    ``R[p,t] + r[p,t] it_load[p,t]`` (pod-hours a job can touch; elsewhere the column's
    bound); ``heat_demand[t]``: heat delivered from all pods <= the customer's demand
    [kW_th]."""
    if not problem.assets.has_heat:
        return
    h, n_t = problem.assets.heat, problem.n_hours
    q = v["heat_delivered_kw_th"]
    add_rows(model, "heat_demand", list(range(n_t)), v["heat_t"], q, np.ones(len(q)), -np.inf,
             np.asarray(h.demand_kw_th, dtype=float))
    sel = np.flatnonzero(v["heat_has_load"])
    if not len(sel):
        return
    p, t = v["heat_pod"][sel], v["heat_t"][sel]
    load_cols = _load_column_grid(problem, v)[p, t]
    r = np.arange(len(sel))
    add_rows(model, "heat_recoverable", [(problem.pods[a], int(b)) for a, b in
                                         zip(p, t, strict=True)],
             np.concatenate([r, r]), np.concatenate([q[sel], load_cols]),
             np.concatenate([np.ones(len(sel)), -h.recoverable_per_kw[p, t]]), -np.inf,
             h.recoverable_kw_th[p, t])


#: The asset families, in the order they are added (after the job families).
ASSET_FAMILIES = (
    add_grid_balance,
    add_onsite_use,
    add_battery_balance,
    add_battery_mode,
    add_cold_balance,
    add_cold_power,
    add_cold_chiller_limits,
    add_heat_reuse,
)


def asset_objective_terms(problem: Problem, v: dict) -> tuple[np.ndarray, np.ndarray]:
    """Objective columns and weights of the import, export, battery wear and heat sold."""
    o = problem.objective
    a = problem.assets
    cols = [v["grid_kw"]]
    coefs = [problem.energy_weight_per_kwh[0]]
    if len(v["export_kw"]):
        cols.append(v["export_kw"])
        coefs.append(-o.cost_weight * np.asarray(a.export_price_per_kwh, dtype=float))
    if a.has_battery and a.battery.degradation_cost_per_kwh > 0:
        cols.append(v["battery_discharge_kw"])
        coefs.append(np.full(problem.n_hours,
                             o.cost_weight * a.battery.degradation_cost_per_kwh))
    if a.has_heat:
        cols.append(v["heat_delivered_kw_th"])
        coefs.append(-o.cost_weight * np.asarray(a.heat.price_per_kwh_th, dtype=float)[v["heat_t"]])
    return np.concatenate(cols), np.concatenate(coefs)


def set_dispatch_values(problem: Problem, v: dict, dispatch: Dispatch, x: np.ndarray) -> None:
    """Write a dispatch into the asset columns of ``x`` (in place)."""
    x[v["grid_kw"]] = dispatch.grid_kw
    if len(v["curtailed_kw"]):
        x[v["curtailed_kw"]] = dispatch.curtailed_kw
    if len(v["export_kw"]):
        x[v["export_kw"]] = dispatch.export_kw
    if problem.assets.has_battery:
        x[v["battery_charge_kw"]] = dispatch.battery_charge_kw
        x[v["battery_discharge_kw"]] = dispatch.battery_discharge_kw
        x[v["battery_soc_kwh"]] = dispatch.battery_soc_kwh
        mode = v["battery_mode_t"]
        x[v["battery_charging"]] = (dispatch.battery_charge_kw[mode] > 0).astype(float)
    if problem.assets.has_cold:
        p, t = v["cold_pod"], v["cold_t"]
        x[v["cold_charge_kw_th"]] = dispatch.cold_charge_kw_th[p, t]
        x[v["cold_discharge_kw_th"]] = dispatch.cold_discharge_kw_th[p, t]
        x[v["cold_soc_kwh_th"]] = dispatch.cold_soc_kwh_th
    if problem.assets.has_heat:
        x[v["heat_delivered_kw_th"]] = dispatch.heat_delivered_kw_th[v["heat_pod"], v["heat_t"]]


def dispatch_from_values(problem: Problem, v: dict, x: np.ndarray, jobs_facility_kw: np.ndarray,
                         rule: str = "optimised") -> Dispatch:
    """The dispatch a column vector encodes; ``jobs_facility_kw`` is the facility power
    of the schedule without the cold tank [kW] (T,)."""
    a, n_t, n_p = problem.assets, problem.n_hours, len(problem.pods)
    z = np.zeros(n_t)

    def col(name):
        return np.clip(x[v[name]], 0.0, None) if len(v[name]) else z.copy()

    cold_charge, cold_discharge = np.zeros((n_p, n_t)), np.zeros((n_p, n_t))
    facility = jobs_facility_kw.astype(float).copy()
    if a.has_cold:
        p, t = v["cold_pod"], v["cold_t"]
        cold_charge[p, t] = np.clip(x[v["cold_charge_kw_th"]], 0.0, None)
        cold_discharge[p, t] = np.clip(x[v["cold_discharge_kw_th"]], 0.0, None)
        facility += (a.cold.charge_kw_per_kw_th * cold_charge
                     - a.cold.discharge_kw_per_kw_th * cold_discharge).sum(0)
    heat = np.zeros((n_p, n_t))
    if a.has_heat:
        heat[v["heat_pod"], v["heat_t"]] = np.clip(x[v["heat_delivered_kw_th"]], 0.0, None)
        facility += (a.heat.heat_pump_kw_per_kw_th * heat).sum(0)
    onsite = np.asarray(a.onsite_kw, dtype=float) if a.has_onsite else z.copy()
    return Dispatch(
        rule=rule, facility_kw=facility, grid_kw=col("grid_kw"), export_kw=col("export_kw"),
        curtailed_kw=col("curtailed_kw"), onsite_kw=onsite,
        battery_charge_kw=col("battery_charge_kw"),
        battery_discharge_kw=col("battery_discharge_kw"),
        battery_soc_kwh=col("battery_soc_kwh"), cold_charge_kw_th=cold_charge,
        cold_discharge_kw_th=cold_discharge, cold_soc_kwh_th=col("cold_soc_kwh_th"),
        heat_delivered_kw_th=heat)
