"""Cold thermal storage: the tank's state, its parameters and a chiller plant charging it,
checked by hand."""

import numpy as np
import pytest

from thermal import chiller
from thermal.cold_storage import (
    ColdStorageParams,
    check_storage,
    chillers_with_storage,
    flows_within_state,
    storage_flows,
    tank_state_kwh_th,
)
from thermal.errors import ThermalInputError
from thermal.params import describe, override

PLANT = chiller.ChillerParams(units=4)
REF_KW = 1000.0
LEAVING_C, CONDENSER_C = 10.0, 29.4


def _plant(mech, request, kind="chilled_water", pump=0.0):
    return chillers_with_storage(
        np.asarray(mech, float),
        np.asarray(request, float),
        LEAVING_C,
        CONDENSER_C,
        REF_KW,
        PLANT,
        np.inf,
        pump,
        ColdStorageParams(kind=kind),
    )


def _power(load: float) -> float:
    return float(chiller.plant_power_kw(np.array([load]), LEAVING_C, CONDENSER_C, REF_KW, PLANT)[0][0])


def test_tank_state_follows_the_recursion_by_hand():
    params = ColdStorageParams(standing_loss_per_h=0.1)
    state = tank_state_kwh_th([100.0, 0.0, 0.0], [0.0, 50.0, 0.0], params, initial_kwh_th=10.0)
    # 10 x 0.9 + 100 = 109; 109 x 0.9 - 50 = 48.1; 48.1 x 0.9 = 43.29
    np.testing.assert_allclose(state, [109.0, 48.1, 43.29], rtol=1e-12)


def test_the_default_tank_loses_one_and_a_half_percent_a_day():
    state = tank_state_kwh_th(np.zeros(48), np.zeros(48), ColdStorageParams(), 1000.0)
    assert state[23] == pytest.approx(985.0, rel=1e-12)
    assert state[47] == pytest.approx(1000.0 * 0.985**2, rel=1e-12)


def test_a_long_year_of_flows_matches_a_plain_loop():
    rng = np.random.default_rng(3)
    charge, discharge = rng.uniform(0, 500, 8760), rng.uniform(0, 500, 8760)
    params = ColdStorageParams(standing_loss_per_h=0.01)
    expected, state = [], 2000.0
    for c, d in zip(charge, discharge, strict=True):
        state = state * 0.99 + c - d
        expected.append(state)
    np.testing.assert_allclose(tank_state_kwh_th(charge, discharge, params, 2000.0), expected, rtol=1e-9, atol=1e-6)


def test_every_default_has_a_unit_and_a_source():
    rows = describe(ColdStorageParams())
    assert {r["name"] for r in rows} >= {"kind", "loop", "capacity_kwh_th", "power_kw_th", "standing_loss_per_h", "ice_cop_ratio", "ice_capacity_ratio"}
    for row in rows:
        assert row["unit"] and len(row["source"]) > 20, row["name"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ice_cop_ratio": 0.0}, "ice_cop_ratio"),
        ({"ice_capacity_ratio": 1.5}, "ice_capacity_ratio"),
        ({"standing_loss_per_h": -0.01}, "standing_loss_per_h"),
        ({"capacity_kwh_th": -1.0}, "capacity_kwh_th"),
        ({"power_kw_th": "lots"}, "power_kw_th"),
    ],
)
def test_overrides_outside_their_bounds_are_named(changes, message):
    with pytest.raises(ThermalInputError, match=message):
        override(ColdStorageParams(), changes, where="storage.cold")


@pytest.mark.parametrize(("field", "value", "valid"), [("kind", "brine", "chilled_water, ice"), ("loop", "glycol", "chilled_water, facility_water")])
def test_an_unknown_kind_or_loop_names_the_valid_ones(field, value, valid):
    with pytest.raises(ThermalInputError, match=valid):
        check_storage(ColdStorageParams(**{field: value}))


def test_flows_must_be_one_finite_value_per_hour():
    with pytest.raises(ThermalInputError, match=r"'hall-a'.*one per weather hour"):
        storage_flows(np.zeros(5), 4, "hall-a")
    with pytest.raises(ThermalInputError, match=r"'hall-a'.*NaN"):
        storage_flows([0.0, np.nan], 2, "hall-a")
    np.testing.assert_array_equal(storage_flows(3.0, 2, "hall-a"), [3.0, 3.0])
    assert storage_flows(None, 2, "hall-a") is None


