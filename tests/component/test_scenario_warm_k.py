"""``site.warm_k`` in a scenario: the climate shifts, the plant stays sized for today."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.run import preflight


def _scenario(warm_k: float):
    data = example_data("default")
    data["site"]["warm_k"] = warm_k
    data["workload"] = {}
    return scenario_from_dict(data)


def test_a_warmer_climate_keeps_the_design_day_and_cuts_cooling_capacity():
    today, hot = preflight(_scenario(0.0)), preflight(_scenario(10.0))
    np.testing.assert_allclose(
        hot.inputs.frame["dry_bulb_c"], today.inputs.frame["dry_bulb_c"] + 10.0
    )
    assert hot.inputs.design_dry_bulb_c == pytest.approx(today.inputs.design_dry_bulb_c)
    assert any("+10 K" in a for a in hot.inputs.assumptions)
    capacity = "cooling_capacity_kw"
    today_cap = today.prepared.coefficients[capacity].to_numpy()
    hot_cap = hot.prepared.coefficients[capacity].to_numpy()
    assert (hot_cap <= today_cap + 1e-6).all() and (hot_cap < today_cap - 1.0).any()


def test_the_plant_is_sized_for_the_whole_year_not_the_run_s_weeks():
    # a winter run sizes its chillers for the year's design day, as a summer run does
    winter = example_data("default")
    winter["horizon"]["start"] = "2023-01-09T00:00"
    winter["workload"] = {}
    run = preflight(scenario_from_dict(winter))
    summer = preflight(_scenario(0.0))
    assert run.inputs.design_dry_bulb_c == pytest.approx(summer.inputs.design_dry_bulb_c)
    assert run.inputs.design_dry_bulb_c > run.inputs.frame["dry_bulb_c"].max() + 10


def test_warm_k_out_of_range_is_refused():
    from scenarios.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"site\.warm_k"):
        _scenario(40.0)
