"""The Compare page through AppTest: its default selection runs, the table holds one
currency in every money row (converted at the stated rate, or a row per currency), each
run's period and hours, per-MWh rows and readable names; a variant that cannot run is
named and the others are shown."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from scenarios.comparison import REFERENCE_SOURCE
from tests.helpers import fresh_app
from ui.compare import NON_BREAKING_HYPHEN, OWN_CURRENCY
from ui.tables import markdown_text as md

CURRENCIES = ("CNY", "USD")


@pytest.fixture
def app():
    yield from fresh_app()


def compare_table(at: AppTest) -> pd.DataFrame:
    """The comparison table as the reader sees it (Markdown escapes resolved)."""
    assert not at.exception, [e.value for e in at.exception]
    (table,) = at.table
    frame = table.value
    plain = frame.map(_plain)
    plain.index = [_plain(i) for i in frame.index]
    plain.columns = [_plain(c) for c in frame.columns]
    return plain


def _plain(text) -> str:
    plain = pd.Series([str(text)]).str.replace(r"\\(.)", r"\1", regex=True)[0]
    return plain.replace(NON_BREAKING_HYPHEN, "-")


def money_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[any(f"[{c}" in label for c in CURRENCIES) for label in frame.index]]


def assert_one_currency_per_row(frame: pd.DataFrame) -> None:
    """Every money row names one currency and has values only in runs priced in it, or
    (converted) names one currency for every run."""
    priced = frame.loc["Priced in"]
    for label, row in money_rows(frame).iterrows():
        (code,) = [c for c in CURRENCIES if f"[{c}" in label]
        shown = [run for run, cell in row.items() if cell != "–"]
        converted = len(set(priced)) > 1 and all(cell != "–" for cell in row)
        assert converted or set(priced[shown]) <= {code}, (label, row.to_dict())


def session_kpis(at: AppTest, label: str) -> dict:
    return at.session_state["runs"][f"compare · {label}"].result.kpis


def test_the_default_selection_renders_one_currency_per_money_row(app):
    app.switch_page("ui/compare.py").run()
    # the default scenario's 40 and 50 kW racks cannot be air-cooled: not chosen, and why
    assert app.multiselect(key="compare_variants").value == [
        "as edited", "all pods cold plate", "all pods immersion"]
    caption = "\n".join(c.value for c in app.caption)
    assert "**all pods air**" in caption and "exceeds the air cooling limit" in caption
    app.button(key="compare_button").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    frame = compare_table(app)
    labels = ["default: as edited", "default: all pods cold plate", "default: all pods immersion"]
    assert list(frame.columns) == labels
    assert not app.selectbox  # one currency: nothing to choose
    for row in ("Period", "Hours [h]", "Priced in", "PUE", "Carbon, location-based [tCO2]",
                "Total cost [CNY]", "Total cost per compute MWh [CNY/MWh]",
                "Carbon per compute MWh, location-based [kgCO2/MWh]"):
        assert row in frame.index, row
    assert not [x for x in frame.index if re.match(r"[a-z0-9]+_[a-z0-9_]+", x)]  # no KPI keys
    assert set(frame.loc["Priced in"]) == {"CNY"}
    assert list(frame.loc["Hours [h]"]) == ["168"] * 3
    assert set(frame.loc["Period"]) == {"2023-07-10 – 2023-07-16"}
    assert_one_currency_per_row(frame)
    kpis = session_kpis(app, labels[0])
    assert frame.loc["PUE", labels[0]] == f"{kpis['pue']:.3f}"
    per_mwh = kpis["total_cost"] / kpis["compute_energy_mwh"]
    assert frame.loc["Total cost per compute MWh [CNY/MWh]", labels[0]] == f"{per_mwh:,.1f}"
    carbon = 1000 * kpis["carbon_location_t"] / kpis["compute_energy_mwh"]
    assert frame.loc["Carbon per compute MWh, location-based [kgCO2/MWh]",
                     labels[0]] == f"{carbon:,.0f}"
    immersion = float(frame.loc["PUE", labels[2]])
    assert immersion < float(frame.loc["PUE", labels[0]])


def test_runs_in_two_currencies_convert_at_the_stated_rate_or_stay_apart(app):
    app.switch_page("ui/compare.py").run()
    app.multiselect(key="compare_variants").set_value(["as edited", "all pods air"])
    app.multiselect(key="compare_builtins").set_value(["greensboro"])
    app.button(key="compare_button").click().run()
    # the variant that cannot run is named; the others are compared
    errors = "\n".join(e.value for e in app.error)
    assert "all pods air" in errors and "exceeds the air cooling limit" in errors
    frame = compare_table(app)
    cny, usd = "default: as edited", "built-in greensboro"
    assert list(frame.columns) == [cny, usd]
    assert list(frame.loc["Priced in"]) == ["CNY", "USD"]
    assert list(frame.loc["Hours [h]"]) == ["168", "336"]
    usd_kpis = session_kpis(app, usd)

    # by default: into the first run's currency at the reference rate, stated under it
    assert app.selectbox(key="compare_currency").value == "CNY"
    assert app.selectbox(key="compare_currency").options == ["CNY", "USD", OWN_CURRENCY]
    rate = app.number_input(key="compare_rate_USD_CNY")
    assert rate.label == "1 USD = x CNY" and rate.value == 7.1884
    assert f"{usd_kpis['total_cost'] * 7.1884:,.0f}" == frame.loc["Total cost [CNY]", usd]
    notes = "\n".join(c.value for c in app.caption)
    assert md(f"1 USD = 7.1884 CNY ({REFERENCE_SOURCE})") in notes
    assert "[USD" not in " ".join(frame.index)
    assert_one_currency_per_row(frame)

    # a rate the planner enters: used, and said to be theirs
    rate.set_value(7.0).run()
    frame = compare_table(app)
    assert f"{usd_kpis['total_cost'] * 7.0:,.0f}" == frame.loc["Total cost [CNY]", usd]
    assert "1 USD = 7 CNY (entered on the Compare page on " in "\n".join(
        c.value for c in app.caption)

    # into USD: the CNY run divided by the same rate
    app.selectbox(key="compare_currency").set_value("USD").run()
    frame = compare_table(app)
    cny_kpis = session_kpis(app, cny)
    assert frame.loc["Total cost [USD]", cny] == f"{cny_kpis['total_cost'] / 7.0:,.0f}"
    assert frame.loc["Total cost [USD]", usd] == f"{usd_kpis['total_cost']:,.0f}"

    # no conversion: a row per currency, each run's money only in its own
    app.selectbox(key="compare_currency").set_value(OWN_CURRENCY).run()
    frame = compare_table(app)
    assert list(frame.loc["Total cost [CNY]"]) == [f"{cny_kpis['total_cost']:,.0f}", "–"]
    assert list(frame.loc["Total cost [USD]"]) == ["–", f"{usd_kpis['total_cost']:,.0f}"]
    assert frame.loc["Total cost per compute MWh [USD/MWh]", cny] == "–"
    assert list(frame.loc["PUE"]).count("–") == 0  # rows without money: every run
    assert_one_currency_per_row(frame)
    assert "not converted" in "\n".join(c.value for c in app.caption)
