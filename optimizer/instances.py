"""Seeded random scheduling instances for tests, benchmarks and scenario defaults.

Everything is drawn from ``numpy.random.default_rng(seed)``: the same arguments give the
same instance on every machine. Signals have a daily price shape and a carbon curve
with a midday solar dip (judgement: shapes typical of a grid with solar and time-of-use
tariffs, not data of any real grid).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.problem import Pods


@dataclass(frozen=True)
class Instance:
    """A generated instance: the inputs of :func:`optimizer.solve_schedule`."""

    jobs: pd.DataFrame
    signals: pd.DataFrame
    pods: Pods


def hourly_index(n_hours: int, start: str = "2025-07-01T00:00", tz: str = "Asia/Shanghai"):
    """A tz-aware hourly DatetimeIndex of ``n_hours`` hours."""
    return pd.date_range(pd.Timestamp(start, tz=tz), periods=n_hours, freq="h")


def make_signals(n_hours: int, seed: int = 0, start: str = "2025-07-01T00:00",
                 tz: str = "Asia/Shanghai") -> pd.DataFrame:
    """Hourly price [currency/kWh], carbon [g/kWh] and facility factor [-]."""
    rng = np.random.default_rng(seed)
    hours = hourly_index(n_hours, start, tz)
    h = np.asarray(hours.hour)
    price = 0.6 + 0.35 * np.sin((h - 10) / 24 * 2 * np.pi) + 0.05 * rng.standard_normal(n_hours)
    carbon = 550 - 200 * np.exp(-(((h - 13) / 3.0) ** 2)) + 30 * rng.standard_normal(n_hours)
    ff = 1.25 + 0.1 * np.sin((h - 9) / 24 * 2 * np.pi) + 0.01 * rng.standard_normal(n_hours)
    return pd.DataFrame(
        {
            "price_per_kwh": np.round(np.maximum(price, 0.05), 4),
            "carbon_g_per_kwh": np.round(np.maximum(carbon, 50.0), 1),
            "facility_factor": np.round(ff, 4),
        },
        index=hours,
    )


def make_jobs(n_jobs: int, hours: pd.DatetimeIndex, seed: int = 0, *,
              preemptible_share: float = 0.5, duration_h: tuple[int, int] = (2, 16),
              slack_h: tuple[int, int] = (4, 48), power_kw: tuple[float, float] = (50, 400),
              pods: tuple[str, ...] = ("main",), pods_per_job: int = 2,
              max_interruptions: tuple[int, int] | None = (1, 4),
              restart_overhead_h: float = 0.0) -> pd.DataFrame:
    """Random jobs whose windows fit the grid.

    Parameters
    ----------
    duration_h, slack_h : (int, int)
        Inclusive ranges of work hours and of extra window hours [h].
    power_kw : (float, float)
        Range of job IT power [kW] (rounded to 10 kW).
    pods_per_job : int
        Allowed pods per job (drawn without replacement; all if >= number of pods).
    max_interruptions : (int, int) or None
        Range of interruption limits of preemptible jobs; None for unlimited.
    """
    rng = np.random.default_rng(seed)
    n_t = len(hours)
    dur = rng.integers(duration_h[0], duration_h[1] + 1, n_jobs)
    dur = np.minimum(dur, n_t)
    slack = rng.integers(slack_h[0], slack_h[1] + 1, n_jobs)
    window = np.minimum(dur + slack, n_t)
    release = (rng.random(n_jobs) * (n_t - window + 1)).astype(np.int64)
    deadline = release + window
    power = np.round(rng.uniform(power_kw[0], power_kw[1], n_jobs) / 10) * 10
    pre = rng.random(n_jobs) < preemptible_share
    if max_interruptions is None:
        max_int = [None] * n_jobs
    else:
        drawn = rng.integers(max_interruptions[0], max_interruptions[1] + 1, n_jobs)
        max_int = [int(k) if p else None for k, p in zip(drawn, pre, strict=True)]
    k = min(pods_per_job, len(pods))
    allowed = ["|".join(sorted(rng.choice(pods, size=k, replace=False))) for _ in range(n_jobs)]
    return pd.DataFrame(
        {
            "job_id": [f"job{i:05d}" for i in range(n_jobs)],
            "release": hours[release],
            "deadline": [hours[0] + pd.Timedelta(hours=int(d)) for d in deadline],
            "duration_h": dur.astype(np.int64),
            "power_kw": power,
            "preemptible": pre,
            "max_interruptions": pd.array(max_int, dtype="Int64"),
            "restart_overhead_h": np.where(pre, restart_overhead_h, 0.0),
            "pods": allowed,
        }
    )


def make_pods(hours: pd.DatetimeIndex, names: tuple[str, ...], capacity_kw: float,
              baseline_share: float = 0.3, cooling_dip: float = 0.0, seed: int = 0) -> Pods:
    """Pods with a daily baseline (inference) load and cooling that shrinks at midday.

    Parameters
    ----------
    capacity_kw : float
        IT capacity of each pod [kW].
    baseline_share : float
        Mean baseline load as a share of capacity [-].
    cooling_dip : float
        Share of capacity the cooling loses in the hottest hour (15:00) [-].
    """
    rng = np.random.default_rng(seed)
    h = np.asarray(hours.hour)
    n = len(names)
    cap = np.full((len(hours), n), float(capacity_kw))
    daily = 1 + 0.3 * np.sin((h - 8) / 24 * 2 * np.pi)
    base = capacity_kw * baseline_share * daily[:, None] * rng.uniform(0.8, 1.2, n)[None, :]
    heat = np.exp(-(((h - 15) / 4.0) ** 2))
    cooling = capacity_kw * (1 - cooling_dip * heat)[:, None] * np.ones(n)[None, :]
    frame = lambda a: pd.DataFrame(np.round(a, 3), index=hours, columns=list(names))  # noqa: E731
    return Pods(capacity_kw=frame(cap), baseline_kw=frame(base),
                cooling_capacity_kw=frame(cooling) if cooling_dip > 0 else None)


def make_instance(n_jobs: int, n_hours: int, seed: int = 0, *, n_pods: int = 4,
                  preemptible_share: float = 0.0, tightness: float = 0.7,
                  cooling_dip: float = 0.15, **job_kwargs) -> Instance:
    """A capacity-coupled instance: pods sized so the jobs compete for room.

    Parameters
    ----------
    tightness : float
        Mean job IT energy per hour over the jobs' free pod capacity [-]; above ~0.5
        jobs compete for the cheap hours (judgement).
    """
    hours = hourly_index(n_hours)
    names = tuple(f"pod{i + 1}" for i in range(n_pods))
    signals = make_signals(n_hours, seed)
    jobs = make_jobs(n_jobs, hours, seed, preemptible_share=preemptible_share, pods=names,
                     **job_kwargs)
    work_kwh = float((jobs["duration_h"] * jobs["power_kw"]).sum())
    free_share = 0.7  # 1 - baseline share (0.3 below)
    capacity = work_kwh / n_hours / n_pods / free_share / max(tightness, 1e-3)
    capacity = max(capacity, 3.0 * float(jobs["power_kw"].max()))  # hot-hour room >= job
    pods = make_pods(hours, names, round(capacity, -1), baseline_share=0.3,
                     cooling_dip=cooling_dip, seed=seed)
    return Instance(jobs=jobs, signals=signals, pods=pods)


#: China's 2023 regional grid factors [g CO2/kWh] (MEE, reference/kpis-policy.md): North,
#: East, South, Southwest, Northwest, Northeast, Central, national; a fleet instance's
#: sites take them in turn, so their carbon differs as China's hubs' does.
FLEET_CARBON_G_PER_KWH = (636.1, 550.0, 404.2, 247.2, 554.3, 512.2, 527.1, 530.6)


def make_fleet_instance(n_sites: int, n_jobs: int, n_hours: int, seed: int = 0, *,
                        n_pods: int = 2, preemptible_share: float = 0.0,
                        tightness: float = 0.3, data_tb: tuple[float, float] = (0.5, 20.0),
                        **job_kwargs):
    """A fleet of ``n_sites`` capacity-coupled sites sharing ``n_jobs`` jobs.

    Each site is a :func:`make_instance` site (its own seeded price curve and pods),
    with its carbon scaled to a Chinese regional factor in turn
    (:data:`FLEET_CARBON_G_PER_KWH`) and a facility factor falling from east to west
    (1.25 to 1.10 on average: a cooler climate). Jobs come from the first half of the
    sites (the "east"), may run at any site, and carry ``data_tb`` TB of data.

    Returns
    -------
    jobs : DataFrame
        With ``home`` and ``data_tb`` (no ``pods``: any pod of a site).
    sites : list of optimizer.fleet.Site
    """
    from optimizer.fleet import Site

    hours = hourly_index(n_hours)
    rng = np.random.default_rng([seed, n_sites])
    jobs = make_jobs(n_jobs, hours, seed, preemptible_share=preemptible_share,
                     **job_kwargs).drop(columns="pods")
    east = max(n_sites // 2, 1)
    jobs["home"] = [f"site{i % east + 1}" for i in range(n_jobs)]
    jobs["data_tb"] = np.round(rng.uniform(data_tb[0], data_tb[1], n_jobs), 2)
    work_kwh = float((jobs["duration_h"] * jobs["power_kw"]).sum())
    capacity = work_kwh / n_hours / (n_pods * n_sites) / 0.7 / max(tightness, 1e-3)
    capacity = max(capacity, 3.0 * float(jobs["power_kw"].max()))
    sites = []
    for k in range(n_sites):
        signals = make_signals(n_hours, seed + 101 * k)
        factor = FLEET_CARBON_G_PER_KWH[k % len(FLEET_CARBON_G_PER_KWH)]
        signals["carbon_g_per_kwh"] = np.round(signals["carbon_g_per_kwh"] * factor / 500.0, 1)
        west = k / max(n_sites - 1, 1)
        signals["facility_factor"] = np.round(signals["facility_factor"] - 0.15 * west, 4)
        names = tuple(f"pod{i + 1}" for i in range(n_pods))
        pods = make_pods(hours, names, round(capacity, -1), baseline_share=0.3,
                         cooling_dip=0.15, seed=seed + k)
        sites.append(Site(f"site{k + 1}", signals, pods, demand_charge_per_kw=30.0))
    return jobs, sites
