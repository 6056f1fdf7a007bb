"""The meter settlement of a plan on the exact facility power (``scenarios.outcomes.settle``)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from optimizer.assets import Assets
from scenarios.outcomes import settle


def _plan(onsite_kw, facility_kw):
    """A plan that used all its generation on site (no battery, no tank)."""
    zeros = np.zeros(len(onsite_kw))
    return SimpleNamespace(
        facility_kw=np.asarray(facility_kw, float), onsite_kw=np.asarray(onsite_kw, float),
        export_kw=zeros, curtailed_kw=zeros, battery_charge_kw=zeros,
        battery_discharge_kw=zeros, battery_soc_kwh=zeros, grid_kw=facility_kw - onsite_kw,
        cold_charge_kw_th=np.zeros((1, len(zeros))), cold_discharge_kw_th=np.zeros((1, len(zeros))))


@pytest.mark.parametrize("price", [0.3, 0.0, -0.5])
def test_surplus_the_exact_facility_leaves_is_sold_only_where_export_pays(price):
    """The exact facility draws 100 kW less than the plan's in hour 1: those 100 kW of
    generation are exported at a positive price, curtailed at zero or a negative one."""
    onsite = np.array([300.0, 300.0])
    plan = _plan(onsite, np.array([400.0, 300.0]))
    assets = Assets(onsite_kw=onsite, export_price_per_kwh=np.full(2, price))
    site = SimpleNamespace(assets=assets, tank_pods=[], tank=None)
    frames = {"p": pd.DataFrame(index=pd.date_range("2023-07-01", periods=2, freq="h"))}
    flows = settle(np.array([400.0, 200.0]), plan, frames, site)
    sold = 100.0 if price > 0 else 0.0
    assert flows["export_kw"].tolist() == [0.0, sold]
    assert flows["curtailed_kw"].tolist() == [0.0, 100.0 - sold]
    assert flows["grid_kw"].tolist() == [100.0, 0.0]
