"""Errors the optimizer raises: bad input (exit code 2 in the CLI) and infeasibility (3)."""

from __future__ import annotations


class ScheduleInputError(ValueError):
    """Input the scheduler cannot use.

    The message names the job, column or row that is wrong and how to fix it.
    """


class InfeasibleError(Exception):
    """No schedule meets every deadline and limit.

    Parameters
    ----------
    message : str
        One-line explanation naming the conflict.
    jobs : list of str
        Ids of the jobs involved in the conflict.
    hours : list
        Hours (tz-aware timestamps) where the conflict lies; empty when the conflict is
        not tied to particular hours (e.g. a window shorter than the job).
    """

    def __init__(self, message: str, jobs: list[str] | None = None, hours: list | None = None):
        super().__init__(message)
        self.jobs: list[str] = list(jobs or [])
        self.hours: list = list(hours or [])
