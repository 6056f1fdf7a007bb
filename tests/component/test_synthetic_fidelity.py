"""The synthetic China years against the real CSWD typical years they stand in for.

Every city with normals (``thermal/data/china_climate_normals.csv``) is compared with its
CSWD typical year when one is in ``../shared/data/weather`` (found by the WMO number in the
file name, e.g. ``CHN_Beijing.Beijing.545110_CSWD.epw``); cities without a file are skipped.
"""

from pathlib import Path

import pytest

from tests.helpers import SHARED_DATA_DIR
from tests.tolerances import (
    SYNTHETIC_DESIGN_ATOL_K,
    SYNTHETIC_FREE_COOLING_RTOL,
    SYNTHETIC_HOURS_BELOW_RTOL,
    SYNTHETIC_MONTHLY_MEAN_ATOL_K,
    SYNTHETIC_SATURATED_SHARE_ATOL_PP,
)
from thermal.design_day import design_temperatures_c
from thermal.facility import Pod
from thermal.simulate import simulate_pod
from thermal.summary import period_summary
from thermal.synthetic import city_normals, normals_cities
from thermal.weather import load_climate

#: An hour is saturated at this relative humidity or above [%] (weather files give the
#: dew point to 0.1 K, so the real years' saturated hours are those with dew point =
#: dry-bulb).
SATURATED_RH_PCT = 99.5

#: The pods whose free-cooling hours are compared: an air hall and a cold-plate hall.
PODS = {
    "air": Pod("air", "air", 50, 20),
    "cold_plate": Pod("cp", "cold_plate", 50, 40),
}


def cswd_file(city: str) -> Path:
    """The real CSWD typical year of ``city`` in ../shared/data/weather; skips without one."""
    wmo = str(int(city_normals(city)["wmo"].iloc[0]))
    folder = SHARED_DATA_DIR / "weather"
    found = sorted(
        path
        for path in (folder.iterdir() if folder.is_dir() else ())
        if path.suffix.lower() == ".epw" and "cswd" in path.name.lower() and wmo in path.name
    )
    if not found:
        pytest.skip(f"no CSWD typical year of {city} (WMO {wmo}) in {folder}")
    return found[0]


@pytest.fixture(params=normals_cities(), scope="module")
def pair(request):
    real = load_climate(str(cswd_file(request.param)))
    return request.param, load_climate(request.param), real


def _monthly_saturated_share_pct(weather):
    saturated = weather["rh_pct"] >= SATURATED_RH_PCT
    return 100.0 * saturated.groupby(weather.index.month).mean()


def test_monthly_mean_dry_bulb_within_tolerance(pair):
    _, synthetic, real = pair
    syn = synthetic["dry_bulb_c"].groupby(synthetic.index.month).mean()
    obs = real["dry_bulb_c"].groupby(real.index.month).mean()
    assert (syn - obs).abs().max() <= SYNTHETIC_MONTHLY_MEAN_ATOL_K


@pytest.mark.parametrize(
    ("column", "threshold_c"),
    [("dry_bulb_c", 10), ("dry_bulb_c", 18), ("dry_bulb_c", 25), ("wet_bulb_c", 18)],
)
def test_annual_hours_below_thresholds_within_tolerance(pair, column, threshold_c):
    city, synthetic, real = pair
    syn = int((synthetic[column] < threshold_c).sum())
    obs = int((real[column] < threshold_c).sum())
    assert abs(syn - obs) <= SYNTHETIC_HOURS_BELOW_RTOL * obs, (city, column, threshold_c, syn, obs)


def test_saturated_hours_share_within_tolerance_every_month(pair):
    city, synthetic, real = pair
    syn = _monthly_saturated_share_pct(synthetic)
    obs = _monthly_saturated_share_pct(real)
    diff = (syn - obs).abs()
    assert diff.max() <= SYNTHETIC_SATURATED_SHARE_ATOL_PP, (
        city,
        f"month {diff.idxmax()}: synthetic {syn[diff.idxmax()]:.1f} %, real {obs[diff.idxmax()]:.1f} %",
        syn.round(1).tolist(),
        obs.round(1).tolist(),
    )


def test_design_dry_bulb_and_wet_bulb_within_tolerance(pair):
    city, synthetic, real = pair
    syn = design_temperatures_c(synthetic["dry_bulb_c"], synthetic["wet_bulb_c"])
    obs = design_temperatures_c(real["dry_bulb_c"], real["wet_bulb_c"])
    assert abs(syn[0] - obs[0]) <= SYNTHETIC_DESIGN_ATOL_K, (city, "dry-bulb", syn, obs)
    assert abs(syn[1] - obs[1]) <= SYNTHETIC_DESIGN_ATOL_K, (city, "wet-bulb", syn, obs)


@pytest.mark.parametrize("pod", sorted(PODS))
def test_free_cooling_hours_within_tolerance(pair, pod):
    city, synthetic, real = pair
    syn = period_summary(simulate_pod(synthetic, PODS[pod]))["free_cooling_h"]
    obs = period_summary(simulate_pod(real, PODS[pod]))["free_cooling_h"]
    assert abs(syn - obs) <= SYNTHETIC_FREE_COOLING_RTOL * obs, (city, pod, syn, obs)
