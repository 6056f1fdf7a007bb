"""What a schedule saves against a baseline, split by lever: placement, timing, peak.

Moving a job to another hall (placement) and to other hours (timing) are different
levers, and a demand charge rewards a third one, a lower monthly peak. On the
optimizer's linear facility model (facility kWh per IT kWh ``ff[p, t]`` of each pod and
hour), the energy part of a job's cost on pod ``p`` in hours ``H`` is

    C(p, H) = power x sum_{t in H} w_t x ff[p, t]

with ``w_t`` the price (cost) or the carbon intensity (carbon). A job that runs on pod
``a`` in hours ``A`` in the baseline and on pod ``m`` in hours ``M`` in the schedule saves
``C(a, A) - C(m, M)``, which splits exactly into

    placement = 1/2 [C(a, A) - C(m, A)] + 1/2 [C(a, M) - C(m, M)]
    timing    = 1/2 [C(a, A) - C(a, M)] + 1/2 [C(m, A) - C(m, M)]

the average of "hall first, then hours" and "hours first, then hall" (the Shapley split of
two levers, so neither order is favoured). Summed over jobs, plus the demand charge
saved on the billed monthly peaks (peak), these add up to the linear model's saving; what
the exact re-simulation of both schedules adds to it is left to the caller to report.

In a fleet (:mod:`optimizer.fleet`) a pod is a hall of a site, and ``w_t`` is that site's
price or carbon. The placement part of a job that changed site is where it runs
(**site**), less what moving its data cost (``move_cost`` and ``move_kg`` of the two
placements); the placement part of a job that stayed at its site is which hall (**hall**,
``cost_placement``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.metrics import facility_kw, monthly_peaks_kw
from optimizer.problem import Problem
from optimizer.schedule import Assignment, it_load_kw


@dataclass(frozen=True)
class LeverSavings:
    """A schedule's saving against a baseline, by lever (positive = the schedule is better).

    Attributes
    ----------
    cost_placement, cost_timing : float
        Energy cost saved by the halls jobs run in, and by the hours they run in
        [currency].
    cost_peak : float
        Demand charge saved on the billed monthly peaks [currency].
    carbon_placement_kg, carbon_timing_kg : float
        Location-based carbon saved by hall and by hours [kg CO2].
    cost_site, carbon_site_kg : float
        In a fleet, saved by the site jobs run at, net of moving their data [currency],
        [kg CO2] (0 outside a fleet).
    """

    cost_placement: float
    cost_timing: float
    cost_peak: float
    carbon_placement_kg: float
    carbon_timing_kg: float
    cost_site: float = 0.0
    carbon_site_kg: float = 0.0

    @property
    def cost_total(self) -> float:
        """Saving on the linear model: site + placement + timing + peak [currency]."""
        return self.cost_site + self.cost_placement + self.cost_timing + self.cost_peak

    @property
    def carbon_total_kg(self) -> float:
        """Carbon saving on the linear model [kg CO2]."""
        return self.carbon_site_kg + self.carbon_placement_kg + self.carbon_timing_kg


def _job_runs(problem: Problem, assignment: Assignment) -> dict[int, tuple[int, np.ndarray]]:
    """Job position -> (its pod, its hours). A job runs on one pod (the model's rule)."""
    runs = {}
    a = assignment.sorted()
    bounds = np.flatnonzero(np.diff(a.job)) + 1
    for job, pod, t in zip(np.split(a.job, bounds), np.split(a.pod, bounds),
                           np.split(a.t, bounds), strict=True):
        if not len(job):
            continue
        if (pod != pod[0]).any():
            raise ValueError(f"job '{problem.jobs.ids[job[0]]}' runs on more than one pod")
        runs[int(job[0])] = (int(pod[0]), t)
    return runs


def _split(problem: Problem, base: dict, plan: dict, weight: np.ndarray,
           move: np.ndarray) -> tuple[float, float, float]:
    """(hall, timing, site) saving of ``plan`` against ``base`` for each site's hourly
    weights (S, T) and the weight of moving each job's data to each pod (J, P)."""
    ff_w = problem.facility_factor * weight[problem.pod_site]  # (P, T) weight per IT kWh
    power = problem.jobs.power_kw
    placement = timing = site = 0.0
    for j in set(base) | set(plan):
        if j not in base or j not in plan:
            raise ValueError(f"job '{problem.jobs.ids[j]}' is placed in only one schedule")
        (a, hours_a), (m, hours_m) = base[j], plan[j]
        c_aa, c_am = power[j] * ff_w[a, hours_a].sum(), power[j] * ff_w[a, hours_m].sum()
        c_ma, c_mm = power[j] * ff_w[m, hours_a].sum(), power[j] * ff_w[m, hours_m].sum()
        where = 0.5 * ((c_aa - c_ma) + (c_am - c_mm))
        timing += 0.5 * ((c_aa - c_am) + (c_ma - c_mm))
        if problem.pod_site[a] != problem.pod_site[m]:
            site += where + move[j, a] - move[j, m]
        else:
            placement += where
    return float(placement), float(timing), float(site)


def demand_cost(problem: Problem, assignment: Assignment) -> float:
    """Demand charge of a schedule on the billed monthly peaks [currency]."""
    facility = facility_kw(problem, it_load_kw(problem, assignment))
    return float((problem.demand_rate_per_kw * monthly_peaks_kw(problem, facility)).sum())


def lever_savings(problem: Problem, base: Assignment, plan: Assignment) -> LeverSavings:
    """Split the saving of ``plan`` against ``base`` into placement, timing and peak.

    Parameters
    ----------
    problem : Problem
        Both schedules' problem (its facility factors, prices, carbon and billing).
    base, plan : Assignment
        The baseline (e.g. ASAP) and the schedule; both place every job, each job on one
        pod.

    Returns
    -------
    LeverSavings
        See the module doc for the split.
    """
    base_runs, plan_runs = _job_runs(problem, base), _job_runs(problem, plan)
    jobs = problem.jobs
    cost_placement, cost_timing, cost_site = _split(problem, base_runs, plan_runs,
                                                    problem.price_per_kwh, jobs.move_cost)
    carbon_placement, carbon_timing, carbon_site = _split(
        problem, base_runs, plan_runs, problem.carbon_g_per_kwh / 1e3, jobs.move_kg)
    return LeverSavings(
        cost_placement=cost_placement,
        cost_timing=cost_timing,
        cost_peak=demand_cost(problem, base) - demand_cost(problem, plan),
        carbon_placement_kg=carbon_placement,
        carbon_timing_kg=carbon_timing,
        cost_site=cost_site,
        carbon_site_kg=carbon_site,
    )


# --------------------------------------------------------------------------- assets


@dataclass(frozen=True)
class AssetSaving:
    """Cost and carbon an asset operation or an asset is worth (positive = saves).

    Attributes
    ----------
    cost : float
        [currency] (cost_weight-free money: energy, demand charge, wear, export and heat
        revenue).
    carbon_kg : float
        Location-based carbon of the grid import [kg CO2].
    """

    cost: float
    carbon_kg: float


def _metrics(problem: Problem, assignment: Assignment, dispatch: str):
    from optimizer.metrics import evaluate

    return evaluate(problem, assignment, dispatch)


def asset_operation_saving(problem: Problem, plan: Assignment) -> AssetSaving:
    """What running the site's assets optimally saves over the baselines' rule
    (:func:`optimizer.dispatch.rule_dispatch`) for the same schedule ``plan``.

    With assets, a schedule's saving against a baseline run by the rule splits into the
    jobs' part, ``M(base, rule) - M(plan, rule)`` (placement, timing and peak by
    :func:`lever_savings`), and this part, ``M(plan, rule) - M(plan, optimal)``.
    """
    if not problem.assets.active:
        return AssetSaving(0.0, 0.0)
    rule, best = _metrics(problem, plan, "rule"), _metrics(problem, plan, "optimised")
    return AssetSaving(rule.cost - best.cost, rule.carbon_kg - best.carbon_kg)


#: The assets :func:`asset_values` can take away, with the field of
#: :class:`optimizer.assets.Assets` that holds each.
ASSET_FIELDS = {"battery": "battery", "cold_storage": "cold", "onsite_generation": "onsite_kw",
                "heat_reuse": "heat"}


def asset_values(problem: Problem, assignment: Assignment) -> dict[str, AssetSaving]:
    """What each asset is worth with the schedule ``assignment``: the cost and carbon of
    the same schedule with the other assets run optimally and this one taken away, minus
    those with all of them (keys of :data:`ASSET_FIELDS` present on the site)."""
    from dataclasses import replace

    a = problem.assets
    present = {"battery": a.has_battery, "cold_storage": a.has_cold,
               "onsite_generation": a.has_onsite, "heat_reuse": a.has_heat}
    if not any(present.values()):
        return {}
    full = _metrics(problem, assignment, "optimised")
    out = {}
    for name, field_name in ASSET_FIELDS.items():
        if not present[name]:
            continue
        without = replace(a, **{field_name: None})
        if name == "onsite_generation":
            without = replace(without, export_price_per_kwh=None)
        m = _metrics(replace(problem, assets=without), assignment, "optimised")
        out[name] = AssetSaving(m.cost - full.cost, m.carbon_kg - full.carbon_kg)
    return out
