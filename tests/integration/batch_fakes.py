"""Fake scenarios and a fake runner for batch fault tests (run in worker processes).

A :class:`FakeScenario` says what its run does; :func:`fake_runner` does it in place of
``run_one``: return at once, sleep, or kill the process running it. Both are top level in
an importable module, so local worker processes and Dask workers (started with this
repository on ``PYTHONPATH``) can unpickle them.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import time
from dataclasses import dataclass

from scenarios.batch import BatchOutcome


@dataclass(frozen=True)
class FakeScenario:
    """A stand-in for a Scenario: its name and what running it does.

    Attributes
    ----------
    name : str
    action : str
        ``"ok"`` returns a result, ``"exit"`` ends the process with ``os._exit(3)``,
        ``"kill"`` kills it with SIGKILL (as the out-of-memory killer does), ``"segv"``
        with SIGSEGV (as a crash in native code); ``"raise"`` raises RuntimeError (a bug
        in the runner), ``"unpicklable"`` returns a result that cannot be pickled.
    seconds : float
        Sleep before the action [s].
    """

    name: str
    action: str = "ok"
    seconds: float = 0.0


def fake_runner(scenario: FakeScenario, optimize: bool = True, time_limit_s=None) -> BatchOutcome:
    """Run a fake scenario: the outcome's result is ``("fake", name, pid)``, or the
    process dies as ``scenario.action`` says."""
    time.sleep(scenario.seconds)
    if scenario.action == "exit":
        os._exit(3)
    if scenario.action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if scenario.action == "segv":
        faulthandler.disable()  # no stack dump (pytest enables it; fork inherits it)
        os.kill(os.getpid(), signal.SIGSEGV)
    if scenario.action == "raise":
        raise RuntimeError(f"boom in {scenario.name}")
    if scenario.action == "unpicklable":
        return BatchOutcome(scenario.name, result=lambda: None)
    return BatchOutcome(scenario.name, result=("fake", scenario.name, os.getpid()))
