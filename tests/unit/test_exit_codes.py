"""Exit codes of expected failures (scenarios.errors): asked at the time of the failure,
from the libraries already imported, so an input error does not load the optimizer."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit


def test_every_expected_failure_has_its_exit_code():
    from optimizer.errors import InfeasibleError, ScheduleInputError
    from optimizer.solve import NoSolutionError
    from scenarios.errors import ScenarioError, exit_code_of
    from thermal.errors import ThermalInputError

    assert exit_code_of(ScenarioError("bad")) == 2
    assert exit_code_of(ThermalInputError("bad")) == 2
    assert exit_code_of(ScheduleInputError("bad")) == 2
    assert exit_code_of(InfeasibleError("no room", ["j1"])) == 3
    assert exit_code_of(NoSolutionError("no schedule in time")) == 4
    assert exit_code_of(ValueError("a bug")) is None
    assert exit_code_of(KeyError("a bug")) is None


def test_an_input_error_is_classified_without_importing_the_optimizer():
    code = (
        "import sys\n"
        "from scenarios.errors import ScenarioError, exit_code_of\n"
        "assert exit_code_of(ScenarioError('bad')) == 2\n"
        "assert exit_code_of(RuntimeError('bug')) is None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('optimizer', 'pyomo')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
