"""The design-day peak (scenarios.explore.design_peak): every pod at full IT load in one
hour at the climate's ASHRAE 0.4 % dry-bulb and wet-bulb (thermal.sizing), with the
scenario's design day, overrides and rejected pods."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from scenarios import explore
from scenarios.explore.design_peak import design_day_peak
from scenarios.facility import facility_params, thermal_pod
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from tests.tolerances import ENERGY_BALANCE_RTOL
from thermal.facility import design_pod

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def default_peak():
    scenario = scenario_from_dict(example_data("default"))
    return scenario, design_day_peak(scenario)


def test_the_conditions_are_the_climate_s_0p4_percent_values(default_peak):
    scenario, peak = default_peak
    design = explore.design_conditions(explore.load_weather(scenario.site.climate))
    assert peak.dry_bulb_c == pytest.approx(design["dry_bulb_0p4_c"], abs=0.05)
    assert peak.wet_bulb_c == pytest.approx(design["wet_bulb_0p4_c"], abs=0.05)
    assert not peak.fixed


def test_every_pod_carries_its_full_it_load(default_peak):
    scenario, peak = default_peak
    assert list(peak.table.index) == [p.name for p in scenario.pods]
    frames, _ = explore.simulate_year(scenario)
    params = facility_params(scenario)
    for pod in scenario.pods:
        row = peak.table.loc[pod.name]
        # full compute (the year runs at inference load, ~30 % of it)
        full_kw = design_pod(thermal_pod(pod), params).compute_design_kw
        assert row["compute_kw"] == pytest.approx(full_kw, rel=ENERGY_BALANCE_RTOL)
        assert frames[pod.name]["compute_kw"].max() < 0.5 * full_kw
        assert row["it_kw"] >= row["compute_kw"]
        assert row["facility_kw"] > 2 * frames[pod.name]["facility_kw"].max()
        assert row["unmet_heat_kw"] == 0.0  # the plant is sized for this hour
        assert row["pue"] == pytest.approx(row["facility_kw"] / row["it_kw"])
    assert peak.facility_kw == pytest.approx(peak.table["facility_kw"].sum(),
                                             rel=ENERGY_BALANCE_RTOL)  # fmt: skip


def test_fixed_design_conditions_are_used_and_a_hotter_day_costs_more():
    raw = example_data("default")
    peaks = []
    for dry, wet in ((30.0, 24.0), (38.0, 28.0)):
        data = copy.deepcopy(raw)
        data["facility"] = {"design": {"dry_bulb_c": dry, "wet_bulb_c": wet}}
        peak = design_day_peak(scenario_from_dict(data))
        assert (peak.dry_bulb_c, peak.wet_bulb_c) == (dry, wet) and peak.fixed
        peaks.append(peak.table)
    cool, hot = peaks
    air = "air-20kW"
    assert hot.loc[air, "facility_kw"] > cool.loc[air, "facility_kw"]
    np.testing.assert_allclose(hot["compute_kw"], cool["compute_kw"])  # the same full load


def test_a_pod_the_physics_rejects_is_named_and_left_out():
    data = example_data("default")
    data["pods"][0]["rack_kw"] = 45.0  # above air's 30 kW limit
    peak = design_day_peak(scenario_from_dict(data))
    assert list(peak.problems) == ["air-20kW"]
    assert list(peak.table.index) == ["coldplate-40kW", "immersion-50kW"]
