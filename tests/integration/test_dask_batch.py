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


def test_unreachable_scheduler_is_a_clear_error():
    from scenarios.errors import ScenarioError

    with pytest.raises(ScenarioError, match="cannot reach the Dask scheduler"):
        run_batch(_variants()[:1], scheduler=f"tcp://127.0.0.1:{free_port()}")
