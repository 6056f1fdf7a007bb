"""The app's storage and on-site power results: where each hour's power comes from and
goes, and the state-of-charge and supply figures, built from the hourly asset columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.explore.assets import supply_and_use
from ui import asset_charts


def _hourly(battery=True, wind=False) -> pd.DataFrame:
    """Six hours that close: grid + pv (+ wind) + discharge = facility + charge + export
    + curtailed."""
    hours = pd.date_range("2023-07-10", periods=6, freq="h", tz="Asia/Shanghai")
    facility = np.array([100.0, 110.0, 120.0, 130.0, 120.0, 110.0])
    pv = np.array([0.0, 50.0, 200.0, 80.0, 40.0, 0.0])
    battery_kw = np.array([40.0, 0.0, 60.0, -30.0, -50.0, 0.0]) if battery else np.zeros(6)
    export = np.array([0.0, 0.0, 15.0, 0.0, 0.0, 0.0])
    curtailed = np.array([0.0, 0.0, 5.0 if battery else 65.0, 0.0, 0.0, 0.0])
    wind_kw = np.array([10.0, 10.0, 0.0, 0.0, 20.0, 30.0]) if wind else np.zeros(6)
    grid = facility + np.maximum(battery_kw, 0) + export + curtailed - pv - wind_kw \
        - np.maximum(-battery_kw, 0)
    assert (grid >= 0).all()
    out = pd.DataFrame({"facility_kw": facility, "pv_kw": pv, "grid_kw": grid,
                        "export_kw": export, "curtailed_kw": curtailed}, index=hours)
    if wind:
        out["wind_kw"] = wind_kw
    if battery:
        out["battery_kw"] = battery_kw
        out["battery_soc_kwh"] = 100 + np.cumsum(battery_kw)
    return out


def test_supply_and_use_split_the_battery_and_close_every_hour():
    hourly = _hourly(battery=True, wind=True)
    supply, use = supply_and_use(hourly)
    assert list(supply.columns) == ["grid_import_kw", "pv_kw", "wind_kw", "battery_discharge_kw"]
    assert list(use.columns) == ["facility_kw", "battery_charge_kw", "export_kw", "curtailed_kw"]
    assert list(supply["battery_discharge_kw"]) == [0.0, 0.0, 0.0, 30.0, 50.0, 0.0]
    assert list(use["battery_charge_kw"]) == [40.0, 0.0, 60.0, 0.0, 0.0, 0.0]
    assert (supply["grid_import_kw"] == hourly["grid_kw"]).all()
    assert np.allclose(supply.sum(axis=1), use.sum(axis=1))
    # without a battery and wind: no such columns (rather than columns of zeros)
    supply, use = supply_and_use(_hourly(battery=False).drop(columns=["export_kw"]))
    assert list(supply.columns) == ["grid_import_kw", "pv_kw"]
    assert list(use.columns) == ["facility_kw", "curtailed_kw"]


def test_supply_chart_stacks_the_hourly_columns_and_its_top_line_meets_the_stack():
    hourly = _hourly(battery=True)
    supply, use = supply_and_use(hourly)
    fig = asset_charts.supply_chart(supply, use)
    traces = {t.name: t for t in fig.data}
    assert list(traces) == ["Grid import", "PV", "Battery discharge", "Facility",
                            "+ battery charging", "+ export", "+ curtailed"]
    # each hour drawn as a step, the last hour repeated at the run's end
    assert np.allclose(traces["Grid import"].y[:6], hourly["grid_kw"])
    assert np.allclose(traces["PV"].y[:6], hourly["pv_kw"])
    assert len(traces["PV"].x) == 7 and traces["PV"].y[6] == traces["PV"].y[5]
    assert np.allclose(traces["Battery discharge"].y[:6], (-hourly["battery_kw"]).clip(0))
    assert {t.stackgroup for t in fig.data[:3]} == {"supply"}
    assert np.allclose(traces["Facility"].y[:6], hourly["facility_kw"])
    stack = sum(np.asarray(traces[n].y) for n in ("Grid import", "PV", "Battery discharge"))
    assert np.allclose(traces["+ curtailed"].y, stack)
    assert fig.layout.yaxis.title.text == "power [kW]"
    assert fig.layout.yaxis.range[1] >= stack.max()
    # nothing curtailed or exported: no line for it
    quiet = hourly.assign(export_kw=0.0, curtailed_kw=0.0)
    quiet["grid_kw"] = hourly["grid_kw"] - hourly["export_kw"] - hourly["curtailed_kw"]
    names = [t.name for t in asset_charts.supply_chart(*supply_and_use(quiet)).data]
    assert "+ export" not in names and "+ curtailed" not in names


def test_soc_chart_has_a_panel_per_store_and_the_price_below():
    hours = pd.date_range("2023-07-10", periods=4, freq="h", tz="Asia/Shanghai")
    instants = hours.append(pd.DatetimeIndex([hours[-1] + pd.Timedelta(hours=1)]))
    stores = {
        "battery": {"state": pd.Series([50.0, 90.0, 100.0, 40.0, 50.0], index=instants),
                    "low": 10.0, "high": 100.0, "unit": "kWh"},
        "cold": {"state": pd.Series([400.0, 500.0, 300.0, 200.0, 400.0], index=instants),
                 "low": 0.0, "high": 800.0, "unit": "kWh_th"},
    }
    price = pd.Series([0.3, 0.3, 1.2, 1.2], index=hours)
    fig = asset_charts.soc_chart(stores, price, "CNY")
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["Battery state of charge", "Cold tank state of charge",
                      "Energy price [CNY/kWh]"]
    lines = {t.name: t for t in fig.data}
    assert list(lines["Battery stored"].y) == [50.0, 90.0, 100.0, 40.0, 50.0]
    assert list(lines["Cold tank stored"].y) == [400.0, 500.0, 300.0, 200.0, 400.0]
    assert list(lines["Battery full"].y) == [100.0, 100.0]
    assert list(lines["Battery empty"].y) == [10.0, 10.0]
    assert "Cold tank empty" not in lines  # a band from 0: the axis is its floor
    assert fig.layout.yaxis.title.text == "stored energy [kWh]"
    assert fig.layout.yaxis2.title.text == "stored cold [kWh_th]"
    assert fig.layout.showlegend is False  # the panels' titles name the lines
    only_battery = asset_charts.soc_chart({"battery": stores["battery"]}, price, "CNY")
    assert [a.text for a in only_battery.layout.annotations] == [
        "Battery state of charge", "Energy price [CNY/kWh]"]
