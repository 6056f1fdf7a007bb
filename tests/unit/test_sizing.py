"""Plant sizing at full IT load on the design day (thermal.sizing) against hand
calculations."""

import dataclasses

import numpy as np
import pytest

from tests.tolerances import ENERGY_BALANCE_RTOL, PSYCHRO_ATOL_K
from thermal.design_day import DesignConditions, design_temperatures_c
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod
from thermal.psychrometrics import wet_bulb_c
from thermal.simulate import simulate_pod, weather_arrays, with_design_conditions
from thermal.sizing import design_hour, racks_that_fit, size_pod, size_pod_at, worst_hour
from thermal.weather import load_climate

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def weather():
    return load_climate("beijing")


def test_design_conditions_are_the_weathers_0_4_percent_values(weather):
    pod = Pod(name="a", cooling="air", racks=10, rack_kw=20.0)
    s = size_pod(weather, pod)
    # by hand: 35 of 8,760 hours are hotter (ASHRAE's 0.4 % annual condition)
    db = np.sort(weather["dry_bulb_c"].to_numpy())
    hotter = int(np.sum(db > s.design_dry_bulb_c))
    assert 30 <= hotter <= 36
    assert (s.design_dry_bulb_c, s.design_wet_bulb_c) == pytest.approx(
        design_temperatures_c(weather["dry_bulb_c"], weather["wet_bulb_c"]))


def test_the_design_hour_has_the_asked_wet_bulb():
    hour = design_hour(35.0, 24.0, 101_325.0)
    back = float(wet_bulb_c(35.0, hour["rh_pct"].iloc[0], 101_325.0))
    assert back == pytest.approx(24.0, abs=PSYCHRO_ATOL_K)
    assert hour["dew_point_c"].iloc[0] < 24.0 < 35.0
    with pytest.raises(ThermalInputError, match="wet-bulb"):
        design_hour(20.0, 25.0)


@pytest.mark.parametrize("cooling", ["air", "cold_plate", "immersion", "spray", "two_phase_immersion"])
def test_sizing_at_full_load_closes_the_energy_balance(weather, cooling):
    pod = Pod(name="a", cooling=cooling, racks=20, rack_kw=25.0, utilisation=0.3)
    s = size_pod(weather, pod)
    # full IT load whatever the pod's utilisation: UPS = IT at nameplate
    assert s.ups_kw == pytest.approx(s.it_design_kw, rel=1e-12)
    # every kW drawn leaves as heat (no unmet heat at the design hour)
    assert s.unmet_heat_kw == 0.0
    assert s.heat_rejection_kw_th == pytest.approx(s.design_facility_kw, rel=ENERGY_BALANCE_RTOL)
    # heat to air + heat to liquid carries the compute and server fans
    assert s.air_handling_kw_th + s.cdu_kw_th >= s.it_design_kw
    assert s.design_pue == pytest.approx(s.design_facility_kw / s.it_design_kw)
    # the installed chillers carry the design hour
    assert s.chiller_kw_th >= s.chiller_load_kw_th


def test_immersion_sizing_by_hand(weather):
    """Immersion: no server fans, so IT = compute = racks x nameplate x compute share, and
    all of it reaches the CDUs (plus the tank pumps' heat)."""
    params = FacilityParams()
    pod = Pod(name="a", cooling="immersion", racks=50, rack_kw=40.0)
    s = size_pod(weather, pod, params)
    share = 1.0 - params.server.fan_share_ref
    assert s.compute_design_kw == pytest.approx(50 * 40.0 * share, rel=1e-9)
    assert s.it_design_kw == pytest.approx(s.compute_design_kw, rel=1e-9)
    assert s.cdu_kw_th >= s.compute_design_kw
    assert s.cdu_kw_th <= 1.02 * s.compute_design_kw  # tank pumps: a few per cent at most


def test_a_hotter_design_day_needs_more_power(weather):
    pod = Pod(name="a", cooling="air", racks=20, rack_kw=20.0)
    base = with_design_conditions(FacilityParams(), weather_arrays(weather))
    mild = size_pod_at(pod, dataclasses.replace(base, design=DesignConditions(30.0, 22.0)))
    hot = size_pod_at(pod, dataclasses.replace(base, design=DesignConditions(38.0, 28.0)))
    assert hot.design_facility_kw > mild.design_facility_kw
    assert hot.chiller_load_kw_th > mild.chiller_load_kw_th


def test_sizing_matches_the_year_simulation_at_the_design_hour(weather):
    """The sizing hour is the year model's hour: simulating the whole year at full load,
    the hours near the design temperatures draw about the design power."""
    pod = Pod(name="a", cooling="cold_plate", racks=20, rack_kw=30.0)
    s = size_pod(weather, pod)
    frame = simulate_pod(weather, pod)
    near = (abs(weather["dry_bulb_c"] - s.design_dry_bulb_c) < 1.0) & (
        abs(weather["wet_bulb_c"] - s.design_wet_bulb_c) < 1.0)
    assert near.sum() >= 1
    assert frame["facility_kw"][near].mean() == pytest.approx(s.design_facility_kw, rel=0.03)
    hardest = worst_hour(weather, pod, s)
    assert hardest.facility_kw == pytest.approx(frame["facility_kw"].max())
    assert hardest.grid_margin_kw == pytest.approx(s.design_facility_kw - frame["facility_kw"].max())


def test_racks_that_fit_is_the_largest_count_within_the_grid(weather):
    params = with_design_conditions(FacilityParams(), weather_arrays(weather))
    fit = racks_that_fit(weather, "immersion", 40.0, 5_000.0, params=params)
    at = lambda n: size_pod_at(Pod(name="x", cooling="immersion", racks=n, rack_kw=40.0), params)  # noqa: E731
    assert at(fit.racks).design_facility_kw <= 5_000.0 < at(fit.racks + 1).design_facility_kw
    assert fit.limited_by == "grid" and fit.racks_by_floor is None
    small = racks_that_fit(weather, "immersion", 40.0, 5_000.0, floor_m2=100.0, m2_per_rack=2.8,
                           params=params)
    assert small.racks == small.racks_by_floor == 35 and small.limited_by == "floor"
    with pytest.raises(ThermalInputError, match="both"):
        racks_that_fit(weather, "air", 10.0, 1000.0, floor_m2=100.0)


@pytest.mark.parametrize(
    ("design", "fragment"),
    [({"dry_bulb_c": 20.0, "wet_bulb_c": 25.0}, "wet_bulb_c = 25 °C is above dry_bulb_c = 20 °C;"),
     ({"wet_bulb_c": 45.0}, "the value not given is the climate's")],
)
def test_a_design_wet_bulb_above_the_dry_bulb_is_refused_with_its_field(design, fragment):
    from scenarios.errors import ScenarioError
    from scenarios.facility import facility_params
    from scenarios.library import example_data
    from scenarios.loading import scenario_from_dict

    data = example_data("default")
    data["facility"] = {"design": design}
    with pytest.raises(ScenarioError) as err:
        facility_params(scenario_from_dict(data), (33.5, 27.0))
    assert str(err.value).startswith("facility.design: ") and fragment in str(err.value)
