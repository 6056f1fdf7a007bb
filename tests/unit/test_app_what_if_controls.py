"""The pure parts of the app's what-if controls: the Site pickers' values and the tables
they write (ui.site_controls), the hall-wide water temperatures as [facility] overrides
(ui.hall_controls), the hourly grid charts' data (ui.site_charts)."""

from __future__ import annotations

import pandas as pd
import pytest

from scenarios.facility import facility_params
from scenarios.inputs import resolve_inputs
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from ui import hall_controls, site_charts, site_controls

pytestmark = pytest.mark.unit


@pytest.fixture
def default():
    return example_data("default")


def test_the_pickers_read_the_scenario(default):
    assert site_controls.carbon_choice(default) == "cn-east-2023"
    assert site_controls.price_choice(default) == "cn-shanghai-two-part"
    miami = example_data("miami")
    assert (site_controls.carbon_choice(miami), site_controls.price_choice(miami)) == (
        "us-frcc-2022", "flat")  # fmt: skip
    default["grid"]["carbon"] = {"source": "file", "file": "x.csv"}
    assert site_controls.carbon_choice(default) == "file"


def test_climate_options_add_uploads_and_the_scenario_s_own_file(default):
    options = site_controls.climate_options(default, ["/s/up/a.epw"])
    assert options[:3] == ["greensboro", "sand-point", "miami"] and "shanghai" in options
    assert options[-1] == "/s/up/a.epw" and options.count("shanghai") == 1
    default["site"]["climate"] = "/s/up/b.epw"
    assert site_controls.climate_options(default, [])[-1] == "/s/up/b.epw"


def test_carbon_and_price_specs(default):
    means = {"carbon_g_per_kwh": 512.4, "price_per_kwh": 0.77239, "demand_charge_per_kw_month": 44.8}
    assert site_controls.carbon_spec("cn-north-2023", default) == {
        "source": "factor", "factor": "cn-north-2023"}  # fmt: skip
    assert site_controls.carbon_spec("constant", default, means=means) == {
        "source": "constant", "g_per_kwh": 512.0}  # fmt: skip
    assert site_controls.carbon_spec("constant", default, 300.0)["g_per_kwh"] == 300.0
    assert site_controls.carbon_spec("file", default) is None  # the file in use stays
    assert site_controls.price_spec("cn-gansu-two-part", default) == {
        "source": "tou", "tariff": "cn-gansu-two-part"}  # fmt: skip
    flat = site_controls.price_spec("flat", default, means=means)
    assert flat == {"source": "flat", "flat_per_kwh": 0.7724, "demand_charge_per_kw_month": 44.8}
    miami = example_data("miami")  # a flat price keeps its note, takes the new values
    flat = site_controls.price_spec("flat", miami, 0.12, 0.0)
    assert flat["flat_per_kwh"] == 0.12 and "demand_charge_per_kw_month" not in flat
    assert flat["note"] == miami["grid"]["price"]["note"]
    spec = site_controls.price_spec("flat", default, means=means)
    scenario_from_dict({**default, "grid": {**default["grid"], "price": spec}})  # valid


def test_a_facility_override_is_written_nested_and_replaces_a_dotted_one(default):
    raw = hall_controls.with_facility(default, "air.chw_supply_c", 14.0)
    assert raw["facility"] == {"air": {"chw_supply_c": 14.0}}
    assert hall_controls.facility_value(raw, "air.chw_supply_c") == 14.0
    assert facility_params(scenario_from_dict(raw)).air.chw_supply_c == 14.0
    dotted = {**default, "facility": {"air.chw_supply_c": 12.0, "chiller": {"curve": "x"}}}
    assert hall_controls.facility_value(dotted, "air.chw_supply_c") == 12.0
    raw = hall_controls.with_facility(dotted, "air.chw_supply_c", 16.0)
    assert raw["facility"] == {"air": {"chw_supply_c": 16.0}, "chiller": {"curve": "x"}}
    raw = hall_controls.with_facility(raw, "air.chw_supply_c", None)  # back to the default
    assert raw["facility"] == {"chiller": {"curve": "x"}}
    assert "facility" not in hall_controls.with_facility(default, "liquid.fws_delta_t_k", None)


def test_the_hourly_table_is_the_site_s_clock_and_band_names(default):
    frame = resolve_inputs(scenario_from_dict(default)).frame
    table = site_charts.hourly_table(frame)
    assert len(table) == len(frame) and table["hour"].iloc[0] == "2023-07-10T00:00:00Z"
    assert table["carbon_g_per_kwh"].eq(550.0).all()
    assert set(table["band"]) == {"valley", "flat", "peak", "critical peak"}
    assert "carbon_free_pct" not in table
    panels = site_charts.hourly_charts(frame, "CNY")
    assert len(panels) == 2  # no carbon-free share: no third panel
    carbon_spec = panels[0][1]
    assert carbon_spec["encoding"]["y"]["scale"]["domain"][0] == 0  # flat: from zero
    hours = pd.date_range("2023-03-25", periods=48, freq="h", tz="Europe/Berlin")  # DST
    varied = pd.DataFrame({"carbon_g_per_kwh": range(48), "price_per_kwh": 0.1,
                           "carbon_free_share": 0.25}, index=hours)  # fmt: skip
    table = site_charts.hourly_table(varied)
    assert "2023-03-26T03:00:00Z" in set(table["hour"]) and "2023-03-26T02:00:00Z" not in set(
        table["hour"])  # wall clock: 02:00 does not exist that night  # fmt: skip
    assert table["carbon_free_pct"].eq(25.0).all() and set(table["band"]) == {"no bands"}
    assert len(site_charts.hourly_charts(varied, "EUR")) == 3
