"""The app's small helpers: the pods table round trip, number formatting, chart inputs."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from ui import charts, run_charts
from ui.halls import merge_pods, pods_table
from ui.tables import fmt, kpi_frame, kpi_text


def test_pods_table_round_trip_keeps_hidden_fields():
    pods = example_data("default")["pods"]
    pods[0]["inference"] = {"utilisation": 0.5}
    table = pods_table(pods)
    assert list(table.columns) == ["name", "cooling", "racks", "rack_kw", "utilisation",
                                   "water_class", "heat_rejection", "economizer"]  # fmt: skip
    # a field the pod leaves out shows the default it runs at
    assert list(table["utilisation"]) == [0.5, 0.3, 0.3]
    assert list(table["economizer"]) == ["water_side"] * 3
    merged, incomplete = merge_pods(pods, table)
    assert merged == pods and incomplete == []


def test_merge_pods_applies_edits_additions_and_deletions():
    pods = example_data("default")["pods"]
    pods[1]["inference"] = {"utilisation": 0.6}
    table = pods_table(pods)
    table.loc[1, "rack_kw"] = 60.0
    table.loc[1, "water_class"] = None
    table = table.drop(index=0)
    table.loc[3] = ["new", "immersion", 5, 80.0, None, "W45", None, None]
    table.loc[4] = [None, "air", 3, 10.0, None, None, None, None]  # still being filled in
    merged, incomplete = merge_pods(pods, table)
    assert [p["name"] for p in merged] == ["coldplate-40kW", "immersion-50kW", "new"]
    assert merged[0]["rack_kw"] == 60.0 and "water_class" not in merged[0]
    assert merged[0]["inference"] == {"utilisation": 0.6}  # as shown, kept
    assert merged[2] == {
        "name": "new",
        "cooling": "immersion",
        "racks": 5,
        "rack_kw": 80.0,
        "water_class": "W45",
    }
    assert incomplete == ["row 4: fill in name"]
    scenario_from_dict({**example_data("default"), "pods": merged})  # valid scenario data


def test_merge_pods_writes_utilisation_heat_rejection_and_economizer():
    pods = example_data("default")["pods"]
    pods[2]["inference"] = {"utilisation": 0.5, "daily_swing": 0.1}
    pods[2]["heat_rejection"] = "tower"
    table = pods_table(pods)
    table.loc[0, "utilisation"] = 0.8
    table.loc[0, "economizer"] = "air_side"
    table.loc[1, "heat_rejection"] = "dry_cooler"
    table.loc[2, ["utilisation", "heat_rejection", "economizer"]] = [None, None, None]
    merged, _ = merge_pods(pods, table)
    assert merged[0]["inference"] == {"utilisation": 0.8}
    assert merged[0]["economizer"] == "air_side"
    assert merged[1]["heat_rejection"] == "dry_cooler" and "inference" not in merged[1]
    # blank: back to the defaults, the pod's other inference fields kept
    assert merged[2]["inference"] == {"daily_swing": 0.1}
    assert "heat_rejection" not in merged[2] and "economizer" not in merged[2]
    scenario = scenario_from_dict({**example_data("default"), "pods": merged})
    air, plate, bath = scenario.pods
    assert (air.inference.utilisation, air.economizer) == (0.8, "air_side")
    assert plate.heat_rejection == "dry_cooler" and bath.inference.utilisation == 0.3


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        (None, ".2f", "–"),
        (float("nan"), ".2f", "–"),
        (math.inf, ".1f", "–"),
        (np.float64(1.23456), ".3f", "1.235"),
        (True, ".2f", "yes"),
        (np.bool_(True), "", "yes"),
        (False, "", "no"),
        (1234567.8, ",.0f", "1,234,568"),
        ("optimal", ".2f", "optimal"),
        (0.1234, ".1%", "12.3%"),
        (-0.0004, ".2f", "0.00"),  # no "-0.00" for a tiny negative
        (-0.004, ".1%", "-0.4%"),
        (-1e-9, ",.0f", "0"),
        (-0.5, ".2f", "-0.50"),
    ],
)
def test_fmt_never_shows_nan(value, spec, text):
    assert fmt(value, spec) == text


def test_kpi_frame_formats_each_key_its_own_way():
    table = pd.DataFrame(
        {"unit": ["-", "%", "-"], "run": [1.23456, None, 0.5]},
        index=["pue", "cost_saving_vs_asap_pct", "deadlines_met_share"],
    )
    shown = kpi_frame(table)
    # the reports' rules: the same decimals as the PDF / HTML / XLSX, shares in percent
    assert list(shown["run"]) == ["1.235", "–", "50.0"]
    assert list(shown["unit"]) == ["", "%", "%"]
    assert shown.loc["pue", "definition"].startswith("facility energy / IT energy")
    assert kpi_text("total_cost", 1e6) == "1,000,000"


def test_pareto_front_mask_drops_points_beaten_on_both_counts():
    front = pd.DataFrame(
        {"cost": [10.0, 12.0, 9.0, 11.0, np.nan], "carbon_t": [5.0, 5.5, 6.0, 5.0, 1.0]}
    )
    assert list(run_charts.pareto_front_mask(front)) == [True, False, True, False, False]


def test_gantt_has_a_row_per_job_and_pod_grouped_by_pod():
    t = pd.Timestamp("2023-07-10", tz="Asia/Shanghai")
    h = pd.Timedelta(hours=1)
    segments = pd.DataFrame(
        {
            "job_id": ["a", "b", "a"],
            "pod": ["p2", "p1", "p2"],
            "start": [t, t + h, t + 5 * h],
            "end": [t + 2 * h, t + 3 * h, t + 6 * h],
            "hours": [2, 2, 1],
            "power_kw": [10, 20, 10],
        }
    )
    fig = run_charts.gantt(segments, ["p1", "p2"])
    assert [trace.name for trace in fig.data] == ["p1", "p2"]
    assert list(fig.layout.yaxis.categoryarray) == ["a · p2", "b · p1"]  # p1 on top
    assert list(fig.data[1].x) == [2 * 3.6e6, 3.6e6]  # bar lengths in ms


def test_climate_chart_spec_has_every_month_and_series():
    monthly = pd.DataFrame(
        {
            "dry_bulb_mean_c": range(12),
            "dry_bulb_min_c": range(-5, 7),
            "dry_bulb_max_c": range(5, 17),
            "wet_bulb_mean_c": range(12),
            "wet_bulb_max_c": range(1, 13),
        },
        index=pd.RangeIndex(1, 13, name="month"),
    )
    data, spec = charts.climate_chart(monthly)
    assert len(data) == 36 and set(data["series"]) == {
        "dry-bulb mean",
        "wet-bulb mean",
        "wet-bulb max",
    }
    assert data.loc[data["label"] == "Jul", "high"].iloc[0] == 11
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line"]


def test_pareto_axes_never_collapse_onto_one_rounded_value():
    # three solves that reached the same schedule: the cost axis used to read
    # 77,267 / 77,267 / 77,266 (a +-1 range under a ",.0f" tick format)
    front = pd.DataFrame({"cost": [77266.2, 77266.2, 77266.3], "carbon_t": [22.924] * 3,
                          "status": ["time limit (best found)"] * 3})
    fig = run_charts.pareto_chart(front, "CNY")
    lo, hi = fig.layout.yaxis.range
    assert hi - lo >= 0.01 * 77266.2 * (1 - 1e-9) and lo < 77266.2 and hi > 77266.3
    lo, hi = fig.layout.xaxis.range
    assert hi - lo >= 0.01 * 22.924 * (1 - 1e-9)
    # spread-out points: 10 % of their spread either side
    wide = front.assign(cost=[70000.0, 75000.0, 80000.0], carbon_t=[20.0, 22.0, 24.0])
    assert list(run_charts.pareto_chart(wide, "CNY").layout.yaxis.range) == [69000.0, 81000.0]


def test_markdown_table_keeps_one_cell_per_value_whatever_the_text():
    from ui.tables import markdown_table

    frame = pd.DataFrame(
        {"site | A": ["a|b", "$5 and $6", "two\nlines", "*not bold*"]},
        index=["pipe", "dollars", "break", "stars"],
    )
    lines = markdown_table(frame).splitlines()
    assert len(lines) == 2 + len(frame)  # header, rule, a line per row
    for line in lines:
        unescaped_pipes = re.findall(r"(?<!\\)\|", line)
        assert len(unescaped_pipes) == 3, line  # two cells per row, whatever the text
    assert "\\$5 and \\$6" in lines[3]  # "$" would start LaTeX in st.markdown
    assert "two lines" in lines[4]
    assert "\\*not bold\\*" in lines[5]
    assert lines[2].startswith("| **pipe** |")


def test_markdown_text_escapes_entities_and_keeps_chinese_text():
    from ui.tables import markdown_text

    assert markdown_text("a &amp; b") == "a \\&amp; b"  # not decoded to "a & b"
    assert markdown_text("沪发改价管〔2022〕50号") == "沪发改价管〔2022〕50号"


def test_schedule_bars_name_the_schedules_as_the_table_does():
    table = pd.DataFrame(
        {"total_cost": [8.0, 9.0, 9.5], "carbon_location_t": [1.0, 1.1, 1.2]},
        index=["milp", "asap", "greedy"],
    )
    fig = run_charts.schedule_bars(table, "CNY")
    assert [list(bar.x) for bar in fig.data] == [["MILP", "ASAP", "greedy"]] * 2
