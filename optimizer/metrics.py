"""Money, carbon and peak of a schedule, computed from its hourly loads (no model code)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.assets import Dispatch
from optimizer.dispatch import optimal_dispatch, rule_dispatch
from optimizer.problem import Problem
from optimizer.schedule import Assignment, it_load_kw


@dataclass(frozen=True)
class Metrics:
    """What a schedule costs.

    Attributes
    ----------
    objective : float
        cost_weight * cost + carbon_weight * carbon price * carbon [currency].
    cost : float
        Energy cost plus demand charges [currency].
    energy_cost : float
        sum_t price_t * facility energy_t [currency]; in a fleet summed over sites, plus
        the cost of moving jobs' data.
    demand_cost : float
        Sum over months of the month's peak x its billed demand rate
        (:attr:`optimizer.problem.Problem.demand_rate_per_kw`) [currency].
    carbon_kg : float
        sum_t carbon_t * facility energy_t / 1000 [kg CO2].
    energy_kwh : float
        Facility energy over the horizon [kWh].
    peak_kw : float
        Highest hourly grid import (facility power without assets) [kW]; in a fleet the
        highest of any site.
    grid_kwh, export_kwh, onsite_kwh : float
        Energy imported, exported and generated on site [kWh].
    export_revenue : float
        What the exports earned (in ``energy_cost`` as a negative) [currency].
    battery_wear_cost : float
        Battery degradation cost of the discharged energy (in ``cost``) [currency].
    battery_throughput_kwh : float
        Energy discharged from the battery [kWh].
    cold_shifted_kwh_th : float
        Cold discharged from the tank to the chillers' loads [kWh_th].
    heat_reused_kwh_th : float
        Heat delivered to the heat customer [kWh_th].
    heat_revenue : float
        What that heat earned (or the cost it avoided; taken off ``cost``) [currency].

    With assets, price and carbon apply to the grid import, the demand charge to its
    monthly peaks (:mod:`optimizer.assets`); without them import = facility power.
    """

    objective: float
    cost: float
    energy_cost: float
    demand_cost: float
    carbon_kg: float
    energy_kwh: float
    peak_kw: float
    grid_kwh: float = 0.0
    export_kwh: float = 0.0
    onsite_kwh: float = 0.0
    export_revenue: float = 0.0
    battery_wear_cost: float = 0.0
    battery_throughput_kwh: float = 0.0
    cold_shifted_kwh_th: float = 0.0
    heat_reused_kwh_th: float = 0.0
    heat_revenue: float = 0.0

    def as_dict(self) -> dict:
        return {k: float(getattr(self, k)) for k in self.__dataclass_fields__}


def facility_kw(problem: Problem, load_kw: np.ndarray) -> np.ndarray:
    """Facility power of each site and hour [kW] (S, T): sum over the site's pods of
    ff[p,t] x (baseline + jobs), plus fixed overhead."""
    return problem.base_facility_kw + problem.site_total(problem.facility_factor * load_kw)


def monthly_peaks_kw(problem: Problem, facility: np.ndarray) -> np.ndarray:
    """Peak power of each site and calendar month, including committed peaks [kW]
    (S, M), from a site's hourly power (S, T)."""
    facility = np.atleast_2d(facility)
    peaks = np.full((facility.shape[0], len(problem.month_labels)), -np.inf)
    for s in range(facility.shape[0]):
        np.maximum.at(peaks[s], problem.month, facility[s])
    return np.maximum(peaks, problem.peak_floor_kw)


def move_totals(problem: Problem, assignment: Assignment) -> tuple[float, float, float]:
    """Cost [currency], carbon [kg CO2] and energy [kWh] of moving the jobs' data to
    the sites they run at (zero outside a fleet)."""
    jobs = problem.jobs
    if not jobs.moves and not jobs.move_kwh.any():
        return 0.0, 0.0, 0.0
    pod = np.full(len(jobs), -1, dtype=np.int64)
    pod[assignment.job] = assignment.pod
    placed = np.flatnonzero(pod >= 0)
    at = (placed, pod[placed])
    return (float(jobs.move_cost[at].sum()), float(jobs.move_kg[at].sum()),
            float(jobs.move_kwh[at].sum()))


