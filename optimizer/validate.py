"""Independent check of a schedule against the raw inputs.

Written directly against the input tables with pandas: it shares no code with the
model, the baselines or the input preparation, so a bug there cannot hide here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.assets import NO_ASSETS, Assets, Dispatch, stored_kwh
from optimizer.options import DEFAULT_LIMITS, Limits
from optimizer.problem import Pods

#: Slack on power comparisons [kW] (judgement: rounding noise only).
VALIDATE_EPS_KW = 1e-6

VIOLATION_KINDS = (
    "unknown_job", "unknown_pod", "off_grid", "duplicate_hour", "power", "window",
    "pod_split", "pod_not_allowed", "work", "contiguity", "interruptions",
    "pod_capacity", "cooling_capacity", "grid_limit", "energy_balance", "battery",
    "cold_storage", "onsite", "heat_reuse",
)


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``kind`` is one of :data:`VIOLATION_KINDS`."""

    kind: str
    detail: str
    job_id: str | None = None
    pod: str | None = None
    timestamp: pd.Timestamp | None = None


def _allowed(value, all_pods: list[str]) -> set[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return set(all_pods)
    names = value.split("|") if isinstance(value, str) else list(value)
    names = {str(n).strip() for n in names if str(n).strip()}
    return names or set(all_pods)


def _runs(hours: np.ndarray) -> int:
    return int(1 + np.sum(np.diff(np.sort(hours)) > 1)) if len(hours) else 0


def validate(schedule: pd.DataFrame, jobs: pd.DataFrame, pods: Pods | None,
             signals: pd.DataFrame, limits: Limits = DEFAULT_LIMITS,
             assets: Assets | None = None, dispatch: Dispatch | None = None) -> list[Violation]:
    """Every violation of the schedule's rules (empty list: the schedule is valid).

    Parameters
    ----------
    schedule : DataFrame
        job_id, pod, timestamp (start of the hour), power_kw [kW]; one row per job-hour.
    jobs, pods, signals, limits
        The inputs the schedule was made for (see :func:`optimizer.solve_schedule`).
    assets, dispatch : optional
        The site's assets and how they ran (``result.dispatch``): then the grid limit
        applies to the import, and every hour's energy balance, each store's state of
        charge, powers and limits are checked (:func:`validate_dispatch`).
    """
    out: list[Violation] = []
    hours = signals.index
    one_h = pd.Timedelta(hours=1)
    if pods is None:
        cap = pd.DataFrame({"main": np.inf}, index=hours)
        base = cool = None
        pod_ff = pod_fixed = None
    else:
        cap = pods.capacity_kw.rename(columns=str)
        base, cool = pods.baseline_kw, pods.cooling_capacity_kw
        pod_ff, pod_fixed = pods.facility_factor, pods.fixed_overhead_kw
    pod_names = [str(c) for c in cap.columns]
    base = (base.rename(columns=str) if base is not None
            else pd.DataFrame(0.0, index=hours, columns=pod_names))
    sched = schedule.copy()
    sched["job_id"] = sched["job_id"].astype(str)
    sched["pod"] = sched["pod"].astype(str)
    sched["timestamp"] = pd.to_datetime(sched["timestamp"])
    job_table = jobs.assign(job_id=jobs["job_id"].astype(str)).set_index("job_id")
    known = sched["job_id"].isin(job_table.index)
    for row in sched[~known].itertuples():
        out.append(Violation("unknown_job", f"job '{row.job_id}' is not in the jobs table",
                             row.job_id))
    bad_pod = ~sched["pod"].isin(pod_names)
    for row in sched[bad_pod].itertuples():
        out.append(Violation("unknown_pod", f"pod '{row.pod}' does not exist", row.job_id,
                             row.pod, row.timestamp))
    off = ~sched["timestamp"].isin(hours)
    for row in sched[off].itertuples():
        out.append(Violation("off_grid", f"{row.timestamp} is not an hour of the signals",
                             row.job_id, row.pod, row.timestamp))
    dup = sched.duplicated(["job_id", "timestamp"], keep="first")
    for row in sched[dup].itertuples():
        out.append(Violation("duplicate_hour", f"job '{row.job_id}' runs twice at "
                             f"{row.timestamp}", row.job_id, row.pod, row.timestamp))
    sched = sched[known & ~bad_pod & ~off]
    for job_id, spec in job_table.iterrows():
        rows = sched[sched["job_id"] == job_id]
        release, deadline = pd.Timestamp(spec["release"]), pd.Timestamp(spec["deadline"])
        power = float(spec["power_kw"])
        duration = float(spec["duration_h"])
        preemptible = str(spec["preemptible"]).strip().lower() in ("true", "1", "yes", "y", "t")
        overhead = float(spec.get("restart_overhead_h", 0.0) or 0.0)
        if np.isnan(overhead):
            overhead = 0.0
        max_int = spec.get("max_interruptions", None)
        outside = rows[(rows["timestamp"] < release) | (rows["timestamp"] + one_h > deadline)]
        for row in outside.itertuples():
            out.append(Violation("window", f"job '{job_id}' runs at {row.timestamp}, outside "
                                 f"[{release}, {deadline})", job_id, row.pod, row.timestamp))
        wrong_power = rows[(rows["power_kw"] - power).abs() > VALIDATE_EPS_KW]
        for row in wrong_power.itertuples():
            out.append(Violation("power", f"job '{job_id}' has {row.power_kw} kW at "
                                 f"{row.timestamp}, not {power} kW", job_id, row.pod,
                                 row.timestamp))
        used = sorted(set(rows["pod"]))
        if len(used) > 1:
            out.append(Violation("pod_split", f"job '{job_id}' runs on pods {used}", job_id))
        allowed = _allowed(spec.get("pods", None), pod_names)
        for pod in used:
            if pod not in allowed:
                out.append(Violation("pod_not_allowed", f"job '{job_id}' runs on pod '{pod}', "
                                     f"allowed {sorted(allowed)}", job_id, pod))
        t = ((rows["timestamp"].drop_duplicates() - hours[0]) / one_h).to_numpy(dtype=float)
        runs = _runs(t)
        if preemptible:
            need = duration + overhead * max(runs - 1, 0)
            if len(t) < need - 1e-9:
                out.append(Violation("work", f"job '{job_id}' runs {len(t)} h in {runs} run(s); "
                                     f"needs {need:g} h", job_id))
            if max_int is not None and not pd.isna(max_int) and runs - 1 > int(max_int):
                out.append(Violation("interruptions", f"job '{job_id}' is interrupted "
                                     f"{runs - 1} times, at most {int(max_int)} allowed", job_id))
        else:
            if len(t) != duration:
                out.append(Violation("work", f"job '{job_id}' runs {len(t)} h, needs "
                                     f"{duration:g} h", job_id))
            if runs > 1:
                out.append(Violation("contiguity", f"non-preemptible job '{job_id}' runs in "
                                     f"{runs} pieces", job_id))
    load = sched.pivot_table(index="timestamp", columns="pod", values="power_kw",
                             aggfunc="sum").reindex(index=hours, columns=pod_names).fillna(0.0)
    total_it = load + base[pod_names]
    over = total_it - cap[pod_names]
    for (ts, pod), excess in over.stack().items():
        if excess > VALIDATE_EPS_KW:
            out.append(Violation("pod_capacity", f"pod '{pod}' carries {excess:.6g} kW above its "
                                 f"capacity at {ts}", pod=pod, timestamp=ts))
    if cool is not None:
        over = total_it - cool.rename(columns=str)[pod_names].fillna(np.inf)
        for (ts, pod), excess in over.stack().items():
            if excess > VALIDATE_EPS_KW:
                out.append(Violation("cooling_capacity", f"pod '{pod}' carries {excess:.6g} kW "
                                     f"above its cooling capacity at {ts}", pod=pod,
                                     timestamp=ts))
    if limits.grid_limit_kw is not None or dispatch is not None:
        if pod_ff is not None:
            ff = pod_ff.rename(columns=str)[pod_names]
        else:
            site = signals["facility_factor"] if "facility_factor" in signals else 1.0
            ff = pd.DataFrame({p: site for p in pod_names}, index=hours).astype(float)
        if pod_fixed is not None:
            fixed = pod_fixed.rename(columns=str)[pod_names].sum(axis=1)
        else:
            fixed = (signals["fixed_overhead_kw"] if "fixed_overhead_kw" in signals
                     else pd.Series(0.0, index=hours))
        facility = (ff * total_it).sum(axis=1) + fixed
        if dispatch is not None:
            out += validate_dispatch(facility.to_numpy(dtype=float), load.to_numpy().T,
                                     assets, dispatch, limits, hours)
            return out
        for ts, value in facility.items():
            if value > limits.grid_limit_kw + VALIDATE_EPS_KW:
                out.append(Violation("grid_limit", f"facility power {value:.6g} kW exceeds the "
                                     f"grid limit {limits.grid_limit_kw:g} kW at {ts}",
                                     timestamp=ts))
    return out


#: Slack on a dispatch's energy balance and stores [kW, kWh], relative to the largest
#: flow of the hour (judgement: HiGHS's primal feasibility tolerance is 1e-7 absolute on
#: values up to ~1e5 kW; the re-derived flows here add rounding only).
DISPATCH_RTOL = 1e-6


def validate_dispatch(facility_kw: np.ndarray, load_kw: np.ndarray, assets: Assets | None,
                      dispatch: Dispatch, limits: Limits, hours) -> list[Violation]:
    """Every broken rule of an asset dispatch, from the facility power of the jobs and
    baseline (``facility_kw`` (T,), re-derived from the inputs) and the jobs' IT load
    (``load_kw`` (P, T)).

    Checks, hour by hour: grid + generation + battery discharge = facility (with the cold
    tank's effect) + battery charge + export + curtailment; import and export within the
    grid limit and >= 0; export and curtailment within generation, export only where
    allowed; battery powers within its power, never charging and discharging at once,
    its stored energy the recursion of its flows, within its state-of-charge band and
    ending at least at its end state; the cold tank's flows only at the pods it serves,
    within its power, discharge within the chillers' load, charge within their spare
    capacity, its stored cold the recursion of its flows with standing loss, within its
    capacity and ending at least at its end state.
    """
    a = NO_ASSETS if assets is None else assets
    out: list[Violation] = []
    n_t = len(facility_kw)
    scale = np.maximum.reduce([np.ones(n_t), np.abs(facility_kw), np.abs(dispatch.grid_kw),
                               np.abs(dispatch.onsite_kw)])
    tol = DISPATCH_RTOL * scale + VALIDATE_EPS_KW

    def flag(kind: str, mask: np.ndarray, what) -> None:
        for t in np.flatnonzero(mask)[:20]:
            out.append(Violation(kind, what(t), timestamp=hours[t]))

    facility = facility_kw.astype(float).copy()
    if a.has_cold:
        c = a.cold
        cc, cd = dispatch.cold_charge_kw_th, dispatch.cold_discharge_kw_th
        facility += (c.charge_kw_per_kw_th * cc - c.discharge_kw_per_kw_th * cd).sum(0)
    else:
        cc = cd = np.zeros((load_kw.shape[0], n_t))
    if a.has_heat:
        facility += (a.heat.heat_pump_kw_per_kw_th * dispatch.heat_delivered_kw_th).sum(0)
    flag("energy_balance", np.abs(dispatch.facility_kw - facility) > tol,
         lambda t: f"reported facility power {dispatch.facility_kw[t]:.6g} kW differs from "
                   f"the re-derived {facility[t]:.6g} kW")
    onsite = np.asarray(a.onsite_kw, dtype=float) if a.has_onsite else np.zeros(n_t)
    supply = dispatch.grid_kw + onsite + dispatch.battery_discharge_kw
    demand = (facility + dispatch.battery_charge_kw + dispatch.export_kw
              + dispatch.curtailed_kw)
    flag("energy_balance", np.abs(supply - demand) > tol,
         lambda t: f"supply {supply[t]:.6g} kW (grid, generation, battery) differs from use "
                   f"{demand[t]:.6g} kW (facility, charging, export, curtailment)")
    limit = np.inf if limits.grid_limit_kw is None else limits.grid_limit_kw
    flag("grid_limit", dispatch.grid_kw > limit + tol,
         lambda t: f"grid import {dispatch.grid_kw[t]:.6g} kW exceeds the grid limit "
                   f"{limit:g} kW")
    flag("grid_limit", dispatch.grid_kw < -tol,
         lambda t: f"grid import {dispatch.grid_kw[t]:.6g} kW is negative (export is its "
                   "own flow)")
    flag("onsite", np.abs(dispatch.onsite_kw - onsite) > tol,
         lambda t: f"generation {dispatch.onsite_kw[t]:.6g} kW is not the site's "
                   f"{onsite[t]:.6g} kW")
    flag("onsite", (dispatch.export_kw < -tol) | (dispatch.curtailed_kw < -tol)
         | (dispatch.export_kw + dispatch.curtailed_kw > onsite + tol),
         lambda t: f"export {dispatch.export_kw[t]:.6g} kW + curtailment "
                   f"{dispatch.curtailed_kw[t]:.6g} kW is not within generation {onsite[t]:.6g} kW")
    if not a.can_export:
        flag("onsite", dispatch.export_kw > tol,
             lambda t: f"exports {dispatch.export_kw[t]:.6g} kW where export is not allowed")
    out += _battery_violations(a, dispatch, hours, tol)
    out += _cold_violations(a, dispatch, load_kw, cc, cd, hours)
    out += _heat_violations(a, dispatch, load_kw, hours)
    return out


def _heat_violations(a: Assets, dispatch: Dispatch, load_kw, hours) -> list[Violation]:
    q = dispatch.heat_delivered_kw_th
    if not a.has_heat:
        if np.any(np.abs(q) > VALIDATE_EPS_KW):
            return [Violation("heat_reuse", "heat is delivered but the site has no customer")]
        return []
    h = a.heat
    scale = max(float(np.max(np.abs(q), initial=0.0)), 1.0)
    eps = DISPATCH_RTOL * scale + VALIDATE_EPS_KW
    available = h.recoverable_kw_th + h.recoverable_per_kw * load_kw
    checks = ((q < -eps).any(0), "negative heat delivered",
              (q > available + eps).any(0), "more heat delivered than the pods recover",
              q.sum(0) > np.asarray(h.demand_kw_th) + eps, "more heat than the customer takes")
    out = []
    for mask, what in zip(checks[::2], checks[1::2], strict=True):
        out += [Violation("heat_reuse", what, timestamp=hours[t]) for t in np.flatnonzero(mask)[:20]]
    return out


def _battery_violations(a: Assets, dispatch: Dispatch, hours, tol) -> list[Violation]:
    out: list[Violation] = []
    ch, dis, soc = dispatch.battery_charge_kw, dispatch.battery_discharge_kw, \
        dispatch.battery_soc_kwh
    if not a.has_battery:
        if np.any(np.abs(ch) > tol) or np.any(np.abs(dis) > tol):
            out.append(Violation("battery", "the battery runs but the site has none"))
        return out
    b = a.battery
    bad = (ch < -tol) | (dis < -tol) | (ch > b.power_kw + tol) | (dis > b.power_kw + tol)
    out += [Violation("battery", f"battery power {ch[t]:.6g} kW in / {dis[t]:.6g} kW out is "
                      f"not within 0..{b.power_kw:g} kW", timestamp=hours[t])
            for t in np.flatnonzero(bad)[:20]]
    both = (ch > tol) & (dis > tol)
    out += [Violation("battery", f"battery charges {ch[t]:.6g} kW and discharges "
                      f"{dis[t]:.6g} kW in the same hour", timestamp=hours[t])
            for t in np.flatnonzero(both)[:20]]
    expect = stored_kwh(b.initial_kwh, b.charge_efficiency * ch, dis / b.discharge_efficiency)
    etol = DISPATCH_RTOL * max(b.energy_kwh, 1.0) * np.arange(1, len(ch) + 1) + 1e-6
    out += [Violation("battery", f"stored energy {soc[t]:.6g} kWh is not the recursion of "
                      f"its flows, {expect[t]:.6g} kWh", timestamp=hours[t])
            for t in np.flatnonzero(np.abs(soc - expect) > etol)[:20]]
    lo, hi = b.min_soc * b.energy_kwh, b.max_soc * b.energy_kwh
    out += [Violation("battery", f"stored energy {soc[t]:.6g} kWh is outside "
                      f"{lo:g}..{hi:g} kWh", timestamp=hours[t])
            for t in np.flatnonzero((soc < lo - etol) | (soc > hi + etol))[:20]]
    if len(soc) and soc[-1] < b.end_kwh - etol[-1]:
        out.append(Violation("battery", f"the battery ends at {soc[-1]:.6g} kWh, below its "
                             f"end state {b.end_kwh:.6g} kWh", timestamp=hours[-1]))
    return out


def _cold_violations(a: Assets, dispatch: Dispatch, load_kw, cc, cd, hours) -> list[Violation]:
    out: list[Violation] = []
    if not a.has_cold:
        if np.any(np.abs(dispatch.cold_charge_kw_th) > VALIDATE_EPS_KW) or np.any(
                np.abs(dispatch.cold_discharge_kw_th) > VALIDATE_EPS_KW):
            out.append(Violation("cold_storage", "the cold tank runs but the site has none"))
        return out
    c = a.cold
    eps = DISPATCH_RTOL * max(c.power_kw_th, 1.0) + VALIDATE_EPS_KW
    unserved = ~c.serves[:, None] & ((cc > eps) | (cd > eps))
    for p, t in np.argwhere(unserved)[:20]:
        out.append(Violation("cold_storage", f"the tank serves pod #{p}, which it is not "
                             "connected to",
                             timestamp=hours[t]))
    chiller = c.chiller_load_kw_th + c.chiller_load_per_kw * load_kw
    spare = c.chiller_spare_kw_th - c.spare_per_kw * load_kw
    checks = (
        ((cc < -eps) | (cd < -eps)).any(0), "a negative charge or discharge",
        (cc.sum(0) > c.power_kw_th + eps) | (cd.sum(0) > c.power_kw_th + eps),
        f"charge or discharge above the tank's {c.power_kw_th:g} kW_th",
        (cd > chiller + eps).any(0), "discharge above the chillers' load",
        (cc > spare + eps).any(0), "charge above the chillers' spare capacity",
    )
    for mask, what in zip(checks[::2], checks[1::2], strict=True):
        out += [Violation("cold_storage", f"cold tank: {what}", timestamp=hours[t])
                for t in np.flatnonzero(mask)[:20]]
    soc = dispatch.cold_soc_kwh_th
    expect = stored_kwh(c.initial_kwh_th, cc.sum(0), cd.sum(0), 1.0 - c.loss_per_h)
    etol = DISPATCH_RTOL * max(c.capacity_kwh_th, 1.0) * np.arange(1, len(soc) + 1) + 1e-6
    out += [Violation("cold_storage", f"stored cold {soc[t]:.6g} kWh_th is not the recursion "
                      f"of its flows, {expect[t]:.6g} kWh_th", timestamp=hours[t])
            for t in np.flatnonzero(np.abs(soc - expect) > etol)[:20]]
    out += [Violation("cold_storage", f"stored cold {soc[t]:.6g} kWh_th is outside "
                      f"0..{c.capacity_kwh_th:g} kWh_th", timestamp=hours[t])
            for t in np.flatnonzero((soc < -etol) | (soc > c.capacity_kwh_th + etol))[:20]]
    if len(soc) and soc[-1] < c.end_kwh_th - etol[-1]:
        out.append(Violation("cold_storage", f"the tank ends at {soc[-1]:.6g} kWh_th, below "
                             f"its end state {c.end_kwh_th:.6g} kWh_th", timestamp=hours[-1]))
    return out
