"""``coolshift compare``'s terminal table never puts two currencies in one column: a cost
column per currency, or every cost converted into ``--currency`` at ``--rate`` (else the
reference rate), the rate and its source printed under the table."""

from __future__ import annotations

import re

import pytest

from cli.compare import parse_rate, table_text
from scenarios.comparison import REFERENCE_SOURCE
from scenarios.errors import ScenarioError


def document(name: str, currency: str, total_cost: float, hours: int = 24) -> dict:
    kpis = {"pue": 1.2, "tue": 1.25, "total_cost": total_cost, "peak_facility_kw": 1000.0}
    return {"kpis": {"scenario": name, "currency": currency, "kpis": kpis,
                     "period": {"start": "2023-07-10T00:00:00+08:00",
                                "end": "2023-07-10T23:00:00+08:00", "hours": hours}}}


RUNS = [document("sh", "CNY", 20000.0), document("nc", "USD", 2000.0)]
NAMES = ["sh", "nc"]


def columns(text: str) -> dict[str, dict[str, str]]:
    """Scenario -> header -> cell, the columns read off the table's line of dashes."""
    lines = text.splitlines()
    spans = [m.span() for m in re.finditer("-+", lines[1])]
    headers = [lines[0][a:b].strip() for a, b in spans]
    rows = [[line[a:b].strip() for a, b in spans] for line in lines[2:2 + len(NAMES)]]
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows}


def test_without_a_currency_each_currency_has_its_cost_column():
    text = table_text(RUNS, NAMES)
    table = columns(text)
    assert table["sh"]["Cost CNY"] == "20,000" and table["sh"]["Cost USD"] == "–"
    assert table["nc"]["Cost USD"] == "2,000" and table["nc"]["Cost CNY"] == "–"
    assert "Cost" not in table["sh"]  # no column of mixed money
    assert "not converted" in text


def test_a_currency_converts_at_the_given_or_the_reference_rate():
    given = table_text(RUNS, NAMES, "cny", ["USD:CNY=7"])
    assert columns(given)["nc"]["Cost CNY"] == "14,000"
    assert "1 USD = 7 CNY (given with --rate)" in given
    reference = table_text(RUNS, NAMES, "CNY")
    assert columns(reference)["nc"]["Cost CNY"] == f"{2000 * 7.1884:,.0f}"
    assert f"1 USD = 7.1884 CNY ({REFERENCE_SOURCE})" in reference
    in_usd = table_text(RUNS, NAMES, "USD", ["USD:CNY=8"])
    assert columns(in_usd)["sh"]["Cost USD"] == "2,500"  # 20,000 / 8


def test_runs_in_one_currency_print_the_usual_table_and_name_it():
    text = table_text([document("a", "CNY", 1.0), document("b", "CNY", 2.0)], ["a", "b"])
    assert text.splitlines()[-1] == "Costs in CNY."
    assert columns(text)["b"]["Cost"] == "2"


@pytest.mark.parametrize(("currency", "rates", "message"), [
    (None, ["USD:CNY=7"], "give --currency too"),
    ("GBP", [], r"no reference rate for CNY; give --rate CNY:GBP=X"),
    ("CN", [], "three-letter ISO 4217 code"),
    ("CNY", ["USD/CNY 7"], "write it as BASE:QUOTE=NUMBER"),
    ("CNY", ["USD:CNY=x"], "write it as BASE:QUOTE=NUMBER"),
    ("CNY", ["USD:CNY=0"], "give a positive number of CNY per USD"),
])
def test_bad_money_options_are_explained(currency, rates, message):
    with pytest.raises(ScenarioError, match=message):
        table_text(RUNS, NAMES, currency, rates)


def test_parse_rate():
    rate = parse_rate(" usd : cny = 7.1884 ")
    assert (rate.base, rate.quote, rate.quote_per_base) == ("USD", "CNY", 7.1884)
