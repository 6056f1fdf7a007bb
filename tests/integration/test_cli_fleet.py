"""``coolshift run / validate / examples`` on a fleet (issue 16), end to end."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
import tomli_w

from tests.integration.cli import assert_clean_failure, coolshift

FLEET_FILES = ("manifest.json", "fleet.toml", "kpis.json", "schedule.csv", "flows.csv",
               "jobs.csv")
SITE_FILES = ("manifest.json", "scenario.toml", "kpis.json", "hourly.parquet", "schedule.csv")


def test_the_built_in_fleet_runs_into_a_fleet_run_directory(tmp_path):
    out = tmp_path / "ew"
    result = coolshift("run", "east-west", "--time-limit", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in FLEET_FILES:
        assert (out / name).is_file(), name
    kpis = json.loads((out / "kpis.json").read_text())
    names = ["beijing", "shanghai", "chengdu", "urumqi"]
    assert list(kpis["sites"]) == names
    for name in names:
        for file in SITE_FILES:
            assert (out / "sites" / name / file).is_file(), (name, file)
        assert kpis["sites"][name]["pue"] > 1.0
    k = kpis["kpis"]
    assert kpis["moved_jobs"] == k["moved_jobs"] and kpis["moved_energy_mwh"] == k[
        "moved_energy_mwh"]
    assert 0 <= k["moved_jobs"] <= k["jobs"] == 60
    for key in ("cost_saving_vs_asap", "cost_saving_vs_greedy", "cost_saving_vs_cheapest_site",
                "cost_saving_vs_asap_site", "network_energy_mwh"):
        assert isinstance(k[key], float), key
    assert kpis["units"]["moved_energy_mwh"] == "MWh"
    schedule = pd.read_csv(out / "schedule.csv")
    assert set(schedule["site"]) <= set(names)
    assert (schedule["pod"].str.split("/").str[0] == schedule["site"]).all()
    flows = pd.read_csv(out / "flows.csv")
    assert flows["jobs"].sum() == 60 and set(flows["home"]) == {"beijing", "shanghai"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["coolshift_fleet"] == 1 and manifest["solver"]["status"]
    for name in names:
        assert name in result.stdout
    assert "Moved" in result.stdout and "fleet" in result.stdout
    # the copied fleet repeats the run
    again = coolshift("validate", str(out / "fleet.toml"))
    assert again.returncode == 0, again.stderr
    assert "ok: fleet east-west: 4 site(s)" in again.stdout
    listed = coolshift("examples")
    assert listed.returncode == 0 and "east-west" in listed.stdout
    # compare takes a fleet run directory (its fleet-wide KPIs) beside a site's own run
    table = coolshift("compare", str(out), str(out / "sites" / "urumqi"), "--format", "csv")
    assert table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert rows[0]["scenario"] == "east-west"
    assert float(rows[0]["moved_jobs"]) == k["moved_jobs"]
    assert float(rows[1]["pue"]) == pytest.approx(kpis["sites"]["urumqi"]["pue"])


def test_examples_show_the_fleet():
    shown = coolshift("examples", "--show", "east-west")
    assert shown.returncode == 0 and "[[sites]]" in shown.stdout


def _fleet_file(tmp_path, jobs_rows: list[dict], **extra) -> str:
    jobs = tmp_path / "jobs.csv"
    pd.DataFrame(jobs_rows).to_csv(jobs, index=False)
    data = {"name": "f", "sites": [{"name": "east", "scenario": "hub-shanghai"},
                                   {"name": "west", "scenario": "hub-chengdu"}],
            "workload": {"jobs": "jobs.csv"},
            "horizon": {"start": "2023-07-10T00:00:00", "hours": 24}, **extra}
    path = tmp_path / "fleet.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return str(path)


def _row(**extra) -> dict:
    return {"job_id": "j1", "release": "2023-07-10T00:00+08:00",
            "deadline": "2023-07-11T00:00+08:00", "duration_h": 4, "power_kw": 100,
            "preemptible": False, "home": "east", **extra}


def test_fleet_input_errors_exit_2_naming_the_field(tmp_path):
    out = tmp_path / "run"
    bad_home = _fleet_file(tmp_path, [_row(home="mars")])
    # the jobs file named, and its row as the file's reader counts it (header: row 1)
    assert_clean_failure(coolshift("run", bad_home, "--out", str(out)), 2,
                         "jobs.csv: row 2 (job 'j1'), column 'home'", "mars")
    assert not out.exists()
    twice = _fleet_file(tmp_path, [_row(), _row()])  # the fleet problem's own check
    assert_clean_failure(coolshift("validate", twice), 2,
                         "jobs.csv: row 3, column 'job_id': 'j1' repeats row 2")
    bad_tb = _fleet_file(tmp_path, [_row(data_tb="-3")])
    assert_clean_failure(coolshift("validate", bad_tb), 2, "data_tb")
    unknown_site = _fleet_file(tmp_path, [_row()],
                               sites=[{"name": "east", "scenario": "no-such.toml"}])
    assert_clean_failure(coolshift("validate", unknown_site), 2, "no-such.toml")
    too_short = _fleet_file(tmp_path, [_row(deadline="2023-07-10T02:00+08:00")])
    assert_clean_failure(coolshift("run", too_short, "--out", str(out)), 3, "j1")
    assert not out.exists()


def test_a_fleet_sweeps_into_one_fleet_run_per_variant(tmp_path):
    fleet = _fleet_file(tmp_path, [_row(), _row(job_id="j2", home="west")])
    out = tmp_path / "sweep"
    result = coolshift("sweep", fleet, "--set", "objective.carbon_price_per_t=0,500",
                       "--no-optimize", "--out", str(out))
    assert result.returncode == 0, result.stderr
    runs = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert len(runs) == 2
    for run in runs:
        kpis = json.loads((out / run / "kpis.json").read_text())
        assert kpis["fleet"] is True and list(kpis["sites"]) == ["east", "west"]
        assert kpis["kpis"]["moved_jobs"] == 0  # ASAP keeps every job at home
