"""Another site for the same design (scenarios.site_switch): climate, grid carbon and price
change the site's fields only; pods, workload, assets and objective stay as they were."""

from __future__ import annotations

import copy

import pytest

from scenarios.errors import ScenarioError
from scenarios.inputs import resolve_inputs
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.site_switch import (
    climate_choices,
    climate_location,
    design_of,
    with_carbon,
    with_climate,
    with_price,
)
from thermal.weather import list_climates

pytestmark = pytest.mark.unit


@pytest.fixture
def default():
    return example_data("default")


def _kept(before: dict, after: dict) -> None:
    """The design (pods, workload, objective, horizon, ...) is the same after a switch."""
    assert after["pods"] == before["pods"]
    assert after["workload"] == before["workload"]
    assert design_of(after) == design_of(before)


def test_every_built_in_climate_is_offered_once():
    keys = [c.key for c in climate_choices()]
    assert sorted(keys) == sorted(list_climates())
    labels = {c.key: c.label for c in climate_choices()}
    assert labels["miami"] == "Miami FL (TMY2)" and labels["shanghai"] == "Shanghai (synthetic, CSWD)"
    assert labels["urumqi"] == "Urumqi, Xinjiang (synthetic, CSWD)"


def test_switching_the_climate_moves_the_site_and_keeps_the_design(default):
    location = climate_location("miami")
    switched = with_climate(default, "miami", location)
    site = switched.data["site"]
    assert site["climate"] == "miami" and site["name"] == "Miami FL"
    assert site["timezone"] == "America/New_York"
    assert (site["latitude"], site["longitude"]) == pytest.approx((25.8, -80.2667), abs=1e-3)
    _kept(default, switched.data)
    assert default["site"]["climate"] == "shanghai"  # the input is not changed
    assert any("America/New_York" in note for note in switched.notes)
    scenario = scenario_from_dict(switched.data)
    assert [p.name for p in scenario.pods] == [p["name"] for p in default["pods"]]
    # the Shanghai tariff's bands now run on Miami's clock: the run still resolves
    assert resolve_inputs(scenario).frame.index.tz.key == "America/New_York"


def test_a_chinese_city_keeps_beijing_time(default):
    switched = with_climate(default, "urumqi", climate_location("urumqi"))
    assert switched.data["site"]["timezone"] == "Asia/Shanghai"
    assert switched.data["site"]["name"] == "Urumqi"
    assert not switched.notes  # same clock: nothing to check
    _kept(default, switched.data)


def test_a_weather_file_keeps_the_site_where_it_is(default):
    assert climate_location("/tmp/station.epw") is None
    switched = with_climate(default, "/tmp/station.epw")
    assert switched.data["site"] == {**default["site"], "climate": "/tmp/station.epw"}


def test_a_jobs_file_on_a_new_clock_is_noted(default):
    raw = copy.deepcopy(default)
    raw["workload"] = {"jobs": "jobs.csv"}
    notes = with_climate(raw, "greensboro", climate_location("greensboro")).notes
    assert any("jobs file" in note for note in notes)


def test_switching_the_carbon_keeps_the_price_and_the_design(default):
    switched = with_carbon(default, {"source": "factor", "factor": "cn-southwest-2023"})
    assert switched.data["grid"]["carbon"] == {"source": "factor", "factor": "cn-southwest-2023"}
    assert switched.data["grid"]["price"] == default["grid"]["price"]
    assert switched.data["site"] == default["site"]
    _kept(default, switched.data)
    inputs = resolve_inputs(scenario_from_dict(switched.data))
    assert inputs.frame["carbon_g_per_kwh"].eq(247.2).all()  # China Southwest 2023


def test_leaving_a_carbon_file_drops_the_carbon_free_share_read_from_it(default):
    raw = copy.deepcopy(default)
    raw["grid"]["carbon"] = {"source": "file", "file": "carbon.csv"}
    raw["grid"]["market"] = {"renewable_share": 0.3, "carbon_free_from_carbon_file": True}
    switched = with_carbon(raw, {"source": "constant", "g_per_kwh": 400.0})
    assert switched.data["grid"]["market"] == {"renewable_share": 0.3}
    assert any("carbon-free share" in note for note in switched.notes)
    scenario_from_dict(switched.data)


def test_a_tariff_brings_its_currency(default):
    miami = example_data("miami")  # USD, flat price
    switched = with_price(miami, {"source": "tou", "tariff": "cn-beijing-two-part"})
    assert switched.data["grid"]["currency"] == "CNY"
    assert switched.data["grid"]["price"] == {"source": "tou", "tariff": "cn-beijing-two-part"}
    _kept(miami, switched.data)
    note = " ".join(switched.notes)
    assert "CNY (was USD)" in note and "carbon price [/t] 50" in note
    inputs = resolve_inputs(scenario_from_dict(switched.data))  # currency matches the tariff
    assert inputs.currency == "CNY" and inputs.demand_charge_per_kw_month > 0


def test_a_flat_price_in_the_same_currency_says_nothing_of_currency(default):
    price = {"source": "flat", "flat_per_kwh": 0.6, "demand_charge_per_kw_month": 30.0}
    switched = with_price(default, price)
    assert switched.data["grid"]["currency"] == "CNY" and not switched.notes
    inputs = resolve_inputs(scenario_from_dict(switched.data))
    assert inputs.frame["price_per_kwh"].eq(0.6).all()
    assert inputs.demand_charge_per_kw_month == 30.0
    _kept(default, switched.data)


def test_an_unknown_tariff_is_named(default):
    with pytest.raises(ScenarioError, match="unknown tariff 'cn-nowhere'"):
        with_price(default, {"source": "tou", "tariff": "cn-nowhere"})


def test_all_three_switches_in_turn_keep_the_whole_design():
    raw = example_data("beijing-battery")  # a battery too: assets are design
    out = with_climate(raw, "chengdu", climate_location("chengdu")).data
    out = with_carbon(out, {"source": "factor", "factor": "cn-southwest-2023"}).data
    out = with_price(out, {"source": "tou", "tariff": "cn-sichuan-two-part"}).data
    _kept(raw, out)
    assert out["storage"] == raw["storage"] and out["objective"] == raw["objective"]
    scenario = scenario_from_dict(out)
    assert (scenario.site.climate, scenario.grid.price.tariff) == ("chengdu", "cn-sichuan-two-part")
