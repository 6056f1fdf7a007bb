"""The Compare page's table and chart without a session: a readable name and unit for
every row it can show, long run labels that wrap, every text escaped; the chart names the
runs in a legend and shows values per compute MWh."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from reports import formatting as report_format
from scenarios.comparison import ROWS, RunFacts, compare_runs
from ui import charts
from ui.compare import (
    ZERO_WIDTH_SPACE,
    breakable,
    chart_table,
    comparison_frame,
    row_label,
    row_name,
)
from ui.tables import markdown_text

START = datetime(2023, 7, 10)


def facts(label: str, currency: str) -> RunFacts:
    kpis = {"pue": 1.2, "total_cost": 1000.0, "compute_energy_mwh": 4.0,
            "carbon_location_t": 2.0, "deadlines_met_share": 1.0, "pue_target_met": True}
    return RunFacts(label, kpis, currency, 24, START, START + timedelta(hours=23))


def test_every_row_has_a_readable_name():
    names = [row_name(key) for key in ROWS]
    for key, name in zip(ROWS, names, strict=True):
        assert name != key and name != report_format.rule("no such key").label
        assert not re.search(r"[a-z0-9]_[a-z0-9]", name.replace("E_IT", "").replace("E_DC", "")), name
        assert name[0].isupper(), name
        # a name of its own, not the plain fallback for an unknown key
        assert name != key.replace("_", " "), key
    assert len(set(names)) == len(names)  # no two rows read the same


def test_labels_carry_units_and_the_row_currency():
    rows = {(r.key, r.currency): row_label(r) for r in compare_runs(
        [facts("a", "CNY"), facts("b", "USD")]).rows}
    assert rows["pue", None] == "PUE"
    assert rows["carbon_location_t", None] == "Carbon, location-based [tCO2]"
    assert rows["total_cost", "CNY"] == "Total cost [CNY]"
    assert rows["total_cost", "USD"] == "Total cost [USD]"
    assert rows["total_cost_per_compute_mwh", "USD"] == "Total cost per compute MWh [USD/MWh]"
    assert rows["carbon_location_kg_per_compute_mwh", None] == (
        "Carbon per compute MWh, location-based [kgCO2/MWh]")
    assert rows["deadlines_met_share", None] == "Deadlines met [%]"
    assert rows["cost_saving_vs_asap_pct", None] == "Cost saving vs ASAP [%]"
    assert rows["hours", None] == "Hours [h]" and rows["period", None] == "Period"


def test_the_table_is_runs_as_columns_every_text_escaped():
    label = "hall_one *[x](https://evil.example)* averyveryverylongunbrokenname"
    frame = comparison_frame(compare_runs([facts(label, "CNY"), facts("b", "CNY")]))
    assert list(frame.columns) == [markdown_text(breakable(label)), "b"]
    assert frame.loc[markdown_text("Total cost [CNY]"), "b"] == "1,000"
    assert frame.loc[markdown_text("Total cost per compute MWh [CNY/MWh]"), "b"] == "250\\.0"
    assert frame.loc["PUE target met", "b"] == "yes"
    assert frame.loc["Deadlines met \\[%\\]", "b"] == "100\\.0"  # a share in percent
    assert frame.loc["Water \\[m³\\]", "b"] == "–"  # missing, never NaN


def test_long_words_of_a_run_label_get_break_opportunities():
    assert breakable("default: all pods immersion") == "default: all pods immersion"
    broken = breakable("x abcdefghijklmnopqrstuvwxyz", longest=10)
    assert broken == f"x abcdefghij{ZERO_WIDTH_SPACE}klmnopqrst{ZERO_WIDTH_SPACE}uvwxyz"
    assert broken.replace(ZERO_WIDTH_SPACE, "") == "x abcdefghijklmnopqrstuvwxyz"
    # where a long name has its own joints, it breaks there
    assert breakable("built-in urumqi-solar-cold") == (
        f"built-in urumqi-{ZERO_WIDTH_SPACE}solar-{ZERO_WIDTH_SPACE}cold")
    assert breakable("hall_one_of_the_site") == ZERO_WIDTH_SPACE.join(
        ["hall_", "one_", "of_", "the_", "site"])


def test_the_chart_names_each_run_once_in_a_legend_not_under_every_bar():
    labels = [f"default: variant number {i} with a long name" for i in range(6)]
    comparison = compare_runs([facts(label, "CNY") for label in labels])
    table, titles = chart_table(comparison)
    fig = charts.compare_bars(table, titles)
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend == labels  # one entry per run, in order
    colours = {t.name: t.marker.color for t in fig.data}
    assert len(set(colours.values())) == len(labels)  # a colour per run, the same in each panel
    assert len(fig.data) == len(labels) * len(titles)
    for axis in (fig.layout[a] for a in fig.layout if a.startswith("xaxis")):
        assert axis.showticklabels is False  # the names would overlap under six bars


def test_the_chart_shows_values_per_compute_mwh_and_cost_only_in_one_currency():
    one = compare_runs([facts("a", "CNY"), facts("b", "CNY")])
    table, titles = chart_table(one)
    assert "carbon_location_t" not in titles  # totals mislead across run lengths
    assert titles["total_cost_per_compute_mwh"] == "cost [CNY/MWh]"
    assert table.loc["carbon_location_kg_per_compute_mwh", "a"] == 2.0 * 1000 / 4.0
    assert table.loc["total_cost_per_compute_mwh", "b"] == 1000.0 / 4.0
    split = compare_runs([facts("a", "CNY"), facts("b", "USD")])  # money not converted
    assert "total_cost_per_compute_mwh" not in chart_table(split)[1]
