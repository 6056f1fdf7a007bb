"""Physical invariants of the facility model over whole years in every built-in climate."""

import itertools

import numpy as np
import pandas as pd
import pytest

from tests.tolerances import ENERGY_BALANCE_RTOL
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.params import override
from thermal.simulate import simulate_pod, simulate_site
from thermal.summary import period_summary
from thermal.weather import list_climates, load_climate, warmed

CLIMATES = list_climates()


def _pue(weather, pod, params=None):
    return period_summary(simulate_pod(weather, pod, params=params))["pue"]


POD_VARIANTS = [
    Pod("air", "air", 50, 30),
    Pod("air-airside", "air", 50, 20, economizer="air_side"),
    Pod("air-dry", "air", 50, 20, heat_rejection="dry_cooler"),
    Pod("air-noecon", "air", 50, 20, economizer="none"),
    Pod("cp", "cold_plate", 50, 40),
    Pod("cp-tower", "cold_plate", 50, 40, heat_rejection="tower", water_class="W27"),
    Pod("im", "immersion", 50, 50, utilisation=0.4),
]


@pytest.mark.parametrize("climate", CLIMATES)
def test_energy_balance_closes_every_hour(climate):
    weather = load_climate(climate)
    # an undersized plant makes some heat go unmet; the ledger must still close
    small_plant = override(FacilityParams(), {"chiller.sizing_factor": 0.6})
    for params in (FacilityParams(), small_plant):
        for pod in POD_VARIANTS:
            f = simulate_pod(weather, pod, params=params)
            components = f[["it_kw", "ups_loss_kw", "distribution_loss_kw", "lighting_kw", "cooling_kw"]].sum(axis=1)
            np.testing.assert_allclose(components, f["facility_kw"], rtol=ENERGY_BALANCE_RTOL)
            cooling = f[["air_handler_fan_kw", "pump_kw", "chiller_kw", "heat_rejection_fan_kw"]].sum(axis=1)
            np.testing.assert_allclose(cooling, f["cooling_kw"], rtol=ENERGY_BALANCE_RTOL)
            np.testing.assert_allclose(f["compute_kw"] + f["server_fan_kw"], f["it_kw"], rtol=ENERGY_BALANCE_RTOL)
            # heat out equals power in: every kW of electricity leaves as heat (or stays in the hall)
            np.testing.assert_allclose(
                f["heat_rejected_kw"] + f["unmet_heat_kw"], f["facility_kw"], rtol=ENERGY_BALANCE_RTOL
            )


def test_undersized_plant_leaves_heat_unmet_and_breaks_the_air_class_in_hot_hours():
    weather = load_climate("miami")
    params = override(FacilityParams(), {"chiller.sizing_factor": 0.6})
    f = simulate_pod(weather, Pod("air", "air", 50, 30, air_class="A1"), params=params)
    assert (f["unmet_heat_kw"] > 0).sum() > 100
    hot = f["unmet_heat_kw"] > 0
    assert (f.loc[hot, "inlet_c"] > f.loc[~hot, "inlet_c"].max()).all()
    assert period_summary(f)["hours_outside_air_class"] > 0


@pytest.mark.parametrize("climate", CLIMATES)
@pytest.mark.parametrize("rack_kw", [10.0, 30.0, 50.0])
def test_pue_orders_air_above_cold_plate_above_immersion(climate, rack_kw):
    weather = load_climate(climate)
    cold_plate = _pue(weather, Pod("cp", "cold_plate", 40, rack_kw))
    immersion = _pue(weather, Pod("im", "immersion", 40, rack_kw))
    assert cold_plate > immersion
    if rack_kw <= FacilityParams().technology.air_max_rack_kw:
        assert _pue(weather, Pod("air", "air", 40, rack_kw)) > cold_plate
    else:
        with pytest.raises(ThermalInputError):
            design_pod(Pod("air", "air", 40, rack_kw))


@pytest.mark.parametrize("climate", CLIMATES)
def test_a_hotter_climate_never_lowers_air_cooled_pue(climate):
    weather = load_climate(climate)
    for pod in (Pod("air", "air", 50, 30), Pod("air-airside", "air", 50, 30, economizer="air_side")):
        pues = [_pue(warmed(weather, dk), pod) for dk in (0.0, 1.0, 3.0, 6.0)]
        assert all(b >= a - 1e-12 for a, b in itertools.pairwise(pues)), pues
        assert pues[-1] > pues[0]


def test_hotter_built_in_climates_have_higher_air_cooled_pue():
    pod = Pod("air", "air", 50, 30)
    assert _pue(load_climate("sand-point"), pod) < _pue(load_climate("greensboro"), pod) < _pue(load_climate("miami"), pod)


@pytest.mark.parametrize("climate", CLIMATES)
@pytest.mark.parametrize("cooling", ["cold_plate", "immersion"])
def test_warmer_facility_water_never_lowers_free_cooling_hours(climate, cooling):
    weather = load_climate(climate)
    pod_hours, liquid_hours = [], []
    for w_class in ("W17", "W27", "W32", "W40", "W45"):
        f = simulate_pod(weather, Pod("p", cooling, 40, 40, water_class=w_class))
        pod_hours.append(period_summary(f)["free_cooling_h"])
        liquid_hours.append(int((f["free_fraction_liquid"] >= 1 - 1e-12).sum()))
    assert all(b >= a for a, b in itertools.pairwise(pod_hours)), pod_hours
    assert all(b >= a for a, b in itertools.pairwise(liquid_hours)), liquid_hours
    assert liquid_hours[-1] > liquid_hours[0]


