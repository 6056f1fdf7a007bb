"""HiGHS writes nothing to standard output (issue 17: the solver's banner never on stdout)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.component

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
from optimizer import Limits, Objective, SolverOptions, make_instance, solve_schedule
inst = make_instance(n_jobs=8, n_hours=48, n_pods=2, seed=1)
result = solve_schedule(inst.jobs, inst.signals, inst.pods, Limits(),
                        Objective(demand_charge_per_kw=30), SolverOptions(time_limit_s=10))
assert result.stages and result.stages[-1].stage == "milp", result.stages
"""


def test_a_solve_prints_nothing_on_stdout():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
