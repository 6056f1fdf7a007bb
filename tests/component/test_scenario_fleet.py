"""A fleet run through the scenario layer (issue 16): sites prepared as alone, scheduled as one.

* with one site, the fleet is today's single-site run (same jobs, same KPIs);
* with free transfers and a high carbon price, work leaves for the cleanest site with room;
* jobs with residency never leave; every schedule passes the fleet validator;
* fleet KPIs are the sites' sums (ratios from sums); each site carries half of every
  transfer it sends or receives, so the sites' costs and carbon add up to the fleet's.
"""

from __future__ import annotations

import copy
import tomllib

import pandas as pd
import pytest
import tomli_w

from scenarios.errors import ScenarioError
from scenarios.fleet import fleet_from_dict, flows_table, run_fleet, site_schedule
from scenarios.library import example_data, example_text
from scenarios.loading import scenario_from_dict
from scenarios.run import run_scenario

#: Fleet-wide sums against the sites' (pure additions of floats) [-].
SUM_RTOL = 1e-9
HOURS = 48
START = "2023-07-10T00:00:00"


def _site_file(tmp_path, name: str, **changes) -> str:
    """A built-in scenario written to a file with a short horizon and no workload."""
    data = tomllib.loads(example_text(name))
    data["horizon"] = {"start": START, "hours": HOURS}
    data.pop("workload", None)
    for key, value in changes.items():
        data[key] = value
    path = tmp_path / f"{name}.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return str(path)


def _jobs_csv(tmp_path, rows: list[dict]) -> str:
    path = tmp_path / "jobs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


def _job(i: int, home: str, **extra) -> dict:
    return {"job_id": f"j{i}", "release": "2023-07-10T00:00+08:00",
            "deadline": "2023-07-12T00:00+08:00", "duration_h": 6, "power_kw": 200,
            "preemptible": i % 2 == 0, "max_interruptions": 2, "home": home, **extra}


def _fleet(tmp_path, sites: list[tuple[str, str]], jobs: str, **extra):
    data = {"name": "t", "sites": [{"name": n, "scenario": s} for n, s in sites],
            "workload": {"jobs": jobs}, "horizon": {"start": START, "hours": HOURS},
            "solver": {"time_limit_s": 20.0, "rel_gap": 1e-4}, **extra}
    return fleet_from_dict(copy.deepcopy(data), base_dir=tmp_path)


def test_a_one_site_fleet_is_the_single_site_run(tmp_path):
    rows = [_job(i, "only") for i in range(6)]
    jobs = _jobs_csv(tmp_path, rows)
    data = tomllib.loads(example_text("hub-chengdu"))
    data["horizon"] = {"start": START, "hours": HOURS}
    data["workload"] = {"jobs": jobs}
    data["solver"] = {"time_limit_s": 20.0, "rel_gap": 1e-4}
    single = run_scenario(scenario_from_dict(data), optimize=False)
    fleet = _fleet(tmp_path, [("only", _site_file(tmp_path, "hub-chengdu"))], jobs,
                   objective=data.get("objective", {}))
    result = run_fleet(fleet, tmp_path, optimize=False)
    site = result.sites["only"]
    for key in ("pue", "it_energy_mwh", "facility_energy_mwh", "water_m3", "carbon_location_t",
                "energy_cost", "demand_cost", "total_cost", "job_energy_mwh"):
        assert site.kpis[key] == pytest.approx(single.kpis[key], rel=1e-9), key
        assert result.kpis[key] == pytest.approx(single.kpis[key], rel=1e-9), key
    assert result.kpis["moved_jobs"] == 0 and result.kpis["network_energy_mwh"] == 0
    mine = site_schedule(result.schedules["asap"], "only").sort_values(["job_id", "timestamp"])
    theirs = single.outcomes["asap"].schedule.sort_values(["job_id", "timestamp"])
    assert mine["pod"].tolist() == theirs["pod"].astype(str).tolist()
    assert (pd.DatetimeIndex(mine["timestamp"]) == pd.DatetimeIndex(theirs["timestamp"])).all()


@pytest.mark.parametrize("optimize", [False, True])
def test_a_fleet_without_jobs_runs_its_sites_baselines(tmp_path, optimize):
    """No [workload] (allowed: "default: no jobs"): every site's baseline load alone; it
    raised 'internal error' (an empty row mask picked no columns)."""
    files = [("a", _site_file(tmp_path, "hub-chengdu")), ("b", _site_file(tmp_path, "hub-beijing"))]
    data = {"name": "t", "sites": [{"name": n, "scenario": f} for n, f in files],
            "horizon": {"start": START, "hours": HOURS}, "solver": {"time_limit_s": 5.0}}
    result = run_fleet(fleet_from_dict(data, base_dir=tmp_path), tmp_path, optimize=optimize)
    assert result.kpis["jobs"] == 0 and result.kpis["deadlines_met_share"] is None
    assert result.kpis["job_energy_mwh"] == 0 and result.kpis["moved_jobs"] == 0
    total = sum(r.kpis["facility_energy_mwh"] for r in result.sites.values())
    assert result.kpis["facility_energy_mwh"] == pytest.approx(total, rel=SUM_RTOL) and total > 0
    # each site's re-simulation is checked against its grid limit, as a single site's is
    assert all(r.linearisation["grid_limit_exceeded_h"] == 0 for r in result.sites.values())


