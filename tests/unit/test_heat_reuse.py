"""Heat reuse, checked by hand: the heat pump's COP, direct exchange, the merit order that
shares a demand, ERF, the parameters' bounds and the heating-season demand shape."""

import numpy as np
import pandas as pd
import pytest

from thermal.errors import ThermalInputError
from thermal.heat_demand import (
    BEIJING_HEATING_DESIGN_C,
    ROOM_C,
    heating_season_demand_kw_th,
    in_season,
)
from thermal.heat_reuse import (
    KELVIN,
    HeatReuseParams,
    allocate,
    check_params,
    energy_reuse_factor,
    heat_pump_cop,
    heat_pump_kw_per_kw_th,
    offer_kw_th,
    site_limit_kw_th,
)
from thermal.params import describe, override

pytestmark = pytest.mark.unit


def test_cop_is_the_carnot_cop_times_the_efficiency_capped():
    # 40 °C source to 70 °C: Carnot 343.15 / 30 = 11.44; x 0.45 = 5.147
    assert heat_pump_cop(40.0, 70.0, 0.45, 8.0) == pytest.approx(0.45 * 343.15 / 30.0, rel=1e-12)
    assert float(heat_pump_cop(40.0, 70.0, 0.45, 8.0)) == pytest.approx(5.1473, abs=1e-4)
    # 5 K lift: 0.45 x 318.15 / 5 = 28.6 -> the cap
    assert heat_pump_cop(40.0, 45.0, 0.45, 8.0) == 8.0
    # a source as warm as the supply: no lift, the cap
    assert heat_pump_cop(70.0, 70.0, 0.45, 8.0) == 8.0
    assert heat_pump_cop(80.0, 70.0, 0.45, 8.0) == 8.0


def test_cop_takes_scalars_arrays_and_series():
    source = pd.Series([20.0, 30.0, 40.0], index=pd.date_range("2023-01-01", periods=3, freq="h"))
    expected = 0.5 * (65 + KELVIN) / (65.0 - source.to_numpy())
    got = heat_pump_cop(source, 65.0, 0.5, 20.0)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12)
    np.testing.assert_allclose(
        heat_pump_cop(source.to_numpy(), 65.0, 0.5, 20.0), expected, rtol=1e-12
    )
    assert np.ndim(heat_pump_cop(30.0, 65.0)) == 0
    assert heat_pump_cop(30.0, 65.0) == heat_pump_cop(30.0, 65.0, 0.45, 8.0)  # the defaults


def test_a_hotter_supply_never_raises_the_cop_nor_lowers_the_compressor_share():
    rng = np.random.default_rng(15)
    source = rng.uniform(5.0, 60.0, 2_000)
    eta = rng.uniform(0.3, 0.7, 2_000)
    supplies = np.linspace(20.0, 110.0, 181)
    cops = np.array([heat_pump_cop(source, s, eta, 8.0) for s in supplies])
    assert np.all(np.diff(cops, axis=0) <= 1e-12)
    assert np.any(np.diff(cops, axis=0) < 0)  # it does fall
    for approach in (0.0, 4.0):
        per = np.array(
            [
                heat_pump_kw_per_kw_th(source, HeatReuseParams(supply_c=s, hx_approach_k=approach))
                for s in supplies
            ]
        )
        assert np.all(np.diff(per, axis=0) >= -1e-15)


def test_direct_exchange_only_where_the_source_beats_the_supply_by_the_approach():
    p = HeatReuseParams(supply_c=45.0, hx_approach_k=4.0)
    per = heat_pump_kw_per_kw_th(np.array([49.0, 48.99, 55.0, 15.0]), p)
    assert per[0] == 0.0 and per[2] == 0.0
    assert per[1] == pytest.approx(1.0 / 8.0)  # 0.01 K short: a heat pump at small lift, capped
    assert per[3] == pytest.approx((45.0 - 15.0) / (0.45 * (45.0 + KELVIN)))  # COP 4.77


def test_a_heat_pumps_offer_adds_its_compressor_heat_and_the_shares():
    p = HeatReuseParams(supply_c=70.0, liquid_share=0.8, air_share=0.5, contracted_share=0.5)
    cop = 0.45 * (70 + KELVIN) / 28.0
    liquid = offer_kw_th(
        {"loop_heat_kw_th": np.array([1000.0]), "source_c": np.array([42.0]), "liquid": True}, p
    )
    assert liquid["per_kw_th"][0] == pytest.approx(1.0 / cop)
    # 1000 x 0.8 x 0.5 recovered, delivered = recovered x COP / (COP - 1)
    assert liquid["recoverable_kw_th"][0] == pytest.approx(400.0 * cop / (cop - 1.0))
    air = offer_kw_th(
        {"loop_heat_kw_th": np.array([1000.0]), "source_c": np.array([75.0]), "liquid": False}, p
    )
    assert air["per_kw_th"][0] == 0.0 and air["recoverable_kw_th"][0] == pytest.approx(250.0)


