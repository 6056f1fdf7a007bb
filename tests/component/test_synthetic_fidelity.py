"""The synthetic China years against the real CSWD typical years they stand in for."""

import pytest

from tests.helpers import shared_file
from tests.tolerances import SYNTHETIC_HOURS_BELOW_RTOL, SYNTHETIC_MONTHLY_MEAN_ATOL_K
from thermal.weather import load_climate

CSWD_FILES = {
    "beijing": "CHN_Beijing.Beijing.545110_CSWD.epw",
    "shanghai": "CHN_Shanghai.Shanghai.583620_CSWD.epw",
}


@pytest.fixture(params=sorted(CSWD_FILES), scope="module")
def pair(request):
    real = load_climate(str(shared_file("weather", CSWD_FILES[request.param])))
    return request.param, load_climate(request.param), real


def test_monthly_mean_dry_bulb_within_tolerance(pair):
    _, synthetic, real = pair
    syn = synthetic["dry_bulb_c"].groupby(synthetic.index.month).mean()
    obs = real["dry_bulb_c"].groupby(real.index.month).mean()
    assert (syn - obs).abs().max() <= SYNTHETIC_MONTHLY_MEAN_ATOL_K


@pytest.mark.parametrize(("column", "threshold_c"), [("dry_bulb_c", 10), ("dry_bulb_c", 18), ("dry_bulb_c", 25), ("wet_bulb_c", 18)])
def test_annual_hours_below_thresholds_within_tolerance(pair, column, threshold_c):
    city, synthetic, real = pair
    syn = int((synthetic[column] < threshold_c).sum())
    obs = int((real[column] < threshold_c).sum())
    assert abs(syn - obs) <= SYNTHETIC_HOURS_BELOW_RTOL * obs, (city, column, threshold_c, syn, obs)
