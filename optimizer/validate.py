"""Independent check of a schedule against the raw inputs.

Written directly against the input tables with pandas: it shares no code with the
model, the baselines or the input preparation, so a bug there cannot hide here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.options import DEFAULT_LIMITS, Limits
from optimizer.problem import Pods

#: Slack on power comparisons [kW] (judgement: rounding noise only).
VALIDATE_EPS_KW = 1e-6

VIOLATION_KINDS = (
    "unknown_job", "unknown_pod", "off_grid", "duplicate_hour", "power", "window",
    "pod_split", "pod_not_allowed", "work", "contiguity", "interruptions",
    "pod_capacity", "cooling_capacity", "grid_limit",
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
             signals: pd.DataFrame, limits: Limits = DEFAULT_LIMITS) -> list[Violation]:
    """Every violation of the schedule's rules (empty list: the schedule is valid).

    Parameters
    ----------
    schedule : DataFrame
        job_id, pod, timestamp (start of the hour), power_kw [kW]; one row per job-hour.
    jobs, pods, signals, limits
        The inputs the schedule was made for (see :func:`optimizer.solve_schedule`).
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
    if limits.grid_limit_kw is not None:
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
        for ts, value in facility.items():
            if value > limits.grid_limit_kw + VALIDATE_EPS_KW:
                out.append(Violation("grid_limit", f"facility power {value:.6g} kW exceeds the "
                                     f"grid limit {limits.grid_limit_kw:g} kW at {ts}",
                                     timestamp=ts))
    return out
