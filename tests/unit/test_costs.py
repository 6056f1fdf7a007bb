"""Capital cost, TCO, payback and NPV (scenarios.costs) against hand calculations and
the published anchor (Schneider Electric WP 282)."""

import math

import pytest

from scenarios.costs import (
    COMPONENTS,
    RATES_PER_USD,
    capex,
    capital_recovery_factor,
    cost_params,
    tco,
    versus,
)
from scenarios.errors import ScenarioError
from tests.tolerances import MONEY_RTOL, WP282_CAPEX_ATOL
from thermal.facility import FacilityParams, Pod
from thermal.simulate import weather_arrays, with_design_conditions
from thermal.sizing import PlantSizing, size_pod_at
from thermal.weather import load_climate

pytestmark = pytest.mark.unit

#: Round prices for the hand calculation.
ROUND = {
    "building_usd_per_m2": 1000.0,
    "ups_usd_per_kw": 100.0,
    "grid_usd_per_kw": 50.0,
    "chiller_usd_per_kw_th": 10.0,
    "tower_usd_per_kw_th": 2.0,
    "crah_usd_per_kw_th": 3.0,
    "cdu_usd_per_kw_th": 4.0,
    "maintenance_share": 0.05,
    "water_usd_per_m3": 2.0,
    "discount_rate": 0.1,
    "lifetime_years": 10.0,
    "air": {"m2_per_rack": 2.0, "rack_usd": 500.0},
}


def _sizing(**changes) -> PlantSizing:
    base = dict(
        pod="a", cooling="air", racks=10, rack_kw=10.0, design_dry_bulb_c=33.0,
        design_wet_bulb_c=25.0, it_design_kw=100.0, compute_design_kw=92.0,
        design_facility_kw=130.0, design_pue=1.3, ups_kw=100.0, chiller_kw_th=110.0,
        chiller_load_kw_th=100.0, heat_rejection="tower", heat_rejection_kw_th=130.0,
        air_handling_kw_th=100.0, cdu_kw_th=0.0, pump_kw=3.0, unmet_heat_kw=0.0,
    )
    return PlantSizing(**{**base, **changes})


def test_capex_and_tco_of_a_hand_checkable_hall():
    params = cost_params(ROUND, "USD")
    hall = _sizing()
    cap = capex([hall], params)
    # by hand: 10 racks x 2 m² x 1000; 100 x 100 + 130 x 50; 110 x 10; 130 x 2; 100 x 3;
    # 0 x 4; 10 x 500; no coolant
    expected = {
        "white_space": 20_000.0, "power_chain": 16_500.0, "chillers": 1_100.0,
        "heat_rejection": 260.0, "air_handling": 300.0, "cdus": 0.0, "racks": 5_000.0,
        "coolant": 0.0,
    }
    assert set(cap.by_component) == set(COMPONENTS)
    for key, value in expected.items():
        assert cap.by_component[key] == pytest.approx(value, rel=MONEY_RTOL), key
    assert cap.total == pytest.approx(43_160.0, rel=MONEY_RTOL)
    assert cap.per_kw_it == pytest.approx(431.6, rel=MONEY_RTOL)
    assert cap.floor_m2 == 20.0

    # a quarter of a year: 2,190 h costing 1,000 in energy, 100 in demand, 5 m³ of water,
    # 200 MWh of compute
    result = tco([hall], params, energy_cost=1000.0, demand_cost=100.0, water_l=5000.0,
                 compute_kwh=200_000.0, hours=2190.0)
    crf = 0.1 * 1.1**10 / (1.1**10 - 1)  # 0.162745...
    assert capital_recovery_factor(0.1, 10) == pytest.approx(0.16274539488, rel=1e-9)
    assert result.annualised_capex == pytest.approx(43_160.0 * crf, rel=MONEY_RTOL)
    assert result.annual.energy == pytest.approx(4_000.0, rel=MONEY_RTOL)
    assert result.annual.demand == pytest.approx(400.0, rel=MONEY_RTOL)
    assert result.annual.water == pytest.approx(5 * 2.0 * 4, rel=MONEY_RTOL)
    assert result.annual.maintenance == pytest.approx(0.05 * 43_160.0, rel=MONEY_RTOL)
    per_year = 43_160.0 * crf + 4_000.0 + 400.0 + 40.0 + 2_158.0
    assert result.per_year == pytest.approx(per_year, rel=MONEY_RTOL)
    assert result.compute_mwh_per_year == pytest.approx(800.0, rel=MONEY_RTOL)
    assert result.per_mwh_compute == pytest.approx(per_year / 800.0, rel=MONEY_RTOL)
    assert result.embodied_t is None
    with_embodied = tco([hall], cost_params({**ROUND, "embodied_kg_per_kw_it": 2000.0}, "USD"),
                        1000.0, 100.0, 5000.0, 200_000.0, 2190.0)
    assert with_embodied.embodied_t == pytest.approx(200.0)  # 2 t/kW x 100 kW