def test_a_high_carbon_price_and_free_transfers_send_work_to_the_cleanest_site(tmp_path):
    rows = [_job(i, "east", data_tb=5.0) for i in range(8)]
    fleet = _fleet(tmp_path, [("east", _site_file(tmp_path, "hub-shanghai")),
                              ("west", _site_file(tmp_path, "hub-chengdu"))],
                   _jobs_csv(tmp_path, rows),
                   network={"energy_kwh_per_tb": 0.0, "cost_per_tb": 0.0,
                            "transfer_h_per_tb": 0.0},
                   objective={"carbon_price_per_t": 50_000.0})
    result = run_fleet(fleet, tmp_path, time_limit_s=20)
    # East grid 550 g/kWh, Southwest 247: every job leaves (Chengdu has room for all)
    assert result.kpis["moved_jobs"] == 8
    assert set(result.schedules["milp"]["pod"].str.split("/").str[0]) == {"west"}
    assert result.kpis["moved_data_tb"] == pytest.approx(40.0)
    assert result.kpis["carbon_saving_vs_asap_t"] > 0
    assert result.kpis["cost_saving_vs_asap_site"] > 0
    flows = flows_table(result.jobs, result.schedules["milp"], ["east", "west"])
    assert flows[["home", "site", "jobs"]].values.tolist() == [["east", "west", 8]]


def test_residency_keeps_jobs_home_and_fleet_sums_close(tmp_path):
    rows = [_job(i, "east", data_tb=2.0, sites="east" if i < 3 else "") for i in range(6)]
    rows[3]["latency"] = "interactive"
    fleet = _fleet(tmp_path, [("east", _site_file(tmp_path, "hub-shanghai")),
                              ("west", _site_file(tmp_path, "hub-chengdu"))],
                   _jobs_csv(tmp_path, rows), objective={"carbon_price_per_t": 50_000.0})
    result = run_fleet(fleet, tmp_path, time_limit_s=20)
    where = result.schedules["milp"].groupby("job_id")["pod"].first().str.split("/").str[0]
    assert (where[["j0", "j1", "j2", "j3"]] == "east").all()
    assert (where[["j4", "j5"]] == "west").all()
    assert result.kpis["moved_jobs"] == 2
    # sums: the sites' re-simulated energy plus the network's (2 jobs x 2 TB x 3.75 kWh/TB)
    sites = result.sites.values()
    network_mwh = 2 * 2.0 * 3.75 / 1000
    assert result.kpis["network_energy_mwh"] == pytest.approx(network_mwh)
    assert result.kpis["facility_energy_mwh"] == pytest.approx(  # the network is not a facility
        sum(s.kpis["facility_energy_mwh"] for s in sites), rel=SUM_RTOL)
    # each end counts half of each transfer (energy, cost, carbon), so the sites add up
    east, west = result.sites["east"].kpis, result.sites["west"].kpis
    assert east["network_energy_mwh"] == pytest.approx(network_mwh / 2, rel=SUM_RTOL)
    assert west["network_energy_mwh"] == pytest.approx(network_mwh / 2, rel=SUM_RTOL)
    for key in ("network_energy_mwh", "network_cost", "network_carbon_t", "carbon_location_t",
                "carbon_market_t", "total_cost"):
        assert result.kpis[key] == pytest.approx(sum(s.kpis[key] for s in sites), rel=SUM_RTOL)
    assert result.kpis["network_cost"] > 0 and east["network_cost"] != west["network_cost"]
    # each end's half at its own mean price and carbon, written out here (no transfer charge)
    end_kwh = 2 * 2.0 * 3.75 / 2  # two moved jobs, 2 TB each, half at each end
    mean = {n: result.sites[n].inputs.frame[["price_per_kwh", "carbon_g_per_kwh"]].mean()
            for n in ("east", "west")}
    assert east["network_cost"] == pytest.approx(end_kwh * mean["east"]["price_per_kwh"])
    assert west["network_carbon_t"] == pytest.approx(
        end_kwh * mean["west"]["carbon_g_per_kwh"] / 1e6)
    # every schedule's site outcomes carry their network share, baselines too
    for name, totals in result.baselines.items():
        assert totals["total_cost"] == pytest.approx(
            sum(s.outcomes[name].kpis["total_cost"] for s in sites), rel=SUM_RTOL), name
    # the network is outside each site's facility (its energy cost is not)
    for site in (east, west):
        assert site["total_cost"] == pytest.approx(
            site["energy_cost"] + site["demand_cost"] + site["network_cost"], rel=SUM_RTOL)
    # capital cost and TCO: each site's facility, the fleet's the sums
    for key in ("capex", "annualised_capex", "opex_per_year", "tco_per_year"):
        assert east[key] > 0 and west[key] > 0
        assert result.kpis[key] == pytest.approx(east[key] + west[key], rel=SUM_RTOL)
    assert min(east["tco_per_mwh_compute"], west["tco_per_mwh_compute"]) <= result.kpis[
        "tco_per_mwh_compute"] <= max(east["tco_per_mwh_compute"], west["tco_per_mwh_compute"])
    # two jobs of six left home: at least their energy ran elsewhere than ASAP at home
    moved_share = result.kpis["moved_energy_mwh"] / result.kpis["job_energy_mwh"]
    assert moved_share - 1e-9 <= result.kpis["shifted_energy_share"] <= 1.0
    # what moved, as flows.csv says it: the moved jobs' scheduled energy
    flows = flows_table(result.jobs, result.schedules["milp"], ["east", "west"])
    moved = flows[flows["moved"]]
    assert result.kpis["moved_energy_mwh"] == pytest.approx(moved["compute_mwh"].sum())
    assert result.kpis["moved_data_tb"] == pytest.approx(moved["data_tb"].sum()) == 4.0
    assert result.kpis["it_energy_mwh"] == pytest.approx(
        sum(s.kpis["it_energy_mwh"] for s in sites), rel=SUM_RTOL)
    assert result.kpis["pue"] == pytest.approx(
        result.kpis["facility_energy_mwh"] / result.kpis["it_energy_mwh"], rel=SUM_RTOL)
    levers = sum(result.kpis[f"cost_saving_vs_asap_{k}"]
                 for k in ("site", "placement", "timing", "peak", "other"))
    assert levers == pytest.approx(result.kpis["cost_saving_vs_asap"], rel=1e-9)


