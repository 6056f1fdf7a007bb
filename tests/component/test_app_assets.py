"""The app's storage and on-site power on real (short) runs: the results panel's data are
the run's hourly asset columns and KPIs, nothing is drawn without assets, and the Workload
page's controls edit the scenario it runs, with the scenario's own errors on the page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from scenarios.explore import assets as views
from scenarios.kpis import ASSET_KPIS
from scenarios.library import example_data
from scenarios.loading import apply_settings, scenario_from_dict
from scenarios.run import run_scenario
from scenarios.store import hourly_table
from tests.helpers import fresh_app

SHORT = {
    "horizon.hours": 24,
    "workload.generator.count": 2,
    "workload.generator.slack_h": [4, 12],
    "workload.generator.duration_h": [2, 6],
}


def _run(extra: dict):
    data = apply_settings(example_data("default"), SHORT)
    data.update(extra)
    return run_scenario(scenario_from_dict(data), time_limit_s=3)


@pytest.fixture(scope="module")
def with_assets():
    """A day with a battery and PV exporting at 40 % of the import price (no tank)."""
    return _run({
        "storage": {"battery": {"energy_kwh": 2000, "power_kw": 500}},
        "onsite": {"pv": {"kwp": 1500}, "export": True, "export_price_share": 0.4},
    })  # fmt: skip


@pytest.fixture(scope="module")
def without_assets():
    return _run({})


def test_the_kpi_table_holds_the_site_s_assets_for_every_schedule(with_assets):
    table = views.asset_kpi_table(with_assets)
    assert list(table.columns) == ["milp", "asap", "greedy"]
    # no tank: its row left out; every other asset KPI in kpis.json order
    assert list(table.index) == [k for k in ASSET_KPIS if k != "cold_storage_shifted_mwh_th"]
    for name, outcome in with_assets.outcomes.items():
        for key in table.index:
            assert table.loc[key, name] == pytest.approx(outcome.kpis[key])
    assert table.loc["battery_throughput_mwh", "milp"] > 0  # the battery did run
    assert table.loc["grid_energy_mwh", "milp"] == pytest.approx(with_assets.kpis["grid_energy_mwh"])


def test_the_hourly_data_are_the_run_directory_s_columns(with_assets):
    hourly = views.asset_hourly(with_assets)
    stored = hourly_table(with_assets)  # what hourly.parquet holds
    assert set(hourly.columns) == {"facility_kw", "grid_kw", "pv_kw", "export_kw",
                                   "curtailed_kw", "battery_kw", "battery_soc_kwh"}
    for column in hourly.columns:
        source = "site.facility_kw" if column == "facility_kw" else column
        assert np.allclose(hourly[column], stored[source]), column
    asap = views.asset_hourly(with_assets, "asap")
    assert np.allclose(asap["battery_kw"], stored["asap.battery_kw"])
    assert not np.allclose(asap["battery_kw"], hourly["battery_kw"])  # another dispatch
    supply, use = views.supply_and_use(hourly)
    assert np.allclose(supply.sum(axis=1), use.sum(axis=1), rtol=1e-9, atol=1e-6)
    stores = views.state_of_charge(with_assets, hourly)
    assert list(stores) == ["battery"]
    battery = with_assets.site_assets.assets.battery
    state = stores["battery"]["state"]
    assert state.iloc[0] == pytest.approx(battery.initial_kwh)  # at the first hour's start
    assert np.allclose(state.iloc[1:], hourly["battery_soc_kwh"])  # then each hour's end
    assert state.index[-1] == hourly.index[-1] + pd.Timedelta(hours=1)
    assert stores["battery"]["high"] == pytest.approx(2000.0)


def test_a_run_without_assets_shows_nothing_new(without_assets):
    assert not views.site_has_assets(without_assets)
    assert views.asset_kpi_table(without_assets).empty
    assert views.asset_hourly(without_assets).empty


def _panel_of(result) -> None:
    """An app script: the Workload page's asset panel for ``result``."""
    from ui import asset_results

    asset_results.show(result)


def _panel(result) -> AppTest:
    at = AppTest.from_function(_panel_of, args=(result,), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_panel_draws_the_kpis_and_charts_only_with_assets(with_assets, without_assets):
    at = _panel(with_assets)
    charts = [c.proto.id for c in at.get("plotly_chart")]
    assert any("soc_chart" in c for c in charts) and any("supply_chart" in c for c in charts)
    (table,) = [d.value for d in at.dataframe]
    assert list(table["indicator"])[:2] == ["Grid import", "Peak grid import"]
    assert list(table.columns) == ["indicator", "unit", "MILP", "ASAP", "greedy"]
    peak = with_assets.outcomes["asap"].kpis["peak_grid_import_kw"]
    assert table.set_index("indicator").loc["Peak grid import", "ASAP"] == f"{peak:,.0f}"
    assert not _panel(without_assets).main.children  # nothing at all


def _workload(at: AppTest) -> AppTest:
    at.switch_page("ui/workload.py").run()
    for key, value in (("wl_hours_0", 24), ("wl_count_0", 2), ("wl_time_limit_0", 3.0)):
        at.number_input(key=key).set_value(value)
    return at.run()


@pytest.fixture
def app():
    yield from fresh_app()


def test_the_controls_edit_the_scenario_that_runs(app):
    _workload(app)
    before = app.session_state["scenario_data"]
    assert "storage" not in before and "onsite" not in before  # a visit changes nothing
    app.slider(key="as_battery_energy_0").set_value(2000)
    app.slider(key="as_battery_power_0").set_value(500)
    app.slider(key="as_pv_kwp_0").set_value(1500).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    data = app.session_state["scenario_data"]
    assert data["storage"] == {"battery": {"energy_kwh": 2000.0, "power_kw": 500.0}}
    assert data["onsite"] == {"pv": {"kwp": 1500.0}}
    assert any("**PV**: " in m.value and "MWh over the 24 h horizon" in m.value
               for m in app.markdown)
    app.button(key="run_button").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    result = next(iter(app.session_state["runs"].values())).result
    assert result.scenario.storage.battery.energy_kwh == 2000.0
    assert "pv_kw" in result.inputs.frame
    charts = [c.proto.id for c in app.get("plotly_chart")]
    assert any("soc_chart" in c for c in charts)
    assert any("Battery throughput" in list(d.value.get("indicator", []))
               for d in app.dataframe if hasattr(d.value, "get"))
    # the sizes are sliders scaled to the hall (1,700 kW of IT in the default scenario)
    energy = app.slider(key="as_battery_energy_0")
    assert energy.max == 20_000 and energy.step == 500
    assert app.slider(key="as_pv_kwp_0").max == 10_000
    # back to 0: the battery leaves the scenario
    app.slider(key="as_battery_energy_0").set_value(0).run()
    assert "storage" not in app.session_state["scenario_data"]


def test_wind_on_a_climate_without_wind_speed_is_the_scenario_s_error(app):
    _workload(app)
    app.slider(key="as_wind_count_0").set_value(2).run()
    assert not app.exception
    text = "\n".join(e.value for e in app.error)
    assert "Cannot use the storage and on-site power" in text
    assert "onsite.wind needs wind speed" in text
    assert not [b for b in app.button if b.key == "run_button"]  # no run of what would fail
    assert app.session_state["scenario_data"]["onsite"]["wind"]["count"] == 2
