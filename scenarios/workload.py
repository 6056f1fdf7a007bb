"""The workload of a scenario: deferrable training jobs and the inference baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.instances import make_jobs
from optimizer.readers import read_jobs as read_jobs  # re-exported: the app reads jobs here
from scenarios.schema import Generator, PodSpec


def inference_compute_kw(
    spec: PodSpec, compute_design_kw: float, hours: pd.DatetimeIndex, tz: str
) -> np.ndarray:
    """Baseline (inference) compute load of a pod per hour [kW].

    A daily cycle around the mean utilisation, peaking at ``peak_hour`` local time
    (inference follows its users' day); clipped to the pod's capacity.
    """
    inf = spec.inference
    local_hour = hours.tz_convert(tz).hour.to_numpy()
    cycle = np.cos(2 * np.pi * (local_hour - inf.peak_hour) / 24.0)
    share = np.clip(inf.utilisation * (1.0 + inf.daily_swing * cycle), 0.0, 1.0)
    return share * compute_design_kw


def generate_jobs(spec: Generator, hours: pd.DatetimeIndex, pods: list[str]) -> pd.DataFrame:
    """Seeded random training jobs whose windows fit the run's hours (any pod allowed)."""
    return make_jobs(
        spec.count,
        hours,
        seed=spec.seed,
        preemptible_share=spec.preemptible_share,
        duration_h=spec.duration_h,
        slack_h=spec.slack_h,
        power_kw=spec.power_kw,
        pods=tuple(pods),
        pods_per_job=len(pods),
        max_interruptions=(spec.max_interruptions, spec.max_interruptions),
        restart_overhead_h=spec.restart_overhead_h,
    )


def expected_job_load(
    jobs: pd.DataFrame, hours: pd.DatetimeIndex, free_kw: pd.DataFrame
) -> pd.DataFrame:
    """The jobs' compute load if each spread its energy evenly over its window [kW].

    Each job's energy (power x duration) is spread over its window's hours and over its
    allowed pods in proportion to their free capacity. This is the operating point the
    facility is linearised around, so the scheduler's linear model stays accurate when
    jobs add far more load than the inference baseline.

    Parameters
    ----------
    jobs : DataFrame
        Columns job_id, release, deadline, duration_h, power_kw and optionally pods.
    hours : DatetimeIndex
    free_kw : DataFrame
        Hours x pods capacity left above the baseline [kW].
    """
    names = list(free_kw.columns)
    load = np.zeros((len(hours), len(names)))
    if jobs is None or len(jobs) == 0:
        return pd.DataFrame(load, index=hours, columns=names)
    start = hours[0]
    free = free_kw.to_numpy()
    for job in jobs.itertuples(index=False):
        r = int((pd.Timestamp(job.release) - start) / pd.Timedelta(hours=1))
        d = int((pd.Timestamp(job.deadline) - start) / pd.Timedelta(hours=1))
        r, d = max(r, 0), min(d, len(hours))
        if d <= r:
            continue
        allowed = getattr(job, "pods", None)
        if isinstance(allowed, str) and allowed.strip():
            cols = [names.index(p) for p in allowed.split("|") if p in names]
        else:
            cols = list(range(len(names)))
        if not cols:
            continue
        weights = np.maximum(free[r:d][:, cols].mean(axis=0), 0.0)
        weights = (
            weights / weights.sum() if weights.sum() > 0 else np.full(len(cols), 1 / len(cols))
        )
        per_hour = float(job.power_kw) * float(job.duration_h) / (d - r)
        load[r:d, cols] += per_hour * weights
    return pd.DataFrame(np.minimum(load, free), index=hours, columns=names)