@pytest.mark.parametrize(("change", "match"), [
    ({"sites": [{"name": "a", "scenario": "no-such-scenario"}]},
     "sites[0].scenario"),
    ({"sites": [{"name": "a", "scenario": "beijing-battery"}]}, "[storage]"),
    ({"sites": [{"name": "a/b", "scenario": "beijing"}]},
     "sites[0].name: 'a/b' is not a name coolshift takes: use letters, digits"),
    ({"sites": [{"name": "a", "scenario": "beijing"}, {"name": "a", "scenario": "chengdu"}]},
     "site names must be unique"),
    ({"sites": [{"name": "a", "scenario": "beijing"}, {"name": "b", "scenario": "greensboro"}]},
     "grid.currency"),
    ({"workload": {"generator": {"homes": ["nowhere"]}}}, "homes names unknown site"),
    ({"sites": [{"name": "a", "scenario": "beijing", "open_share": 1.5}]},
     "sites[0].open_share"),
    ({"sites": {"name": "a", "scenario": "beijing"}},  # [sites] written for [[sites]]
     "sites: a fleet gives each site as its own [[sites]] table"),
    ({"sites": [{"name": "a", "scenario": "beijing"}, {"name": "b", "scenario": "east-west"}]},
     "'east-west' is a built-in fleet, not a site's scenario"),
])
def test_bad_fleets_are_named(change, match):
    from scenarios.fleet import fleet_preflight

    data = {"name": "bad", "sites": [{"name": "a", "scenario": "beijing"},
                                     {"name": "b", "scenario": "chengdu"}],
            "horizon": {"start": START, "hours": 24}, **change}
    with pytest.raises(ScenarioError) as caught:
        fleet_preflight(fleet_from_dict(data), None)
    assert match in str(caught.value)


def test_a_fleet_file_as_a_site_and_unequal_horizons_are_named_plainly(tmp_path):
    from scenarios.fleet import fleet_preflight

    inner = tmp_path / "inner.toml"
    inner.write_text(tomli_w.dumps({"name": "inner", "sites": [
        {"name": "a", "scenario": "beijing"}]}), encoding="utf-8")
    data = {"name": "outer", "sites": [{"name": "a", "scenario": "beijing"},
                                       {"name": "b", "scenario": str(inner)}]}
    with pytest.raises(ScenarioError, match=r"inner.toml is a fleet \(it has \[\[sites\]\]\)"):
        fleet_preflight(fleet_from_dict(data, base_dir=tmp_path), tmp_path)
    short = _site_file(tmp_path, "hub-chengdu", horizon={"start": START, "hours": 24})
    data = {"name": "h", "sites": [{"name": "a", "scenario": _site_file(tmp_path, "hub-beijing")},
                                   {"name": "b", "scenario": short}]}
    with pytest.raises(ScenarioError) as caught:
        fleet_preflight(fleet_from_dict(data, base_dir=tmp_path), tmp_path)
    text = str(caught.value)
    assert "horizon differ (a: 2023-07-10T00:00:00+08:00 for 48 h, b: " in text
    assert "Timestamp(" not in text


