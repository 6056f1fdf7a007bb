"""``coolshift run / validate / examples / sweep / compare`` end to end."""

import csv
import io
import json
import tomllib

import pandas as pd
import pytest

from scenarios.kpis import KPI_DEFINITIONS
from scenarios.library import example_data
from tests.integration.cli import assert_clean_failure, coolshift

RUN_FILES = ("manifest.json", "scenario.toml", "kpis.json", "hourly.parquet", "schedule.csv", "jobs.csv")


def _write_scenario(tmp_path, data, name="s.toml"):
    import tomli_w

    path = tmp_path / name
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_run_default_writes_a_complete_run_directory(tmp_path):
    out = tmp_path / "run"
    result = coolshift("run", "default", "--no-optimize", "--out", str(out), "--csv")
    assert result.returncode == 0, result.stderr
    for name in (*RUN_FILES, "hourly.csv", "schedule_greedy.csv"):
        assert (out / name).is_file(), name
    kpis = json.loads((out / "kpis.json").read_text())
    assert set(KPI_DEFINITIONS) <= set(kpis["kpis"])  # every documented key is present
    assert kpis["units"]["pue"] == "-" and kpis["currency"] == "CNY"
    money = kpis["kpis"]  # issue 17: the halls' capital cost and TCO, in the grid's currency
    assert money["capex"] > 0 and money["embodied_carbon_t"] is None
    assert money["tco_per_year"] == pytest.approx(money["annualised_capex"] + money["opex_per_year"])
    assert money["tco_per_mwh_compute"] == pytest.approx(
        money["tco_per_year"] / (money["compute_energy_mwh"] * 8760 / 168))
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("versions", "input_hashes", "timings_s", "solver", "linearisation", "assumptions"):
        assert key in manifest
    assert manifest["linearisation"]["relative_error"] < 0.01
    hourly = pd.read_parquet(out / "hourly.parquet")
    assert len(hourly) == 168 and str(hourly.index.tz) == "Asia/Shanghai"
    # the KPI table is printed, and the Chinese-grid carbon assumption is said
    assert "PUE" in result.stdout and "default" in result.stdout
    assert "No public hourly carbon-intensity series" in result.stdout
    # the copied scenario repeats the run
    again = coolshift("validate", str(out / "scenario.toml"))
    assert again.returncode == 0, again.stderr


def test_existing_output_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    assert_clean_failure(coolshift("run", "default", "--no-optimize", "--out", str(out)), 2, "already exists")


def test_bad_scenario_exits_2_and_leaves_no_directory(tmp_path):
    data = example_data("default")
    data["pods"][0]["rack_kw"] = 45
    path = _write_scenario(tmp_path, data)
    out = tmp_path / "run"
    result = coolshift("run", str(path), "--out", str(out))
    assert_clean_failure(result, 2, "pods[0]", "45 kW per rack exceeds the air cooling limit")
    assert not out.exists() and not list(tmp_path.glob(".run*"))


def test_unknown_scenario_name_lists_the_built_ins():
    assert_clean_failure(coolshift("validate", "atlantis"), 2, "unknown scenario 'atlantis'", "default")


def test_misspelt_key_exits_2_with_a_suggestion(tmp_path):
    data = example_data("default")
    data["horizon"]["hour"] = data["horizon"].pop("hours")
    assert_clean_failure(coolshift("validate", str(_write_scenario(tmp_path, data))), 2, "did you mean 'hours'")


def _with_jobs(tmp_path, csv_text: str):
    """The default scenario with its jobs from ``csv_text`` (jobs.csv beside it): the
    scenario's path and the jobs file's."""
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(csv_text, encoding="utf-8")
    data = example_data("default")
    data["workload"] = {"jobs": "jobs.csv"}
    return _write_scenario(tmp_path, data), jobs


def test_impossible_schedule_exits_3_naming_jobs(tmp_path):
    path, _ = _with_jobs(
        tmp_path, "job_id,release,deadline,duration_h,power_kw,preemptible\n"
        "too-long,2023-07-10T00:00:00+08:00,2023-07-10T04:00:00+08:00,6,100,false\n")
    out = tmp_path / "run"
    assert_clean_failure(coolshift("run", str(path), "--out", str(out)), 3, "too-long")
    assert not out.exists()


def test_a_jobs_row_the_optimizer_refuses_is_named_as_the_files_row(tmp_path):
    path, jobs = _with_jobs(
        tmp_path, "job_id,release,deadline,duration_h,power_kw,preemptible,pods\n"
        "ok,2023-07-10T00:00:00+08:00,2023-07-11T00:00:00+08:00,2,100,false,\n"
        "odd,2023-07-10T00:00:00+08:00,2023-07-11T00:00:00+08:00,2,100,false,nope\n")
    # the second data line is the file's row 3 (header: row 1), as the CSV reader says
    assert_clean_failure(coolshift("validate", str(path)), 2,
                         "jobs.csv: row 3 (job 'odd'), column 'pods': unknown pod(s) ['nope']")
    # every row a message names (a repeated id: both rows)
    jobs.write_text(jobs.read_text(encoding="utf-8").replace("odd,", "ok,").replace(",nope", ","),
                    encoding="utf-8")
    assert_clean_failure(coolshift("validate", str(path)), 2,
                         "jobs.csv: row 3, column 'job_id': 'ok' repeats row 2")