def test_coolant_fill_and_top_up():
    params = cost_params({**ROUND, "immersion": {"coolant_l_per_rack": 400.0,
                                                  "coolant_usd_per_l": 8.0,
                                                  "coolant_topup_share": 0.02}}, "USD")
    hall = _sizing(cooling="immersion", heat_rejection="hybrid")
    result = tco([hall], params, 0.0, 0.0, 0.0, 1.0, 8760.0)
    assert result.capex.by_component["coolant"] == pytest.approx(10 * 400 * 8.0)
    assert result.annual.coolant_topup == pytest.approx(10 * 400 * 8.0 * 0.02)


def test_capital_recovery_without_interest_is_straight_line():
    assert capital_recovery_factor(0.0, 20) == pytest.approx(0.05)
    # the annuity repays the capital: PV of CRF x C over n years at r equals C
    r, n = 0.07, 12
    pv = sum(capital_recovery_factor(r, n) / (1 + r) ** t for t in range(1, n + 1))
    assert pv == pytest.approx(1.0, rel=1e-12)


def test_payback_and_npv_by_hand():
    params = cost_params(ROUND, "USD")
    air = tco([_sizing()], params, 10_000.0, 0.0, 0.0, 1.0, 8760.0)
    dearer = tco([_sizing(racks=12)], params, 9_000.0, 0.0, 0.0, 1.0, 8760.0)
    vs = versus(dearer, air)
    extra = dearer.capex.total - air.capex.total  # 2 racks: 2 x (2 x 1000 + 500) = 5,000
    assert extra == pytest.approx(5_000.0)
    saving = 1_000.0 - 0.05 * 5_000.0  # energy saved less the extra maintenance
    assert vs.annual_saving == pytest.approx(saving)
    assert vs.payback_years == pytest.approx(5_000.0 / saving)
    annuity = sum(1 / 1.1**t for t in range(1, 11))
    assert vs.npv == pytest.approx(-5_000.0 + saving * annuity, rel=1e-12)
    # cheaper to build and to run: paid back at once; dearer to run: never
    assert versus(air, tco([_sizing()], params, 20_000.0, 0.0, 0.0, 1.0, 8760.0)).payback_years == 0.0
    assert math.isinf(versus(dearer, tco([_sizing()], params, 5_000.0, 0.0, 0.0, 1.0, 8760.0)).payback_years)


def test_currency_converts_the_us_dollar_defaults_at_the_stated_rate():
    usd = capex([_sizing()], cost_params({}, "USD")).total
    cny = capex([_sizing()], cost_params({}, "CNY"))
    assert cny.currency == "CNY"
    assert cny.total == pytest.approx(usd * RATES_PER_USD["CNY"], rel=MONEY_RTOL)
    gbp = capex([_sizing()], cost_params({"exchange_rate_per_usd": 0.8}, "gbp"))
    assert gbp.currency == "GBP" and gbp.total == pytest.approx(0.8 * usd, rel=MONEY_RTOL)
    cheaper = capex([_sizing()], cost_params({"location_factor": 0.7}, "USD")).total
    assert cheaper == pytest.approx(0.7 * usd, rel=MONEY_RTOL)


