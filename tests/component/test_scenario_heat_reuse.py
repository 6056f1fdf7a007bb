"""Scenario runs with heat reuse by temperature (issue 15, item 5) and the savings split
into the jobs' part and the assets' operation (issue 15, item 3).

The hand-checked site is one immersion hall at W40 (facility water returning at 50 °C at
full flow) under a steady inference load, delivering to a heat network of constant demand
and price: into a 45 °C network its heat goes through a plate exchanger (50 - 4 K approach
>= 45 °C), into a 70 °C network through a heat pump of COP 0.45 x 343.15 / (70 - 50)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scenarios.errors import ScenarioError
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.run import run_scenario
from scenarios.store import hourly_table, kpis_document
from tests.tolerances import ENERGY_BALANCE_RTOL, OPTIMIZER_OBJECTIVE_RTOL

HOURS = 24
#: Constant demand [kW_th] and price [CNY/kWh_th] of the hand-checked network: the demand
#: is below the hall's loop heat in every hour (checked), so it binds every hour.
DEMAND_KW_TH, PRICE = 120.0, 0.25


def immersion_site(hours: int = HOURS, jobs: int = 3, **sections) -> dict:
    """One immersion hall (10 x 50 kW racks, W40) at a steady 60 % inference load, with a
    few jobs, Shanghai's two-part tariff (demand charge) for a day."""
    data = example_data("default")
    data["pods"] = [{"name": "immersion", "cooling": "immersion", "racks": 10, "rack_kw": 50,
                     "water_class": "W40",
                     "inference": {"utilisation": 0.6, "daily_swing": 0.0}}]
    data["horizon"]["hours"] = hours
    data["workload"]["generator"].update(count=jobs, slack_h=[4, 12], duration_h=[2, 4],
                                         power_kw=[40.0, 80.0])
    if not jobs:
        data["workload"] = {}
    data["solver"] = {"rel_gap": 0.0}
    data.update(sections)
    return data


def demand_csv(path, hours: pd.DatetimeIndex, kw_th) -> str:
    stamps = hours.tz_localize(None).strftime("%Y-%m-%d %H:%M")
    pd.DataFrame({"timestamp": stamps, "kw_th": kw_th}).to_csv(path, index=False)
    return str(path)


def network(tmp_path, supply_c: float, hours: pd.DatetimeIndex, **more) -> dict:
    return {"demand": "csv", "csv": demand_csv(tmp_path / "heat.csv", hours, DEMAND_KW_TH),
            "supply_c": supply_c, "price_per_kwh_th": PRICE, **more}


def run(data: dict, optimize: bool = True):
    return run_scenario(scenario_from_dict(data), optimize=optimize, time_limit_s=10)


@pytest.fixture(scope="module")
def plain():
    return run(immersion_site())


@pytest.fixture(scope="module")
def direct(plain, tmp_path_factory):
    hours = plain.inputs.frame.index
    heat = network(tmp_path_factory.mktemp("direct"), 45.0, hours)
    return run(immersion_site(heat_reuse=heat))


@pytest.fixture(scope="module")
def lifted(plain, tmp_path_factory):
    hours = plain.inputs.frame.index
    heat = network(tmp_path_factory.mktemp("lifted"), 70.0, hours)
    return run(immersion_site(heat_reuse=heat))


def _ledgers_close(outcome) -> None:
    """Every hour: grid balance of the settled flows, and the site's heat ledger
    facility = rejected outdoors + delivered + unmet - tank flow."""
    f = outcome.flows
    supply = f["grid_kw"] + f["onsite_kw"] + f["battery_discharge_kw"]
    use = f["facility_kw"] + f["battery_charge_kw"] + f["export_kw"] + f["curtailed_kw"]
    assert (np.abs(supply - use) <= ENERGY_BALANCE_RTOL * np.maximum(supply, use)).all()
    s = outcome.site
    out = s["heat_rejected_kw"] + s["heat_reused_kw_th"] + s["unmet_heat_kw"] - s["storage_kw_th"]
    assert (np.abs(s["facility_kw"] - out) <= ENERGY_BALANCE_RTOL * s["facility_kw"]).all()
    assert np.array_equal(f["facility_kw"].to_numpy(), s["facility_kw"].to_numpy())
    for pod in outcome.pods.values():
        p_out = (pod["heat_rejected_kw"] + pod["heat_reused_kw_th"] + pod["unmet_heat_kw"]
                 - pod["storage_kw_th"])
        assert (np.abs(pod["facility_kw"] - p_out) <= ENERGY_BALANCE_RTOL * pod["facility_kw"]).all()


