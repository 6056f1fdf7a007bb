"""Explain a model HiGHS calls infeasible: an elastic relaxation of the coupling limits.

Every job is feasible alone (checked before solving, :mod:`optimizer.precheck`), so
infeasibility comes from jobs competing for the coupling limits: pod capacity, cooling
capacity, the site grid limit. The elastic model adds a non-negative slack [kW] to each
of those rows and minimises the total slack; rows that keep a positive slack are the
conflict; the jobs whose windows and allowed pods include those rows compete for them.
"""

from __future__ import annotations

import numpy as np

from optimizer.errors import InfeasibleError
from optimizer.highs_solve import run_highs
from optimizer.linear import to_highs
from optimizer.model import BuiltModel, assignment_from_values, build_model
from optimizer.options import SolverOptions

#: Families whose rows get an elastic slack.
ELASTIC_FAMILIES = ("pod_capacity", "cooling_capacity", "open_capacity", "site_grid_limit")
#: Slack below this is not a conflict [kW] (judgement: well above solver tolerances).
SLACK_EPS_KW = 1e-5


def _conflict_place(problem, family: str, key) -> tuple[np.ndarray, int]:
    """The pods and the hour of a conflicting row: a pod's rows are keyed (pod, t); a
    site's grid limit t, and in a fleet (site, t) (all the site's pods)."""
    if family != "site_grid_limit":
        return np.array([problem.pods.index(key[0])]), int(key[1])
    site, t = (problem.sites.index(key[0]), int(key[1])) if problem.is_fleet else (0, int(key))
    return np.flatnonzero(problem.pod_site == site), t


def diagnose(built: BuiltModel, options: SolverOptions) -> InfeasibleError:
    """An :class:`InfeasibleError` naming the conflicting hours, pods and jobs.

    The elastic model is the base model without cut families: a cut derived from a pod's
    room would stay infeasible when that room is relaxed, and hide the conflict.
    """
    if built.cuts:
        built = build_model(built.problem, cuts=())
    problem, rec = built.problem, built.model.record
    h = to_highs(built.model, cost=np.zeros(rec.n_cols))
    h.changeObjectiveOffset(0.0)
    slack_rows = []  # (family, key, row number)
    for name, matrix, _, _, keys in rec.row_blocks:
        if name in ELASTIC_FAMILIES:
            offset = rec.row_offset(name)
            slack_rows.extend((name, keys[i], offset + i) for i in range(matrix.shape[0]))
    for _, _, row in slack_rows:
        h.addCol(1.0, 0.0, np.inf, 1, np.array([row], dtype=np.int32),
                 np.array([-1.0]))
    outcome = run_highs(h, options, None)
    hours = problem.hours
    if not outcome.has_solution:
        return InfeasibleError(
            "no schedule meets every deadline and limit, and relaxing pod, cooling and grid "
            "limits does not help: check interruption limits and windows of "
            f"{len(problem.jobs)} jobs",
            jobs=list(problem.jobs.ids),
        )
    slack = outcome.values[rec.n_cols :]
    assignment = assignment_from_values(built, outcome.values[: rec.n_cols])
    conflicts = [(fam, key, s) for (fam, key, _), s in zip(slack_rows, slack, strict=True)
                 if s > SLACK_EPS_KW]
    if not conflicts:
        return InfeasibleError(
            "HiGHS reports the model infeasible but the elastic relaxation needs no slack; "
            "rerun with a tighter feasibility tolerance",
            jobs=list(problem.jobs.ids),
        )
    conflict_t: set[int] = set()
    job_set: set[int] = set()
    jobs_ = problem.jobs
    usable = jobs_.usable_pods()
    for fam, key, _ in conflicts:
        pods, t = _conflict_place(problem, fam, key)
        sel = (assignment.t == t) & np.isin(assignment.pod, pods)
        conflict_t.add(t)
        # jobs running there in the elastic solution, and every job that could run there
        job_set.update(assignment.job[sel].tolist())
        could = (usable[:, pods] & (jobs_.arrival[:, pods] <= t)).any(1) & (jobs_.deadline > t)
        job_set.update(np.flatnonzero(could).tolist())
    fam, key, s = max(conflicts, key=lambda c: c[2])
    pods, t0 = _conflict_place(problem, fam, key)
    site = problem.sites[problem.pod_site[pods[0]]]
    where = {"pod_capacity": f"pod '{problem.pods[pods[0]]}' IT capacity",
             "cooling_capacity": f"pod '{problem.pods[pods[0]]}' cooling capacity",
             "open_capacity": f"the share of pod '{problem.pods[pods[0]]}' open to moved jobs",
             "site_grid_limit": (f"the grid limit of site '{site}'" if problem.is_fleet
                                 else "the site grid limit")}[fam]
    jobs = [problem.jobs.ids[j] for j in sorted(job_set)]
    shown = ", ".join(f"'{j}'" for j in jobs[:10]) + (
        f" and {len(jobs) - 10} more" if len(jobs) > 10 else "")
    hour_list = sorted(conflict_t)
    return InfeasibleError(
        f"no schedule meets every deadline and limit: {where} is short by {s:.4g} kW at "
        f"{hours[t0].isoformat()} ({len(hour_list)} conflicting hour(s) from "
        f"{hours[hour_list[0]].isoformat()} to {hours[hour_list[-1]].isoformat()}); "
        f"jobs competing there: {shown}",
        jobs=jobs,
        hours=[hours[t] for t in hour_list],
    )
