"""The CLI keeps the technology and climate lists as constants (so building its parser
imports no physics); they stay equal to the libraries' lists."""

import pytest

pytestmark = pytest.mark.unit


def test_cli_lists_match_the_physics():
    from cli.thermal import CLIMATES, COOLING_TECHNOLOGIES
    from thermal.facility import COOLING_TECHNOLOGIES as PHYSICS_TECHNOLOGIES
    from thermal.weather import list_climates

    assert COOLING_TECHNOLOGIES == PHYSICS_TECHNOLOGIES
    assert list(CLIMATES) == list_climates()