def test_a_site_scenario_that_is_no_file_is_named_with_the_built_in_meant(tmp_path):
    from scenarios.fleet import fleet_preflight

    data = {"name": "f", "sites": [{"name": "a", "scenario": "beijing"},
                                   {"name": "b", "scenario": "hub-shangai"}]}
    with pytest.raises(ScenarioError, match=r"^fleet 'f': sites\[1\]\.scenario: "
                                            r"'\S*hub-shangai' is neither a built-in scenario "
                                            r"nor an existing file; did you mean the built-in "
                                            r"'hub-shanghai'\?"):
        fleet_preflight(fleet_from_dict(data, base_dir=tmp_path), tmp_path)
    (tmp_path / "folder.toml").mkdir()
    data["sites"][1]["scenario"] = "folder.toml"
    with pytest.raises(ScenarioError, match=r"folder\.toml: sites\[1\]\.scenario: is not a "
                                            r"regular file"):
        fleet_preflight(fleet_from_dict(data, base_dir=tmp_path), tmp_path)


def test_a_built_in_fleet_names_built_in_sites_only():
    data = {"name": "x", "sites": [{"name": "a", "scenario": "/etc/passwd"}]}
    with pytest.raises(ScenarioError, match="not a built-in scenario"):
        from scenarios.fleet import fleet_preflight

        fleet_preflight(fleet_from_dict(data), None)
    assert example_data("beijing")["name"] == "beijing"


def test_the_site_pool_runs_tasks_in_worker_processes_in_order():
    """A fleet's per-site tasks in a spawn pool (the equal-result check of a whole fleet
    on a pool of workers is the Dask test, tests/integration/test_dask_batch.py). The task
    lives in a standard-library-only module, so the workers start without importing this
    test module and the libraries it loads."""
    import os

    from scenarios.site_pool import site_pool
    from tests.pool_tasks import square_and_pid

    with site_pool(None, 2, 5) as (map_sites, workers):
        assert workers == 2 and map_sites is not map
        squares, pids = zip(*map_sites(square_and_pid, range(5)), strict=True)
        assert list(squares) == [0, 1, 4, 9, 16]
        assert os.getpid() not in pids  # run in the pool's processes, not here
    with site_pool(None, None, 5) as (map_sites, workers):
        assert (map_sites, workers) == (map, 1)


def test_a_home_bound_fleet_is_solved_site_by_site_with_a_coincident_peak(tmp_path):
    rows = [_job(i, "east" if i % 2 else "west", sites="east" if i % 2 else "west")
            for i in range(6)]  # every job stays home: the schedule decomposes by site
    fleet = _fleet(tmp_path, [("east", _site_file(tmp_path, "hub-shanghai")),
                              ("west", _site_file(tmp_path, "hub-chengdu"))],
                   _jobs_csv(tmp_path, rows), objective={"carbon_price_per_t": 60.0})
    result = run_fleet(fleet, tmp_path, time_limit_s=6)
    assert "by site" in result.solver["rolling"] and result.solver["source"] == "by_site"
    assert result.solver["bound"] <= result.solver["objective"] + 1e-6
    assert result.kpis["moved_jobs"] == 0
    hourly = sum(s.outcomes["milp"].site["facility_kw"].to_numpy()
                 for s in result.sites.values())
    assert result.kpis["peak_facility_kw"] == pytest.approx(hourly.max())  # coincident


def test_jobs_too_large_for_home_make_greedy_at_the_cheapest_site_the_plan_without_milp(
        tmp_path):
    rows = [_job(0, "east", power_kw=1000, preemptible=False)]  # east's halls hold <= 800 kW
    fleet = _fleet(tmp_path, [("east", _site_file(tmp_path, "urumqi")),
                              ("west", _site_file(tmp_path, "hub-chengdu"))],
                   _jobs_csv(tmp_path, rows))
    result = run_fleet(fleet, tmp_path, optimize=False)
    assert result.main == "cheapest_site" and not result.optimized
    assert result.kpis["moved_jobs"] == 1
    assert result.kpis["cost_saving_vs_asap"] is None  # no saving claimed against a miss
    assert any("asap could not place every job" in n for n in result.notes)
