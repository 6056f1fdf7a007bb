"""Every page of the Streamlit app through AppTest: widgets changed, no exception, the key
values shown equal what the scenario layer computes, errors are messages on the page."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from scenarios import explore
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from tests.helpers import fresh_app
from ui.results import STATUS_LABELS

REPO_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def app():
    yield from fresh_app()


def ok(at: AppTest) -> AppTest:
    """No uncaught exception and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def errors(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return "\n".join(e.value for e in at.error)


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return values[0]


def goto(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"ui/{page}.py").run()


# --------------------------------------------------------------------------- Site


def test_site_shows_the_default_climate_and_grid(app):
    ok(app)
    weather = explore.load_weather("shanghai")
    design = explore.design_conditions(weather)
    assert metric(app, "Mean dry-bulb") == f"{design['mean_dry_bulb_c']:.1f} °C"
    assert metric(app, "Wet-bulb 0.4 %") == f"{design['wet_bulb_0p4_c']:.1f} °C"
    assert metric(app, "Mean carbon intensity") == "550 g/kWh"  # cn-east-2023 factor
    assert metric(app, "Demand charge") == "44.8 CNY/kW/month"  # Shanghai two-part tariff
    assert app.selectbox(key="site_example").value == "default"
    facts = next(m.value for m in app.markdown if "**time zone**" in m.value)
    assert "| **time zone** | Asia/Shanghai |" in facts  # the site's facts, one row each


def test_site_picks_another_built_in_scenario(app):
    app.selectbox(key="site_example").set_value("miami").run()
    ok(app)
    assert app.session_state["scenario_data"]["name"] == "miami"
    design = explore.design_conditions(explore.load_weather("miami"))
    assert metric(app, "Mean dry-bulb") == f"{design['mean_dry_bulb_c']:.1f} °C"
    assert float(metric(app, "Mean dry-bulb").split()[0]) > 20  # Miami is warm


def test_site_uses_an_uploaded_weather_file(app):
    import pvlib

    tmy3 = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"
    app.file_uploader(key="up_weather").upload("greensboro.csv", tmy3.read_bytes(), "text/csv")
    app.run()
    ok(app)
    climate = app.session_state["scenario_data"]["site"]["climate"]
    session = Path(app.session_state["session_dir"])
    assert Path(climate).is_relative_to(session) and Path(climate).name == "greensboro.csv"
    design = explore.design_conditions(explore.load_weather(str(tmy3)))
    assert metric(app, "Mean dry-bulb") == f"{design['mean_dry_bulb_c']:.1f} °C"
    assert any("greensboro.csv" in s.value for s in app.success)


def test_site_uses_an_uploaded_carbon_series(app):
    hours = pd.date_range("2023-07-09T16:00Z", periods=200, freq="h")  # covers the horizon
    values = 400 + 100 * np.sin(np.arange(200) / 24 * 2 * np.pi)
    text = pd.DataFrame({"timestamp": hours.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": values})
    app.file_uploader(key="up_carbon").upload(
        "carbon.csv", text.to_csv(index=False).encode(), "text/csv"
    )
    app.run()
    ok(app)
    carbon = app.session_state["scenario_data"]["grid"]["carbon"]
    assert carbon["source"] == "file" and carbon["file"].endswith("carbon.csv")
    in_horizon = values[8 : 8 + 168]  # 2023-07-10 00:00 Shanghai = 07-09 16:00 UTC + 8 h
    assert metric(app, "Mean carbon intensity") == f"{in_horizon.mean():.0f} g/kWh"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.toml", b"name = 'x'\n[site\n", "not valid TOML"),
        ("blob.toml", b"\x00\x01\x02binary", "binary file"),
        ("big.toml", b"#" * (21 * 1024 * 1024), "limited to 20 MB"),
        ("empty.toml", b"  \n", "is empty"),
    ],
)
def test_site_rejects_bad_scenario_uploads(app, name, content, message):
    before = app.session_state["scenario_data"]
    app.file_uploader(key="up_scenario").upload(name, content, "application/toml").run()
    text = errors(app)
    assert message in text
    assert app.session_state["scenario_data"] == before  # the scenario being edited stays


def _default_toml_with(**paths) -> bytes:
    import tomli_w

    data = example_data("default")
    if "climate" in paths:
        data["site"]["climate"] = paths["climate"]
    if "price" in paths:
        data["grid"]["price"] = {"source": "file", "file": paths["price"]}
    return tomli_w.dumps(data).encode()


def test_site_never_reads_a_path_named_in_an_uploaded_scenario(app, tmp_path):
    secret = tmp_path / "prices.csv"
    secret.write_text("timestamp,value\n2023-07-10T00:00Z,1\n")
    content = _default_toml_with(price=str(secret))
    app.file_uploader(key="up_scenario").upload("mine.toml", content, "application/toml").run()
    text = errors(app)
    assert "prices.csv (grid.price.file)" in text and "upload" in text.lower()
    assert app.session_state["scenario_data"]["name"] == "default"
    assert app.session_state["scenario_data"]["grid"]["price"]["source"] == "tou"


def test_site_loads_a_scenario_with_its_uploaded_weather_file(app):
    import pvlib

    tmy3 = (Path(pvlib.__file__).parent / "data" / "723170TYA.CSV").read_bytes()
    content = _default_toml_with(climate="data/greensboro.csv")
    app.file_uploader(key="up_scenario").set_value(
        [("mine.toml", content, "application/toml"), ("greensboro.csv", tmy3, "text/csv")]
    ).run()
    ok(app)
    data = app.session_state["scenario_data"]
    assert Path(data["site"]["climate"]).name == "greensboro.csv"
    assert Path(data["site"]["climate"]).is_relative_to(Path(app.session_state["session_dir"]))
    assert app.session_state["site_example"] is None
    assert "uploaded scenario 'mine.toml'" in app.session_state["scenario_label"]


SAN_JOSE_TOML = b"""
name = "sanjose"
[site]
name = "San Jose CA"
latitude = 37.36
longitude = -121.93
timezone = "America/Los_Angeles"
climate = "weather/USA_CA_San.Jose-Mineta.epw"
[grid]
currency = "USD"
[grid.carbon]
source = "file"
file = "carbon/US-CAL-CISO_2023_hourly.csv"
[grid.price]
source = "file"
file = "prices/US-CAL-CISO_electricity_prices_2023.csv"
[[pods]]
name = "air"
cooling = "air"
racks = 10
rack_kw = 20
[horizon]
start = 2023-08-07T00:00:00
hours = 48
"""


def test_site_loads_a_scenario_with_real_weather_carbon_and_price_files(app):
    from scenarios.importers import read_carbon
    from tests.helpers import shared_file

    files = [
        shared_file("weather", "USA_CA_San.Jose-Mineta.epw"),
        shared_file("carbon", "US-CAL-CISO_2023_hourly.csv"),
        shared_file("prices", "US-CAL-CISO_electricity_prices_2023.csv"),
    ]
    uploads = [("sanjose.toml", SAN_JOSE_TOML, "application/toml")]
    uploads += [(f.name, f.read_bytes(), "text/csv") for f in files]
    app.file_uploader(key="up_scenario").set_value(uploads).run()
    ok(app)
    carbon = read_carbon(files[1], tz="America/Los_Angeles").values
    hours = pd.date_range("2023-08-07", periods=48, freq="h", tz="America/Los_Angeles")
    expected = carbon.reindex(hours.tz_convert("UTC")).mean()
    assert metric(app, "Mean carbon intensity") == f"{expected:.0f} g/kWh"
    assert metric(app, "Mean energy price").endswith("USD/kWh")
    assert "EPW file USA_CA_San.Jose-Mineta.epw" in " ".join(c.value for c in app.caption)


# --------------------------------------------------------------------------- Halls


def _expected_table(data: dict) -> pd.DataFrame:
    scenario = scenario_from_dict(data)
    frames, _ = explore.simulate_year(scenario)
    return explore.technology_table(scenario, frames)


def table(at: AppTest, row: str | None = None, column: str | None = None) -> pd.DataFrame:
    """The first table (st.dataframe) with that row label or column (st.dataframe keeps no
    key in AppTest unless it has a selection)."""
    for element in at.dataframe:
        frame = element.value
        if (row is None or row in frame.index) and (column is None or column in frame.columns):
            return frame
    raise AssertionError(f"no table with row {row!r} / column {column!r}")


def _tech_table(at: AppTest) -> pd.DataFrame:
    return table(at, row="PUE")


def test_halls_compares_the_default_pods(app):
    goto(app, "halls")
    ok(app)
    assert any("within its technology's rack-density limit" in s.value for s in app.success)
    shown = _tech_table(app)
    expected = _expected_table(example_data("default"))
    assert list(shown.columns) == list(expected.index)
    for pod in expected.index:
        assert shown.loc["PUE", pod] == f"{expected.loc[pod, 'pue']:.3f}"
        assert shown.loc["WUE [L/kWh]", pod] == f"{expected.loc[pod, 'wue_l_per_kwh']:.3f}"
    # immersion needs no chillers most of the year: its PUE is the lowest
    assert expected["pue"].idxmin() == "immersion-50kW"


def edit_pods(app, edited: dict, added: tuple = ()) -> None:
    """Edit the Halls page's pod table as the data editor does, and rerun."""
    goto(app, "halls")
    app.session_state["pods_editor_0"] = {
        "edited_rows": edited, "added_rows": list(added), "deleted_rows": []}
    app.run()


def test_halls_shows_a_density_error_next_to_the_table_and_keeps_the_others(app):
    edit_pods(app, {0: {"rack_kw": 45.0}})
    text = errors(app)
    assert "pod 'air-20kW'" in text and "air cooling limit of 30 kW" in text
    assert not any("Internal error" in e.value for e in app.error)
    shown = _tech_table(app)
    assert list(shown.columns) == ["coldplate-40kW", "immersion-50kW"]
    assert app.session_state["scenario_data"]["pods"][0]["rack_kw"] == 45.0


def test_halls_edit_changes_the_comparison(app):
    edit_pods(app, {0: {"rack_kw": 25.0}},
              [{"name": "immersion-2", "cooling": "immersion", "racks": 4, "rack_kw": 80.0}])
    ok(app)
    data = app.session_state["scenario_data"]
    assert [p["name"] for p in data["pods"]][-1] == "immersion-2"
    assert data["pods"][0]["rack_kw"] == 25.0 and data["pods"][1]["water_class"] == "W32"
    shown = _tech_table(app)
    expected = _expected_table(data)
    assert shown.loc["PUE", "air-20kW"] == f"{expected.loc['air-20kW', 'pue']:.3f}"
    assert shown.loc["kW per rack", "air-20kW"] == "25"
    app.selectbox(key="heatmap_pod").set_value("immersion-2").run()
    ok(app)


def test_halls_add_spray_and_two_phase_pods(app):
    edit_pods(app, {}, [
        {"name": "spray-45", "cooling": "spray", "racks": 10, "rack_kw": 45.0},
        {"name": "boiling-120", "cooling": "two_phase_immersion", "racks": 4, "rack_kw": 120.0},
    ])
    ok(app)
    shown = _tech_table(app)
    expected = _expected_table(app.session_state["scenario_data"])
    for pod in ("spray-45", "boiling-120"):
        assert shown.loc["PUE", pod] == f"{expected.loc[pod, 'pue']:.3f}"
    # no server fans in a boiling bath, a few left by the spray: TUE ranks them below air
    tue = expected["tue"]
    assert tue["boiling-120"] < tue["spray-45"] < tue["air-20kW"]


def test_an_unexpected_failure_is_a_short_message_not_a_traceback(app, monkeypatch):
    def broken(scenario):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(explore, "simulate_year", broken)
    goto(app, "halls")
    assert not app.exception
    text = errors(app)
    assert "Internal error while trying to check the pods" in text and "RuntimeError" in text
    assert "secret internals" not in text and "Traceback" not in text
    assert app.data_editor  # the pods table is still there to fix things


# --------------------------------------------------------------------------- Workload


def _small_workload(at: AppTest, jobs: int = 3, hours: int = 48, limit: float = 2.0) -> AppTest:
    goto(at, "workload")
    at.number_input(key="wl_hours_0").set_value(hours)
    at.number_input(key="wl_count_0").set_value(jobs)
    at.number_input(key="wl_time_limit_0").set_value(limit)
    return at.run()


def test_workload_runs_the_optimisation_and_shows_the_result(app):
    _small_workload(app)
    ok(app)
    data = app.session_state["scenario_data"]
    assert data["horizon"]["hours"] == 48 and data["workload"]["generator"]["count"] == 3
    app.button(key="run_button").click().run()
    ok(app)
    runs = app.session_state["runs"]
    assert len(runs) == 1
    entry = next(iter(runs.values()))
    result = entry.result
    assert len(result.inputs.frame) == 48 and len(result.jobs) == 3
    status = result.solver["status"]
    assert metric(app, "Solver status") == STATUS_LABELS[status]
    assert metric(app, "Gap") == (
        f"{result.solver['gap']:.2%}" if result.solver["gap"] is not None else "–"
    )
    kpis = json.loads((entry.run_dir / "kpis.json").read_text())
    assert kpis["kpis"]["total_cost"] == pytest.approx(result.kpis["total_cost"])
    saving = result.kpis["cost_saving_vs_asap"]
    assert metric(app, "Cost saving vs ASAP") == f"{saving:,.0f} CNY"
    assert saving >= -1e-6  # the MILP starts from the greedy schedule and keeps the better
    charts = [c.proto.id for c in app.get("plotly_chart")]
    for key in ("gantt_chart", "power_chart", "schedule_chart"):
        assert any(key in chart_id for chart_id in charts), (key, charts)


def test_workload_without_optimisation_and_the_pareto_curve(app):
    _small_workload(app, jobs=2, hours=24)
    app.checkbox(key="wl_optimise_0").uncheck()
    app.button(key="run_button").click().run()
    ok(app)
    assert metric(app, "Solver status") == "not optimised"
    app.number_input(key="pareto_limit").set_value(2.0)
    app.number_input(key="pareto_hours").set_value(24)
    app.button(key="pareto_button").click().run()
    ok(app)
    front = table(app, column="on the curve")
    assert len(front) == 3
    assert set(front["status"]) <= {"optimal", "time limit (best found)"}
    assert (front["on the curve"] == "yes").any()


def test_workload_reads_a_jobs_csv_and_explains_infeasible_jobs(app):
    goto(app, "workload")
    app.radio(key="wl_source_0").set_value("CSV file").run()
    good = (
        "job_id,release,deadline,duration_h,power_kw,preemptible\n"
        "a,2023-07-10T02:00+08:00,2023-07-10T20:00+08:00,6,120,false\n"
        "b,2023-07-10T00:00+08:00,2023-07-11T00:00+08:00,4,80,true\n"
    )
    app.file_uploader(key="wl_jobs_file_0").upload("jobs.csv", good.encode(), "text/csv").run()
    ok(app)
    assert any("2 jobs read" in s.value for s in app.success)
    bad = good.replace("2023-07-10T20:00+08:00,6", "2023-07-10T04:00+08:00,6")  # 2 h for 6 h
    app.file_uploader(key="wl_jobs_file_0").upload("late.csv", bad.encode(), "text/csv").run()
    app.number_input(key="wl_time_limit_0").set_value(2.0)
    app.button(key="run_button").click().run()
    text = errors(app)
    assert "Cannot run the schedule" in text and "a" in text
    assert "Internal error" not in text


@pytest.mark.parametrize("name", ["default", "greensboro"])
def test_visiting_the_workload_page_leaves_the_scenario_as_it_was(app, name):
    app.selectbox(key="site_example").set_value(name).run()
    before = app.session_state["scenario_data"]
    goto(app, "workload")
    ok(app)
    assert app.session_state["scenario_data"] == before  # description not marked as edited


def test_workload_notes_values_outside_the_page_s_ranges(app):
    data = example_data("default")
    data["workload"]["generator"].update(count=3000, seed=2**60)
    data["horizon"]["hours"] = 12
    app.session_state["scenario_data"] = data
    goto(app, "workload")
    assert not app.exception and not app.error
    warnings = " ".join(w.value for w in app.warning)
    assert "number of jobs (3000)" in warnings and "seed" in warnings
    generator = app.session_state["scenario_data"]["workload"]["generator"]
    assert (
        generator["count"] == 2000 and app.session_state["scenario_data"]["horizon"]["hours"] == 12
    )


def test_workload_without_jobs_runs_the_inference_load_only(app):
    goto(app, "workload")
    app.radio(key="wl_source_0").set_value("None").run()
    app.number_input(key="wl_hours_0").set_value(24).run()
    assert app.session_state["scenario_data"]["workload"] == {}
    app.button(key="run_button").click().run()
    ok(app)
    assert metric(app, "Solver status") == "no jobs"
    assert any("No job was scheduled" in i.value for i in app.info)


def test_workload_rejects_a_csv_without_job_columns(app):
    goto(app, "workload")
    app.radio(key="wl_source_0").set_value("CSV file").run()
    app.file_uploader(key="wl_jobs_file_0").upload(
        "作业 2024-01.csv", b"a,b\n1,2\n", "text/csv"
    ).run()
    text = errors(app)
    # the CLI's reader names the file as uploaded (not its saved copy), the missing
    # columns and the ones a jobs file has
    assert "作业 2024-01.csv: missing column(s) job_id, release, deadline" in text
    assert "may have max_interruptions, restart_overhead_h, pods" in text
    assert "generator" in app.session_state["scenario_data"]["workload"]


def _savings_of_a_run_whose_greedy_missed_a_job() -> None:
    """An app script: a short default run whose greedy rule leaves its first job out,
    shown by the Workload page's savings section."""
    from scenarios.library import example_data
    from tests.helpers import run_with_a_greedy_that_misses_a_job
    from ui import results

    data = example_data("default")
    data["horizon"]["hours"] = 48
    data["workload"]["generator"].update(count=6, slack_h=[6, 24], duration_h=[2, 8])
    results._savings(run_with_a_greedy_that_misses_a_job(data))


def test_workload_warns_of_a_baseline_that_left_jobs_unplaced():
    at = AppTest.from_function(_savings_of_a_run_whose_greedy_missed_a_job, default_timeout=60)
    at.run()
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("The greedy rule could not place job(s) ")
    assert "savings against it are not reported" in warning


# --------------------------------------------------------------------------- Compare


# The Compare page's table, currencies and default selection: tests/component/test_app_compare.py


def test_compare_runs_stay_out_of_the_planners_own_runs(app):
    # a scenario whose own name looks like a comparison's run label
    app.session_state["scenario_data"]["name"] = "compare · mine"
    goto(app, "report")
    app.button(key="report_quick_run").click().run()
    (own,) = app.session_state["runs"]
    assert own.startswith("compare · mine")
    goto(app, "compare")
    app.multiselect(key="compare_variants").set_value(["as edited"])
    app.button(key="compare_button").click().run()
    assert not app.exception
    assert len(app.session_state["runs"]) == 2  # the comparison's run is kept for reports
    assert app.multiselect(key="compare_runs").options == [own]
    goto(app, "report")
    assert app.multiselect(key="report_runs").value == [own]  # not the newer compare run


# --------------------------------------------------------------------------- Report


def test_report_offers_the_scenario_toml_that_repeats_the_run(app):
    edit_pods(app, {2: {"racks": 12}})
    goto(app, "report")
    assert not app.exception
    assert [b for b in app.download_button if b.label == "Download the scenario TOML"]
    toml_text = next(c.value for c in app.code if c.language == "toml")
    repeated = scenario_from_dict(tomllib.loads(toml_text))
    assert repeated.pods[2].racks == 12
    assert (
        repeated.model_dump() == scenario_from_dict(app.session_state["scenario_data"]).model_dump()
    )
    assert repeated.description.endswith(
        "(Changed in the coolshift app since it was loaded: see its settings.)"
    )


def test_report_without_runs_offers_a_quick_run(app):
    goto(app, "report")
    assert not app.exception
    assert any("No run in this session yet" in i.value for i in app.info)
    app.button(key="report_quick_run").click().run()
    assert not app.exception
    assert len(app.session_state["runs"]) == 1
    assert app.multiselect(key="report_runs").value == list(app.session_state["runs"])
