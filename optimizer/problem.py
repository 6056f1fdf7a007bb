"""Input tables -> one checked, array-based scheduling problem.

The user-facing inputs are plain pandas objects (a jobs table, hourly signals, pods);
:func:`prepare_problem` checks them, names what is wrong (:class:`ScheduleInputError`),
and turns them into :class:`Problem`, a frozen bundle of numpy arrays on the hour grid
that the model, the baselines and the metrics share.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from optimizer.assets import NO_ASSETS, Assets
from optimizer.errors import ScheduleInputError
from optimizer.options import DEFAULT_LIMITS, DEFAULT_OBJECTIVE, Limits, Objective

#: Sentinel for "no limit on the number of runs" of a preemptible job.
UNLIMITED_STARTS = 10**9
#: Name of the single pod used when no pods are given.
DEFAULT_POD = "main"
#: Name of the single site of a problem that is not a fleet.
DEFAULT_SITE = "site"
JOB_COLUMNS = ("job_id", "release", "deadline", "duration_h", "power_kw", "preemptible")
#: Columns a jobs table may add (see :func:`parse_jobs`).
JOB_OPTIONAL_COLUMNS = ("max_interruptions", "restart_overhead_h", "pods")
SIGNAL_COLUMNS = ("price_per_kwh", "carbon_g_per_kwh")


def _read_only(values: np.ndarray) -> np.ndarray:
    """``values`` made read-only: a cached derived array must not be changed in place."""
    values.setflags(write=False)
    return values


@dataclass(frozen=True)
class Pods:
    """Pods of a site, hour by hour (DataFrames: index = signals' hours, columns = pods).

    Attributes
    ----------
    capacity_kw : DataFrame
        IT power the pod can host [kW] (total: baseline + jobs).
    baseline_kw : DataFrame or None
        Fixed (inference) IT load [kW]; zero when None.
    cooling_capacity_kw : DataFrame or None
        Largest total IT load (baseline + jobs) the cooling can carry that hour [kW];
        unlimited when None or NaN.
    facility_factor : DataFrame or None
        Facility kWh per IT kWh of the pod [-]; when None the signals' site-wide
        ``facility_factor`` column applies (1 if absent).
    fixed_overhead_kw : DataFrame or None
        Fixed facility overhead of the pod [kW]; when None the signals' site-wide
        ``fixed_overhead_kw`` column applies (0 if absent).
    """

    capacity_kw: pd.DataFrame
    baseline_kw: pd.DataFrame | None = None
    cooling_capacity_kw: pd.DataFrame | None = None
    facility_factor: pd.DataFrame | None = None
    fixed_overhead_kw: pd.DataFrame | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.capacity_kw.columns)


def pods_from_table(table: pd.DataFrame, hours: pd.DatetimeIndex) -> Pods:
    """Pods with constant hourly values from a table with one row per pod.

    Parameters
    ----------
    table : DataFrame
        Columns ``pod``, ``capacity_kw`` [kW] and optionally ``cooling_capacity_kw``
        [kW], ``baseline_kw`` [kW].
    hours : DatetimeIndex
        The hour grid (the signals' index).
    """
    if "pod" not in table.columns or "capacity_kw" not in table.columns:
        raise ScheduleInputError("pods table needs columns 'pod' and 'capacity_kw'")
    names = [str(p) for p in table["pod"]]

    def frame(column: str) -> pd.DataFrame | None:
        if column not in table.columns:
            return None
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        return pd.DataFrame(np.tile(values, (len(hours), 1)), index=hours, columns=names)

    return Pods(
        capacity_kw=frame("capacity_kw"),
        baseline_kw=frame("baseline_kw"),
        cooling_capacity_kw=frame("cooling_capacity_kw"),
    )


@dataclass(frozen=True)
class JobArrays:
    """Jobs as arrays (one entry per job, hour positions on the problem's grid).

    ``release`` and ``deadline`` are hour positions: the job may run in hours
    ``release <= t < deadline``. The rolling horizon adds state: ``done_h`` work hours
    already done, ``starts_done`` runs already started, ``running_before`` whether the
    job ran in the hour before the grid starts (then it must stay on ``pinned_pod``),
    ``soft`` non-preemptible jobs whose deadline lies beyond the grid (they need not
    start here; not starting costs ``defer_cost``). A preemptible job is never soft: the
    rolling horizon plans it only once its deadline is inside the window.

    A fleet (:mod:`optimizer.fleet`) adds, per job and pod, ``arrival`` the first hour
    the job may run there (its release plus the time its data take to reach the pod's
    site) and what running there costs beyond the pod's energy: ``move_cost``
    [currency], ``move_kg`` [kg CO2] and ``move_kwh`` [kWh] of moving its data (zero at
    home), and ``home_site`` its home site's position. Without them every pod's arrival
    is the release and moving costs nothing.
    """

    ids: tuple[str, ...]
    release: np.ndarray
    deadline: np.ndarray
    duration_h: np.ndarray
    power_kw: np.ndarray
    preemptible: np.ndarray
    max_starts: np.ndarray
    overhead_h: np.ndarray
    allowed: np.ndarray  # bool (J, P)
    done_h: np.ndarray = field(default=None)  # type: ignore[assignment]
    starts_done: np.ndarray = field(default=None)  # type: ignore[assignment]
    running_before: np.ndarray = field(default=None)  # type: ignore[assignment]
    pinned_pod: np.ndarray = field(default=None)  # type: ignore[assignment]
    soft: np.ndarray = field(default=None)  # type: ignore[assignment]
    defer_cost: np.ndarray = field(default=None)  # type: ignore[assignment]
    arrival: np.ndarray = field(default=None)  # type: ignore[assignment]  # (J, P) int
    move_cost: np.ndarray = field(default=None)  # type: ignore[assignment]  # (J, P)
    move_kg: np.ndarray = field(default=None)  # type: ignore[assignment]  # (J, P)
    move_kwh: np.ndarray = field(default=None)  # type: ignore[assignment]  # (J, P)
    home_site: np.ndarray = field(default=None)  # type: ignore[assignment]  # (J,) int

    def __post_init__(self) -> None:
        n, n_p = len(self.ids), self.allowed.shape[1]
        defaults = {
            "arrival": np.repeat(np.asarray(self.release, dtype=np.int64)[:, None], n_p, 1),
            "move_cost": np.zeros((n, n_p)),
            "move_kg": np.zeros((n, n_p)),
            "move_kwh": np.zeros((n, n_p)),
            "home_site": np.zeros(n, dtype=np.int64),
            "done_h": np.zeros(n),
            "starts_done": np.zeros(n, dtype=np.int64),
            "running_before": np.zeros(n, dtype=bool),
            "pinned_pod": np.full(n, -1, dtype=np.int64),
            "soft": np.zeros(n, dtype=bool),
            "defer_cost": np.zeros(n),
        }
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, index: np.ndarray) -> JobArrays:
        """The jobs at positions ``index``."""
        index = np.asarray(index, dtype=np.int64)
        values = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            values[name] = tuple(value[i] for i in index) if name == "ids" else value[index]
        return JobArrays(**values)

    def pods_of(self, j: int) -> np.ndarray:
        """Positions of the pods job ``j`` may run on: the pod it is pinned to (a
        preemptible job that ran before the grid stays on its pod), else its allowed pods."""
        if self.pinned_pod[j] >= 0:
            return np.array([self.pinned_pod[j]])
        return np.flatnonzero(self.allowed[j])

    def usable_pods(self) -> np.ndarray:
        """(J, P) bool: :meth:`pods_of` of every job."""
        usable = self.allowed.copy()
        pinned = np.flatnonzero(self.pinned_pod >= 0)
        usable[pinned] = False
        usable[pinned, self.pinned_pod[pinned]] = True
        return usable

    def first_hour(self, j: int, p: int) -> int:
        """First hour job ``j`` may run on pod ``p``: its release, later on a pod whose
        site its data must first reach."""
        return int(max(self.release[j], self.arrival[j, p]))

    @cached_property
    def moves(self) -> bool:
        """Whether any pod costs a job a move or a later start (a fleet)."""
        return bool((self.arrival > self.release[:, None]).any() or self.move_cost.any()
                    or self.move_kg.any())

    def required_h(self) -> np.ndarray:
        """Work hours still needed if no further run starts (float) [h]."""
        return self.duration_h + self.overhead_h * np.maximum(self.starts_done - 1, 0) - self.done_h


@dataclass(frozen=True)
class Problem:
    """A checked scheduling problem on an hourly grid (arrays, pods x hours).

    A problem has one or more sites (a fleet, :mod:`optimizer.fleet`); every pod belongs
    to one (``pod_site``). What is billed, limited or emitted is a site's: its facility
    power without jobs, grid limit, price, carbon and monthly peaks are rows of (S, T)
    and (S, M) arrays. A single-site problem has S = 1.
    """

    hours: pd.DatetimeIndex
    pods: tuple[str, ...]
    jobs: JobArrays
    headroom_kw: np.ndarray  # (P, T) pod IT capacity minus baseline [kW]
    cooling_headroom_kw: np.ndarray  # (P, T) cooling capacity minus baseline [kW], inf if none
    facility_factor: np.ndarray  # (P, T) facility kWh per IT kWh [-]
    base_facility_kw: np.ndarray  # (S, T) facility power without jobs [kW]
    grid_limit_kw: np.ndarray  # (S, T) site grid limit on facility power [kW], inf if none
    price_per_kwh: np.ndarray  # (S, T)
    carbon_g_per_kwh: np.ndarray  # (S, T)
    month: np.ndarray  # (T,) calendar-month code 0..M-1
    month_labels: tuple[str, ...]
    peak_floor_kw: np.ndarray  # (S, M) committed peak (rolling) [kW]
    month_share: np.ndarray  # (M,) share of each billing month's hours in the horizon [-]
    objective: Objective = DEFAULT_OBJECTIVE
    assets: Assets = NO_ASSETS  # battery, cold tank, on-site generation (optimizer.assets)
    sites: tuple[str, ...] = (DEFAULT_SITE,)
    pod_site: np.ndarray = field(default=None)  # type: ignore[assignment]  # (P,) site of each pod
    #: (S,) each site's demand charge [currency / kW-month]; None: the objective's.
    site_demand_charge_per_kw: np.ndarray | None = None
    #: (P, T) IT power jobs moved from another site may use per pod and hour [kW]: the
    #: site's open share of the job capacity (a fleet's ``open_share``), less moved load a
    #: rolling horizon committed earlier; inf where all is open. None: all open.
    open_capacity_kw: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.pod_site is None:
            object.__setattr__(self, "pod_site", np.zeros(len(self.pods), dtype=np.int64))

    @property
    def n_hours(self) -> int:
        return len(self.hours)

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    @property
    def is_fleet(self) -> bool:
        return len(self.sites) > 1

    @property
    def energy_weight_per_kwh(self) -> np.ndarray:
        """Objective weight of one facility kWh at each site and hour [currency / kWh]
        (S, T)."""
        o = self.objective
        return o.cost_weight * self.price_per_kwh + (
            o.carbon_weight * o.carbon_price_per_t * self.carbon_g_per_kwh / 1e6
        )

    @cached_property
    def pod_energy_weight(self) -> np.ndarray:
        """Objective weight of one IT kWh on each pod and hour: its site's energy weight
        times the pod's facility factor [currency / kWh] (P, T); computed once, read-only
        (the placement rules read it per job)."""
        return _read_only(self.energy_weight_per_kwh[self.pod_site] * self.facility_factor)

    @cached_property
    def move_weight(self) -> np.ndarray:
        """Objective weight of running each job on each pod beyond its energy: moving
        its data there (cost and carbon) [currency] (J, P); zero outside a fleet."""
        o, jobs = self.objective, self.jobs
        return _read_only(o.cost_weight * jobs.move_cost
                          + o.carbon_weight * o.carbon_price_per_t * jobs.move_kg / 1e3)

    @property
    def demand_charge_per_kw(self) -> np.ndarray:
        """Each site's monthly demand charge [currency / kW-month] (S,)."""
        if self.site_demand_charge_per_kw is not None:
            return np.asarray(self.site_demand_charge_per_kw, dtype=float)
        return np.full(self.n_sites, float(self.objective.demand_charge_per_kw))

    @property
    def demand_rate_per_kw(self) -> np.ndarray:
        """Demand charge billed per kW of each site's and month's peak for this horizon
        [currency / kW] (S, M): the monthly charge times the month's share in the
        horizon ("prorated" billing) or the whole charge ("full_month")."""
        charge = self.demand_charge_per_kw[:, None]
        if self.objective.billing == "full_month":
            return np.broadcast_to(charge, (self.n_sites, len(self.month_share))).copy()
        return charge * self.month_share[None, :]

    @property
    def demand_weight_per_kw(self) -> np.ndarray:
        """Objective weight of one kW of each site's monthly peak [currency / kW] (S, M)."""
        return self.objective.cost_weight * self.demand_rate_per_kw

    @property
    def has_demand_charge(self) -> bool:
        """Whether any month's peak carries a weight in the objective."""
        return bool(np.any(self.demand_weight_per_kw > 0))

    @cached_property
    def job_capacity_kw(self) -> np.ndarray:
        """IT power available to jobs per pod and hour (pod and cooling) [kW] (P, T);
        computed once, read-only."""
        return _read_only(np.minimum(self.headroom_kw, self.cooling_headroom_kw))

    @property
    def has_open_limit(self) -> bool:
        """Whether some site opens less than all its capacity to moved jobs."""
        return self.open_capacity_kw is not None and bool(np.isfinite(self.open_capacity_kw).any())

    @property
    def open_room_kw(self) -> np.ndarray:
        """IT power jobs moved from another site may still use per pod and hour [kW]
        (P, T); inf where the whole capacity is open."""
        if self.open_capacity_kw is None:
            return np.full(self.headroom_kw.shape, np.inf)
        return self.open_capacity_kw

    def is_moved(self, job, pod) -> np.ndarray:
        """Whether job(s) on pod(s) run away from their home site (arrays broadcast)."""
        return self.pod_site[pod] != self.jobs.home_site[job]

    def site_total(self, per_pod: np.ndarray) -> np.ndarray:
        """Sum of a (P, T) array over each site's pods (S, T)."""
        out = np.zeros((self.n_sites, per_pod.shape[1]))
        np.add.at(out, self.pod_site, per_pod)
        return out

    def with_objective(self, objective: Objective) -> Problem:
        return replace(self, objective=objective)


# --------------------------------------------------------------------------- checks


def _hour_grid(signals: pd.DataFrame) -> pd.DatetimeIndex:
    index = signals.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ScheduleInputError(
            "signals must be indexed by tz-aware hourly timestamps (a DatetimeIndex with a "
            "time zone); localise or parse the timestamps with their UTC offset"
        )
    if len(index) == 0:
        raise ScheduleInputError("signals have no rows: give at least one hour")
    if len(index) > 1:
        steps = np.diff(index.asi8)
        bad = np.flatnonzero(steps != 3_600_000_000_000 // _unit_divisor(index))
        if bad.size:
            raise ScheduleInputError(
                f"signals must be hourly and consecutive: row {bad[0] + 1} "
                f"({index[bad[0] + 1].isoformat()}) does not follow "
                f"{index[bad[0]].isoformat()} by one hour"
            )
    if index[0] != index[0].floor("h"):
        raise ScheduleInputError("signals timestamps must lie on the hour (minute 0)")
    return index


def _unit_divisor(index: pd.DatetimeIndex) -> int:
    unit = np.datetime_data(index.dtype.base if hasattr(index.dtype, "base") else index.dtype)[0]
    return {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}[unit]


def _numeric_column(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ScheduleInputError(
            f"{what} row {bad[0] + 1}, column '{column}': {frame[column].iloc[bad[0]]!r} is not "
            "a finite number"
        )
    return values


def _pod_frame(frame: pd.DataFrame | None, hours, pods, name, default) -> np.ndarray:
    if frame is None:
        return np.full((len(pods), len(hours)), default, dtype=float)
    if not isinstance(frame, pd.DataFrame):
        raise ScheduleInputError(f"pods {name} must be a DataFrame (hours x pods)")
    if not frame.index.equals(hours):
        raise ScheduleInputError(f"pods {name} must be indexed by the signals' hours")
    missing = [p for p in pods if p not in [str(c) for c in frame.columns]]
    if missing:
        raise ScheduleInputError(f"pods {name} has no column for pod(s) {missing}")
    frame = frame.rename(columns=str)
    values = frame[list(pods)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float).T
    if default == np.inf:
        values = np.where(np.isnan(values), np.inf, values)
    bad = np.argwhere(np.isnan(values))
    if bad.size:
        p, t = bad[0]
        raise ScheduleInputError(
            f"pods {name}: pod '{pods[p]}' at {hours[t].isoformat()} is not a number"
        )
    return values


def _site_column(signals, name, default, hours) -> np.ndarray:
    if name not in signals.columns:
        return np.full(len(hours), default, dtype=float)
    return _numeric_column(signals, name, "signals")


def _timestamps(jobs: pd.DataFrame, column: str, hours: pd.DatetimeIndex) -> np.ndarray:
    """Hour positions of a timestamp column of the jobs table, checked."""
    values = jobs[column]
    out = np.empty(len(jobs), dtype=np.int64)
    start = hours[0]
    for i, value in enumerate(values):
        job_row = f"jobs row {i + 1} (job '{jobs['job_id'].iloc[i]}'), column '{column}'"
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError) as exc:
            raise ScheduleInputError(f"{job_row}: {value!r} is not a timestamp ({exc})") from None
        if ts is pd.NaT or pd.isna(ts):
            raise ScheduleInputError(f"{job_row}: missing timestamp")
        if ts.tzinfo is None:
            raise ScheduleInputError(
                f"{job_row}: {value!r} has no UTC offset; write it ISO 8601 with its offset, "
                "e.g. 2025-07-01T08:00+08:00"
            )
        delta_h = (ts - start) / pd.Timedelta(hours=1)
        if delta_h != np.floor(delta_h):
            raise ScheduleInputError(f"{job_row}: {ts.isoformat()} is not on the hour grid")
        out[i] = int(delta_h)
    return out


def _allowed_pods(jobs: pd.DataFrame, pods: tuple[str, ...]) -> np.ndarray:
    allowed = np.ones((len(jobs), len(pods)), dtype=bool)
    if "pods" not in jobs.columns:
        return allowed
    position = {p: i for i, p in enumerate(pods)}
    for i, value in enumerate(jobs["pods"]):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        names = value.split("|") if isinstance(value, str) else list(value)
        names = [str(n).strip() for n in names if str(n).strip()]
        if not names:
            continue
        unknown = [n for n in names if n not in position]
        if unknown:
            raise ScheduleInputError(
                f"jobs row {i + 1} (job '{jobs['job_id'].iloc[i]}'), column 'pods': unknown "
                f"pod(s) {unknown}; known pods are {list(pods)}"
            )
        allowed[i] = False
        allowed[i, [position[n] for n in names]] = True
    return allowed


def parse_jobs(jobs: pd.DataFrame, hours: pd.DatetimeIndex, pods: tuple[str, ...]) -> JobArrays:
    """Check the jobs table and return it as arrays on the hour grid.

    Parameters
    ----------
    jobs : DataFrame
        Columns ``job_id``, ``release``, ``deadline`` (tz-aware timestamps on the hour
        grid), ``duration_h`` [h] (whole hours at full power), ``power_kw`` [kW],
        ``preemptible`` (bool) and optionally ``max_interruptions`` (int, empty =
        unlimited), ``restart_overhead_h`` [h] (extra work per resume), ``pods``
        (list or ``|``-separated names; empty = any pod).
    hours : DatetimeIndex
        The hour grid.
    pods : tuple of str
        Pod names.
    """
    if not isinstance(jobs, pd.DataFrame):
        raise ScheduleInputError("jobs must be a DataFrame")
    missing = [c for c in JOB_COLUMNS if c not in jobs.columns]
    if missing:
        raise ScheduleInputError(f"jobs table is missing column(s) {missing}")
    jobs = jobs.reset_index(drop=True)
    ids = tuple(str(j) for j in jobs["job_id"])
    seen: dict[str, int] = {}
    for i, job_id in enumerate(ids):
        if job_id in seen:
            raise ScheduleInputError(
                f"jobs row {i + 1}, column 'job_id': '{job_id}' repeats row {seen[job_id] + 1}; "
                "job ids must be unique"
            )
        seen[job_id] = i
    release = _timestamps(jobs, "release", hours)
    deadline = _timestamps(jobs, "deadline", hours)
    duration = _numeric_column(jobs, "duration_h", "jobs")
    power = _numeric_column(jobs, "power_kw", "jobs")
    preemptible = _bool_column(jobs, "preemptible")
    if "max_interruptions" in jobs.columns:
        raw = pd.to_numeric(jobs["max_interruptions"], errors="coerce").to_numpy(dtype=float)
        bad_text = jobs["max_interruptions"].notna().to_numpy() & np.isnan(raw)
        _reject(jobs, bad_text, "max_interruptions", "is not a whole number >= 0 (or empty)")
        _reject(jobs, (raw < 0) | (raw != np.floor(raw)) & ~np.isnan(raw), "max_interruptions",
                "must be a whole number >= 0 (or empty for unlimited)")
        max_starts = np.where(np.isnan(raw), UNLIMITED_STARTS, raw + 1).astype(np.int64)
    else:
        max_starts = np.full(len(jobs), UNLIMITED_STARTS, dtype=np.int64)
    if "restart_overhead_h" in jobs.columns:
        overhead = pd.to_numeric(jobs["restart_overhead_h"], errors="coerce").to_numpy(dtype=float)
        bad_text = jobs["restart_overhead_h"].notna().to_numpy() & np.isnan(overhead)
        _reject(jobs, bad_text, "restart_overhead_h", "is not a number")
        overhead = np.nan_to_num(overhead, nan=0.0)
        _reject(jobs, overhead < 0, "restart_overhead_h", "must be >= 0")
    else:
        overhead = np.zeros(len(jobs))
    _reject(jobs, (duration <= 0) | (duration != np.floor(duration)), "duration_h",
            "must be a whole number of hours > 0 (the schedule's grid is hourly)")
    _reject(jobs, power <= 0, "power_kw", "must be > 0")
    _reject(jobs, release < 0, "release", f"lies before the signals start ({hours[0].isoformat()})")
    end = len(hours)
    _reject(jobs, deadline > end, "deadline",
            f"lies after the signals end ({(hours[-1] + pd.Timedelta(hours=1)).isoformat()}); "
            "extend the signals or move the deadline")
    _reject(jobs, deadline <= release, "deadline", "must be after the release")
    allowed = _allowed_pods(jobs, pods)
    return JobArrays(
        ids=ids,
        release=release,
        deadline=deadline,
        duration_h=duration.astype(np.int64),
        power_kw=power,
        preemptible=preemptible,
        max_starts=max_starts,
        overhead_h=overhead,
        allowed=allowed,
    )


def _bool_column(jobs: pd.DataFrame, column: str) -> np.ndarray:
    out = np.empty(len(jobs), dtype=bool)
    truthy = {"true", "1", "yes", "y", "t"}
    falsy = {"false", "0", "no", "n", "f"}
    for i, value in enumerate(jobs[column]):
        if isinstance(value, bool | np.bool_):
            out[i] = bool(value)
            continue
        text = str(value).strip().lower()
        if text in truthy or text in falsy:
            out[i] = text in truthy
        else:
            raise ScheduleInputError(
                f"jobs row {i + 1} (job '{jobs['job_id'].iloc[i]}'), column '{column}': "
                f"{value!r} is not true/false"
            )
    return out


def _reject(jobs: pd.DataFrame, mask: np.ndarray, column: str, what: str) -> None:
    bad = np.flatnonzero(mask)
    if bad.size:
        i = bad[0]
        raise ScheduleInputError(
            f"jobs row {i + 1} (job '{jobs['job_id'].iloc[i]}'), column '{column}': "
            f"{jobs[column].iloc[i]!r} {what}"
        )


def prepare_problem(
    jobs: pd.DataFrame,
    signals: pd.DataFrame,
    pods: Pods | None = None,
    limits: Limits = DEFAULT_LIMITS,
    objective: Objective = DEFAULT_OBJECTIVE,
    assets: Assets | None = None,
) -> Problem:
    """Check all inputs and build the array-based :class:`Problem`.

    Parameters
    ----------
    jobs : DataFrame
        See :func:`parse_jobs`.
    signals : DataFrame
        Indexed by tz-aware consecutive hours; columns ``price_per_kwh``
        [currency / kWh], ``carbon_g_per_kwh`` [g CO2 / kWh] and optionally
        ``facility_factor`` [facility kWh per IT kWh] (default 1) and
        ``fixed_overhead_kw`` [kW] (default 0), both site-wide.
    pods : Pods or None
        Pod capacities; None means one pod ``main`` with unlimited capacity.
    limits : Limits
        Site grid limit.
    objective : Objective
        Objective weights.
    assets : Assets, optional
        Battery, cold-storage tank and on-site generation co-optimised with the jobs
        (:mod:`optimizer.assets`); None for none.

    Raises
    ------
    ScheduleInputError
        Naming the table, row, column and how to fix it.
    """
    if not isinstance(signals, pd.DataFrame):
        raise ScheduleInputError("signals must be a DataFrame indexed by hour")
    hours = _hour_grid(signals)
    missing = [c for c in SIGNAL_COLUMNS if c not in signals.columns]
    if missing:
        raise ScheduleInputError(f"signals are missing column(s) {missing}")
    price = _numeric_column(signals, "price_per_kwh", "signals")
    carbon = _numeric_column(signals, "carbon_g_per_kwh", "signals")
    if pods is None:
        inf = pd.DataFrame({DEFAULT_POD: np.full(len(hours), np.inf)}, index=hours)
        pods = Pods(capacity_kw=inf)
    names = pods.names
    if len(set(names)) != len(names) or not names:
        raise ScheduleInputError(f"pod names must be unique and non-empty, got {list(names)}")
    capacity = _pod_frame(pods.capacity_kw, hours, names, "capacity_kw", np.inf)
    baseline = _pod_frame(pods.baseline_kw, hours, names, "baseline_kw", 0.0)
    cooling = _pod_frame(pods.cooling_capacity_kw, hours, names, "cooling_capacity_kw", np.inf)
    site_ff = _site_column(signals, "facility_factor", 1.0, hours)
    site_fixed = _site_column(signals, "fixed_overhead_kw", 0.0, hours)
    if pods.facility_factor is not None:
        ff = _pod_frame(pods.facility_factor, hours, names, "facility_factor", 1.0)
    else:
        ff = np.tile(site_ff, (len(names), 1))
    if pods.fixed_overhead_kw is not None:
        fixed = _pod_frame(pods.fixed_overhead_kw, hours, names, "fixed_overhead_kw", 0.0).sum(0)
    else:
        fixed = site_fixed
    if (ff < 0).any():
        raise ScheduleInputError("facility_factor must be >= 0 in every hour and pod")
    if (capacity < 0).any() or (baseline < 0).any():
        raise ScheduleInputError("pod capacity_kw and baseline_kw must be >= 0")
    grid = np.inf if limits.grid_limit_kw is None else float(limits.grid_limit_kw)
    if not grid > 0:
        raise ScheduleInputError(f"grid_limit_kw must be > 0, got {limits.grid_limit_kw!r}")
    job_arrays = parse_jobs(jobs, hours, names)
    assets = NO_ASSETS if assets is None else assets
    assets.check(len(names), len(hours))
    assets = assets.convexified()
    codes, labels, share = billing_months(hours)
    return Problem(
        hours=hours,
        pods=names,
        jobs=job_arrays,
        headroom_kw=capacity - baseline,
        cooling_headroom_kw=cooling - baseline,
        facility_factor=ff,
        base_facility_kw=((ff * baseline).sum(0) + fixed)[None, :],
        grid_limit_kw=np.full((1, len(hours)), grid),
        price_per_kwh=price[None, :],
        carbon_g_per_kwh=carbon[None, :],
        month=codes,
        month_labels=labels,
        peak_floor_kw=np.full((1, len(labels)), -np.inf),
        month_share=share,
        objective=objective,
        assets=assets,
    )


def billing_months(hours: pd.DatetimeIndex) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """Calendar (billing) month of every hour and each month's share inside ``hours``.

    Months are those of the hours' own time zone (a tariff bills the local calendar
    month). A month's length is its real elapsed hours there (one hour fewer or more in a
    month with a daylight-saving change: 743 in March, 721 in a US November).

    Parameters
    ----------
    hours : DatetimeIndex
        tz-aware, hourly.

    Returns
    -------
    codes : ndarray of int
        Month position 0..M-1 of every hour, in order of appearance.
    labels : tuple of str
        ``YYYY-MM`` of each month.
    share : ndarray
        Hours of the month inside ``hours`` / hours of the whole month [-] (M,).
    """
    month_key = np.asarray(hours.year * 12 + hours.month - 1)
    codes, uniques = pd.factorize(month_key)
    counts = np.bincount(codes, minlength=len(uniques))
    month_h = np.empty(len(uniques))
    for i, key in enumerate(np.asarray(uniques).tolist()):
        first = pd.Timestamp(year=key // 12, month=key % 12 + 1, day=1)
        after = first + pd.offsets.MonthBegin(1)
        local = pd.DatetimeIndex([first, after]).tz_localize(
            hours.tz, ambiguous=np.array([True, True]), nonexistent="shift_forward")
        month_h[i] = (local[1] - local[0]) / pd.Timedelta(hours=1)
    labels = tuple(f"{k // 12:04d}-{k % 12 + 1:02d}" for k in np.asarray(uniques).tolist())
    return codes.astype(np.int64), labels, np.minimum(counts / month_h, 1.0)
