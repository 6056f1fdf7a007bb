"""Where the model's variables live: one block of columns per (job, allowed pod).

Variables exist only inside each job's window. A non-preemptible job has, on each
allowed pod, start variables ``start[j, p, s]`` (1 if the job starts on pod p at hour s;
the pulse form) for s in [release, deadline - duration]; a preemptible job
has run binaries ``run[j, p, t]`` for t in [release, deadline) on each allowed pod, a pod
choice ``on_pod[j, p]`` when it has more than one allowed pod, and, when its
interruptions are limited or cost overhead, one run-start indicator ``resume[j, t]`` per
hour of its window (counted on the job's run over all its pods, so not per pod).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.problem import UNLIMITED_STARTS, Problem


@dataclass(frozen=True)
class Layout:
    """Index arrays of the variable blocks (one entry per block)."""

    # non-preemptible (job, pod) blocks: starts s = first .. first + count - 1
    np_job: np.ndarray
    np_pod: np.ndarray
    np_first: np.ndarray
    np_count: np.ndarray
    # preemptible (job, pod) blocks: hours t = first .. first + count - 1
    pr_job: np.ndarray
    pr_pod: np.ndarray
    pr_first: np.ndarray
    pr_count: np.ndarray
    pr_needs_choice: np.ndarray  # bool per block: on_pod variable exists
    # preemptible jobs with run-start variables resume[j, t], t = first .. first + count - 1
    rs_job: np.ndarray
    rs_first: np.ndarray
    rs_count: np.ndarray

    @property
    def n_start_vars(self) -> int:
        return int(self.np_count.sum())

    @property
    def n_run_vars(self) -> int:
        return int(self.pr_count.sum())


def make_layout(problem: Problem) -> Layout:
    """Blocks of variables for every job and allowed pod, restricted to windows."""
    jobs = problem.jobs
    allowed = jobs.usable_pods()
    job_idx, pod_idx = np.nonzero(allowed)
    pre = jobs.preemptible[job_idx]
    n_j, n_p = job_idx[~pre], pod_idx[~pre]
    need = np.ceil(jobs.required_h() - 1e-9).astype(np.int64)
    first = np.maximum(jobs.release[n_j], jobs.arrival[n_j, n_p])  # a fleet: data moved
    count = jobs.deadline[n_j] - need[n_j] - first + 1
    keep = count > 0
    p_j, p_p = job_idx[pre], pod_idx[pre]
    p_first = np.maximum(jobs.release[p_j], jobs.arrival[p_j, p_p])  # a fleet: data moved
    reach = p_first < jobs.deadline[p_j]
    p_j, p_p, p_first = p_j[reach], p_p[reach], p_first[reach]
    n_allowed = np.bincount(p_j, minlength=len(jobs))
    rs_job = np.unique(p_j)
    rs_job = rs_job[(jobs.overhead_h[rs_job] > 0) | (jobs.max_starts[rs_job] < UNLIMITED_STARTS)]
    return Layout(
        np_job=n_j[keep],
        np_pod=n_p[keep],
        np_first=first[keep],
        np_count=count[keep],
        pr_job=p_j,
        pr_pod=p_p,
        pr_first=p_first,
        pr_count=jobs.deadline[p_j] - p_first,
        pr_needs_choice=n_allowed[p_j] > 1,
        rs_job=rs_job,
        rs_first=jobs.release[rs_job],
        rs_count=jobs.deadline[rs_job] - jobs.release[rs_job],
    )


def block_starts(counts: np.ndarray) -> np.ndarray:
    """Offset of each block in a concatenation of blocks of the given sizes."""
    counts = np.asarray(counts, dtype=np.int64)
    if not len(counts):
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)


def expand(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(block number, value) of every element of the ranges first + [0, count)."""
    block = np.repeat(np.arange(len(count)), count)
    offset = np.arange(int(count.sum())) - np.repeat(block_starts(count), count)
    return block, np.repeat(first, count) + offset
