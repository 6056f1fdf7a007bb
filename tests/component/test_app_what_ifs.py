"""The app's what-if controls through AppTest (issue 17 item 3): the Site page switches
climate, grid carbon and price without touching the design, sets the carbon price and the
contracted renewables, and shows the hourly carbon and price; the Halls page edits each
pod's utilisation, heat rejection, economizer and water class and the hall-wide water
temperatures, and shows the design-day peak at full IT load."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from scenarios import explore
from scenarios.explore.design_peak import design_day_peak
from scenarios.inputs import resolve_inputs
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.site_switch import design_of
from tests.component.test_app_pages import edit_pods, errors, goto, metric, ok, table
from tests.helpers import fresh_app

pytestmark = pytest.mark.component

DEFAULT = example_data("default")


@pytest.fixture
def app():
    yield from fresh_app()


def data(at) -> dict:
    return at.session_state["scenario_data"]


def pod_names(at) -> list[str]:
    return [p["name"] for p in data(at)["pods"]]


def charts(at) -> dict[str, tuple[pd.DataFrame, dict]]:
    """The page's Vega-Lite charts by their y-axis title: (data, spec)."""
    out = {}
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        spec = json.loads(proto.spec)
        frame = pa.ipc.open_stream(io.BytesIO(proto.data.data)).read_pandas()
        layers = spec.get("layer", [spec])
        out[layers[0]["encoding"]["y"].get("title")] = (frame, spec)
    return out


# --------------------------------------------------------------------------- Site


def test_switching_the_climate_keeps_the_design_and_the_halls_show_the_same_pods(app):
    app.selectbox(key="site_climate").set_value("miami").run()
    ok(app)
    site = data(app)["site"]
    assert (site["climate"], site["timezone"], site["name"]) == (
        "miami", "America/New_York", "Miami FL")  # fmt: skip
    assert design_of(data(app)) == design_of(DEFAULT)  # pods, workload, objective, ...
    assert data(app)["grid"] == DEFAULT["grid"]  # carbon and price untouched
    design = explore.design_conditions(explore.load_weather("miami"))
    assert metric(app, "Mean dry-bulb") == f"{design['mean_dry_bulb_c']:.1f} °C"
    assert app.selectbox(key="site_example").value == "default"  # still the loaded one
    assert any("America/New_York" in i.value for i in app.info)
    goto(app, "halls")
    ok(app)
    assert list(table(app, row="PUE").columns) == pod_names(app) == [
        p["name"] for p in DEFAULT["pods"]]  # fmt: skip


def test_switching_carbon_and_tariff_changes_only_the_grid(app):
    app.selectbox(key="site_carbon").set_value("cn-southwest-2023").run()
    app.selectbox(key="site_price").set_value("cn-sichuan-two-part").run()
    ok(app)
    grid = data(app)["grid"]
    assert grid["carbon"] == {"source": "factor", "factor": "cn-southwest-2023"}
    assert grid["price"] == {"source": "tou", "tariff": "cn-sichuan-two-part"}
    assert data(app)["site"] == DEFAULT["site"] and data(app)["pods"] == DEFAULT["pods"]
    assert metric(app, "Mean carbon intensity") == "247 g/kWh"
    inputs = resolve_inputs(scenario_from_dict(data(app)))
    assert metric(app, "Mean energy price") == f"{inputs.frame['price_per_kwh'].mean():.3f} CNY/kWh"


def test_a_constant_intensity_and_a_flat_price_in_another_currency(app):
    app.selectbox(key="site_carbon").set_value("constant").run()
    ok(app)
    assert data(app)["grid"]["carbon"] == {"source": "constant", "g_per_kwh": 550.0}
    app.number_input(key="site_carbon_g").set_value(320.0).run()
    assert data(app)["grid"]["carbon"]["g_per_kwh"] == 320.0
    assert metric(app, "Mean carbon intensity") == "320 g/kWh"
    app.selectbox(key="site_price").set_value("flat").run()
    ok(app)
    price = data(app)["grid"]["price"]
    mean = resolve_inputs(scenario_from_dict(DEFAULT)).frame["price_per_kwh"].mean()
    assert price["source"] == "flat" and price["flat_per_kwh"] == pytest.approx(mean, abs=1e-4)
    assert price["demand_charge_per_kw_month"] == 44.8  # the tariff's, as the start
    app.number_input(key="site_flat").set_value(0.09).run()
    app.selectbox(key="site_currency").set_value("USD").run()
    ok(app)
    grid = data(app)["grid"]
    assert (grid["currency"], grid["price"]["flat_per_kwh"]) == ("USD", 0.09)
    assert metric(app, "Mean energy price") == "0.090 USD/kWh"
    notes = " ".join(i.value for i in app.info)
    assert "currency is now USD (was CNY)" in notes and "carbon price" in notes
    assert data(app)["pods"] == DEFAULT["pods"]