def test_examples_lists_shows_and_writes(tmp_path):
    listed = coolshift("examples")
    assert listed.returncode == 0
    for name in ("default", "beijing", "shanghai", "chengdu", "urumqi", "greensboro", "miami"):
        assert name in listed.stdout
    shown = coolshift("examples", "--show", "urumqi")
    assert tomllib.loads(shown.stdout)["site"]["climate"] == "urumqi"
    written = coolshift("examples", "--write", str(tmp_path / "lib"))
    assert written.returncode == 0 and (tmp_path / "lib" / "chengdu.toml").is_file()
    fleet = tmp_path / "lib" / "east-west.toml"  # the built-in fleet too, and it validates
    assert "[[sites]]" in fleet.read_text(encoding="utf-8")
    checked = coolshift("validate", str(fleet))
    assert checked.returncode == 0, checked.stderr


def test_sweep_runs_the_cartesian_product_and_compare_tabulates(tmp_path):
    out = tmp_path / "sweep"
    result = coolshift(
        "sweep", "default", "--set", "pods[0].rack_kw=10,30", "--set", "grid.price.tariff=cn-shanghai-two-part,cn-generic-ndrc",
        "--no-optimize", "--out", str(out), "--workers", "2",
    )
    assert result.returncode == 0, result.stderr
    # stderr is a pipe here: one plain progress line per finished scenario, no bar
    assert "\r" not in result.stderr
    lines = [x for x in result.stderr.splitlines() if x.startswith("progress: scenarios: ")]
    assert [x.split()[2] for x in lines] == ["1/4", "2/4", "3/4", "4/4"]
    runs = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(runs) == 4
    pues = {}
    for run in runs:
        kpis = json.loads((run / "kpis.json").read_text())
        pues[kpis["scenario"]] = kpis["kpis"]["pue"]
    assert len(pues) == 4
    table = coolshift("compare", *map(str, runs))
    assert table.returncode == 0 and table.stdout.count("default[") == 4


def test_compare_rejects_a_folder_that_is_not_a_run(tmp_path):
    assert_clean_failure(coolshift("compare", str(tmp_path)), 2, "not a coolshift run directory")


def test_a_rolling_run_prints_its_whole_horizon_bound_and_window_gap(tmp_path):
    # 72 h in windows of 24 h: rolling, whose summary has a bound for the whole horizon
    # and the largest window gap (a None bound once broke the printed line)
    data = example_data("default")
    data["horizon"]["hours"] = 72
    data["workload"]["generator"].update(count=8, slack_h=[4, 16], duration_h=[2, 6])
    data["solver"] = {"window_h": 24, "step_h": 12, "time_limit_s": 2, "rolling": "always"}
    out = tmp_path / "run"
    result = coolshift("run", str(_write_scenario(tmp_path, data)), "--out", str(out))
    assert result.returncode == 0, result.stderr
    solver = json.loads((out / "manifest.json").read_text())["solver"]
    assert solver["status"].startswith("rolling_") and solver["windows"] >= 4
    assert solver["bound"] <= solver["objective"]
    assert solver["gap"] == pytest.approx((solver["objective"] - solver["bound"]) / solver["objective"])
    assert "largest window gap" in result.stdout and "bound" in result.stdout
    # the run says that, and why, it rolled
    assert "rolling: rolling = always" in result.stdout and solver["rolling"].startswith("rolling")


def test_a_sweep_over_asset_sizes_gives_the_cost_carbon_curve_as_csv(tmp_path):
    out = tmp_path / "curve"
    result = coolshift(
        "sweep", "default", "--set", "horizon.hours=48", "--set", "workload.generator.count=4",
        "--set", "onsite.pv.kwp=0,1500", "--set", "storage.battery.energy_kwh=0,2000",
        "--set", "storage.battery.power_kw=500", "--no-optimize", "--out", str(out),
        "--workers", "2",
    )
    assert result.returncode == 0, result.stderr
    runs = sorted(p for p in out.iterdir() if p.is_dir())
    curve = coolshift("compare", *map(str, runs), "--format", "csv")
    assert curve.returncode == 0, curve.stderr
    rows = list(csv.DictReader(io.StringIO(curve.stdout)))
    assert len(rows) == 4
    by_size = {(float(r["onsite.pv.kwp"]), float(r["storage.battery.energy_kwh"])): r
               for r in rows}
    assert set(by_size) == {(0, 0), (1500, 0), (0, 2000), (1500, 2000)}
    # PV lowers grid energy and carbon; a grid-only run has no generation
    assert float(by_size[(1500, 0)]["grid_energy_mwh"]) < float(by_size[(0, 0)]["grid_energy_mwh"])
    assert float(by_size[(1500, 0)]["carbon_location_t"]) < float(by_size[(0, 0)]["carbon_location_t"])
    assert by_size[(0, 0)]["battery_throughput_mwh"] == ""
    assert float(by_size[(0, 2000)]["battery_throughput_mwh"]) > 0