def test_direct_exchange_into_a_45_c_network_checks_by_hand(plain, direct):
    """Plate exchanger only: the demand is met every hour, no compressor runs, the
    facility is the one without heat reuse; revenue = price x demand x hours, ERF =
    demand x hours / facility energy, and the cost falls by the revenue."""
    h = HOURS * DEMAND_KW_TH  # kWh_th
    for name in ("milp", "asap", "greedy"):
        o, base = direct.outcomes[name], plain.outcomes[name]
        f = o.flows
        np.testing.assert_allclose(f["heat_reused_kw_th"], DEMAND_KW_TH, rtol=1e-12)
        assert (f["heat_pump_kw"] == 0).all() and (f["predicted_heat_pump_kw"] == 0).all()
        k, kb = o.kpis, base.kpis
        assert k["heat_reused_mwh_th"] == pytest.approx(h / 1e3, rel=1e-12)
        assert k["heat_revenue"] == pytest.approx(PRICE * h, rel=1e-12)
        if name != "milp":  # the same rule schedule: the same facility, exactly
            pd.testing.assert_series_equal(o.site["facility_kw"], base.site["facility_kw"])
            assert k["total_cost"] == pytest.approx(kb["total_cost"] - PRICE * h, rel=1e-12)
            assert k["pue"] == kb["pue"]
        facility_kwh = o.site["facility_kw"].sum()
        assert k["erf"] == pytest.approx(h / facility_kwh, rel=1e-12)
        np.testing.assert_allclose(f["erf"], DEMAND_KW_TH / f["facility_kw"], rtol=1e-12)
        _ledgers_close(o)
    # the hall's loop heat is above the demand in every hour (so the demand binds)
    assert (direct.main.pods["immersion"]["heat_to_liquid_kw"] > DEMAND_KW_TH).all()
    hourly = hourly_table(direct)
    for col in ("erf", "heat_reused_kw_th", "heat_pump_kw", "heat_demand_kw_th",
                "asap.erf", "greedy.heat_reused_kw_th", "site.heat_reused_kw_th"):
        assert col in hourly, col
    lin = direct.linearisation
    assert lin["settled_heat_reused_mwh_th"] == pytest.approx(h / 1e3, rel=1e-12)
    assert lin["predicted_heat_reused_mwh_th"] == pytest.approx(h / 1e3, rel=1e-9)
    assert direct.site_assets.described["heat_reuse"]["supply_c"] == 45.0
    assert direct.site_assets.described["heat_reuse"]["carnot_efficiency"] == 0.45


def test_a_heat_pump_adds_its_compressor_to_facility_power(plain, lifted):
    """70 °C network: the hall's 50 °C return is lifted by a heat pump of COP
    0.45 x 343.15 / 20; facility power rises by the compressor's power, hour by hour,
    and the compressor's heat is part of what is delivered."""
    cop = 0.45 * (70 + 273.15) / (70 - 50)
    compressor = DEMAND_KW_TH / cop
    for name in ("asap", "greedy"):  # the same schedule with and without heat reuse
        o, base = lifted.outcomes[name], plain.outcomes[name]
        np.testing.assert_allclose(o.flows["heat_reused_kw_th"], DEMAND_KW_TH, rtol=1e-12)
        np.testing.assert_allclose(o.flows["heat_pump_kw"], compressor, rtol=1e-12)
        np.testing.assert_allclose(o.site["facility_kw"] - base.site["facility_kw"],
                                   compressor, rtol=1e-9)
        recovered = lifted.outcomes[name].site["heat_rejected_kw"]
        np.testing.assert_allclose(base.site["heat_rejected_kw"] - recovered,
                                   DEMAND_KW_TH - compressor, rtol=1e-9)
        k, kb = o.kpis, base.kpis
        assert k["facility_energy_mwh"] == pytest.approx(
            kb["facility_energy_mwh"] + HOURS * compressor / 1e3, rel=1e-12)
        assert k["pue"] > kb["pue"]
        assert k["erf"] == pytest.approx(HOURS * DEMAND_KW_TH / o.site["facility_kw"].sum())
        _ledgers_close(o)
    _ledgers_close(lifted.main)