def test_carbon_price_and_renewables_write_the_scenario(app):
    app.number_input(key="site_carbon_price").set_value(120.0).run()
    app.slider(key="site_renewables_pct").set_value(35).run()
    ok(app)
    assert data(app)["objective"]["carbon_price_per_t"] == 120.0
    assert data(app)["grid"]["market"] == {"renewable_share": 0.35}
    scenario = scenario_from_dict(data(app))
    assert scenario.objective.carbon_price_per_t == 120.0
    assert scenario.grid.market.renewable_share == 0.35
    assert app.number_input(key="site_carbon_price").value == 120.0  # read back off it
    # the assets' controls are not repeated here: a link to them
    links = [e.proto for e in app.get("page_link")]
    assert [link.page for link in links] == ["workload"]


def test_loading_a_built_in_scenario_resets_the_pickers(app):
    app.selectbox(key="site_carbon").set_value("cn-north-2023").run()
    app.selectbox(key="site_example").set_value("miami").run()
    ok(app)
    assert app.selectbox(key="site_carbon").value == "us-frcc-2022"
    assert app.selectbox(key="site_price").value == "flat"
    assert app.number_input(key="site_flat").value == 0.0939
    assert app.number_input(key="site_carbon_price").value == 50.0


def test_the_site_shows_the_hourly_carbon_and_price(app):
    ok(app)
    shown = charts(app)
    assert {"carbon [g/kWh]", "price [CNY/kWh]"} <= set(shown)
    frame = resolve_inputs(scenario_from_dict(DEFAULT)).frame
    price, spec = shown["price [CNY/kWh]"]
    assert len(price) == len(frame) == 168
    assert price["price_per_kwh"].to_numpy() == pytest.approx(frame["price_per_kwh"].to_numpy())
    assert set(price["band"]) == {"valley", "flat", "peak", "critical peak"}
    # hours on the site's clock: the first is the horizon start, 00:00 in Shanghai
    assert price["hour"].iloc[0] == "2023-07-10T00:00:00Z"
    assert spec["autosize"]["type"] == "fit-x"


