"""scenarios.comparison: money never mixed (split per currency, or converted at a stated
rate), each run's period and hours, cost and carbon per compute MWh checked by hand."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from scenarios.comparison import (
    COMPARISON_DEFINITIONS,
    REFERENCE_CNY_PER_UNIT,
    ROWS,
    ExchangeRate,
    RunFacts,
    compare_runs,
    definition,
    facts_from_document,
    rate_pair,
    reference_rate,
)
from scenarios.errors import ScenarioError
from scenarios.kpis import KPI_DEFINITIONS

SHANGHAI = timezone(timedelta(hours=8))
START = datetime(2023, 7, 10, tzinfo=SHANGHAI)


def run(label: str, currency: str, hours: int = 168, **kpis) -> RunFacts:
    base = {"pue": 1.2, "total_cost": 1000.0, "energy_cost": 900.0, "demand_cost": 100.0,
            "compute_energy_mwh": 4.0, "carbon_location_t": 2.0, "carbon_market_t": 1.0,
            "cost_saving_vs_asap_pct": 5.0}
    return RunFacts(label, {**base, **kpis}, currency, hours, START,
                    START + timedelta(hours=hours - 1))


def money_rows(comparison):
    return [row for row in comparison.rows if row.currency is not None]


def test_runs_in_one_currency_keep_it_and_every_money_row_says_so():
    comparison = compare_runs([run("a", "CNY"), run("b", "cny", total_cost=2000.0)])
    assert comparison.currency == "CNY" and comparison.rates == ()
    total = comparison.row("total_cost")
    assert total.unit == "CNY" and total.values == (1000.0, 2000.0)
    assert comparison.row("total_cost_per_compute_mwh").unit == "CNY/MWh"
    assert {row.currency for row in money_rows(comparison)} == {"CNY"}
    assert comparison.notes == ()


def test_mixed_currencies_are_never_mixed_in_a_row():
    a, b, c = run("a", "CNY"), run("b", "USD", total_cost=150.0), run("c", "CNY", total_cost=3000.0)
    comparison = compare_runs([a, b, c])
    assert comparison.currency is None and comparison.currencies == ("CNY", "USD", "CNY")
    # every money KPI once per currency, in the order the runs first use them
    assert [r.currency for r in comparison.rows if r.key == "total_cost"] == ["CNY", "USD"]
    assert comparison.row("total_cost", "CNY").values == (1000.0, None, 3000.0)
    assert comparison.row("total_cost", "USD").values == (None, 150.0, None)
    assert comparison.row("total_cost_per_compute_mwh", "USD").values == (None, 37.5, None)
    for row in money_rows(comparison):  # a value only under its own run's currency
        own = [cur for cur, v in zip(comparison.currencies, row.values, strict=True)
               if v is not None]
        assert set(own) <= {row.currency} and row.unit.startswith(row.currency)
    # rows without money are one row each, every run in it
    assert [r.key for r in comparison.rows].count("pue") == 1
    assert comparison.row("cost_saving_vs_asap_pct").values == (5.0, 5.0, 5.0)
    assert comparison.row("currency").values == ("CNY", "USD", "CNY")
    assert "CNY and USD" in comparison.notes[0] and "not converted" in comparison.notes[0]


def test_money_converted_at_the_stated_rate_both_ways():
    rate = ExchangeRate("USD", "CNY", 7.0, "entered by the user on 2026-01-05")
    runs = [run("cny", "CNY"), run("usd", "USD", total_cost=150.0, demand_cost=None)]
    in_cny = compare_runs(runs, currency="CNY", rates=[rate])
    assert in_cny.currency == "CNY" and in_cny.rates == (rate,)
    assert in_cny.row("total_cost").values == (1000.0, 1050.0)  # 150 USD x 7
    assert in_cny.row("demand_cost").values == (100.0, None)  # missing stays missing
    assert in_cny.row("total_cost_per_compute_mwh").values == (250.0, 262.5)  # 1050 / 4
    assert [r.key for r in in_cny.rows].count("total_cost") == 1
    assert in_cny.notes == (
        "Money converted into CNY at 1 USD = 7 CNY (entered by the user on 2026-01-05).",)
    in_usd = compare_runs(runs, currency="usd", rates=[rate])
    assert in_usd.row("total_cost").unit == "USD"
    assert in_usd.row("total_cost").values == pytest.approx((1000.0 / 7.0, 150.0))
    # shares are not money: the same in any currency
    assert in_usd.row("cost_saving_vs_asap_pct").values == (5.0, 5.0)


def test_a_currency_without_a_rate_is_refused_with_the_pair_named():
    runs = [run("a", "CNY"), run("b", "EUR")]
    with pytest.raises(ScenarioError, match=r"no exchange rate between EUR and CNY.*1 EUR = x CNY"):
        compare_runs(runs, currency="CNY", rates=[ExchangeRate("USD", "CNY", 7.0, "x")])


@pytest.mark.parametrize("bad", [0.0, -7.0, math.nan, math.inf, True, "7"])
def test_a_rate_must_be_a_positive_number(bad):
    with pytest.raises(ScenarioError, match="give a positive number of CNY per USD"):
        ExchangeRate("USD", "CNY", bad, "user")


def test_per_compute_mwh_values_by_hand():
    comparison = compare_runs([
        run("a", "CNY", total_cost=1200.0, compute_energy_mwh=4.0, carbon_location_t=2.0,
            carbon_market_t=0.5),
        run("no compute", "CNY", compute_energy_mwh=0.0),
        run("no cost", "CNY", total_cost=None),
    ])
    assert comparison.row("total_cost_per_compute_mwh").values == (300.0, None, None)
    # 2 t = 2,000 kg over 4 MWh
    assert comparison.row("carbon_location_kg_per_compute_mwh").values[0] == 500.0
    assert comparison.row("carbon_market_kg_per_compute_mwh").values[0] == 125.0


def test_period_and_hours_of_each_run():
    comparison = compare_runs([run("week", "CNY", hours=168), run("two days", "CNY", hours=48)])
    assert comparison.row("period").values == ("2023-07-10 – 2023-07-16", "2023-07-10 – 2023-07-11")
    assert comparison.row("hours").values == (168, 48)
    assert comparison.row("hours").unit == "h"
    assert "different numbers of hours (48, 168 h)" in comparison.notes[0]


def test_rows_in_order_each_defined():
    comparison = compare_runs([run("a", "CNY")])
    assert tuple(r.key for r in comparison.rows) == ROWS
    assert ROWS[:3] == ("period", "hours", "currency")
    assert ROWS.index("total_cost_per_compute_mwh") == ROWS.index("total_cost") + 1
    for key in ROWS:
        _, text, _ = definition(key)
        assert text, key
    assert not set(COMPARISON_DEFINITIONS) & set(KPI_DEFINITIONS)


def test_bad_comparisons_are_explained():
    with pytest.raises(ScenarioError, match="choose at least one run"):
        compare_runs([])
    with pytest.raises(ScenarioError, match="distinct labels; a twice"):
        compare_runs([run("a", "CNY"), run("a", "USD")])
    with pytest.raises(ScenarioError, match="unknown comparison rows pue_typo"):
        compare_runs([run("a", "CNY")], keys=("pue", "pue_typo"))


def test_reference_rate_cites_its_source_and_date():
    usd = reference_rate("CNY", "USD")
    assert (usd.base, usd.quote, usd.quote_per_base) == ("USD", "CNY", 7.1884)
    assert "2024-12-31" in usd.source and "central parity" in usd.source
    assert usd.text().startswith("1 USD = 7.1884 CNY (")
    assert rate_pair("CNY", "USD") == ("USD", "CNY") and rate_pair("GBP", "USD") == ("GBP", "USD")
    crossed = reference_rate("USD", "EUR")
    assert crossed.base == "EUR" and crossed.quote_per_base == pytest.approx(
        REFERENCE_CNY_PER_UNIT["EUR"] / REFERENCE_CNY_PER_UNIT["USD"], rel=1e-6)
    assert "crossed through CNY" in crossed.source
    assert reference_rate("USD", "GBP") is None and reference_rate("USD", "USD") is None


def test_facts_from_a_run_directorys_kpis_document():
    document = {"scenario": "x", "currency": "USD", "kpis": {"pue": 1.3},
                "period": {"start": "2023-07-10T00:00:00-04:00",
                           "end": "2023-07-23T23:00:00-04:00", "hours": 336}}
    facts = facts_from_document("x", document)
    assert facts.hours == 336 and facts.currency == "USD" and facts.kpis["pue"] == 1.3
    assert compare_runs([facts]).row("period").values == ("2023-07-10 – 2023-07-23",)


def test_a_document_without_a_readable_period_or_currency_still_compares():
    facts = facts_from_document("old", {"kpis": {"pue": 1.3, "total_cost": 10.0},
                                        "period": {"start": "soon", "hours": "many"}})
    assert (facts.start, facts.end, facts.hours, facts.currency) == (None, None, None, "XXX")
    comparison = compare_runs([facts, run("cny", "CNY")])
    assert comparison.row("period").values[0] is None and comparison.row("hours").values[0] is None
    assert comparison.row("total_cost", "XXX").values == (10.0, None)  # never taken for CNY
