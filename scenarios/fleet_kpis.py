"""A fleet's KPIs (issue 16): the sites' re-simulated sums, the network, what moved where,
and the saving split by lever (site, hall, timing, peak, other)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.fleet import moved_jobs, split_pod
from optimizer.levers import lever_savings
from optimizer.problem import Problem
from optimizer.schedule import from_frame
from scenarios import kpis as K
from scenarios.run import RunResult

#: KPIs of a site that add up over a fleet (the rest are ratios, recomputed from sums).
ADDITIVE_KPIS = (
    "it_energy_mwh", "compute_energy_mwh", "facility_energy_mwh", "water_m3",
    "carbon_location_t", "carbon_market_t", "energy_cost", "demand_cost", "total_cost",
    "job_energy_mwh",
)


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
    """Fleet-wide KPIs of one schedule: the sites' re-simulated sums, the facilities'
    ratios (PUE, TUE, WUE, CUE) from those sums, and the network's energy, cost and
    carbon of moving jobs' data, which ``total_cost`` and the carbon totals include and
    facility energy and the ratios do not."""
    kpis = {k: 0.0 for k in ADDITIVE_KPIS}
    for result in sites.values():
        own = result.outcomes[name].kpis
        for k in ADDITIVE_KPIS:
            if k == "job_energy_mwh":
                own_value = float(result.outcomes[name].job_load_kw.to_numpy().sum()) / 1000
            else:
                own_value = own.get(k)
            kpis[k] += float(own_value or 0.0)
    assignment = from_frame(problem, schedule)
    pod = np.full(len(problem.jobs), -1)
    pod[assignment.job] = assignment.pod
    moved = moved_jobs(problem, pod)
    jobs = problem.jobs
    placed = np.flatnonzero(pod >= 0)
    at = (placed, pod[placed])
    network_kwh = float(jobs.move_kwh[at].sum())
    network_cost = float(jobs.move_cost[at].sum())
    network_kg = float(jobs.move_kg[at].sum())
    kpis["network_energy_mwh"] = network_kwh / 1000
    kpis["network_cost"] = network_cost
    kpis["network_carbon_t"] = network_kg / 1000
    # the facilities' ratios (ISO/IEC 30134) from the sites' sums: the network between
    # the sites is not a facility's energy; its cost and carbon are the fleet's
    it_kwh = kpis["it_energy_mwh"] * 1000
    kpis["pue"] = kpis["facility_energy_mwh"] / kpis["it_energy_mwh"] if it_kwh else None
    kpis["tue"] = (kpis["facility_energy_mwh"] / kpis["compute_energy_mwh"]
                   if kpis["compute_energy_mwh"] else None)
    kpis["wue_l_per_kwh"] = kpis["water_m3"] * 1000 / it_kwh if it_kwh else None
    kpis["cue_kg_per_kwh"] = kpis["carbon_location_t"] * 1000 / it_kwh if it_kwh else None
    kpis["total_cost"] += network_cost
    kpis["carbon_location_t"] += network_kg / 1000
    kpis["carbon_market_t"] += network_kg / 1000
    kpis["jobs"] = len(jobs)
    kpis["moved_jobs"] = int(moved.sum())
    energy = jobs.power_kw * jobs.duration_h / 1000
    kpis["moved_energy_mwh"] = float(energy[moved].sum())
    data_tb = (pd.to_numeric(jobs_table["data_tb"], errors="coerce").fillna(0.0).to_numpy()
               if "data_tb" in jobs_table.columns else np.zeros(len(jobs)))
    kpis["moved_data_tb"] = float(data_tb[moved].sum())
    # the fleet's coincident peak: the sites' facility power added hour by hour
    kpis["peak_facility_kw"] = float(sum(r.outcomes[name].site["facility_kw"].to_numpy()
                                         for r in sites.values()).max())
    kpis["deadlines_met_share"] = K.deadlines_met_share(jobs_table["job_id"], schedule)
    return kpis


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
