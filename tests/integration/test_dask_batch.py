"""Batch runs on a real dask.distributed scheduler with two workers on loopback."""

import pytest

from scenarios.batch import run_batch
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.run import run_scenario
from tests.integration.dask_cluster import dask_cluster, free_port

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with dask_cluster(2, tmp_path_factory.mktemp("dask")) as address:
        yield address


def _variants() -> list:
    out = []
    for i, (hours, count) in enumerate([(48, 4), (48, 6), (72, 5)]):
        data = example_data("default")
        data["name"] = f"tiny-{i}"
        data["horizon"]["hours"] = hours
        data["workload"]["generator"].update(seed=100 + i, count=count, preemptible_share=0.0,
                                             duration_h=[2, 8], slack_h=[4, 20])
        out.append(scenario_from_dict(data))
    return out


def test_dask_results_equal_a_serial_run(cluster):
    scenarios = _variants()
    on_dask = run_batch(scenarios, time_limit_s=60, scheduler=cluster)
    assert [o.name for o in on_dask] == [s.name for s in scenarios]
    for outcome, scenario in zip(on_dask, scenarios, strict=True):
        assert outcome.error is None, outcome.error
        serial = run_scenario(scenario, time_limit_s=60)
        assert outcome.result.solver["status"] == serial.solver["status"] == "optimal"
        for key, value in serial.kpis.items():
            if isinstance(value, float):
                assert outcome.result.kpis[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
            else:
                assert outcome.result.kpis[key] == value, key


def test_unreachable_scheduler_is_a_clear_error(monkeypatch):
    from scenarios.errors import ScenarioError

    monkeypatch.setenv("COOLSHIFT_CONNECT_TIMEOUT_S", "1")  # the default waits 10 s
    with pytest.raises(ScenarioError, match="cannot reach the Dask scheduler"):
        run_batch(_variants()[:1], scheduler=f"tcp://127.0.0.1:{free_port()}")


def test_a_fleet_runs_one_task_per_site_on_dask(cluster, tmp_path):
    """A fleet whose jobs stay home: each site's inputs, schedule and re-simulation are
    tasks on the cluster; the result equals the run in one process."""
    import tomli_w

    from scenarios.fleet import fleet_from_dict, run_fleet
    from scenarios.site_pool import site_pool

    rows = [{"job_id": f"j{i}", "release": "2023-07-10T00:00+08:00",
             "deadline": "2023-07-11T12:00+08:00", "duration_h": 4, "power_kw": 150,
             "preemptible": False, "home": ("east", "west")[i % 2],
             "sites": ("east", "west")[i % 2]} for i in range(4)]
    import pandas as pd

    pd.DataFrame(rows).to_csv(tmp_path / "jobs.csv", index=False)
    data = {"name": "on-dask", "sites": [{"name": "east", "scenario": "hub-shanghai"},
                                         {"name": "west", "scenario": "hub-chengdu"}],
            "workload": {"jobs": "jobs.csv"},
            "horizon": {"start": "2023-07-10T00:00:00", "hours": 36},
            "solver": {"time_limit_s": 30.0, "rel_gap": 1e-6}}
    (tmp_path / "fleet.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    fleet = fleet_from_dict(data, base_dir=tmp_path)
    serial = run_fleet(fleet, tmp_path)
    with site_pool(cluster, None, 2) as (map_sites, workers):
        assert workers == 2
        on_dask = run_fleet(fleet, tmp_path, map_sites=map_sites, workers=workers)
    assert on_dask.solver["source"] == "by_site" and on_dask.solver["status"] == "optimal"
    for key in ("pue", "facility_energy_mwh", "total_cost", "carbon_location_t"):
        assert on_dask.kpis[key] == pytest.approx(serial.kpis[key], rel=1e-9), key
