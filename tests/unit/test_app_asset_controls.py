"""The app's storage and on-site power controls: their mapping to the scenario (0 is no
asset, a value sets the field, fields the controls do not show kept, generation files
left alone)."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from ui.asset_controls import (
    DEFAULT_EXPORT_SHARE,
    POWER_CURVE,
    AssetSettings,
    asset_settings,
    with_assets,
    without_assets,
)

CURVE = {"wind_speed_m_s": [0.0, 3.0, 12.0, 25.0], "power_kw": [0.0, 0.0, 2000.0, 2000.0]}


@pytest.fixture
def default():
    return example_data("default")


def test_a_scenario_without_assets_reads_as_zeros_and_stays_as_it_is(default):
    settings = asset_settings(default)
    assert settings == AssetSettings()  # every size 0, export off
    assert with_assets(default, settings) == default
    assert "storage" not in default and "onsite" not in default


def test_a_size_sets_the_field_and_the_scenario_validates(default):
    settings = replace(
        asset_settings(default), battery_energy_kwh=4000.0, battery_power_kw=1000.0,
        cold_capacity_kwh_th=8000.0, cold_power_kw_th=2000.0, pv_kwp=1500.0,
        wind_count=2, wind_turbine="E-82/2300", wind_hub_height_m=108.0,
        export=True, export_price_share=0.3,
    )  # fmt: skip
    raw = with_assets(default, settings)
    assert raw["storage"] == {
        "battery": {"energy_kwh": 4000.0, "power_kw": 1000.0},
        "cold": {"capacity_kwh_th": 8000.0, "power_kw_th": 2000.0},
    }
    assert raw["onsite"] == {
        "pv": {"kwp": 1500.0},
        "wind": {"turbine": "E-82/2300", "hub_height_m": 108.0, "count": 2},
        "export": True,
        "export_price_share": 0.3,
    }
    scenario = scenario_from_dict(raw)
    assert scenario.storage.battery.power_kw == 1000.0
    assert scenario.storage.cold.capacity_kwh_th == 8000.0
    assert scenario.onsite.pv.kwp == 1500.0 and scenario.onsite.wind.count == 2
    assert scenario.onsite.export_price_share == 0.3
    assert asset_settings(raw) == settings  # the controls read back what they wrote
    assert without_assets(raw) == default


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("battery_energy_kwh", "battery_power_kw"),
        ("battery_power_kw", "battery_energy_kwh"),
        ("cold_capacity_kwh_th", "cold_power_kw_th"),
        ("cold_power_kw_th", "cold_capacity_kwh_th"),
    ],
)
def test_zero_means_no_store_even_with_the_other_size_set(default, field, other):
    settings = replace(asset_settings(default), **{field: 0.0, other: 500.0})
    assert "storage" not in with_assets(default, settings)


def test_zero_pv_and_zero_turbines_mean_no_onsite_section(default):
    base = copy.deepcopy(default)
    base["onsite"] = {"pv": {"kwp": 800}, "export": True, "export_price_share": 0.5}
    off = replace(asset_settings(base), pv_kwp=0.0, export=False)
    assert "onsite" not in with_assets(base, off)
    # export asked for with no generation to export: nothing to write
    nothing = replace(asset_settings(default), export=True)
    assert "onsite" not in with_assets(default, nothing)


def test_fields_the_controls_do_not_show_are_kept(default):
    base = copy.deepcopy(default)
    base["storage"] = {
        "battery": {"energy_kwh": 2000, "power_kw": 500, "round_trip_efficiency": 0.9},
        "cold": {"capacity_kwh_th": 4000, "power_kw_th": 1000, "pods": ["air-20kW"]},
    }
    base["onsite"] = {"pv": {"kwp": 1000, "tilt_deg": 20.0}}
    loaded = asset_settings(base)
    bigger = replace(loaded, battery_energy_kwh=6000.0, cold_power_kw_th=1500.0, pv_kwp=3000.0)
    raw = with_assets(base, bigger)
    assert raw["storage"]["battery"] == {
        "energy_kwh": 6000.0, "power_kw": 500.0, "round_trip_efficiency": 0.9}
    assert raw["storage"]["cold"]["pods"] == ["air-20kW"]
    assert raw["storage"]["cold"]["power_kw_th"] == 1500.0
    assert raw["onsite"]["pv"] == {"kwp": 3000.0, "tilt_deg": 20.0}
    # switched off and on again (the edited scenario no longer has the battery): the
    # efficiency comes back from the scenario as loaded
    off = with_assets(base, replace(loaded, battery_energy_kwh=0.0), base)
    assert "battery" not in off["storage"]
    again = with_assets(off, replace(loaded, battery_energy_kwh=3000.0), base)
    assert again["storage"]["battery"]["round_trip_efficiency"] == 0.9
    scenario_from_dict(again)


def test_unchanged_controls_keep_a_section_exactly_as_written(default):
    base = copy.deepcopy(default)
    base["storage"] = {"battery": {"energy_kwh": 0, "power_kw": 0}}  # written, but no asset
    base["onsite"] = {"pv": {"kwp": 500}, "export": True, "export_price_per_kwh": 0.1}
    assert with_assets(base, asset_settings(base)) == base


def test_a_generation_file_is_shown_not_edited(default):
    base = copy.deepcopy(default)
    base["onsite"] = {"pv": {"csv": "pv.csv"}, "wind": {"csv": "wind.csv"}}
    loaded = asset_settings(base)
    assert (loaded.pv_kwp, loaded.wind_count) == (0.0, 0)
    assert (loaded.pv_csv, loaded.wind_csv) == ("pv.csv", "wind.csv")
    raw = with_assets(base, replace(loaded, pv_kwp=900.0, wind_count=3, battery_power_kw=5.0))
    assert raw["onsite"] == base["onsite"]  # no kwp next to csv (the schema refuses both)


def test_a_power_curve_is_kept_or_replaced_by_a_library_turbine(default):
    base = copy.deepcopy(default)
    base["onsite"] = {"wind": {"power_curve": CURVE, "hub_height_m": 90, "count": 1}}
    loaded = asset_settings(base)
    assert loaded.wind_turbine == POWER_CURVE and loaded.wind_count == 1
    more = with_assets(base, replace(loaded, wind_count=4))
    assert more["onsite"]["wind"] == {"power_curve": CURVE, "hub_height_m": 90.0, "count": 4}
    library = with_assets(base, replace(loaded, wind_turbine="V90/2000"))
    assert library["onsite"]["wind"] == {"turbine": "V90/2000", "hub_height_m": 90.0,
                                         "count": 1}
    scenario_from_dict(more)
    scenario_from_dict(library)


def test_export_price_share_or_the_scenario_s_fixed_price(default):
    base = copy.deepcopy(default)
    base["onsite"] = {"pv": {"kwp": 500}}
    loaded = asset_settings(base)
    assert loaded.export_price_share == DEFAULT_EXPORT_SHARE
    raw = with_assets(base, replace(loaded, export=True, export_price_share=0.25))
    assert raw["onsite"] == {"pv": {"kwp": 500}, "export": True, "export_price_share": 0.25}
    fixed = copy.deepcopy(base)
    fixed["onsite"].update(export=True, export_price_per_kwh=0.08)
    loaded = asset_settings(fixed)
    cheaper = with_assets(fixed, replace(loaded, export_price_per_kwh=0.05))
    assert cheaper["onsite"] == {"pv": {"kwp": 500}, "export": True,
                                 "export_price_per_kwh": 0.05}  # no share beside it
    scenario_from_dict(cheaper)
    assert "export" not in with_assets(fixed, replace(loaded, export=False))["onsite"]


def test_setting_the_generation_to_zero_drops_the_export_it_had():
    """A scenario exporting its PV, the PV slider set to 0: no [onsite] is left (export
    without generation is refused by the scenario)."""
    raw = copy.deepcopy(example_data("default"))
    raw["onsite"] = {"pv": {"kwp": 1500.0}, "export": True, "export_price_share": 0.3}
    out = with_assets(raw, replace(asset_settings(raw), pv_kwp=0.0))
    assert "onsite" not in out
    scenario_from_dict(out)  # and it loads
