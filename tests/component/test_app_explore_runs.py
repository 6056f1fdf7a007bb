"""scenarios.explore on a real (small) run: load stack, schedules side by side, Pareto."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios import explore
from scenarios.errors import ScenarioError
from scenarios.library import example_data
from scenarios.loading import apply_settings, scenario_from_dict
from scenarios.run import run_scenario


@pytest.fixture(scope="module")
def run():
    data = apply_settings(
        example_data("default"),
        {
            "horizon.hours": 48,
            "workload.generator.count": 4,
            "workload.generator.slack_h": [6, 24],
            "workload.generator.duration_h": [2, 8],
        },
    )
    return run_scenario(scenario_from_dict(data), time_limit_s=3)


def test_power_stack_adds_up_to_the_simulated_compute(run):
    load, signals = explore.power_stack(run)
    pods = list(run.baseline_compute_kw.columns)
    assert list(load.columns) == [(p, k) for p in pods for k in ("inference", "jobs")]
    total = load.sum(axis=1).to_numpy()
    assert np.allclose(total, run.main.site["compute_kw"].to_numpy())
    jobs = load.xs("jobs", axis=1, level=1).to_numpy().sum()
    assert jobs == pytest.approx(run.kpis["job_energy_mwh"] * 1000)
    design = sum(run.main.pods[p].attrs["compute_design_kw"] for p in pods)
    assert (signals["capacity_kw"] == design).all()
    assert (signals["cooling_capacity_kw"] <= design + 1e-9).all()
    assert (total <= signals["cooling_capacity_kw"].to_numpy() + 1e-6).all()
    assert (signals["price_per_kwh"] == run.inputs.frame["price_per_kwh"]).all()


def test_schedule_comparison_is_each_schedules_kpis(run):
    table = explore.schedule_comparison(run)
    assert set(table.index) == set(run.outcomes)
    for name, outcome in run.outcomes.items():
        assert table.loc[name, "total_cost"] == pytest.approx(outcome.kpis["total_cost"])
    saving = table.loc["asap", "total_cost"] - table.loc["milp", "total_cost"]
    assert saving == pytest.approx(run.kpis["cost_saving_vs_asap"])


def test_pareto_curve_spans_cleanest_to_cheapest(run):
    front = explore.pareto_curve(run, n_points=3, time_limit_s=3, max_hours=48)
    assert len(front) == 3 and front.attrs == {"jobs": len(run.jobs), "hours": 48}
    ok = front.dropna(subset=["cost"])
    assert len(ok) >= 2
    # first point minimises carbon, last minimises cost (both solved to optimality here)
    if (front["status"] == "optimal").all():
        assert front["carbon_t"].iloc[0] <= front["carbon_t"].min() + 1e-9
        assert front["cost"].iloc[-1] <= front["cost"].min() + 1e-6


def test_pareto_curve_without_jobs_in_the_window_says_so(run):
    late = run.jobs["release"].min() - run.inputs.frame.index[0]
    hours = max(1, int(late / np.timedelta64(1, "h")))
    with pytest.raises(ScenarioError, match="no job of this run has its whole window"):
        explore.pareto_curve(run, max_hours=hours)
