"""Scenario runs with a battery, a cold tank and on-site generation (issue 15): zero-sized
assets change nothing, every re-simulated hour closes its energy balance, every dispatch
passes the optimizer's validator, and a PV plant's KPIs check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import validate
from scenarios.errors import ScenarioError
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.outcomes import balance_residual
from scenarios.run import preflight, run_scenario
from scenarios.store import hourly_table, kpis_document
from tests.tolerances import ENERGY_BALANCE_RTOL, LINEARISATION_RTOL


def small(hours: int = 48, jobs: int = 6, **sections) -> dict:
    """The default scenario (Shanghai, two-part tariff with a demand charge) cut to
    ``hours`` and ``jobs`` (solves in seconds), with the given sections."""
    data = example_data("default")
    data["horizon"]["hours"] = hours
    data["workload"]["generator"].update(count=jobs, slack_h=[6, 24], duration_h=[2, 8])
    data.update(sections)
    return data


def run(data: dict, optimize: bool = True):
    return run_scenario(scenario_from_dict(data), optimize=optimize, time_limit_s=10)


#: Every asset (the tank at its default, half full).
EVERY_ASSET = {
    "storage": {"battery": {"energy_kwh": 2000, "power_kw": 500},
                "cold": {"capacity_kwh_th": 1200, "power_kw_th": 300}},
    "onsite": {"pv": {"kwp": 1500}, "export": True, "export_price_share": 0.5},
}


@pytest.fixture(scope="module")
def with_assets():
    return run(small(**EVERY_ASSET))


def test_zero_sized_assets_give_exactly_the_run_without_them():
    zero = {
        "storage": {"battery": {"energy_kwh": 0, "power_kw": 500},
                    "cold": {"capacity_kwh_th": 4000, "power_kw_th": 0}},
        "onsite": {"pv": {"kwp": 0}, "wind": {"turbine": "E-126/4200", "hub_height_m": 135,
                                              "count": 0}},
    }
    plain, zeroed = run(small(hours=24, jobs=4)), run(small(hours=24, jobs=4, **zero))
    assert plain.solver["status"] == zeroed.solver["status"] == "optimal"
    assert zeroed.site_assets is None and zeroed.dispatches == {}
    assert kpis_document(zeroed) == kpis_document(plain)
    pd.testing.assert_frame_equal(hourly_table(zeroed), hourly_table(plain))
    assert zeroed.linearisation == plain.linearisation


def test_every_hour_closes_its_energy_balance_after_re_simulation(with_assets):
    r = with_assets
    assert set(r.outcomes) == {"milp", "asap", "greedy"}
    for name, outcome in r.outcomes.items():
        f = outcome.flows
        supply = f["grid_kw"] + f["onsite_kw"] + f["battery_discharge_kw"]
        use = f["facility_kw"] + f["battery_charge_kw"] + f["export_kw"] + f["curtailed_kw"]
        assert (np.abs(supply - use) <= ENERGY_BALANCE_RTOL * np.maximum(supply, use)).all(), name
        assert balance_residual(f) <= ENERGY_BALANCE_RTOL
        # the exact facility is the thermal re-simulation's, the tank's flows included
        assert np.array_equal(f["facility_kw"].to_numpy(), outcome.site["facility_kw"].to_numpy())
        assert (f["grid_kw"] >= 0).all()
    lin = r.linearisation
    assert lin["energy_balance_max_relative_residual"] <= ENERGY_BALANCE_RTOL
    assert lin["relative_error"] < LINEARISATION_RTOL
    assert abs(lin["settled_grid_mwh"] - lin["predicted_grid_mwh"]) <= (
        LINEARISATION_RTOL * lin["simulated_facility_mwh"])


def test_every_dispatch_passes_the_optimizers_validator(with_assets):
    r = with_assets
    prep = preflight(r.scenario)  # the same inputs, rebuilt
    assets = prep.prepared.assets.convexified()
    assert r.solver["validation"] == {"milp": 0, "asap": 0, "greedy": 0}
    for name, dispatch in r.dispatches.items():
        outcome = r.outcomes[name]
        violations = validate(outcome.schedule, r.jobs, prep.prepared.pods,
                              prep.prepared.signals, prep.prepared.limits, assets, dispatch)
        assert violations == [], (name, violations[:3])
    assert r.dispatches["milp"].rule == "optimised" and r.dispatches["asap"].rule == "rule"


def test_asset_kpis_are_the_sums_of_the_settled_flows(with_assets):
    r = with_assets
    for outcome in r.outcomes.values():
        k, f = outcome.kpis, outcome.flows
        assert k["grid_energy_mwh"] == pytest.approx(f["grid_kw"].sum() / 1e3)
        assert k["peak_grid_import_kw"] == pytest.approx(f["grid_kw"].max())
        assert k["onsite_generation_mwh"] == pytest.approx(r.inputs.frame["pv_kw"].sum() / 1e3)
        assert k["export_mwh"] == pytest.approx(f["export_kw"].sum() / 1e3)
        assert k["battery_throughput_mwh"] == pytest.approx(f["battery_discharge_kw"].sum() / 1e3)
        assert k["cold_storage_shifted_mwh_th"] == pytest.approx(f["cold_discharge_kw_th"].sum() / 1e3)
        price = r.inputs.frame["price_per_kwh"]
        assert k["export_revenue"] == pytest.approx((0.5 * price * f["export_kw"]).sum())
        assert k["energy_cost"] == pytest.approx((price * f["grid_kw"]).sum() - k["export_revenue"])
        assert k["total_cost"] == pytest.approx(k["energy_cost"] + k["demand_cost"]
                                                + k["battery_wear_cost"])
        assert k["pue"] == pytest.approx(outcome.site["facility_kw"].sum() / outcome.site["it_kw"].sum())
    # the tank ran, and its stored cold follows the flows the chillers took
    assert r.kpis["cold_storage_shifted_mwh_th"] > 0
    # PV on the synthetic Shanghai year rests on modelled irradiance, and the run says so
    assert any("irradiance" in a and "modelled" in a for a in r.inputs.assumptions)
    assert r.site_assets.described["battery"]["round_trip_efficiency"] == 0.85
    hourly = hourly_table(r)
    for col in ("grid_kw", "pv_kw", "export_kw", "curtailed_kw", "battery_kw", "battery_soc_kwh",
                "cold_soc_kwh_th", "asap.grid_kw", "greedy.battery_soc_kwh"):
        assert col in hourly, col
    assert "wind_kw" not in hourly


def _pv_csv(path, hours: pd.DatetimeIndex, pv_kw: np.ndarray) -> str:
    stamps = hours.tz_localize(None).strftime("%Y-%m-%d %H:%M")
    pd.DataFrame({"timestamp": stamps, "kw": pv_kw}).to_csv(path, index=False)
    return str(path)


def test_the_saving_splits_into_the_jobs_and_the_assets_operation(with_assets):
    """cost_saving_vs_asap = jobs + asset_operation, and jobs = placement + timing + peak
    + other (issue 15, item 3); each asset the site has has a value, the others none."""
    from optimizer.levers import asset_operation_saving, asset_values
    from optimizer.schedule import from_frame
    from scenarios.schedules import problem_of

    k = with_assets.kpis
    assert k["cost_saving_vs_asap_jobs"] + k["cost_saving_vs_asap_asset_operation"] == \
        pytest.approx(k["cost_saving_vs_asap"], rel=1e-12)
    assert sum(k[f"cost_saving_vs_asap_{x}"] for x in ("placement", "timing", "peak", "other")) \
        == pytest.approx(k["cost_saving_vs_asap_jobs"], rel=1e-12, abs=1e-9)
    assert k["carbon_saving_vs_asap_jobs_t"] + k["carbon_saving_vs_asap_asset_operation_t"] == \
        pytest.approx(k["carbon_saving_vs_asap_t"], rel=1e-12)
    assert sum(k[f"carbon_saving_vs_asap_{x}_t"] for x in ("placement", "timing", "other")) \
        == pytest.approx(k["carbon_saving_vs_asap_jobs_t"], rel=1e-12, abs=1e-12)
    # the optimizer's own functions on the run's problem and MILP schedule
    prep = preflight(with_assets.scenario).prepared
    problem = problem_of(prep)
    plan = from_frame(problem, with_assets.outcomes["milp"].schedule)
    operation = asset_operation_saving(problem, plan)
    assert k["cost_saving_vs_asap_asset_operation"] == pytest.approx(operation.cost, rel=1e-9)
    # in the objective the optimal operation never does worse than the rule
    price_per_kg = with_assets.scenario.objective.carbon_price_per_t / 1e3
    assert operation.cost + price_per_kg * operation.carbon_kg >= -1e-6
    values = asset_values(problem, plan)
    for name in ("battery", "cold_storage", "onsite_generation"):
        assert k[f"asset_value_{name}"] == pytest.approx(values[name].cost, rel=1e-9)
        assert k[f"asset_value_{name}_t"] == pytest.approx(values[name].carbon_kg / 1e3, rel=1e-9)
    assert k["asset_value_heat_reuse"] is None and k["asset_value_heat_reuse_t"] is None
    assert k["asset_value_battery"] > 0 and k["asset_value_onsite_generation"] > 0


@pytest.mark.parametrize("export_price", [None, 0.2, -0.5])
def test_kpis_of_a_pv_plant_check_by_hand(tmp_path, export_price):
    """PV from a generation file, no storage, ASAP: the facility is the one without PV,
    import is what PV does not cover, curtailed (or exported where export is paid) what
    it covers twice."""
    market = {"renewable_share": 0.4, "residual_mix_g_per_kwh": 600.0}
    plain = small(hours=48)
    plain["grid"]["market"] = market
    base = run(plain, optimize=False)
    hours = base.inputs.frame.index
    pv = np.where((hours.hour >= 9) & (hours.hour < 16), 300.0, 0.0)
    pv[12] = 5_000.0  # far above the facility: the surplus is curtailed or exported
    onsite = {"pv": {"csv": _pv_csv(tmp_path / "pv.csv", hours, pv)}}
    if export_price is not None:
        onsite.update(export=True, export_price_per_kwh=export_price)
    data = small(hours=48, onsite=onsite)
    data["grid"]["market"] = market
    r = run(data, optimize=False)
    k, b = r.kpis, base.kpis
    f = base.main.site["facility_kw"].to_numpy()
    grid, surplus = np.maximum(f - pv, 0.0), np.maximum(pv - f, 0.0)
    price = r.inputs.frame["price_per_kwh"].to_numpy()
    carbon = r.inputs.frame["carbon_g_per_kwh"].to_numpy()
    np.testing.assert_allclose(r.main.site["facility_kw"], f, rtol=0, atol=0)
    assert k["pue"] == b["pue"] and k["facility_energy_mwh"] == b["facility_energy_mwh"]
    np.testing.assert_allclose(r.main.flows["grid_kw"], grid, rtol=1e-12, atol=1e-9)
    assert k["grid_energy_mwh"] == pytest.approx(grid.sum() / 1e3, rel=1e-12)
    assert k["peak_grid_import_kw"] == pytest.approx(grid.max(), rel=1e-12)
    assert k["onsite_generation_mwh"] == pytest.approx(pv.sum() / 1e3, rel=1e-12)
    exported = surplus if (export_price or 0.0) > 0 else 0.0 * surplus
    assert k["export_mwh"] == pytest.approx(exported.sum() / 1e3, abs=1e-9)
    assert k["curtailed_mwh"] == pytest.approx((surplus - exported).sum() / 1e3, abs=1e-9)
    revenue = (export_price or 0.0) * exported.sum()
    assert k["export_revenue"] == pytest.approx(revenue, abs=1e-9)
    assert k["energy_cost"] == pytest.approx((price * grid).sum() - revenue, rel=1e-12)
    month_h = hours[0].days_in_month * 24  # Shanghai: 44.8 CNY/kW/month, prorated
    assert k["demand_cost"] == pytest.approx(44.8 * grid.max() * len(hours) / month_h, rel=1e-12)
    assert k["carbon_location_t"] == pytest.approx((carbon * grid).sum() / 1e6, rel=1e-12)
    assert k["carbon_market_t"] == pytest.approx(grid.sum() * 0.6 * 600 / 1e6, rel=1e-12)
    used = np.minimum(pv, f)
    assert k["ref"] == pytest.approx((0.4 * grid.sum() + used.sum()) / f.sum(), rel=1e-12)
    assert k["battery_throughput_mwh"] is None and k["cold_storage_shifted_mwh_th"] is None
    assert b["grid_energy_mwh"] == b["facility_energy_mwh"] and b["onsite_generation_mwh"] is None


def test_forecast_mode_with_assets_is_refused_naming_the_sections():
    data = small(**EVERY_ASSET)
    data["forecast"] = {"method": "persistence"}
    with pytest.raises(ScenarioError) as err:
        preflight(scenario_from_dict(data))
    text = str(err.value)
    assert text.startswith("forecast.method: ")
    for section in ("[storage.battery]", "[storage.cold]", "[onsite.pv]"):
        assert section in text


@pytest.mark.parametrize(
    ("sections", "fragment"),
    [
        ({"storage": {"cold": {"capacity_kwh_th": 100, "power_kw_th": 10,
                               "loop": "facility_water", "pods": ["air-20kW", "coldplate-40kW"]}}},
         "storage.cold.pods: pod(s) 'air-20kW' have no chillers on their facility_water loop"),
        ({"storage": {"battery": {"energy_kwh": 100, "power_kw": 10, "max_soc": 0.4}}},
         "storage.battery.initial_soc: 0.5 must lie between min_soc 0.0 and max_soc 0.4"),
        ({"onsite": {"wind": {"turbine": "E-126/4200", "hub_height_m": 135}}},
         "onsite.wind needs wind speed: this climate has no wind speed"),
        ({"onsite": {"wind": {"turbine": "E-126/420", "hub_height_m": 135}}},
         "onsite.wind.turbine = 'E-126/420' is not in windpowerlib's turbine library; close "
         "matches: E-126/4200"),
        # no turbine runs (a sweep's zero point), the name is checked all the same
        ({"onsite": {"wind": {"turbine": "E-126/420", "hub_height_m": 135, "count": 0}}},
         "onsite.wind.turbine = 'E-126/420' is not in windpowerlib's turbine library"),
    ],
)
def test_what_only_the_physics_or_the_optimizer_can_check_is_named(sections, fragment):
    with pytest.raises(ScenarioError) as err:
        preflight(scenario_from_dict(small(**sections)))
    assert fragment in str(err.value), str(err.value)


def test_the_baselines_rule_keeps_a_half_full_tank_at_its_end_state():
    """The rule plans its refill with the chillers' spare capacity and the standing loss
    (the validator in scenarios.schedules rejects a baseline that ends short)."""
    sections = {"storage": {"cold": {"capacity_kwh_th": 1200, "power_kw_th": 300}}}
    from thermal.cold_storage import ColdStorageParams

    keep = 1.0 - ColdStorageParams().standing_loss_per_h
    result = run(small(**sections), optimize=False)
    for name, dispatch in result.dispatches.items():
        # at least what an idle half-full tank keeps over the 48 h
        assert dispatch.cold_soc_kwh_th[-1] >= 600.0 * keep ** 48 - 1e-6, name


def test_generation_inputs_are_the_physics_over_the_typical_year_placed_on_the_run_hours(tmp_path):
    """PV and wind from a weather file with irradiance and wind (Greensboro TMY3): the
    input columns are thermal.onsite's output for the typical year, on the run's hours as
    the weather is; a generation CSV is read as it is."""
    from scenarios.inputs import resolve_inputs, typical_year_positions
    from thermal.onsite import pv_output_kw, wind_output_kw
    from thermal.weather import load_climate

    data = example_data("greensboro")
    data["horizon"]["hours"] = 72
    data["onsite"] = {"pv": {"kwp": 1000, "tilt_deg": 20},
                      "wind": {"turbine": "E-126/4200", "hub_height_m": 135, "count": 2}}
    inputs = resolve_inputs(scenario_from_dict(data))
    hours = inputs.frame.index
    year = load_climate("greensboro")
    at = typical_year_positions(year.index, hours)
    np.testing.assert_array_equal(inputs.frame["pv_kw"], pv_output_kw(year, 1000, 20).to_numpy()[at])
    np.testing.assert_array_equal(inputs.frame["wind_kw"],
                                  wind_output_kw(year, "E-126/4200", 135, 2).to_numpy()[at])
    assert inputs.frame["pv_kw"].max() > 0 and inputs.frame["wind_kw"].max() > 0
    assert "PVWatts" in inputs.sources["onsite_pv"] and "E-126/4200" in inputs.sources["onsite_wind"]
    assert not any("irradiance" in a for a in inputs.assumptions)  # measured, not modelled
    kw = np.arange(len(hours), dtype=float)
    data["onsite"] = {"wind": {"csv": _pv_csv(tmp_path / "wind.csv", hours, kw)}}
    inputs = resolve_inputs(scenario_from_dict(data))
    np.testing.assert_array_equal(inputs.frame["wind_kw"], kw)
    assert "pv_kw" not in inputs.frame


def test_a_battery_alone_closes_its_balance_in_the_hourly_file_too():
    """Without generation a battery can still supply more than the exact facility needs
    (the plan is on the linear model): that surplus is curtailed, and the hourly file
    holds it (it lacked curtailed_kw, so grid - battery - facility did not close), as
    does curtailed_mwh (it was null)."""
    r = run(small(storage={"battery": {"energy_kwh": 4000, "power_kw": 1000}}))
    hourly = hourly_table(r)
    assert "curtailed_kw" in hourly and "export_kw" not in hourly  # no generation to export
    residual = (hourly["grid_kw"] - hourly["battery_kw"] - hourly["site.facility_kw"]
                - hourly["curtailed_kw"])
    assert (residual.abs() <= ENERGY_BALANCE_RTOL * hourly["grid_kw"].abs().max()).all()
    assert r.kpis["curtailed_mwh"] == pytest.approx(hourly["curtailed_kw"].sum() / 1e3)
    assert r.kpis["onsite_generation_mwh"] is None


def test_grid_import_the_exact_facility_puts_above_the_limit_is_measured_and_told():
    """The optimizer holds the grid limit on its linear facility model; where the exact
    re-simulation goes above it, the run says by how much and in how many hours."""
    from types import SimpleNamespace

    from scenarios.outcomes import grid_limit_excess, grid_limit_note

    flows = pd.DataFrame({"grid_kw": [1990.0, 2003.5, 2000.0 + 1e-9, 2001.0]})
    outcome = SimpleNamespace(flows=flows, site=None)
    excess = grid_limit_excess(outcome, 2000.0)
    assert excess == {"grid_limit_exceeded_h": 2, "grid_limit_max_excess_kw": pytest.approx(3.5)}
    note = grid_limit_note(excess, 2000.0)
    assert "in 2 hour(s), by up to 3.5 kW (0.17 %)" in note and "about 4 kW lower" in note
    no_assets = SimpleNamespace(flows=None, site=pd.DataFrame({"facility_kw": [1500.0, 1990.0]}))
    assert grid_limit_note(grid_limit_excess(no_assets, 2000.0), 2000.0) is None
    assert grid_limit_excess(no_assets, None) == {"grid_limit_exceeded_h": 0,
                                                  "grid_limit_max_excess_kw": 0.0}
    # a run with a limit records it in the linearisation (0 where it held)
    r = run(small(hours=24, jobs=4, grid={**example_data("default")["grid"],
                                          "grid_limit_kw": 5000.0}))
    assert r.linearisation["grid_limit_exceeded_h"] == 0
