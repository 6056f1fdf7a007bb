"""A scenario's capital cost and TCO: its pods sized on the design day, priced with the
scenario's ``[costs]``, run for the scenario's period (:mod:`scenarios.costs`).

Light (no optimizer): the app's pages and the reports use it as the run does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from optimizer.problem import billing_months
from scenarios.costs import Tco, cost_params, tco
from scenarios.inputs import horizon_hours
from scenarios.schema import Scenario
from thermal.facility import FacilityParams, Pod
from thermal.psychrometrics import STANDARD_PRESSURE_PA
from thermal.sizing import PlantSizing, size_pod_at


def scenario_sizings(
    pods: Sequence[Pod], params: FacilityParams, pressure_pa: float = STANDARD_PRESSURE_PA
) -> list[PlantSizing]:
    """Every pod's plant at full IT load on the design hour of ``params``."""
    return [size_pod_at(pod, params, pressure_pa) for pod in pods]


def scenario_tco(
    scenario: Scenario,
    sizings: Sequence[PlantSizing],
    kpis: dict,
    hours: float,
) -> Tco:
    """The TCO of a run from its KPIs (energy and demand cost, water, compute energy),
    scaled to a year: by 8760 / ``hours``, the demand charge billed in whole months
    (``billing = "full_month"``) by 12 / the months billed.

    Raises
    ------
    ScenarioError
        A bad ``[costs]`` override (field ``costs``).
    """
    params = cost_params(scenario.costs, scenario.grid.currency)
    months = None
    if scenario.grid.price.billing == "full_month":  # whole months billed: a month each
        months = float(len(billing_months(horizon_hours(scenario))[1]))
    return tco(
        sizings,
        params,
        energy_cost=float(kpis.get("energy_cost") or 0.0),
        demand_cost=float(kpis.get("demand_cost") or 0.0),
        water_l=float(kpis.get("water_m3") or 0.0) * 1000.0,
        compute_kwh=float(kpis.get("compute_energy_mwh") or 0.0) * 1000.0,
        hours=hours,
        demand_months=months,
    )


def tco_kpis(result: Tco) -> dict:
    """The kpis.json entries of a TCO (defined in :data:`scenarios.kpis.KPI_DEFINITIONS`)."""
    per_mwh = result.per_mwh_compute
    return {
        "capex": result.capex.total,
        "capex_per_kw_it": result.capex.per_kw_it,
        "annualised_capex": result.annualised_capex,
        "opex_per_year": result.annual.total,
        "tco_per_year": result.per_year,
        "tco_per_mwh_compute": None if math.isnan(per_mwh) else per_mwh,
        "embodied_carbon_t": result.embodied_t,
    }


def tco_document(result: Tco) -> dict:
    """The ``costs`` section of kpis.json: capex by component, the year's costs by item and
    the assumptions behind them (currency, lifetime, discount rate)."""
    annual = result.annual
    return {
        "currency": result.currency,
        "lifetime_years": result.lifetime_years,
        "discount_rate": result.discount_rate,
        "floor_m2": result.capex.floor_m2,
        "it_kw": result.capex.it_kw,
        "capex_by_component": dict(result.capex.by_component),
        "annual_by_item": {
            "energy": annual.energy,
            "demand": annual.demand,
            "water": annual.water,
            "maintenance": annual.maintenance,
            "coolant_topup": annual.coolant_topup,
        },
        "annualised_capex": result.annualised_capex,
        "compute_mwh_per_year": result.compute_mwh_per_year,
    }
