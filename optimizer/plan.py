"""The one working schedule every placement heuristic builds and changes: :class:`Plan`.

ASAP and greedy (:mod:`optimizer.baselines`, with greedy's repair and the rolling
horizon's completion of a carried plan), the local search (:mod:`optimizer.localsearch`)
and ruin and recreate (:mod:`optimizer.ruin`) all place jobs into a Plan: each job's pod and hours, the
pods' job load and the facility power, kept in step by :meth:`Plan.shift`. The room a
job can use is read from it (:meth:`Plan.pod_room_kw`, :meth:`Plan.grid_room_kw`), so
there is one account of what is taken. :class:`optimizer.schedule.Assignment` (job-hours)
is what a finished Plan hands on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.metrics import facility_kw
from optimizer.problem import Problem
from optimizer.schedule import Assignment


@dataclass
class Plan:
    """A schedule being built or improved (mutable working state).

    Attributes
    ----------
    pod : ndarray of int
        Each job's pod (-1: not placed, e.g. soft jobs of a rolling window).
    hours : list of ndarray
        Each job's hours (sorted positions on the problem's grid).
    load : ndarray
        Jobs' IT load per pod and hour [kW] (P, T).
    facility : ndarray
        Facility power per site and hour, baseline and fixed overhead included [kW]
        (S, T).
    moved : ndarray
        Load of jobs moved away from their home site, per pod and hour [kW] (P, T)
        (a fleet's open shares limit it).
    """

    pod: np.ndarray
    hours: list
    load: np.ndarray
    facility: np.ndarray
    moved: np.ndarray

    @staticmethod
    def empty(problem: Problem) -> Plan:
        """No job placed: the facility power of the baseline alone."""
        n_j = len(problem.jobs)
        shape = (len(problem.pods), problem.n_hours)
        return Plan(np.full(n_j, -1, dtype=np.int64), [np.zeros(0, dtype=np.int64)] * n_j,
                    np.zeros(shape), problem.base_facility_kw.astype(float).copy(),
                    np.zeros(shape))

    @staticmethod
    def of(problem: Problem, assignment: Assignment) -> Plan:
        """The Plan of a schedule given as job-hours."""
        n_j = len(problem.jobs)
        pod = np.full(n_j, -1, dtype=np.int64)
        hours: list = [np.zeros(0, dtype=np.int64)] * n_j
        order = np.argsort(assignment.job, kind="stable")
        bounds = np.searchsorted(assignment.job[order], np.arange(n_j + 1))
        for j in range(n_j):
            sel = order[bounds[j] : bounds[j + 1]]
            if len(sel):
                pod[j] = int(assignment.pod[sel[0]])
                hours[j] = np.sort(assignment.t[sel])
        load = np.zeros((len(problem.pods), problem.n_hours))
        power = problem.jobs.power_kw[assignment.job]
        np.add.at(load, (assignment.pod, assignment.t), power)
        moved = np.zeros_like(load)
        away = problem.is_moved(assignment.job, assignment.pod)
        np.add.at(moved, (assignment.pod[away], assignment.t[away]), power[away])
        return Plan(pod, hours, load, facility_kw(problem, load), moved)

    def copy(self) -> Plan:
        return Plan(self.pod.copy(), list(self.hours), self.load.copy(), self.facility.copy(),
                    self.moved.copy())

    def assignment(self) -> Assignment:
        """The placed jobs as job-hours."""
        parts = [Assignment(np.full(len(h), j), np.full(len(h), p), h)
                 for j, (p, h) in enumerate(zip(self.pod, self.hours, strict=True)) if p >= 0]
        return Assignment.concat(parts)

    def shift(self, problem: Problem, j: int, pod: int, hours: np.ndarray, sign: float) -> None:
        """Add (sign 1) or remove (sign -1) job j's load at ``hours`` on ``pod`` (the
        job's recorded pod and hours are left to the caller)."""
        power = problem.jobs.power_kw[j]
        self.load[pod, hours] += sign * power
        if problem.is_moved(j, pod):
            self.moved[pod, hours] += sign * power
        self.facility[problem.pod_site[pod], hours] += (
            sign * problem.facility_factor[pod, hours] * power)

    def place(self, problem: Problem, j: int, pod: int, hours: np.ndarray) -> None:
        """Put job j on ``pod`` in ``hours`` (it must not be placed yet)."""
        self.pod[j], self.hours[j] = pod, hours
        self.shift(problem, j, pod, hours, 1.0)

    def pod_room_kw(self, problem: Problem, pod: int, start: int, end: int) -> np.ndarray:
        """IT power jobs can still add on ``pod`` in hours ``start .. end - 1`` (pod and
        cooling) [kW]."""
        return problem.job_capacity_kw[pod, start:end] - self.load[pod, start:end]

    def open_room_kw(self, problem: Problem, j: int, pod: int, start: int,
                     end: int) -> np.ndarray:
        """IT power job ``j`` may still add on ``pod`` under its site's open share in
        hours ``start .. end - 1`` [kW]: inf at home or where the whole site is open."""
        if not problem.has_open_limit or not problem.is_moved(j, pod):
            return np.full(end - start, np.inf)
        return problem.open_room_kw[pod, start:end] - self.moved[pod, start:end]

    def grid_room_kw(self, problem: Problem, pod: int, start: int, end: int) -> np.ndarray:
        """Facility power the site of ``pod`` can still add in hours ``start .. end - 1``
        under its grid limit [kW] (inf without one)."""
        s = problem.pod_site[pod]
        return problem.grid_limit_kw[s, start:end] - self.facility[s, start:end]
