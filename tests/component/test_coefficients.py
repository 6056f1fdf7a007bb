"""The scheduler's linear facility model against full re-simulation."""

import numpy as np
import pytest

from tests.tolerances import LINEARISATION_RTOL
from thermal.coefficients import linear_facility_kw, scheduler_coefficients
from thermal.facility import Pod
from thermal.simulate import simulate_pod
from thermal.weather import list_climates, load_climate

PODS = [
    Pod("air", "air", 50, 30, utilisation=0.7),
    Pod("air-airside", "air", 50, 20, economizer="air_side", utilisation=0.6),
    Pod("cold_plate", "cold_plate", 50, 40, utilisation=0.8),
    Pod("immersion", "immersion", 50, 50, utilisation=0.5),
]


@pytest.mark.parametrize("climate", list_climates())
def test_linear_prediction_within_one_percent_for_plus_minus_20_percent_load(climate):
    weather = load_climate(climate)
    coef = scheduler_coefficients(weather, PODS)
    for scale in (0.8, 1.2):
        loads = {pod.name: coef["compute_kw"][pod.name].to_numpy() * scale for pod in PODS}
        predicted = linear_facility_kw(coef, loads)
        for pod in PODS:
            simulated = simulate_pod(weather, pod, loads[pod.name])["facility_kw"].to_numpy()
            hourly = np.abs(predicted[pod.name].to_numpy() / simulated - 1)
            assert hourly.max() < LINEARISATION_RTOL, (pod.name, scale, hourly.max())


def test_coefficients_reproduce_the_simulation_at_the_baseline():
    weather = load_climate("beijing")
    coef = scheduler_coefficients(weather, PODS)
    for pod in PODS:
        base = simulate_pod(weather, pod)["facility_kw"].to_numpy()
        np.testing.assert_allclose(coef["fixed_kw"][pod.name] + coef["facility_factor"][pod.name] * coef["compute_kw"][pod.name], base, rtol=1e-12)
        # a marginal compute kWh costs at least itself plus its server fans, and less than 2
        assert (coef["facility_factor"][pod.name] > 1.0).all()
        assert (coef["facility_factor"][pod.name] < 2.0).all()
        assert (coef["available_cooling_kw"][pod.name] >= 0).all()


def test_a_liquid_pod_makes_a_compute_kwh_cheaper_than_an_air_pod():
    coef = scheduler_coefficients(load_climate("miami"), PODS)
    assert (coef["facility_factor"]["immersion"] < coef["facility_factor"]["air"]).all()
