"""Demand charges as billed: each calendar month's peak, prorated to the run's share of it."""

import numpy as np
import pandas as pd
import pytest

from optimizer.problem import billing_months
from scenarios.kpis import monthly_demand

pytestmark = pytest.mark.unit


def _load(start: str, hours: int, tz: str = "Asia/Shanghai") -> pd.Series:
    index = pd.date_range(start, periods=hours, freq="h", tz=tz)
    daily = 1000.0 + 200.0 * np.sin(2 * np.pi * np.arange(hours) / 24)  # same every day
    return pd.Series(daily, index=index)


def test_month_shares_count_real_hours_including_daylight_saving():
    # Berlin: March 2025 has 743 h (clocks forward), October 745 h (back)
    march = pd.date_range("2025-03-01", "2025-03-31 23:00", freq="h", tz="Europe/Berlin")
    codes, labels, share = billing_months(march)
    assert len(march) == 743 and labels == ("2025-03",) and share == pytest.approx([1.0])
    autumn = pd.date_range("2025-10-20", periods=24 * 15, freq="h", tz="Europe/Berlin")
    codes, labels, share = billing_months(autumn)
    assert labels == ("2025-10", "2025-11")
    assert share[0] == pytest.approx(np.sum(codes == 0) / 745)
    assert share[1] == pytest.approx(np.sum(codes == 1) / 720)


@pytest.mark.parametrize("start", ["2025-01-01", "2025-01-17", "2025-02-10", "2025-06-16",
                                   "2025-12-20"])
def test_a_30_day_run_pays_about_the_same_demand_charge_wherever_it_starts(start):
    # the same daily profile: one month's charge on the peak, within the spread of month
    # lengths (28..31 days)
    bill = monthly_demand(_load(start, 30 * 24), 40.0, "Asia/Shanghai")
    one_month = 40.0 * 1200.0
    assert bill["demand_cost"].sum() == pytest.approx(one_month, rel=0.08)
    whole = monthly_demand(_load(start, 30 * 24), 40.0, "Asia/Shanghai", "full_month")
    assert whole["demand_cost"].sum() == pytest.approx(one_month * len(whole), rel=1e-9)


def test_prorated_shares_of_a_whole_year_add_up_to_twelve_months():
    year = _load("2025-01-01", 8760)
    bill = monthly_demand(year, 1.0, "Asia/Shanghai")
    assert bill["share"].to_numpy() == pytest.approx(np.ones(12))
    assert bill["demand_cost"].sum() == pytest.approx(12 * 1200.0)


def test_months_are_the_sites_local_calendar_months():
    # 2025-01-31 12:00 UTC is 20:00 in Shanghai: 4 h of January, 20 h of February in
    # local time
    utc = pd.date_range("2025-01-31T12:00Z", periods=24, freq="h")
    bill = monthly_demand(pd.Series(1.0, index=utc), 1.0, "Asia/Shanghai")
    assert list(bill.index) == ["2025-01", "2025-02"]
    assert bill["share"].to_numpy() == pytest.approx([4 / 744, 20 / 672])


def test_a_saving_is_a_percentage_only_of_a_positive_baseline():
    """Exports at a high price can make a baseline earn more than it pays: a gain of
    1,046,256 on a total of -1,145,882 read "-91.31 %"; it has no share then."""
    from scenarios.kpis import savings

    own = {"total_cost": -2_192_139.0, "carbon_location_t": 30.0}
    base = {"total_cost": -1_145_882.0, "carbon_location_t": 40.0}
    out = savings(own, base, "asap")
    assert out["cost_saving_vs_asap"] == pytest.approx(1_046_257.0)
    assert out["cost_saving_vs_asap_pct"] is None
    assert out["carbon_saving_vs_asap_pct"] == pytest.approx(25.0)
    zero = savings({"total_cost": -5.0, "carbon_location_t": 0.0},
                   {"total_cost": 0.0, "carbon_location_t": 0.0}, "greedy")
    assert zero["cost_saving_vs_greedy_pct"] is None and zero["carbon_saving_vs_greedy_pct"] is None
    assert savings({"total_cost": 90.0, "carbon_location_t": 1.0},
                   {"total_cost": 100.0, "carbon_location_t": 1.0}, "asap")[
        "cost_saving_vs_asap_pct"] == pytest.approx(10.0)
