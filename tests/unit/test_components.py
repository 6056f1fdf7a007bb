"""Plant components checked against hand calculations and their published sources."""

import dataclasses

import numpy as np
import pytest

from thermal import chiller, heat_rejection, loops
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams
from thermal.it_power import ServerParams, compute_per_rack_kw, server_fan_kw
from thermal.params import describe, override
from thermal.power_chain import PowerChainParams, ups_loss_kw

CURVE = chiller.DOE2_CENTRIFUGAL_5_50


@pytest.mark.parametrize(
    ("leaving_c", "condenser_c", "cop"),
    [(6.67, 24.0, 6.18), (6.67, 29.4, 5.51), (6.67, 35.0, 4.81), (10.0, 24.0, 6.48), (10.0, 29.4, 5.88), (10.0, 35.0, 5.20)],
)
def test_doe2_curve_reproduces_the_physics_sheet_cop_table(leaving_c, condenser_c, cop):
    assert float(chiller.full_load_cop(CURVE, leaving_c, condenser_c)) == pytest.approx(cop, abs=0.01)


def test_curve_inputs_are_clipped_to_their_valid_range():
    assert chiller.full_load_cop(CURVE, 20.0, 10.0) == pytest.approx(chiller.full_load_cop(CURVE, 10.0, 24.0))


def test_chiller_plant_power_is_continuous_and_increasing_in_load():
    params = chiller.ChillerParams(units=4)
    load = np.linspace(1.0, 1000.0, 4000)
    power, served, _available = chiller.plant_power_kw(load, 10.0, 30.0, 1000.0, params)
    assert np.all(np.diff(power) > -1e-9)
    assert np.abs(np.diff(power)).max() < 0.5  # no staging jumps (kW per 0.25 kW of load)
    np.testing.assert_allclose(served, load)
    # at full load every unit runs at PLR 1: power = capacity x EIRFT / COP
    p_full, _, avail = chiller.plant_power_kw(np.array([1e9]), 10.0, 30.0, 1000.0, params)
    assert p_full[0] == pytest.approx(avail[0] / float(chiller.full_load_cop(CURVE, 10.0, 30.0)))


def test_overloaded_chillers_serve_only_their_capacity():
    _power, served, available = chiller.plant_power_kw(np.array([2000.0]), 10.0, 35.0, 1000.0, chiller.ChillerParams())
    assert served[0] == pytest.approx(available[0]) and available[0] < 2000.0


def test_hot_condenser_water_derates_capacity():
    assert chiller.capacity_factor(CURVE, 10.0, 35.0) < chiller.capacity_factor(CURVE, 10.0, 24.0)


def test_ups_efficiency_is_097_between_half_and_full_load_and_falls_below():
    params = PowerChainParams()
    for plr in (0.5, 0.75, 1.0):
        loss = ups_loss_kw(plr * 1000.0, 1000.0, params)
        assert plr * 1000.0 / (plr * 1000.0 + loss) == pytest.approx(0.97, abs=0.003)
    # efficiency falls at low load: ~96 % at 20 %, ~94 % at 10 % (current double conversion)
    assert 200.0 / (200.0 + ups_loss_kw(200.0, 1000.0, params)) == pytest.approx(0.96, abs=0.003)
    assert 100.0 / (100.0 + ups_loss_kw(100.0, 1000.0, params)) < 0.945


def test_pump_power_is_head_times_flow_over_efficiency():
    # 1000 kW at 6 K: V = 1000 / (997 * 4.18 * 6) m³/s; P = 147 kPa * V / 0.79
    expected = 147e3 * (1000.0 / (997.0 * 4.18 * 6.0)) / 0.79 / 1000.0
    assert heat_rejection.pump_kw(1000.0, 6.0, 147e3, 0.79) == pytest.approx(expected)


def test_air_handler_fans_follow_the_cube_law_and_the_physics_sheet_airflow():
    params = loops.AirSideParams()
    design = loops.air_handler_fan_kw(1000.0, 1000.0, params)
    # 0.069 m³/s per kW at 12 K (physics.md), so 0.0552 at 15 K; 400 Pa / 0.83; installed
    # airflow x1.2 runs at 1/1.2 of its speed
    expected = 1000 * 0.069 * 12 / 15 * 1.2 * 400 / 0.83 / 1000 * (1 / 1.2) ** 3
    assert design == pytest.approx(expected, rel=0.01)
    assert loops.air_handler_fan_kw(500.0, 1000.0, params) == pytest.approx(design / 8)
    # ... down to the drives' minimum speed, below which the fans run on at that speed
    floor = expected * (1.2 * params.fan_min_speed_frac) ** 3
    assert loops.air_handler_fan_kw(100.0, 1000.0, params) == pytest.approx(floor, rel=0.01)
    assert loops.air_handler_fan_kw(0.0, 1000.0, params) == 0.0


