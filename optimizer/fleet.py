"""A fleet of sites: jobs moved across sites as well as across hours (East-Data-West).

A fleet is one :class:`optimizer.problem.Problem` whose pods belong to several sites.
Each site keeps what it has alone (its hourly price and carbon, facility factors, grid
limit, demand charge on its own monthly peaks); a job runs on exactly one pod of one
site it may use. Running away from home means moving the job's data first:

* it may start only once its data have arrived: ``arrival = release +
  ceil(data_tb x transfer_h_per_tb)`` hours at any site but home;
* moving costs ``data_tb x cost_per_tb`` [currency] and uses ``data_tb x
  energy_kwh_per_tb`` [kWh] of network energy, counted half at the sending (home) and
  half at the receiving site, at each site's mean price and carbon over the horizon (a
  few kWh per TB: too small to move a peak, so not placed in hours); each end's KPIs
  carry its half and half the transfer charge (:func:`network_by_site`);
* jobs of a latency class in ``Network.home_only_latency`` never leave home; a job's
  ``sites`` column (``|``-separated) limits where it may run (data residency).

Pods are named ``site/pod`` in the fleet's problem and schedule. :func:`at_home`
restricts every job to its home site: the "everything at home" baselines.
:func:`optimizer.fleet_validate.validate_fleet` checks a fleet schedule against the raw
inputs, site by site with :func:`optimizer.validate.validate`, plus the fleet's own rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimizer.errors import ScheduleInputError
from optimizer.options import DEFAULT_LIMITS, DEFAULT_OBJECTIVE, Limits, Objective
from optimizer.problem import JOB_COLUMNS, Pods, Problem, parse_jobs, prepare_problem

#: Network energy per TB moved between data centres [kWh/TB]: Aslan, Mayers, Koomey
#: and France (2018), "Electricity intensity of Internet data transmission: untangling
#: the estimates", J. Industrial Ecology 22(4): 0.06 kWh/GB in 2015, halving about every
#: two years; extrapolated to 2023 (0.06 / 2**4 kWh/GB = 3.75 kWh/TB). An upper figure for
#: a backbone link between hubs, which skips the access networks that dominate it.
ENERGY_KWH_PER_TB = 3.75
#: Hours to move one TB [h/TB]: a dedicated 10 Gbit/s link at about 90 % goodput
#: (8,000 Gbit / 9 Gbit/s = 0.25 h); an assumption, set it to the link you have.
TRANSFER_H_PER_TB = 0.25
#: Latency classes that never leave home (interactive work must stay near its users).
HOME_ONLY_LATENCY = ("interactive",)
#: Columns a fleet's jobs table may add to :data:`optimizer.problem.JOB_COLUMNS`.
FLEET_JOB_COLUMNS = ("home", "sites", "data_tb", "latency")
#: Separator of site and pod in a fleet's pod names.
POD_SEP = "/"


@dataclass(frozen=True)
class Network:
    """How jobs' data move between sites.

    Attributes
    ----------
    energy_kwh_per_tb : float
        Network energy per TB moved [kWh/TB], half at each end (:data:`ENERGY_KWH_PER_TB`).
    cost_per_tb : float
        Transfer charge per TB [currency/TB] (default 0: none unless given).
    transfer_h_per_tb : float
        Transfer time per TB [h/TB] (:data:`TRANSFER_H_PER_TB`).
    home_only_latency : tuple of str
        Latency classes (jobs' ``latency`` column) that never leave home.
    """

    energy_kwh_per_tb: float = ENERGY_KWH_PER_TB
    cost_per_tb: float = 0.0
    transfer_h_per_tb: float = TRANSFER_H_PER_TB
    home_only_latency: tuple[str, ...] = HOME_ONLY_LATENCY

    def __post_init__(self) -> None:
        for name in ("energy_kwh_per_tb", "cost_per_tb", "transfer_h_per_tb"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ScheduleInputError(f"network {name} must be a finite number >= 0, "
                                         f"got {value!r}")


@dataclass(frozen=True)
class Site:
    """One site of a fleet: what :func:`optimizer.solve_schedule` takes for one site.

    Attributes
    ----------
    name : str
        Unique; pods are ``name/pod`` in the fleet.
    signals : DataFrame
        Hourly price, carbon (and facility factor / fixed overhead) on the fleet's hours.
    pods : Pods or None
        The site's pods (None: one unlimited pod ``main``).
    limits : Limits
        The site's grid limit.
    demand_charge_per_kw : float
        The site's demand charge per kW of its monthly peak [currency / kW-month].
    open_share : float
        Share of each pod's job capacity (IT capacity and cooling room above the
        baseline) open to jobs moved here from another site [-]; 1: all of it.
    """

    name: str
    signals: pd.DataFrame
    pods: Pods | None = None
    limits: Limits = DEFAULT_LIMITS
    demand_charge_per_kw: float = 0.0
    open_share: float = 1.0

    def __post_init__(self) -> None:
        if not (isinstance(self.open_share, int | float) and 0 <= self.open_share <= 1):
            raise ScheduleInputError(f"site '{self.name}': open_share must be a share in "
                                     f"[0, 1], got {self.open_share!r}")


def pod_name(site: str, pod: str) -> str:
    """A fleet pod's name: ``site/pod``."""
    return f"{site}{POD_SEP}{pod}"