def test_dry_coolers_use_no_water_and_liquid_cooling_shows_in_tue():
    weather = load_climate("greensboro")
    air = period_summary(simulate_pod(weather, Pod("air", "air", 50, 30)))
    cold_plate = period_summary(simulate_pod(weather, Pod("cp", "cold_plate", 50, 40, water_class="W32", heat_rejection="dry_cooler")))
    immersion = period_summary(simulate_pod(weather, Pod("im", "immersion", 50, 40, water_class="W40", heat_rejection="dry_cooler")))
    assert 0.5 <= air["wue_l_per_kwh"] <= 2.7  # Lei & Masanet: 1.72-2.63 L/kWh
    assert cold_plate["wue_l_per_kwh"] == 0 and immersion["wue_l_per_kwh"] == 0
    # liquid cooling removes server fans: IT power falls, so TUE shows the saving PUE hides
    assert air["itue"] > cold_plate["itue"] > immersion["itue"] == pytest.approx(1.0)


def test_scalar_numpy_and_pandas_loads_give_the_same_result():
    weather = load_climate("shanghai")
    pod = Pod("cp", "cold_plate", 20, 40)
    kw = 0.6 * design_pod(pod).compute_design_kw
    from_scalar = simulate_pod(weather, pod, kw)
    from_array = simulate_pod(weather, pod, np.full(8760, kw))
    from_series = simulate_pod(weather, pod, pd.Series(kw, index=weather.index))
    pd.testing.assert_frame_equal(from_scalar, from_array)
    pd.testing.assert_frame_equal(from_scalar, from_series)


@pytest.mark.parametrize(
    ("load", "message"),
    [(-5.0, "must not be negative"), (float("nan"), "NaN"), (1e9, "exceeds the pod's compute capacity")],
)
def test_bad_loads_are_named(load, message):
    weather = load_climate("greensboro")
    with pytest.raises(ThermalInputError, match=message) as err:
        simulate_pod(weather, Pod("hall-a", "air", 10, 20), np.full(8760, load))
    assert "hall-a" in str(err.value)


def test_density_limit_error_names_pod_limit_and_remedy():
    with pytest.raises(ThermalInputError) as err:
        design_pod(Pod("gpu-hall", "air", 20, 45))
    text = str(err.value)
    assert "gpu-hall" in text and "30 kW" in text and "cold_plate" in text and "immersion" in text


@pytest.mark.parametrize(
    ("pod", "message"),
    [
        (Pod("x", "fog", 10, 20), "unknown cooling"),
        (Pod("x", "air", 0, 20), "racks"),
        (Pod("x", "air", 10, -3), "rack_kw"),
        (Pod("x", "air", 10, float("nan")), "rack_kw"),
        (Pod("x", "cold_plate", 10, 40, water_class="W60"), "17..45"),
        (Pod("x", "cold_plate", 10, 40, water_class="hot"), "W17..W45"),
        (Pod("x", "air", 10, 20, water_class="W32"), "liquid cooling only"),
        (Pod("x", "air", 10, 20, air_class="B9"), "ASHRAE air class"),
        (Pod("x", "air", 10, 20, heat_rejection="river"), "heat_rejection"),
    ],
)
def test_bad_pods_are_input_errors(pod, message):
    with pytest.raises(ThermalInputError, match=message):
        design_pod(pod)


def test_site_is_the_sum_of_its_pods():
    weather = load_climate("urumqi")
    pods = [Pod("a", "air", 10, 20), Pod("b", "cold_plate", 10, 40), Pod("c", "immersion", 10, 60)]
    frames, site = simulate_site(weather, pods, {"b": np.full(8760, 100.0)})
    for col in ("facility_kw", "it_kw", "water_l", "heat_rejected_kw"):
        np.testing.assert_allclose(site[col], sum(f[col] for f in frames.values()))
    assert (frames["b"]["compute_kw"] == 100.0).all()
    with pytest.raises(ThermalInputError, match="unique"):
        simulate_site(weather, [pods[0], pods[0]])
    with pytest.raises(ThermalInputError, match="unknown pod"):
        simulate_site(weather, pods, {"zz": 1.0})


def test_cooling_capacity_shrinks_in_hot_hours():
    weather = load_climate("greensboro")
    params = override(FacilityParams(), {"chiller.sizing_factor": 0.85})
    pod = Pod("air", "air", 50, 30, utilisation=0.5)
    f = simulate_pod(weather, pod, params=params)
    cap = f["cooling_capacity_compute_kw"]
    design = design_pod(pod, params).compute_design_kw
    assert cap[weather["wet_bulb_c"].idxmax()] < cap[weather["wet_bulb_c"].idxmin()]
    assert cap.min() < design  # the plant cannot cool full load on the hottest hours
    assert cap.max() >= design  # but can in free-cooling weather