@pytest.mark.parametrize(
    ("changes", "currency", "fragments"),
    [
        ({}, "GBP", ("exchange_rate_per_usd", "GBP")),
        ({"currency": "EUR"}, "USD", ("grid.currency",)),
        ({"discount_rat": 0.05}, "USD", ("discount_rat", "discount_rate")),
        ({"discount_rate": 2.0}, "USD", ("costs.discount_rate",)),
        ({"immersion": {"rack_usd": "cheap"}}, "USD", ("costs.immersion.rack_usd", "number")),
        ({"immersion": {"rack_usd": -1.0}}, "USD", ("costs.immersion.rack_usd", "outside")),
        ({"air": {"m2_per_rack": 0.0}}, "USD", ("costs.air.m2_per_rack", "outside")),
    ],
)
def test_bad_cost_settings_name_the_field(changes, currency, fragments):
    with pytest.raises(ScenarioError) as err:
        cost_params(changes, currency)
    for fragment in fragments:
        assert fragment in str(err.value)


@pytest.fixture(scope="module")
def greensboro_params():
    weather = load_climate("greensboro")
    return with_design_conditions(FacilityParams(), weather_arrays(weather))


def test_immersion_capex_reproduces_schneider_wp282(greensboro_params):
    """A 2 MW hall (WP 282's case): air at 10 kW/rack against immersion at 10, 20 and
    40 kW/rack; the paper finds parity, -10 % and -14 %."""
    params = cost_params({}, "USD")

    def hall(cooling, rack_kw):
        pod = Pod(name=cooling, cooling=cooling, racks=int(2000 / rack_kw), rack_kw=rack_kw)
        return capex([size_pod_at(pod, greensboro_params)], params).total

    air = hall("air", 10.0)
    for rack_kw, expected in ((10.0, 0.0), (20.0, -0.10), (40.0, -0.14)):
        assert hall("immersion", rack_kw) / air - 1 == pytest.approx(expected, abs=WP282_CAPEX_ATOL)
    # the air-cooled hall costs a plausible US$ per W: below the top of Turner & Townsend's
    # DCCI 2023 (Tokyo, 13.7 US$/W), above half of it
    assert 13.7 / 2 <= air / 2e6 <= 13.7


def test_a_simulated_year_pays_the_demand_charge_on_each_months_own_peak():
    """January peaks at 1,000 kW, February at 600 kW: the demand charge is billed on
    1,600 kW-months, not on the period's peak in both months (2,000)."""
    import pandas as pd

    from scenarios.options import year_tco

    hours = pd.date_range("2023-01-01", "2023-03-01", freq="h", inclusive="left")
    facility = pd.Series(500.0, index=hours)
    facility.iloc[10] = 1000.0
    facility.iloc[31 * 24 + 5] = 600.0
    frame = pd.DataFrame({"facility_kw": facility, "water_l": 0.0, "compute_kw": 400.0})
    price, charge = 0.1, 10.0
    cost = year_tco(frame, [_sizing()], cost_params(ROUND, "USD"), price, charge)
    to_year = cost.annual.energy / (float(facility.sum()) * price)
    assert to_year == pytest.approx(8760 / len(hours))
    assert cost.annual.demand == pytest.approx((1000.0 + 600.0) * charge * to_year)


def test_a_simulated_year_pays_each_hours_own_price():
    """Hourly prices: the energy cost is each hour's kWh at that hour's price (a dearer
    hour that draws more costs more than the mean price says)."""
    import numpy as np
    import pandas as pd

    from scenarios.options import year_tco

    hours = pd.date_range("2023-01-01", periods=48, freq="h")
    facility = pd.Series(np.where(np.arange(48) % 24 < 12, 100.0, 300.0), index=hours)
    frame = pd.DataFrame({"facility_kw": facility, "water_l": 0.0, "compute_kw": 80.0})
    prices = np.where(np.arange(48) % 24 < 12, 0.1, 0.3)  # dear when the load is high
    cost = year_tco(frame, [_sizing()], cost_params(ROUND, "USD"), prices, 0.0)
    flat = year_tco(frame, [_sizing()], cost_params(ROUND, "USD"), float(prices.mean()), 0.0)
    to_year = 8760 / 48
    assert cost.annual.energy == pytest.approx((24 * 100 * 0.1 + 24 * 300 * 0.3) * to_year)
    assert flat.annual.energy == pytest.approx(48 * 200 * 0.2 * to_year)
    assert cost.annual.energy > flat.annual.energy
