"""Reports of a run with a battery, a cold tank and on-site PV (issue 15): costs billed on
the grid import that add up to kpis.json."""

from __future__ import annotations

import math

import pytest

from reports import data as D
from reports import energy
from scenarios import kpis as K
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.run import run_scenario
from scenarios.store import write_run
from tests.tolerances import REPORT_SUM_RTOL

ASSETS = {
    "storage": {"battery": {"energy_kwh": 2000, "power_kw": 500, "degradation_cost_per_kwh": 0.02},
                "cold": {"capacity_kwh_th": 1200, "power_kw_th": 300}},
    "onsite": {"pv": {"kwp": 1500}, "export": True, "export_price_share": 0.5},
    # a heat network too: its revenue comes off the total cost
    "heat_reuse": {"demand": "all", "supply_c": 35.0, "price_per_kwh_th": 0.2},
}  # fmt: skip


def _run_dir(tmp_path_factory, name: str, **sections) -> str:
    """The default scenario (Shanghai two-part tariff, demand charge) for three days across
    a month's end (June 29 to July 1), six jobs, with the given sections."""
    data = example_data("default")
    data["horizon"] = {"start": "2023-06-29T00:00:00", "hours": 72}
    data["workload"]["generator"].update(count=6, slack_h=[6, 24], duration_h=[2, 8])
    data.update(sections)
    out = tmp_path_factory.mktemp("runs") / name
    write_run(run_scenario(scenario_from_dict(data), optimize=False), out)
    return str(out)


@pytest.fixture(scope="module")
def assets_dir(tmp_path_factory):
    return _run_dir(tmp_path_factory, "assets", **ASSETS)


@pytest.fixture(scope="module")
def assets_run(assets_dir):
    return D.load_run(assets_dir)


def test_costs_by_period_bill_the_grid_import_and_add_up_to_the_kpis(assets_run, monkeypatch):
    run, k = assets_run, assets_run.kpis
    facility = D.site(run, "facility_kw")
    price = run.hourly["price_per_kwh"]
    # the case tells import from facility apart: billed on facility power, both differ
    assert not math.isclose(float((facility * price).sum()), k["energy_cost"], rel_tol=1e-3)
    rate = D.demand_charge_per_kw_month(run)
    on_facility = K.monthly_demand(facility, rate, run.tz, D.billing(run))["demand_cost"].sum()
    assert not math.isclose(on_facility, k["demand_cost"], rel_tol=1e-3)
    assert k["battery_wear_cost"] > 0 and k["export_revenue"] > 0 and k["heat_revenue"] > 0
    for min_hours, kind in ((D.MONTHLY_MIN_H, "day"), (24, "month")):
        monkeypatch.setattr(D, "MONTHLY_MIN_H", min_hours)  # a month table of 3 days
        periods = D.period_table(run)
        assert periods.index.name == kind
        for col, key in (("grid_mwh", "grid_energy_mwh"), ("facility_mwh", "facility_energy_mwh"),
                         ("energy_cost", "energy_cost"), ("carbon_location_t", "carbon_location_t"),
                         ("carbon_market_t", "carbon_market_t"), ("wear_cost", "battery_wear_cost"),
                         ("export_revenue", "export_revenue"), ("heat_revenue", "heat_revenue")):
            assert periods[col].sum() == pytest.approx(k[key], rel=REPORT_SUM_RTOL), (kind, col)
    assert list(periods.index) == ["2023-06", "2023-07"]
    assert periods["demand_cost"].sum() == pytest.approx(k["demand_cost"], rel=REPORT_SUM_RTOL)
    assert periods["total_cost"].sum() == pytest.approx(k["total_cost"], rel=REPORT_SUM_RTOL)
    cols, _rows, note = energy.period_rows(run)
    assert "Grid import [MWh]" in [c.header for c in cols]
    assert "peak grid import kW" in note and "battery's wear" in note and "heat network" in note