def test_an_uploaded_carbon_series_is_charted_hour_by_hour(app):
    hours = pd.date_range("2023-07-09T16:00Z", periods=200, freq="h")
    values = [300.0 + (i % 24) * 10 for i in range(200)]
    text = pd.DataFrame({"timestamp": hours.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": values})
    app.file_uploader(key="up_carbon").upload(
        "carbon.csv", text.to_csv(index=False).encode(), "text/csv"
    ).run()
    ok(app)
    assert app.selectbox(key="site_carbon").value == "file"
    carbon, _ = charts(app)["carbon [g/kWh]"]
    assert list(carbon["carbon_g_per_kwh"]) == values[:168]  # 00:00 in Shanghai is 16:00Z


def test_an_uploaded_weather_file_stays_a_climate_choice(app):
    import pvlib

    tmy3 = (Path(pvlib.__file__).parent / "data" / "723170TYA.CSV").read_bytes()
    app.file_uploader(key="up_weather").upload("greensboro.csv", tmy3, "text/csv").run()
    uploaded = data(app)["site"]["climate"]
    assert Path(uploaded).name == "greensboro.csv"
    assert data(app)["site"]["timezone"] == "Asia/Shanghai"  # a file keeps the site
    app.selectbox(key="site_climate").set_value("urumqi").run()
    assert data(app)["site"]["climate"] == "urumqi"
    assert "weather file greensboro.csv" in app.selectbox(key="site_climate").options
    app.selectbox(key="site_climate").set_value(uploaded).run()
    ok(app)
    assert data(app)["site"]["climate"] == uploaded
    assert data(app)["site"]["name"] == "Urumqi"  # moved there before; a file moves nothing
    assert data(app)["pods"] == DEFAULT["pods"]


# --------------------------------------------------------------------------- Halls


def test_utilisation_heat_rejection_economizer_and_water_class_per_pod(app):
    before = explore.technology_table(
        scenario_from_dict(DEFAULT), explore.simulate_year(scenario_from_dict(DEFAULT))[0])
    edit_pods(app, {0: {"utilisation": 0.8, "economizer": "air_side"},
                    1: {"heat_rejection": "dry_cooler", "water_class": "W40"}})  # fmt: skip
    ok(app)
    pods = data(app)["pods"]
    assert pods[0]["inference"] == {"utilisation": 0.8} and pods[0]["economizer"] == "air_side"
    assert pods[1]["heat_rejection"] == "dry_cooler" and pods[1]["water_class"] == "W40"
    assert pods[2] == DEFAULT["pods"][2]
    shown = table(app, row="PUE")
    expected = explore.technology_table(scenario_from_dict(data(app)),
                                        explore.simulate_year(scenario_from_dict(data(app)))[0])
    assert shown.loc["IT energy [MWh]", "air-20kW"] == f"{expected.loc['air-20kW', 'it_mwh']:,.1f}"
    assert expected.loc["air-20kW", "it_mwh"] > 2 * before.loc["air-20kW", "it_mwh"]  # 0.8 / 0.3
    # a dry cooler evaporates nothing: the cold-plate pod's water use falls
    assert expected.loc["coldplate-40kW", "wue_l_per_kwh"] < before.loc["coldplate-40kW",
                                                                        "wue_l_per_kwh"]


def test_water_temperatures_write_facility_overrides(app):
    goto(app, "halls")
    app.number_input(key="hall_air_chw_supply_c").set_value(12.0).run()
    app.number_input(key="hall_liquid_fws_delta_t_k").set_value(6.0).run()
    ok(app)
    assert data(app)["facility"] == {"air": {"chw_supply_c": 12.0},
                                     "liquid": {"fws_delta_t_k": 6.0}}  # fmt: skip
    assert data(app)["pods"] == DEFAULT["pods"]
    expected = explore.technology_table(scenario_from_dict(data(app)),
                                        explore.simulate_year(scenario_from_dict(data(app)))[0])
    shown = table(app, row="PUE")
    assert shown.loc["PUE", "air-20kW"] == f"{expected.loc['air-20kW', 'pue']:.3f}"
    default = explore.technology_table(scenario_from_dict(DEFAULT),
                                       explore.simulate_year(scenario_from_dict(DEFAULT))[0])
    # colder chilled water (12 °C, not the derived 21 °C): fewer free hours, higher PUE
    assert expected.loc["air-20kW", "pue"] > default.loc["air-20kW", "pue"]
    app.number_input(key="hall_air_chw_supply_c").set_value(None).run()
    ok(app)
    assert data(app)["facility"] == {"liquid": {"fws_delta_t_k": 6.0}}  # back to derived


def test_halls_show_the_design_day_peak_at_full_it_load(app):
    goto(app, "halls")
    ok(app)
    peak = design_day_peak(scenario_from_dict(DEFAULT))
    heading = next(m.value for m in app.markdown if "Design-day peak at full IT load" in m.value)
    assert (f"(ASHRAE 0.4 % conditions: {peak.dry_bulb_c:.1f} °C dry-bulb, "
            f"{peak.wet_bulb_c:.1f} °C wet-bulb)") in heading  # fmt: skip
    shown = table(app, row="facility power [kW]")
    assert list(shown.columns) == [*pod_names(app), "site"]
    assert shown.loc["facility power [kW]", "site"] == f"{peak.facility_kw:,.0f}"
    year = table(app, row="PUE")
    for pod in pod_names(app):  # full load against the year's inference-load peak
        full = float(shown.loc["facility power [kW]", pod].replace(",", ""))
        at_inference = float(year.loc["peak facility power at inference load [kW]", pod]
                             .replace(",", ""))  # fmt: skip
        assert full > 2 * at_inference
    # utilisation changes the year, not the design peak (always full load)
    edit_pods(app, {0: {"utilisation": 0.9}})
    assert table(app, row="facility power [kW]").loc["facility power [kW]", "site"] == (
        f"{peak.facility_kw:,.0f}")  # fmt: skip


def test_a_refused_pod_value_is_a_message_and_the_others_stay(app):
    edit_pods(app, {0: {"economizer": "air_side", "rack_kw": 45.0}})
    text = errors(app)
    assert "pod 'air-20kW'" in text
    shown = table(app, row="facility power [kW]")
    assert list(shown.columns) == ["coldplate-40kW", "immersion-50kW", "site"]
