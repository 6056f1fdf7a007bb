"""Money, carbon and peak of a schedule, computed from its hourly loads (no model code)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
        sum_t price_t * facility energy_t [currency].
    demand_cost : float
        Sum over months of the month's peak x its billed demand rate
        (:attr:`optimizer.problem.Problem.demand_rate_per_kw`) [currency].
    carbon_kg : float
        sum_t carbon_t * facility energy_t / 1000 [kg CO2].
    energy_kwh : float
        Facility energy over the horizon [kWh].
    peak_kw : float
        Highest hourly facility power [kW].
    """

    objective: float
    cost: float
    energy_cost: float
    demand_cost: float
    carbon_kg: float
    energy_kwh: float
    peak_kw: float

    def as_dict(self) -> dict:
        return {k: float(getattr(self, k)) for k in self.__dataclass_fields__}


def facility_kw(problem: Problem, load_kw: np.ndarray) -> np.ndarray:
    """Facility power per hour [kW]: sum_p ff[p,t] (baseline + jobs) + fixed."""
    return problem.base_facility_kw + (problem.facility_factor * load_kw).sum(0)


def monthly_peaks_kw(problem: Problem, facility: np.ndarray) -> np.ndarray:
    """Peak facility power of each calendar month, including committed peaks [kW]."""
    peaks = np.full(len(problem.month_labels), -np.inf)
    np.maximum.at(peaks, problem.month, facility)
    return np.maximum(peaks, problem.peak_floor_kw)


def evaluate(problem: Problem, assignment: Assignment) -> Metrics:
    """Metrics of a schedule on a problem (one hour steps: kW x 1 h = kWh)."""
    facility = facility_kw(problem, it_load_kw(problem, assignment))
    energy_cost = float(problem.price_per_kwh @ facility)
    carbon_kg = float(problem.carbon_g_per_kwh @ facility / 1e3)
    peaks = monthly_peaks_kw(problem, facility)
    demand_cost = float(problem.demand_rate_per_kw @ peaks)
    cost = energy_cost + demand_cost
    o = problem.objective
    objective = o.cost_weight * cost + o.carbon_weight * o.carbon_price_per_t * carbon_kg / 1e3
    return Metrics(
        objective=float(objective),
        cost=cost,
        energy_cost=energy_cost,
        demand_cost=demand_cost,
        carbon_kg=carbon_kg,
        energy_kwh=float(facility.sum()),
        peak_kw=float(facility.max()),
    )
