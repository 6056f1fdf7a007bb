"""A fleet's KPIs (issue 16): the sites' re-simulated sums, the network, what moved where,
and the saving split by lever (site, hall, timing, peak, other)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.fleet import SiteNetwork, moved_jobs, split_pod
from optimizer.levers import lever_savings
from optimizer.problem import Problem
from optimizer.schedule import from_frame
from scenarios import kpis as K
from scenarios.run import RunResult

#: KPIs of a site that add up over a fleet (the rest are ratios, recomputed from sums).
ADDITIVE_KPIS = (
    "it_energy_mwh", "compute_energy_mwh", "facility_energy_mwh", "water_m3",
    "carbon_location_t", "carbon_market_t", "energy_cost", "demand_cost", "total_cost",
    "job_energy_mwh", "network_energy_mwh", "network_cost", "network_carbon_t",
)


def pod_of_jobs(problem: Problem, schedule: pd.DataFrame) -> np.ndarray:
    """The pod position of each job of ``problem`` in ``schedule`` (-1: not placed)."""
    assignment = from_frame(problem, schedule)
    pod = np.full(len(problem.jobs), -1)
    pod[assignment.job] = assignment.pod
    return pod


def with_network(kpis: dict, share: SiteNetwork) -> dict:
    """A site's KPIs with its share of moving jobs' data (:func:`optimizer.fleet.
    network_by_site`): ``network_*`` of its own, in its total cost and carbon totals;
    not in its facility energy, energy cost or ratios (the network is not the
    facility's)."""
    out = dict(kpis)
    cost, tonnes = share.cost, share.carbon_kg / 1e3
    out["network_energy_mwh"] = share.energy_kwh / 1e3
    out["network_cost"] = cost
    out["network_carbon_t"] = tonnes
    for key, add in (("total_cost", cost), ("carbon_location_t", tonnes),
                     ("carbon_market_t", tonnes)):
        if out.get(key) is not None:
            out[key] = float(out[key]) + add
    return out


def flows_table(jobs: pd.DataFrame, schedule: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Where work went: one row per (home, site) pair with work [columns home, site,
    jobs, compute_mwh, data_tb, moved]; ``moved`` is home != site. Data count only for
    moved jobs (work at home moves none)."""
    columns = ["home", "site", "jobs", "compute_mwh", "data_tb", "moved"]
    if not len(schedule):
        return pd.DataFrame(columns=columns)
    table = jobs.reset_index(drop=True).assign(job_id=lambda f: f["job_id"].astype(str))
    home = (table["home"].fillna("").astype(str).replace("", names[0])
            if "home" in table.columns else pd.Series(names[0], index=table.index))
    data = (pd.to_numeric(table["data_tb"], errors="coerce").fillna(0.0)
            if "data_tb" in table.columns else pd.Series(0.0, index=table.index))
    rows = schedule.assign(job_id=schedule["job_id"].astype(str))
    site = rows["pod"].astype(str).map(lambda p: split_pod(p)[0])
    energy = rows.assign(site=site).groupby(["job_id", "site"])["power_kw"].sum() / 1000
    per_job = energy.reset_index().rename(columns={"power_kw": "compute_mwh"})
    lookup = pd.DataFrame({"job_id": table["job_id"], "home": home, "data_tb": data})
    per_job = per_job.merge(lookup, on="job_id", how="left")
    per_job["moved"] = per_job["home"] != per_job["site"]
    per_job["data_tb"] = per_job["data_tb"].where(per_job["moved"], 0.0)
    out = (per_job.groupby(["home", "site", "moved"], as_index=False)
           .agg(jobs=("job_id", "nunique"), compute_mwh=("compute_mwh", "sum"),
                data_tb=("data_tb", "sum")))
    return out[columns].sort_values(["home", "site"]).reset_index(drop=True)


def fleet_totals(problem: Problem, sites: dict[str, RunResult], name: str,
                 schedule: pd.DataFrame, jobs_table: pd.DataFrame) -> dict:
    """Fleet-wide KPIs of one schedule: the sums of the sites' re-simulated KPIs, each
    site's with its share of the network already in (:func:`with_network`: the sites'
    costs and carbon add up to the fleet's), and the facilities' ratios (PUE, TUE, WUE,
    CUE) from those sums, which leave the network out (it is not a facility's energy)."""
    pod = pod_of_jobs(problem, schedule)
    kpis = {k: 0.0 for k in ADDITIVE_KPIS}
    for site in problem.sites:
        outcome = sites[site].outcomes[name]
        own = dict(outcome.kpis)
        own["job_energy_mwh"] = float(outcome.job_load_kw.to_numpy().sum()) / 1000
        for key in ADDITIVE_KPIS:
            kpis[key] += float(own.get(key) or 0.0)
    # the facilities' ratios (ISO/IEC 30134) from the sites' sums, without the network
    it_kwh = kpis["it_energy_mwh"] * 1000
    facility_carbon_t = kpis["carbon_location_t"] - kpis["network_carbon_t"]
    kpis["pue"] = kpis["facility_energy_mwh"] / kpis["it_energy_mwh"] if it_kwh else None
    kpis["tue"] = (kpis["facility_energy_mwh"] / kpis["compute_energy_mwh"]
                   if kpis["compute_energy_mwh"] else None)
    kpis["wue_l_per_kwh"] = kpis["water_m3"] * 1000 / it_kwh if it_kwh else None
    kpis["cue_kg_per_kwh"] = facility_carbon_t * 1000 / it_kwh if it_kwh else None
    kpis["jobs"] = len(problem.jobs)
    kpis["moved_jobs"] = int(moved_jobs(problem, pod).sum())
    # what moved, as flows.csv counts it: the scheduled energy (restart overheads in)
    flows = flows_table(jobs_table, schedule, list(problem.sites))
    away = flows[flows["moved"].astype(bool)]
    kpis["moved_energy_mwh"] = float(away["compute_mwh"].sum())
    kpis["moved_data_tb"] = float(away["data_tb"].sum())
    # the fleet's coincident peak: the sites' facility power added hour by hour
    kpis["peak_facility_kw"] = float(sum(r.outcomes[name].site["facility_kw"].to_numpy()
                                         for r in sites.values()).max())
    kpis["deadlines_met_share"] = K.deadlines_met_share(jobs_table["job_id"], schedule)
    kpis["shifted_energy_share"] = fleet_shifted_share(sites, name)
    return kpis


def fleet_shifted_share(sites: dict[str, RunResult], name: str) -> float | None:
    """Share of the jobs' energy the schedule ``name`` runs in another site, pod or hour
    than ASAP at home would [-]: :func:`scenarios.kpis.shifted_energy_share` over every
    site's pods and hours together (None without an ASAP schedule or job energy)."""
    if any("asap" not in r.outcomes for r in sites.values()):
        return None
    total = sum(float(r.outcomes["asap"].job_load_kw.to_numpy().sum()) for r in sites.values())
    if total <= 0:
        return None
    moved = sum(float(np.maximum(r.outcomes[name].job_load_kw.to_numpy()
                                 - r.outcomes["asap"].job_load_kw.to_numpy(), 0.0).sum())
                for r in sites.values())
    return moved / total


def fleet_tco_kpis(sites: dict[str, RunResult]) -> dict:
    """The fleet's capital cost and TCO (the keys of :func:`scenarios.money.tco_kpis`)
    from the sites' :class:`scenarios.costs.Tco`: sums, and per kW of IT and per MWh of
    compute from the summed IT power and compute energy. Embodied carbon is null when
    a site's is."""
    tcos = [r.tco for r in sites.values()]
    capex = sum(t.capex.total for t in tcos)
    it_kw = sum(t.capex.it_kw for t in tcos)
    per_year = sum(t.per_year for t in tcos)
    compute_mwh = sum(t.compute_mwh_per_year for t in tcos)
    embodied = [t.embodied_t for t in tcos]
    return {
        "capex": capex,
        "capex_per_kw_it": capex / it_kw if it_kw > 0 else None,
        "annualised_capex": sum(t.annualised_capex for t in tcos),
        "opex_per_year": sum(t.annual.total for t in tcos),
        "tco_per_year": per_year,
        "tco_per_mwh_compute": per_year / compute_mwh if compute_mwh > 0 else None,
        "embodied_carbon_t": None if None in embodied else sum(embodied),
    }


def fleet_lever_kpis(problem: Problem, schedules: dict, main: str, kpis: dict) -> dict:
    """The saving against ASAP at home split into site (where), hall (how), timing
    (when), peak and other (what the exact re-simulation adds to the linear model)."""
    keys = ("site", "placement", "timing", "peak", "other")
    out = {f"cost_saving_vs_asap_{k}": None for k in keys}
    out.update({f"carbon_saving_vs_asap_{k}_t": None for k in keys if k != "peak"})
    if main == "asap" or "asap" not in schedules or kpis.get("cost_saving_vs_asap") is None:
        return out
    base = from_frame(problem, schedules["asap"])
    plan = from_frame(problem, schedules[main])
    levers = lever_savings(problem, base, plan)
    out.update({
        "cost_saving_vs_asap_site": levers.cost_site,
        "cost_saving_vs_asap_placement": levers.cost_placement,
        "cost_saving_vs_asap_timing": levers.cost_timing,
        "cost_saving_vs_asap_peak": levers.cost_peak,
        "cost_saving_vs_asap_other": kpis["cost_saving_vs_asap"] - levers.cost_total,
        "carbon_saving_vs_asap_site_t": levers.carbon_site_kg / 1e3,
        "carbon_saving_vs_asap_placement_t": levers.carbon_placement_kg / 1e3,
        "carbon_saving_vs_asap_timing_t": levers.carbon_timing_kg / 1e3,
        "carbon_saving_vs_asap_other_t": kpis["carbon_saving_vs_asap_t"]
        - levers.carbon_total_kg / 1e3,
    })
    return out
