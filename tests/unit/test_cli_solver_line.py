"""The one line a run prints about its solve: status, gap and bound, never "inf%"."""

import math

import pytest

from cli.run import solver_line_of

pytestmark = pytest.mark.unit


def test_a_solve_with_a_bound_says_its_gap_and_bound():
    line = solver_line_of({"status": "time_limit_feasible", "gap": 0.0123, "bound": 1234.5})
    assert line == "solver: time_limit_feasible, gap 1.23%, bound 1,234.50"


@pytest.mark.parametrize("gap", [None, math.inf, math.nan])
def test_a_solve_without_a_bound_says_its_gap_is_unknown(gap):
    line = solver_line_of({"status": "time_limit_feasible", "gap": gap, "bound": None})
    assert line == ("solver: time_limit_feasible, gap unknown (no bound within the time "
                    "limit)")


def test_a_run_without_a_solve_says_no_gap():
    assert solver_line_of({"status": "not optimized"}) == "solver: not optimized"
