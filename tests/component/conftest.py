"""Run directories shared by the report tests (built once per session: each is a real
run of the scenario library, written by scenarios.store)."""

from __future__ import annotations

import pytest

from scenarios.library import example_data
from tests.helpers import write_run_dir


@pytest.fixture(scope="session")
def default_dir(tmp_path_factory):
    """The built-in default (Shanghai TOU tariff with Chinese rule names), a week, by day."""
    return write_run_dir(tmp_path_factory, "default", example_data("default"))


@pytest.fixture(scope="session")
def short_market_dir(tmp_path_factory):
    """Urumqi for three days with contracted renewables and a residual mix."""
    d = example_data("urumqi")
    d["horizon"]["hours"] = 72
    d["grid"]["market"] = {"renewable_share": 0.4, "residual_mix_g_per_kwh": 700.0}
    d["workload"]["generator"].update(count=8, slack_h=[6, 36], duration_h=[2, 12])
    return write_run_dir(tmp_path_factory, "urumqi-short", d)
