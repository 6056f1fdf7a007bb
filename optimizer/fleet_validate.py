"""Independent check of a fleet schedule against the raw inputs (:mod:`optimizer.fleet`).

Each job runs at one site it may use (home, its ``sites``, never away from home for a
home-only latency class); at each site :func:`optimizer.validate.validate` checks that
site's jobs against its pods, signals and grid limit, with each moved job's release put
off by its data's transfer time; a site's open share caps the moved jobs' load. The
job rules are read again from the raw columns here, apart from
:func:`optimizer.fleet.job_sites`, so a bug in the input preparation cannot hide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from optimizer.fleet import FLEET_JOB_COLUMNS, POD_SEP, Network, Site, split_pod
from optimizer.validate import VALIDATE_EPS_KW, Violation, validate

FLEET_VIOLATION_KINDS = ("site_split", "site_not_allowed", "unknown_site", "open_share")


def validate_fleet(schedule: pd.DataFrame, jobs: pd.DataFrame, sites: Sequence[Site],
                   network: Network | None = None) -> list[Violation]:
    """Every broken rule of a fleet schedule, from the raw inputs (empty: valid).

    Each job runs at one site it may use (home, its ``sites``, never away from home
    for a home-only latency class); at each site, :func:`optimizer.validate.validate`
    checks that site's jobs against its pods, signals and grid limit, with each moved
    job's release put off by its data's transfer time (so a job starting before its
    data arrive breaks its window).

    Parameters
    ----------
    schedule : DataFrame
        job_id, pod (``site/pod``), timestamp, power_kw; one row per job-hour.
    jobs, sites, network
        As given to :func:`prepare_fleet`.
    """
    network = Network() if network is None else network
    names = [s.name for s in sites]
    out: list[Violation] = []
    sched = schedule.copy()
    sched["job_id"] = sched["job_id"].astype(str)
    split = sched["pod"].astype(str).map(split_pod)
    sched["site"] = [a for a, _ in split]
    sched["pod"] = [b for _, b in split]
    bad = ~sched["site"].isin(names)
    for row in sched[bad].itertuples():
        out.append(Violation("unknown_site", f"site '{row.site}' is not in the fleet",
                             row.job_id))
    sched = sched[~bad]
    table = jobs.reset_index(drop=True).assign(job_id=lambda f: f["job_id"].astype(str))
    home, may, delay_h = _raw_rules(table, names, network)
    site_of: dict[str, str] = {}
    for i, job_id in enumerate(table["job_id"]):
        used = sorted(set(sched.loc[sched["job_id"] == job_id, "site"]))
        if len(used) > 1:
            out.append(Violation("site_split", f"job '{job_id}' runs at sites {used}", job_id))
        for s in used:
            if not may[i, names.index(s)]:
                allowed = [names[k] for k in np.flatnonzero(may[i])]
                out.append(Violation("site_not_allowed", f"job '{job_id}' runs at site '{s}', "
                                     f"allowed {allowed}", job_id))
        site_of[job_id] = used[0] if used else names[home[i]]
    fleet_cols = [c for c in FLEET_JOB_COLUMNS if c in table.columns]
    for k, site in enumerate(sites):
        here_mask = np.array([site_of[j] == site.name for j in table["job_id"]], dtype=bool)
        mine = table[here_mask].copy()  # a row mask also without jobs (a list [] picks columns)
        idx = mine.index.to_numpy()
        away = home[idx] != k
        if away.any():
            shift = pd.to_timedelta(delay_h[idx] * away, unit="h")
            mine["release"] = [pd.Timestamp(r) + d for r, d in
                               zip(mine["release"], shift, strict=True)]
        if "pods" in mine.columns:
            mine["pods"] = [_site_pods(v, site.name) for v in mine["pods"]]
        here = sched[sched["site"] == site.name].drop(columns="site")
        out += validate(here, mine.drop(columns=fleet_cols), site.pods, site.signals,
                        site.limits)
        if site.open_share < 1 and site.pods is not None:
            moved_ids = set(table["job_id"][idx[away]])
            out += _open_share_violations(here[here["job_id"].isin(moved_ids)], site)
    return out


def _open_share_violations(moved: pd.DataFrame, site: Site) -> list[Violation]:
    """Moved jobs' load above the site's open share of each pod's job capacity."""
    pods = site.pods
    cap = pods.capacity_kw.rename(columns=str)
    room = cap if pods.cooling_capacity_kw is None else np.minimum(
        cap, pods.cooling_capacity_kw.rename(columns=str)[cap.columns].fillna(np.inf))
    if pods.baseline_kw is not None:
        room = room - pods.baseline_kw.rename(columns=str)[cap.columns]
    limit = site.open_share * room.clip(lower=0.0)
    if not len(moved):
        return []
    load = (moved.assign(timestamp=pd.to_datetime(moved["timestamp"]))
            .pivot_table(index="timestamp", columns="pod", values="power_kw", aggfunc="sum")
            .reindex(index=limit.index, columns=limit.columns).fillna(0.0))
    out = []
    for (ts, pod), excess in (load - limit).stack().items():
        if excess > VALIDATE_EPS_KW:
            out.append(Violation("open_share", f"jobs moved to site '{site.name}' use "
                                 f"{excess:.6g} kW above its open share on pod '{pod}' at {ts}",
                                 pod=pod, timestamp=ts))
    return out


def _raw_rules(table: pd.DataFrame, names: list[str], network: Network):
    """Each job's home, allowed sites and transfer hours, read again from the raw
    columns (written apart from :func:`job_sites`, so a bug there cannot hide here)."""
    def cell(column: str, i: int) -> str:
        value = table[column].iloc[i] if column in table.columns else None
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
            else str(value).strip()

    home_only = {c.strip().casefold() for c in network.home_only_latency}
    home, may, delay = [], [], []
    for i in range(len(table)):
        h = names.index(cell("home", i)) if cell("home", i) in names else 0
        listed = [x.strip() for x in cell("sites", i).split("|") if x.strip()]
        allowed = {names.index(x) for x in listed if x in names} or set(range(len(names)))
        if cell("latency", i).casefold() in home_only:
            allowed = set()
        allowed.add(h)
        tb = float(cell("data_tb", i) or 0.0)
        home.append(h)
        may.append([k in allowed for k in range(len(names))])
        delay.append(math.ceil(tb * network.transfer_h_per_tb - 1e-9))
    return np.array(home, dtype=int), np.array(may, dtype=bool).reshape(len(table), len(names)), \
        np.array(delay, dtype=int)


def _site_pods(value, site: str):
    """A job's ``pods`` entry as plain pod names at ``site``."""
    names = [] if value is None or (isinstance(value, float) and math.isnan(value)) else [
        n.strip() for n in str(value).split("|") if n.strip()]
    if not names:
        return value
    plain = [split_pod(n)[1] if POD_SEP in n else n for n in names
             if POD_SEP not in n or split_pod(n)[0] == site]
    return "|".join(plain) if plain else value