def test_the_optimiser_never_does_worse_with_heat_reuse(plain, lifted, tmp_path):
    """Delivering nothing is always allowed, so the proven optimum with a heat network is
    at most the one without; here the heat earns more than its compressor costs in every
    hour, so the MILP delivers the whole demand."""
    assert plain.solver["status"] == lifted.solver["status"] == "optimal"
    assert lifted.solver["objective"] <= plain.solver["objective"] * (1 + OPTIMIZER_OBJECTIVE_RTOL)
    assert lifted.solver["objective"] < plain.solver["objective"]
    assert lifted.kpis["heat_reused_mwh_th"] == pytest.approx(HOURS * DEMAND_KW_TH / 1e3)
    # a heat price below the compressor's energy cost in every hour: nothing is delivered
    hours = plain.inputs.frame.index
    cheap = network(tmp_path, 70.0, hours, price_per_kwh_th=1e-4)
    r = run(immersion_site(heat_reuse=cheap))
    assert r.solver["objective"] <= plain.solver["objective"] * (1 + OPTIMIZER_OBJECTIVE_RTOL)
    for outcome in r.outcomes.values():
        assert outcome.kpis["heat_reused_mwh_th"] == 0.0 and outcome.kpis["erf"] == 0.0
    assert r.kpis["total_cost"] == pytest.approx(plain.kpis["total_cost"], rel=1e-9)


def _parts_sum(kpis: dict) -> None:
    k = kpis
    assert k["cost_saving_vs_asap_jobs"] + k["cost_saving_vs_asap_asset_operation"] == \
        pytest.approx(k["cost_saving_vs_asap"], rel=1e-12, abs=1e-9)
    levers = sum(k[f"cost_saving_vs_asap_{x}"] for x in ("placement", "timing", "peak", "other"))
    assert levers == pytest.approx(k["cost_saving_vs_asap_jobs"], rel=1e-12, abs=1e-9)
    assert k["carbon_saving_vs_asap_jobs_t"] + k["carbon_saving_vs_asap_asset_operation_t"] == \
        pytest.approx(k["carbon_saving_vs_asap_t"], rel=1e-12, abs=1e-12)
    carbon = sum(k[f"carbon_saving_vs_asap_{x}_t"] for x in ("placement", "timing", "other"))
    assert carbon == pytest.approx(k["carbon_saving_vs_asap_jobs_t"], rel=1e-12, abs=1e-12)


def test_the_saving_splits_into_jobs_and_asset_operation_and_each_asset_has_a_value(lifted):
    k = lifted.kpis
    _parts_sum(k)
    # the rule sells the same heat here (it earns more than its compressor costs)
    assert k["cost_saving_vs_asap_asset_operation"] == pytest.approx(0.0, abs=1e-6)
    # heat reuse is worth its revenue less its compressor's energy and the demand charge
    # on the compressor's constant power, which the peak carries (linear model;
    # Shanghai: 44.8 CNY/kW/month, prorated over July's 744 hours)
    price = lifted.inputs.frame["price_per_kwh"].to_numpy()
    compressor = DEMAND_KW_TH / (0.45 * (70 + 273.15) / (70 - 50))
    worth = (PRICE * DEMAND_KW_TH - price * compressor).sum() - 44.8 * compressor * HOURS / 744
    assert k["asset_value_heat_reuse"] == pytest.approx(worth, rel=1e-9)
    assert k["asset_value_heat_reuse_t"] < 0  # the compressor's grid carbon
    for name in ("battery", "cold_storage", "onsite_generation"):
        assert k[f"asset_value_{name}"] is None and k[f"asset_value_{name}_t"] is None


def test_with_a_battery_and_heat_the_parts_sum_and_without_assets_the_new_keys_are_null(
        plain, tmp_path):
    hours = plain.inputs.frame.index
    data = immersion_site(heat_reuse=network(tmp_path, 70.0, hours),
                          storage={"battery": {"energy_kwh": 400, "power_kw": 100}})
    r = run(data)
    _parts_sum(r.kpis)
    k, per_t = r.kpis, r.scenario.objective.carbon_price_per_t
    # in the objective (cost + carbon price x carbon) neither an optimally run asset nor
    # the optimal operation against the rule ever does worse than without
    assert k["asset_value_battery"] + per_t * k["asset_value_battery_t"] >= -1e-6
    assert k["cost_saving_vs_asap_asset_operation"] + \
        per_t * k["carbon_saving_vs_asap_asset_operation_t"] >= -1e-6
    assert k["asset_value_heat_reuse"] > 0
    new = ["cost_saving_vs_asap_jobs", "cost_saving_vs_asap_asset_operation",
           "carbon_saving_vs_asap_jobs_t", "carbon_saving_vs_asap_asset_operation_t",
           "heat_reused_mwh_th", "heat_revenue", "erf",
           *(f"asset_value_{n}{s}" for n in ("battery", "cold_storage", "onsite_generation",
                                             "heat_reuse") for s in ("", "_t"))]
    assert all(plain.kpis[key] is None for key in new), [k for k in new if plain.kpis[k] is not None]
    assert plain.kpis["cost_saving_vs_asap_other"] == pytest.approx(
        plain.kpis["cost_saving_vs_asap"] - sum(plain.kpis[f"cost_saving_vs_asap_{x}"]
                                                for x in ("placement", "timing", "peak")))
    assert set(kpis_document(plain)["kpis"]) == set(kpis_document(r)["kpis"])


