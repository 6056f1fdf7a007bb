"""How the plant answers what a planner changes: chilled-water set points, load, heat
waves, rack density, heat rejection (issue: physics a planner can act on)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from thermal import chiller
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.params import override
from thermal.simulate import simulate_pod, weather_arrays, with_design_conditions
from thermal.summary import period_summary
from thermal.weather import list_climates, load_climate, warmed

CLIMATES = list_climates()


def _summary(weather, pod, params=None):
    return period_summary(simulate_pod(weather, pod, params=params))


@pytest.mark.parametrize("climate", ["greensboro", "miami", "shanghai", "urumqi"])
def test_warmer_chilled_water_never_raises_pue(climate):
    weather = load_climate(climate)
    pod = Pod("air", "air", 50, 20)
    pues = [
        _summary(weather, pod, override(FacilityParams(), {"air.chw_supply_c": t}))["pue"]
        for t in (8.0, 12.0, 16.0, 20.0, 23.0)
    ]
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(pues)), pues
    assert pues[-1] < pues[0]


@pytest.mark.parametrize("chw", [24.5, 25.0, 40.0])
def test_chilled_water_that_cannot_cool_the_supply_air_is_refused_naming_both(chw):
    params = override(FacilityParams(), {"air.chw_supply_c": chw})
    with pytest.raises(ThermalInputError, match=r"chw_supply_c.*supply_air_c"):
        design_pod(Pod("air", "air", 10, 20), params)


@pytest.mark.parametrize("climate", CLIMATES)
def test_immersion_at_w40_never_has_fewer_free_cooling_hours_than_air(climate):
    weather = load_climate(climate)
    air = _summary(weather, Pod("air", "air", 50, 20))
    immersion = _summary(weather, Pod("im", "immersion", 50, 50, water_class="W40"))
    assert immersion["free_cooling_h"] >= air["free_cooling_h"]
    assert immersion["free_cooling_share"] >= air["free_cooling_share"]


def test_free_cooling_hours_count_hours_compressors_remove_at_most_5_percent():
    weather = load_climate("miami")
    f = simulate_pod(weather, Pod("cp", "cold_plate", 50, 40))
    free = f["free_fraction"] >= 0.95
    assert period_summary(f)["free_cooling_h"] == free.sum()
    assert set(f.loc[free, "mode"].astype(str)) == {"free"}


@pytest.mark.parametrize("climate", ["greensboro", "miami", "beijing"])
@pytest.mark.parametrize("cooling,rack_kw", [("air", 20.0), ("cold_plate", 40.0), ("immersion", 50.0)])
def test_pue_rises_at_low_utilisation(climate, cooling, rack_kw):
    # Measured facilities: PUE climbs as IT load falls, because of losses that do not
    # scale with load (Schneider Electric White Paper 113, "Electrical Efficiency
    # Modeling for Data Centers": UPS no-load, transformers, fans and pumps at minimum
    # speed, lighting). Here: 10 % > 20 % > 50 % of design.
    weather = load_climate(climate)
    pues = [
        _summary(weather, Pod("p", cooling, 50, rack_kw, utilisation=u))["pue"]
        for u in (0.1, 0.2, 0.5)
    ]
    assert pues[0] > pues[1] > pues[2], pues
    full = _summary(weather, Pod("p", cooling, 50, rack_kw))["pue"]
    assert pues[1] > full


def test_chiller_capacity_keeps_falling_beyond_the_curve_and_trips():
    curve = chiller.DOE2_CENTRIFUGAL_5_50
    caps = chiller.capacity_factor(curve, 10.0, np.array([30.0, 35.0, 38.0, 41.0]), 44.0)
    assert all(b < a for a, b in itertools.pairwise(caps)), caps
    assert chiller.capacity_factor(curve, 10.0, 44.0, 44.0) == 0.0


@pytest.mark.parametrize("climate", ["miami", "greensboro", "shanghai"])
def test_a_heat_wave_on_a_plant_sized_for_today_leaves_heat_unmet(climate):
    weather = load_climate(climate)
    params = with_design_conditions(FacilityParams(), weather_arrays(weather))
    pod = Pod("air", "air", 50, 20, air_class="A1")
    today = _summary(weather, pod, params)
    assert today["unmet_heat_h"] == 0 and today["hours_outside_air_class"] == 0
    hot = _summary(warmed(weather, 8.0), pod, params)
    hotter = _summary(warmed(weather, 12.0), pod, params)
    assert 0 < hot["unmet_heat_h"] < hotter["unmet_heat_h"]
    assert hotter["hours_outside_air_class"] > 0
    # re-sized for the warmer climate, the plant carries it again
    assert _summary(warmed(weather, 8.0), pod)["unmet_heat_h"] == 0


def test_dense_air_racks_cost_fan_energy_liquid_racks_do_not_change_per_kw():
    weather = load_climate("greensboro")
    fans = {
        kw: (lambda f: f["air_handler_fan_kw"].sum() / f["it_kw"].sum())(
            simulate_pod(weather, Pod("air", "air", 20, kw))
        )
        for kw in (10.0, 20.0, 30.0)
    }
    assert fans[10.0] == pytest.approx(fans[20.0], rel=1e-9) and fans[30.0] > 1.15 * fans[20.0]
    assert _summary(weather, Pod("a", "air", 20, 30))["pue"] > _summary(weather, Pod("a", "air", 20, 20))["pue"]


def test_hybrid_coolers_use_water_only_above_their_switch_over():
    weather = load_climate("greensboro")
    params = FacilityParams()
    f = simulate_pod(weather, Pod("im", "immersion", 50, 50, heat_rejection="hybrid"), params=params)
    wet = weather["dry_bulb_c"].to_numpy() > params.rejection.hybrid_switch_over_c
    assert f["water_l"].to_numpy()[~wet].sum() == 0 and f["water_l"].to_numpy()[wet].sum() > 0
    dry = simulate_pod(weather, Pod("im", "immersion", 50, 50, heat_rejection="dry_cooler"))
    assert dry["water_l"].sum() == 0
    assert f["facility_kw"].sum() <= dry["facility_kw"].sum()


def test_spray_racks_above_48_kw_are_refused_with_the_technologies_that_fit():
    with pytest.raises(ThermalInputError, match=r"48 kW.*cold_plate.*immersion.*two_phase"):
        design_pod(Pod("sp", "spray", 10, 60))
    design_pod(Pod("sp", "spray", 10, 48))


def test_two_phase_immersion_needs_water_below_the_fluid_s_boiling_point():
    with pytest.raises(ThermalInputError, match=r"W40 is too warm to condense novec649"):
        design_pod(Pod("tp", "two_phase_immersion", 10, 100, water_class="W40"))
    design = design_pod(Pod("tp", "two_phase_immersion", 10, 140))
    assert design.liquid_fraction == 1.0 and design.it_design_kw == design.compute_design_kw


@pytest.mark.parametrize("climate", ["greensboro", "miami", "beijing"])
def test_new_liquid_technologies_run_like_published_liquid_facilities(climate):
    weather = load_climate(climate)
    spray = _summary(weather, Pod("sp", "spray", 50, 45))
    two_phase = _summary(weather, Pod("tp", "two_phase_immersion", 50, 100))
    assert 1.05 <= spray["pue"] <= 1.15 and 1.03 <= two_phase["pue"] <= 1.12
    air = _summary(weather, Pod("air", "air", 50, 20))
    assert two_phase["tue"] < spray["tue"] < air["tue"]
    # no technology-coolant pump in a boiling bath
    f = simulate_pod(weather, Pod("tp", "two_phase_immersion", 10, 100))
    cp = simulate_pod(weather, Pod("im", "immersion", 10, 100, water_class="W32"))
    assert f["pump_kw"].sum() < cp["pump_kw"].sum()


def test_coolant_properties_come_from_coolprop_and_match_the_physics_sheet():
    from thermal.coolants import boiling_point_c, volumetric_heat_capacity_mj_per_m3_k

    # physics.md: 25 % propylene glycol, 1.50 L/min per kW at 10 K -> rho cp = 4.0 MJ/(m³ K)
    assert volumetric_heat_capacity_mj_per_m3_k("pg25") == pytest.approx(4.0, rel=0.02)
    assert volumetric_heat_capacity_mj_per_m3_k("hfe7100") == pytest.approx(1.75, rel=0.05)
    assert boiling_point_c("novec649") == pytest.approx(49.0, abs=0.5)  # 3M data sheet: 49 °C
    with pytest.raises(ThermalInputError, match="unknown coolant"):
        volumetric_heat_capacity_mj_per_m3_k("unobtainium")


@pytest.mark.parametrize("climate", ["greensboro", "shanghai", "urumqi"])
def test_outside_air_cuts_water_and_pads_are_wetted_only_when_they_help(climate):
    weather = load_climate(climate)
    towers = _summary(weather, Pod("a", "air", 50, 20))
    dry = _summary(weather, Pod("a", "air", 50, 20, economizer="air_side"))
    pads = _summary(weather, Pod("a", "air", 50, 20, economizer="air_side_adiabatic"))
    assert pads["wue_l_per_kwh"] < 0.6 * towers["wue_l_per_kwh"]
    assert pads["pue"] <= dry["pue"] + 1e-9  # the pads run only in hours they help
    # same humidity rule as dry outside air: the pads never admit what dry air may not
    f = simulate_pod(weather, Pod("a", "air", 50, 20, economizer="air_side_adiabatic"))
    limit = FacilityParams().air.air_economizer_max_dew_point_c
    outside = f["free_fraction_air"].to_numpy() > 0
    assert (f["inlet_dew_point_c"].to_numpy()[outside] <= limit + 1e-6).all()
