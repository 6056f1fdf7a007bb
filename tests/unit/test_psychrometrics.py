"""Vectorised psychrometrics against psychrolib (the scalar reference implementation)."""

import numpy as np
import pandas as pd
import psychrolib
import pytest

from tests.tolerances import PSYCHRO_ATOL_K
from thermal import psychrometrics as ps

psychrolib.SetUnitSystem(psychrolib.SI)

T_GRID, RH_GRID = (g.ravel() for g in np.meshgrid(np.linspace(-20, 45, 66), np.linspace(5, 100, 20)))


@pytest.mark.parametrize("pressure_pa", [101_325.0, 90_000.0])
def test_wet_bulb_matches_psychrolib_over_the_whole_range(pressure_pa):
    ours = ps.wet_bulb_c(T_GRID, RH_GRID, pressure_pa)
    ref = np.array(
        [psychrolib.GetTWetBulbFromRelHum(t, r / 100, pressure_pa) for t, r in zip(T_GRID, RH_GRID, strict=False)]
    )
    assert np.abs(ours - ref).max() < PSYCHRO_ATOL_K


def test_dew_point_matches_psychrolib_over_the_whole_range():
    ours = ps.dew_point_c(T_GRID, RH_GRID)
    ref = np.array([psychrolib.GetTDewPointFromRelHum(t, r / 100) for t, r in zip(T_GRID, RH_GRID, strict=False)])
    assert np.abs(ours - ref).max() < PSYCHRO_ATOL_K


def test_relative_humidity_inverts_dew_point():
    rh = ps.relative_humidity_pct(T_GRID, ps.dew_point_c(T_GRID, RH_GRID))
    np.testing.assert_allclose(rh, RH_GRID, rtol=1e-6)


def test_physics_sheet_wet_bulb_value():
    # physics.md: wet-bulb at 35 °C / 40 % RH = 23.93 °C (psychrolib 2.5)
    assert ps.wet_bulb_c(35.0, 40.0) == pytest.approx(23.93, abs=0.01)


def test_saturated_air_has_wet_bulb_and_dew_point_equal_to_dry_bulb():
    t = np.array([-10.0, 0.5, 20.0, 40.0])
    np.testing.assert_allclose(ps.wet_bulb_c(t, 100.0), t, atol=1e-6)
    np.testing.assert_allclose(ps.dew_point_c(t, 100.0), t, atol=1e-6)


def test_scalar_numpy_and_pandas_inputs_give_the_same_values_and_kinds():
    scalar = ps.wet_bulb_c(25.0, 50.0)
    array = ps.wet_bulb_c(np.array([25.0, 25.0]), np.array([50.0, 50.0]))
    series = ps.wet_bulb_c(pd.Series([25.0, 25.0], index=["a", "b"]), pd.Series([50.0, 50.0], index=["a", "b"]))
    assert isinstance(scalar, float)
    assert isinstance(array, np.ndarray)
    assert isinstance(series, pd.Series) and list(series.index) == ["a", "b"]
    assert array[0] == pytest.approx(scalar) and series["b"] == pytest.approx(scalar)


def test_altitude_lowers_pressure_as_the_standard_atmosphere():
    # ASHRAE 2017 ch. 1 table 1: 1000 m -> 89.875 kPa
    assert ps.pressure_from_altitude_pa(1000.0) == pytest.approx(89_875, rel=1e-3)
