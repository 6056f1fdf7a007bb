"""A schedule as arrays (one entry per job-hour run) and its tables and loads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.problem import Problem

SCHEDULE_COLUMNS = ("job_id", "pod", "timestamp", "power_kw")


@dataclass(frozen=True)
class Assignment:
    """Job-hours of a schedule on a problem's grid: job position, pod position, hour."""

    job: np.ndarray
    pod: np.ndarray
    t: np.ndarray

    @staticmethod
    def empty() -> Assignment:
        z = np.zeros(0, dtype=np.int64)
        return Assignment(z, z.copy(), z.copy())

    @staticmethod
    def concat(parts: list[Assignment]) -> Assignment:
        if not parts:
            return Assignment.empty()
        return Assignment(
            np.concatenate([a.job for a in parts]).astype(np.int64),
            np.concatenate([a.pod for a in parts]).astype(np.int64),
            np.concatenate([a.t for a in parts]).astype(np.int64),
        )

    def __len__(self) -> int:
        return len(self.t)

    def sorted(self) -> Assignment:
        order = np.lexsort((self.t, self.job))
        return Assignment(self.job[order], self.pod[order], self.t[order])


def it_load_kw(problem: Problem, assignment: Assignment) -> np.ndarray:
    """IT load of the jobs per pod and hour [kW] (P, T)."""
    load = np.zeros((len(problem.pods), problem.n_hours))
    np.add.at(load, (assignment.pod, assignment.t), problem.jobs.power_kw[assignment.job])
    return load


def to_frame(problem: Problem, assignment: Assignment) -> pd.DataFrame:
    """Schedule table: job_id, pod, timestamp (start of the hour), power_kw [kW]."""
    a = assignment.sorted()
    ids = np.asarray(problem.jobs.ids, dtype=object)
    pods = np.asarray(problem.pods, dtype=object)
    return pd.DataFrame(
        {
            "job_id": pd.array(ids[a.job], dtype="string"),
            "pod": pd.array(pods[a.pod], dtype="string"),
            "timestamp": problem.hours[a.t],
            "power_kw": problem.jobs.power_kw[a.job].astype(float),
        }
    )


def load_frame(problem: Problem, assignment: Assignment) -> pd.DataFrame:
    """Per-pod hourly IT load of the jobs [kW] (index hours, columns pods)."""
    return pd.DataFrame(it_load_kw(problem, assignment).T, index=problem.hours,
                        columns=list(problem.pods))


def from_frame(problem: Problem, schedule: pd.DataFrame) -> Assignment:
    """Inverse of :func:`to_frame` for a schedule on the problem's grid."""
    job_pos = {j: i for i, j in enumerate(problem.jobs.ids)}
    pod_pos = {p: i for i, p in enumerate(problem.pods)}
    t = problem.hours.get_indexer(pd.DatetimeIndex(schedule["timestamp"]))
    return Assignment(
        np.array([job_pos[str(j)] for j in schedule["job_id"]], dtype=np.int64),
        np.array([pod_pos[str(p)] for p in schedule["pod"]], dtype=np.int64),
        t.astype(np.int64),
    )