def test_declared_shares_keep_the_old_erf_and_network_fields_need_a_demand():
    data = immersion_site(heat_reuse={"liquid_share": 0.5})
    r = run(data, optimize=False)
    site = r.main.site
    assert r.site_assets is None
    assert r.kpis["erf"] == 0.5 * site["heat_to_liquid_kw"].sum() / site["facility_kw"].sum()
    assert r.kpis["heat_reused_mwh_th"] == pytest.approx(0.5 * site["heat_to_liquid_kw"].sum() / 1e3)
    assert r.kpis["heat_revenue"] is None
    with pytest.raises(ScenarioError, match=r"heat_reuse: supply_c describes a heat network "
                                            r"and needs demand"):
        scenario_from_dict(immersion_site(heat_reuse={"liquid_share": 0.5, "supply_c": 60}))


def test_a_heating_season_outside_the_run_delivers_nothing_and_says_so():
    """Beijing's season (15 Nov - 15 Mar) in a July run: no demand, no asset, ERF 0."""
    data = immersion_site(heat_reuse={"demand": "heating_season", "peak_kw_th": 500,
                                      "supply_c": 45, "price_per_kwh_th": PRICE})
    r = run(data, optimize=False)
    assert (r.inputs.frame["heat_demand_kw_th"] == 0).all()
    assert r.site_assets is None
    assert r.kpis["erf"] == 0.0 and r.kpis["heat_reused_mwh_th"] == 0.0
    assert any("heating season" in a for a in r.inputs.assumptions)


def test_a_heating_season_demand_is_the_physics_shape_on_the_run_hours():
    """A January day: Beijing's season and design temperature by default; the season's
    days can be moved (the demand then stops where the season does)."""
    from thermal.heat_demand import heating_season_demand_kw_th

    data = immersion_site(hours=48, jobs=0, heat_reuse={
        "demand": "heating_season", "peak_kw_th": 90, "supply_c": 45,
        "price_per_kwh_th": PRICE, "season_end": "01-10"})
    data["horizon"]["start"] = "2023-01-10T00:00:00"
    r = run(data)
    frame = r.inputs.frame
    expected = heating_season_demand_kw_th(frame, 90.0, ("11-15", "01-10"))
    np.testing.assert_array_equal(frame["heat_demand_kw_th"], expected.to_numpy())
    assert (expected[:24] > 0).all() and (expected[24:] == 0).all()
    # the demand is below the hall's direct heat: delivered as asked, hour by hour
    np.testing.assert_allclose(r.main.flows["heat_reused_kw_th"], expected, rtol=1e-9, atol=1e-9)
    assert any("heating season 11-15 to 01-10" in a for a in r.inputs.assumptions)


def test_a_demand_csv_missing_hours_is_named(tmp_path, plain):
    hours = plain.inputs.frame.index[:-3]
    heat = {"demand": "csv", "csv": demand_csv(tmp_path / "short.csv", hours, 10.0),
            "supply_c": 45, "price_per_kwh_th": PRICE}
    with pytest.raises(ScenarioError, match=r"short\.csv: heat_reuse\.csv: 3 of the run's 24 "
                                            r"hours are not in the file"):
        run(immersion_site(heat_reuse=heat), optimize=False)


def test_forecast_mode_with_a_heat_network_is_refused_naming_it():
    data = immersion_site(heat_reuse={"demand": "all", "supply_c": 45, "price_per_kwh_th": PRICE})
    data["forecast"] = {"method": "persistence"}
    with pytest.raises(ScenarioError, match=r"forecast\.method: .*\[heat_reuse\] with demand"):
        run(data)