def test_discharge_replaces_only_the_heat_asked_of_the_chillers():
    out = _plant([300.0, 0.0, 500.0], [-500.0, -100.0, -200.0])
    np.testing.assert_array_equal(out["storage_kw_th"], [-300.0, 0.0, -200.0])
    np.testing.assert_array_equal(out["served_kw"], [0.0, 0.0, 300.0])
    np.testing.assert_allclose(out["chiller_kw"], [0.0, 0.0, _power(300.0)], rtol=1e-12)


def test_charging_fills_only_the_spare_capacity_and_leaves_no_heat_unmet():
    available = _plant([300.0], [0.0])["available_kw"][0]
    out = _plant([300.0], [1e9], pump=0.01)
    spare = (available - 300.0) / 1.01  # the pump's heat is one more load
    assert out["storage_kw_th"][0] == pytest.approx(spare, rel=1e-12)
    assert out["served_kw"][0] == pytest.approx(available, rel=1e-12)
    assert out["unmet_kw"][0] == 0.0
    assert out["charge_pump_kw"][0] == pytest.approx(0.01 * spare, rel=1e-12)


def test_charging_runs_chillers_that_free_cooling_had_switched_off():
    out = _plant([0.0], [200.0])
    assert out["chiller_kw"][0] == pytest.approx(_power(200.0), rel=1e-12)
    assert out["chiller_kw"][0] > 0


def test_ice_charges_at_a_lower_cop_and_capacity():
    params = ColdStorageParams()
    water = _plant([0.0], [200.0])
    ice = _plant([0.0], [200.0], kind="ice")
    # 200 kW_th of ice occupies the plant like 200 / 0.65 kW of chilled water, and draws
    # 0.65 / 0.70 of that power
    expected = _power(200.0 / params.ice_capacity_ratio) * params.ice_capacity_ratio / params.ice_cop_ratio
    assert ice["chiller_kw"][0] == pytest.approx(expected, rel=1e-12)
    assert ice["chiller_kw"][0] > water["chiller_kw"][0]
    available = water["available_kw"][0]
    most_ice = _plant([100.0], [1e9], kind="ice")["storage_kw_th"][0]
    assert most_ice == pytest.approx((available - 100.0) * params.ice_capacity_ratio, rel=1e-12)


def test_no_flow_leaves_the_plant_as_it_was():
    mech = np.array([0.0, 50.0, 400.0, 2000.0])
    power, served, _ = chiller.plant_power_kw(mech, LEAVING_C, CONDENSER_C, REF_KW, PLANT)
    out = _plant(mech, np.zeros(4), kind="ice")
    np.testing.assert_array_equal(out["chiller_kw"], power)
    np.testing.assert_array_equal(out["served_kw"], served)
    np.testing.assert_array_equal(out["unmet_kw"], mech - served)


def test_flows_are_cut_to_what_the_tank_holds_and_its_room():
    """A charge the chillers could not carry leaves the planned discharge after it short:
    the discharge is cut (over both pods, in proportion) to what was stored; a later
    charge is cut to the room left; the state then stays within [0, capacity]."""
    params = ColdStorageParams(capacity_kwh_th=100.0, standing_loss_per_h=0.0)
    applied = {"a": np.array([10.0, -30.0, 0.0, 90.0]),  # planned 40 in hour 0, got 10
               "b": np.array([0.0, -30.0, 0.0, 30.0])}
    held = flows_within_state(applied, params, initial_kwh_th=20.0)
    assert held["a"][1] == pytest.approx(-15.0) and held["b"][1] == pytest.approx(-15.0)
    state = tank_state_kwh_th(held["a"] + held["b"], np.zeros(4), params, 20.0)
    assert state.tolist() == pytest.approx([30.0, 0.0, 0.0, 100.0])
    assert held["a"][3] + held["b"][3] == pytest.approx(100.0)
    assert held["a"][3] / held["b"][3] == pytest.approx(3.0)
    # flows the state allows come back unchanged
    fine = {"a": np.array([10.0, -5.0, -5.0])}
    assert np.array_equal(flows_within_state(fine, params, 0.0)["a"], fine["a"])