def test_dense_air_racks_need_more_fan_pressure():
    params = loops.AirSideParams()
    assert loops.air_fan_pressure_pa(20.0, params) == params.fan_pressure_pa
    assert loops.air_fan_pressure_pa(30.0, params) == params.fan_pressure_pa + 80.0
    assert loops.air_fan_pressure_pa(15.0, params) == params.fan_pressure_pa


def test_chilled_water_follows_the_air_and_impossible_set_points_name_the_pair():
    supply, ret = loops.chilled_water_c(loops.AirSideParams())
    assert supply == pytest.approx(40.0 - 15.0 / 0.8) and ret == pytest.approx(supply + 7.5)
    warm = loops.chilled_water_c(loops.AirSideParams(chw_supply_c=18.0))
    assert warm == (18.0, 25.5)
    for bad in (24.5, 25.0, 30.0):
        with pytest.raises(ValueError, match=r"chw_supply_c.*supply_air_c"):
            loops.chilled_water_c(loops.AirSideParams(chw_supply_c=bad))


def test_server_fans_rise_with_inlet_temperature_and_vanish_in_immersion():
    p = ServerParams()
    at_ref = server_fan_kw(920.0, 25.0, 1.0, p)
    assert at_ref == pytest.approx(80.0)  # 8 % of a 1000 kW air-cooled rack group
    warm = server_fan_kw(920.0, 30.0, 1.0, p)
    # +5 K -> server power +~2 % (0.4 %/K, arXiv 2509.26163)
    assert (920 + warm) / (920 + at_ref) - 1 == pytest.approx(0.02, abs=0.003)
    assert server_fan_kw(920.0, 25.0, 0.25, p) == pytest.approx(20.0)
    assert server_fan_kw(920.0, 25.0, 0.0, p) == 0.0
    assert compute_per_rack_kw(30.0, p) == pytest.approx(27.6)


def test_tower_evaporates_more_per_kwh_in_hot_humid_air():
    p = heat_rejection.HeatRejectionParams()
    hot, cold = heat_rejection.tower_evaporation_l_per_kwh(np.array([32.0, 0.0]), np.array([22.0, -5.0]), 101_325.0, p)
    assert 1.3 < hot < 1.7  # physics.md: ~1.48 L/kWh if all heat left by evaporation
    assert 0.4 < cold < 1.1
    evap, blowdown, drift = heat_rejection.tower_water_l(np.array([1000.0]), np.array([1.5]), p)
    # blowdown + drift = evaporation / (cycles - 1) at 3 cycles
    assert blowdown[0] + drift[0] == pytest.approx(evap[0] / 2)


def test_every_default_constant_has_a_unit_and_a_source():
    rows = describe(FacilityParams())
    assert len(rows) > 40
    for row in rows:
        assert row["unit"], row["name"]
        assert len(row["source"]) > 8, row["name"]


def test_defaults_can_be_overridden_by_dotted_or_nested_keys():
    p = override(FacilityParams(), {"air.chw_supply_c": 12, "rejection": {"cycles_of_concentration": 5}})
    assert p.air.chw_supply_c == 12.0 and isinstance(p.air.chw_supply_c, float)
    assert p.rejection.cycles_of_concentration == 5.0
    assert dataclasses.replace(FacilityParams()) == FacilityParams()  # untouched defaults


def test_unknown_override_key_suggests_the_nearest():
    with pytest.raises(ThermalInputError, match="did you mean 'chw_supply_c'"):
        override(FacilityParams(), {"air.chw_suply_c": 12})


def test_override_of_the_wrong_kind_is_an_error():
    with pytest.raises(ThermalInputError, match="must be a number"):
        override(FacilityParams(), {"air.chw_supply_c": "cold"})


@pytest.mark.parametrize(
    "key,value",
    [
        ("liquid.fws_delta_t_k", 0), ("liquid.tcs_delta_t_k", 0), ("rejection.condenser_range_k", 0),
        ("air.airflow_margin", 0.5), ("rejection.cycles_of_concentration", 1),
        ("air.fan_pressure_pa", -400), ("rejection.tower_approach_k", -100),
        ("air.supply_air_c", -1e9), ("air.chw_delta_t_k", 0),
    ],
)
def test_overrides_that_would_divide_by_zero_or_make_energy_from_nothing_are_refused(key, value):
    # each used to run: PUE 0 or inf, or a fan that gave energy back (exit 0)
    with pytest.raises(ThermalInputError, match=key.replace(".", r"\.")):
        override(FacilityParams(), {key: value}, where="facility")