def test_allocate_takes_the_cheapest_heat_first_up_to_the_limit():
    recoverable = np.array([[100.0, 200.0, 300.0]] * 4)
    per = np.array([[0.2, 0.0, 0.1]] * 4)
    limit = np.array([np.inf, 250.0, 0.0, 450.0])
    got = allocate(recoverable, per, limit)
    np.testing.assert_allclose(got[0], [100.0, 200.0, 300.0])
    np.testing.assert_allclose(got[1], [0.0, 200.0, 50.0])  # direct first, then COP 10
    np.testing.assert_allclose(got[2], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(got[3], [0.0, 200.0, 250.0])
    # ties keep the pods' order
    np.testing.assert_allclose(
        allocate(np.array([[5.0, 5.0]]), np.zeros((1, 2)), [7.0]), [[5.0, 2.0]]
    )


def test_the_site_limit_is_the_smaller_of_demand_and_capacity():
    idx = pd.date_range("2023-01-01", periods=3, freq="h", tz="Asia/Shanghai")
    p = HeatReuseParams(capacity_kw_th=150.0)
    np.testing.assert_array_equal(site_limit_kw_th(None, HeatReuseParams(), 3, idx), [np.inf] * 3)
    np.testing.assert_array_equal(site_limit_kw_th([100, 200, 0], p, 3, idx), [100, 150, 0])
    np.testing.assert_array_equal(site_limit_kw_th(pd.Series(90.0, index=idx), p, 3, idx), [90] * 3)
    for bad, what in (
        ([1.0, 2.0], "one per weather hour"),
        ([1.0, -1.0, 0.0], ">= 0"),
        ([1.0, np.nan, 0.0], "finite"),
        (pd.Series(1.0, index=idx.shift(1)), "index"),
    ):
        with pytest.raises(ThermalInputError, match=what):
            site_limit_kw_th(bad, p, 3, idx)


def test_erf_per_hour_and_over_the_period():
    idx = pd.date_range("2023-01-01", periods=3, freq="h")
    hourly, period = energy_reuse_factor(
        pd.Series([50.0, 0.0, 30.0], index=idx), pd.Series([100.0, 100.0, 0.0], index=idx)
    )
    assert isinstance(hourly, pd.Series) and hourly.index.equals(idx)
    np.testing.assert_array_equal(hourly.to_numpy()[:2], [0.5, 0.0])
    assert np.isnan(hourly.iloc[2])
    assert period == pytest.approx(80.0 / 200.0)
    assert np.isnan(energy_reuse_factor([0.0], [0.0])[1])


def test_parameters_carry_unit_and_source_and_keep_their_bounds():
    rows = describe(HeatReuseParams())
    assert {r["name"] for r in rows} >= {"supply_c", "carnot_efficiency", "hx_approach_k"}
    assert all(r["unit"] and r["source"] for r in rows)
    assert check_params(HeatReuseParams()) == HeatReuseParams()
    for key, value in (
        ("carnot_efficiency", 0.0),
        ("carnot_efficiency", 1.2),
        ("max_cop", 1.0),
        ("supply_c", 150.0),
        ("contracted_share", 1.5),
        ("capacity_kw_th", -1.0),
    ):
        with pytest.raises(ThermalInputError, match=key):
            override(HeatReuseParams(), {key: value}, where="heat_reuse")
        with pytest.raises(ThermalInputError, match=f"heat_reuse.{key}"):
            check_params(HeatReuseParams(**{key: value}))
    assert override(HeatReuseParams(), {"capacity_kw_th": 500}).capacity_kw_th == 500.0


def test_the_heating_season_runs_from_15_november_to_15_march_local_days():
    idx = pd.DatetimeIndex(
        [
            "2023-11-14 23:00",
            "2023-11-15 00:00",
            "2024-01-10 12:00",
            "2024-03-15 23:00",
            "2024-03-16 00:00",
            "2024-07-01 12:00",
        ]
    ).tz_localize("Etc/GMT-8")
    np.testing.assert_array_equal(in_season(idx), [False, True, True, True, False, False])
    np.testing.assert_array_equal(
        in_season(idx, ("03-01", "11-14")), [True, False, False, True, True, True]
    )
    with pytest.raises(ThermalInputError, match="MM-DD"):
        in_season(idx, ("11-31", "03-15"))


def test_heating_season_demand_is_degree_hours_to_the_design_peak():
    idx = pd.date_range("2023-12-01", periods=4, freq="h", tz="Etc/GMT-8").append(
        pd.date_range("2023-07-01", periods=1, freq="h", tz="Etc/GMT-8")
    )
    weather = pd.DataFrame({"dry_bulb_c": [18.0, 5.0, -7.6, -20.0, 0.0]}, index=idx)
    demand = heating_season_demand_kw_th(weather, 1000.0)
    assert (ROOM_C, BEIJING_HEATING_DESIGN_C) == (18.0, -7.6)
    np.testing.assert_allclose(demand.to_numpy(), [0.0, 1000.0 * 13.0 / 25.6, 1000.0, 1000.0, 0.0])
    assert demand.attrs["label"].startswith("assumption")
    assert demand.index.equals(idx)
    with pytest.raises(ThermalInputError, match="peak"):
        heating_season_demand_kw_th(weather, -1.0)
    with pytest.raises(ThermalInputError, match="above the design"):
        heating_season_demand_kw_th(weather, 1.0, room_c=-10.0)