def split_pod(name: str) -> tuple[str, str]:
    """(site, pod) of a fleet pod's name."""
    site, _, pod = str(name).partition(POD_SEP)
    return site, pod


def _fleet_pods(parts: Sequence[Problem], sites: Sequence[Site]) -> tuple[str, ...]:
    return tuple(pod_name(s.name, p) for s, part in zip(sites, parts, strict=True)
                 for p in part.pods)


def _names(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    names = value.split("|") if isinstance(value, str) else list(value)
    return [str(n).strip() for n in names if str(n).strip()]


def _job_row(jobs: pd.DataFrame, i: int, column: str) -> str:
    return f"jobs row {i + 1} (job '{jobs['job_id'].iloc[i]}'), column '{column}'"


def job_sites(jobs: pd.DataFrame, site_names: Sequence[str],
              network: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each job's home site, the sites it may run at and its data [TB], checked.

    Returns
    -------
    home : ndarray of int (J,)
        Home site position (column ``home``; empty: the first site).
    may : ndarray of bool (J, S)
        Sites the job may run at: its ``sites`` (empty: all), only home for a latency
        class in ``network.home_only_latency``; home is always allowed.
    data_tb : ndarray (J,)
        Data to move [TB] (column ``data_tb``; empty: 0).
    """
    n, n_s = len(jobs), len(site_names)
    position = {name: k for k, name in enumerate(site_names)}
    home = np.zeros(n, dtype=np.int64)
    may = np.ones((n, n_s), dtype=bool)
    data_tb = np.zeros(n)
    for i in range(n):
        if "home" in jobs.columns:
            names = _names(jobs["home"].iloc[i])
            if len(names) > 1 or (names and names[0] not in position):
                raise ScheduleInputError(
                    f"{_job_row(jobs, i, 'home')}: {jobs['home'].iloc[i]!r} is not one site of "
                    f"the fleet ({', '.join(site_names)})")
            home[i] = position[names[0]] if names else 0
        if "sites" in jobs.columns:
            names = _names(jobs["sites"].iloc[i])
            unknown = [x for x in names if x not in position]
            if unknown:
                raise ScheduleInputError(
                    f"{_job_row(jobs, i, 'sites')}: unknown site(s) {unknown}; the fleet's "
                    f"sites are {list(site_names)}")
            if names:
                may[i] = False
                may[i, [position[x] for x in names]] = True
                if not may[i, home[i]]:
                    raise ScheduleInputError(
                        f"{_job_row(jobs, i, 'sites')}: the job's home "
                        f"'{site_names[home[i]]}' is not among its allowed sites {names}; "
                        "add it (a job can always run where its data are)")
        if "latency" in jobs.columns:
            latency = jobs["latency"].iloc[i]
            home_only = {c.strip().casefold() for c in network.home_only_latency}
            if isinstance(latency, str) and latency.strip().casefold() in home_only:
                may[i] = False
        may[i, home[i]] = True
        if "data_tb" in jobs.columns:
            raw = jobs["data_tb"].iloc[i]
            value = 0.0 if raw is None or (isinstance(raw, float) and np.isnan(raw)) or (
                isinstance(raw, str) and not raw.strip()) else pd.to_numeric(raw, errors="coerce")
            if not (np.isfinite(value) and value >= 0):
                raise ScheduleInputError(f"{_job_row(jobs, i, 'data_tb')}: {raw!r} must be a "
                                         "number of TB >= 0 (or empty for none)")
            data_tb[i] = float(value)
    return home, may, data_tb


def transfer_h(data_tb: np.ndarray, network: Network) -> np.ndarray:
    """Whole hours to move each job's data [h] (rounded up to the hour grid)."""
    return np.ceil(np.asarray(data_tb) * network.transfer_h_per_tb - 1e-9).astype(np.int64)


def prepare_fleet(jobs: pd.DataFrame, sites: Sequence[Site],
                  objective: Objective = DEFAULT_OBJECTIVE,
                  network: Network | None = None) -> Problem:
    """Check a fleet's inputs and build its :class:`Problem` (pods ``site/pod``).

    Parameters
    ----------
    jobs : DataFrame
        :func:`optimizer.problem.parse_jobs`'s columns plus optionally ``home`` (a site
        name), ``sites`` (``|``-separated site names), ``data_tb`` [TB] and
        ``latency`` (a class; see :class:`Network`). A ``pods`` column names fleet pods
        (``site/pod``) or plain pod names, which match that pod at every allowed site.
    sites : sequence of Site
        At least one; every site's signals on the same hours.
    objective : Objective
        Weights; each site's own ``demand_charge_per_kw`` replaces the objective's.
    network : Network, optional
        How data move (defaults: :class:`Network`).

    Raises
    ------
    ScheduleInputError
        Naming the site, job row or column.
    """
    network = Network() if network is None else network
    if not sites:
        raise ScheduleInputError("a fleet needs at least one site")
    names = [s.name for s in sites]
    bad = [n for n in names if not n or POD_SEP in n]
    if bad or len(set(names)) != len(names):
        raise ScheduleInputError(f"site names must be unique, non-empty and without "
                                 f"'{POD_SEP}', got {names}")
    hours = sites[0].signals.index
    for s in sites[1:]:
        if not s.signals.index.equals(hours):
            raise ScheduleInputError(
                f"site '{s.name}': its hours differ from site '{sites[0].name}''s; every site "
                "of a fleet runs on the same horizon (same start, length and hourly steps)")
    no_jobs = pd.DataFrame({c: pd.Series(dtype=object) for c in JOB_COLUMNS})
    parts = []
    for s in sites:
        try:
            parts.append(prepare_problem(no_jobs, s.signals, s.pods, s.limits, objective))
        except ScheduleInputError as exc:
            raise ScheduleInputError(f"site '{s.name}': {exc}") from None
    pods = _fleet_pods(parts, sites)
    pod_site = np.concatenate([np.full(len(p.pods), k) for k, p in enumerate(parts)])
    if not isinstance(jobs, pd.DataFrame):
        raise ScheduleInputError("jobs must be a DataFrame")
    jobs = jobs.reset_index(drop=True)
    plain = jobs.drop(columns=[c for c in ("pods",) if c in jobs.columns])
    arrays = parse_jobs(plain, hours, pods)
    home, may, data_tb = job_sites(jobs, names, network)
    allowed = may[:, pod_site] & _pod_filter(jobs, pods, pod_site, names)
    empty = np.flatnonzero(~allowed.any(1))
    if empty.size:
        i = empty[0]
        raise ScheduleInputError(f"{_job_row(jobs, i, 'pods')}: no pod of the job's allowed "
                                 "sites matches; name pods as 'site/pod' or a pod name")
    moved = pod_site[None, :] != home[:, None]  # (J, P)
    arrival = arrays.release[:, None] + np.where(moved, transfer_h(data_tb, network)[:, None], 0)
    price = np.stack([p.price_per_kwh[0].mean() for p in parts])
    carbon = np.stack([p.carbon_g_per_kwh[0].mean() for p in parts])
    end_kwh = 0.5 * network.energy_kwh_per_tb * data_tb[:, None] * moved  # at each end
    move_kwh = 2.0 * end_kwh
    move_cost = (network.cost_per_tb * data_tb[:, None] * moved
                 + end_kwh * (price[pod_site][None, :] + price[home][:, None]))
    move_kg = end_kwh * (carbon[pod_site][None, :] + carbon[home][:, None]) / 1e3
    arrays = replace(arrays, allowed=allowed, arrival=arrival.astype(np.int64),
                     move_cost=move_cost, move_kg=move_kg, move_kwh=move_kwh, home_site=home)
    first = parts[0]
    return replace(
        first,
        pods=pods,
        jobs=arrays,
        headroom_kw=np.vstack([p.headroom_kw for p in parts]),
        cooling_headroom_kw=np.vstack([p.cooling_headroom_kw for p in parts]),
        facility_factor=np.vstack([p.facility_factor for p in parts]),
        base_facility_kw=np.vstack([p.base_facility_kw for p in parts]),
        grid_limit_kw=np.vstack([p.grid_limit_kw for p in parts]),
        price_per_kwh=np.vstack([p.price_per_kwh for p in parts]),
        carbon_g_per_kwh=np.vstack([p.carbon_g_per_kwh for p in parts]),
        peak_floor_kw=np.vstack([p.peak_floor_kw for p in parts]),
        sites=tuple(names),
        pod_site=pod_site.astype(np.int64),
        site_demand_charge_per_kw=np.array([float(s.demand_charge_per_kw) for s in sites]),
        open_capacity_kw=_open_capacity(sites, pod_site, np.vstack(
            [np.minimum(p.headroom_kw, p.cooling_headroom_kw) for p in parts])),
    )


def _open_capacity(sites: Sequence[Site], pod_site: np.ndarray,
                   job_capacity_kw: np.ndarray) -> np.ndarray | None:
    """Moved jobs' room per pod and hour: each site's open share of the job capacity
    [kW] (P, T), inf at fully open sites; None when every site is fully open."""
    share = np.array([float(s.open_share) for s in sites])[pod_site][:, None]
    if (share >= 1).all():
        return None
    room = np.where(share > 0, share * np.maximum(job_capacity_kw, 0.0), 0.0)  # 0 x inf
    return np.where(share < 1, room, np.inf)


def _pod_filter(jobs: pd.DataFrame, pods: tuple[str, ...], pod_site: np.ndarray,
                site_names: Sequence[str]) -> np.ndarray:
    """(J, P) bool: the pods a job's ``pods`` column names (all when empty)."""
    out = np.ones((len(jobs), len(pods)), dtype=bool)
    if "pods" not in jobs.columns:
        return out
    plain = np.array([split_pod(p)[1] for p in pods], dtype=object)
    full = np.array(pods, dtype=object)
    for i, value in enumerate(jobs["pods"]):
        names = _names(value)
        if not names:
            continue
        known = set(plain) | set(full)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ScheduleInputError(f"{_job_row(jobs, i, 'pods')}: unknown pod(s) {unknown}; "
                                     f"the fleet's pods are {list(pods)}")
        out[i] = np.isin(full, names) | np.isin(plain, names)
    return out


def at_home(problem: Problem) -> Problem:
    """The fleet with every job kept at its home site (the "at home" baselines)."""
    jobs = problem.jobs
    home = problem.pod_site[None, :] == jobs.home_site[:, None]
    return replace(problem, jobs=replace(jobs, allowed=jobs.allowed & home))


def moved_jobs(problem: Problem, pod_of_job: np.ndarray) -> np.ndarray:
    """Bool per job: placed away from its home site (``pod_of_job`` -1 = not placed)."""
    placed = pod_of_job >= 0
    site = np.where(placed, problem.pod_site[np.maximum(pod_of_job, 0)], -1)
    return placed & (site != problem.jobs.home_site)


@dataclass(frozen=True)
class SiteNetwork:
    """One site's share of moving jobs' data (:class:`NetworkBySite`)."""

    energy_kwh: float  # [kWh]
    cost: float  # [currency]
    carbon_kg: float  # [kg CO2]


@dataclass(frozen=True)
class NetworkBySite:
    """What moving jobs' data uses at each site of a fleet, one entry per site (in
    ``Problem.sites`` order): the sending (home) and the receiving site each count half
    of a moved job's network energy at their own mean price and carbon (as the model
    prices it: :func:`prepare_fleet`) and half of its transfer charge. The entries add
    up to the schedule's ``move_kwh``, ``move_cost`` and ``move_kg``."""

    energy_kwh: np.ndarray  # (S,) [kWh]
    cost: np.ndarray  # (S,) [currency]
    carbon_kg: np.ndarray  # (S,) [kg CO2]

    def site(self, k: int) -> SiteNetwork:
        """The share of the site at position ``k``."""
        return SiteNetwork(float(self.energy_kwh[k]), float(self.cost[k]),
                           float(self.carbon_kg[k]))


def network_by_site(problem: Problem, pod_of_job: np.ndarray) -> NetworkBySite:
    """Each site's share of the network energy, cost and carbon of the placement
    ``pod_of_job`` (pod position per job, -1 = not placed)."""
    jobs, n_sites = problem.jobs, problem.n_sites
    placed = np.flatnonzero(pod_of_job >= 0)
    pod = pod_of_job[placed]
    ends = (jobs.home_site[placed], problem.pod_site[pod])  # sending, receiving
    end_kwh = jobs.move_kwh[placed, pod] / 2.0
    price = problem.price_per_kwh.mean(axis=1)
    carbon = problem.carbon_g_per_kwh.mean(axis=1)
    charge = jobs.move_cost[placed, pod] - end_kwh * (price[ends[0]] + price[ends[1]])
    energy, cost, kg = (np.zeros(n_sites) for _ in range(3))
    for site in ends:
        np.add.at(energy, site, end_kwh)
        np.add.at(cost, site, end_kwh * price[site] + charge / 2.0)
        np.add.at(kg, site, end_kwh * carbon[site] / 1e3)
    return NetworkBySite(energy_kwh=energy, cost=cost, carbon_kg=kg)