def evaluate(problem: Problem, assignment: Assignment,
             dispatch: Dispatch | str = "optimised") -> Metrics:
    """Metrics of a schedule on a problem (one hour steps: kW x 1 h = kWh).

    Parameters
    ----------
    dispatch : Dispatch or str
        How the site's assets run: a :class:`optimizer.assets.Dispatch`, "optimised"
        (:func:`optimizer.dispatch.optimal_dispatch`, the default) or "rule" (the
        baselines' rule, :func:`optimizer.dispatch.rule_dispatch`). Without assets all
        three are the same: import = facility power.
    """
    move = move_totals(problem, assignment)
    if isinstance(dispatch, str):
        load = it_load_kw(problem, assignment)
        if not problem.assets.active:
            facility = facility_kw(problem, load)
            dispatch = Dispatch.without_assets(facility if problem.is_fleet else facility[0],
                                               len(problem.pods))
        elif dispatch == "rule":
            dispatch = rule_dispatch(problem, load)
        elif dispatch == "optimised":
            dispatch = optimal_dispatch(problem, load)
        else:
            raise ValueError(f"dispatch must be a Dispatch, 'optimised' or 'rule', "
                             f"got {dispatch!r}")
    return evaluate_dispatch(problem, dispatch, move)


def evaluate_dispatch(problem: Problem, dispatch: Dispatch,
                      move: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> Metrics:
    """Metrics of the sites' hourly flows (:class:`optimizer.assets.Dispatch`; a
    fleet's ``grid_kw`` and ``facility_kw`` are (S, T)) plus moving data ``move``
    (cost [currency], carbon [kg], energy [kWh], :func:`move_totals`)."""
    grid = np.atleast_2d(dispatch.grid_kw)
    a = problem.assets
    export_revenue = (float(np.asarray(a.export_price_per_kwh) @ dispatch.export_kw)
                      if a.can_export else 0.0)
    move_cost, move_kg, move_kwh = move
    energy_cost = float((problem.price_per_kwh * grid).sum()) - export_revenue + move_cost
    carbon_kg = float((problem.carbon_g_per_kwh * grid).sum() / 1e3) + move_kg
    peaks = monthly_peaks_kw(problem, grid)
    demand_cost = float((problem.demand_rate_per_kw * peaks).sum())
    throughput = float(dispatch.battery_discharge_kw.sum())
    wear = throughput * a.battery.degradation_cost_per_kwh if a.has_battery else 0.0
    heat = dispatch.heat_delivered_kw_th.sum(0)
    heat_revenue = (float(np.asarray(a.heat.price_per_kwh_th) @ heat) if a.has_heat else 0.0)
    cost = energy_cost + demand_cost + wear - heat_revenue
    o = problem.objective
    objective = o.cost_weight * cost + o.carbon_weight * o.carbon_price_per_t * carbon_kg / 1e3
    return Metrics(
        objective=float(objective),
        cost=cost,
        energy_cost=energy_cost,
        demand_cost=demand_cost,
        carbon_kg=carbon_kg,
        energy_kwh=float(dispatch.facility_kw.sum()) + move_kwh,
        peak_kw=float(grid.max()) if grid.size else 0.0,
        grid_kwh=float(grid.sum()),
        export_kwh=float(dispatch.export_kw.sum()),
        onsite_kwh=float(dispatch.onsite_kw.sum()),
        export_revenue=export_revenue,
        battery_wear_cost=float(wear),
        battery_throughput_kwh=throughput,
        cold_shifted_kwh_th=float(dispatch.cold_discharge_kw_th.sum()),
        heat_reused_kwh_th=float(heat.sum()),
        heat_revenue=heat_revenue,
    )
