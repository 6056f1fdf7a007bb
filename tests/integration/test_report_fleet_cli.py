"""``coolshift report FLEET_DIR`` end to end: a fleet run made by ``coolshift run``, its
report beside it in three formats, and the expected failures (a damaged fleet directory,
a fleet given with other runs) as one message, exit 2 and no file written. (A site's
full report from ``sites/NAME`` and each kind of damage: the component tests.)"""

from __future__ import annotations

import io
import json
import shutil

import openpyxl
import pytest

from reports import formatting as F
from tests.integration.cli import assert_clean_failure, coolshift

FLEET = """\
name = "two-hubs-cli"
description = "two hubs for the report CLI test"
sites = [
  { name = "shanghai", scenario = "hub-shanghai" },
  { name = "chengdu", scenario = "hub-chengdu" },
]

[workload.generator]
seed = 11
count = 6
duration_h = [2, 6]
power_kw = [100.0, 300.0]
slack_h = [6, 24]
homes = ["shanghai"]
data_tb = [0.5, 4.0]

[horizon]
start = "2023-07-10T00:00:00"
hours = 36
"""


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fleet-cli")
    (folder / "fleet.toml").write_text(FLEET, encoding="utf-8")
    out = folder / "run"
    result = coolshift("run", str(folder / "fleet.toml"), "--out", str(out), "--time-limit", "3")
    assert result.returncode == 0, result.stderr
    return out


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_fleet_run_gets_its_report_beside_it(fleet_dir):
    result = coolshift("report", str(fleet_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(fleet_dir / f"report.{f}") for f in ("pdf", "html", "xlsx")]
    assert not result.stderr.strip(), result.stderr  # no font or library warnings
    kpis = json.loads((fleet_dir / "kpis.json").read_text(encoding="utf-8"))["kpis"]
    wb = openpyxl.load_workbook(io.BytesIO((fleet_dir / "report.xlsx").read_bytes()))
    rows = {r[5]: r[1] for r in wb["kpis"].iter_rows(min_row=2, values_only=True)}
    assert rows["pue"] == F.kpi_number("pue", kpis["pue"])
    assert rows["moved_jobs"] == F.kpi_number("moved_jobs", kpis["moved_jobs"])
    page = (fleet_dir / "report.html").read_text(encoding="utf-8")
    assert "Fleet summary: two-hubs-cli" in page and "Where the work went" in page
    assert (fleet_dir / "report.pdf").read_bytes().startswith(b"%PDF")


def test_a_damaged_fleet_directory_exits_2_with_one_message(fleet_dir, tmp_path):
    """(Each kind of damage and its message: tests/component/test_report_fleet.py.)"""
    copy = shutil.copytree(fleet_dir, tmp_path / "copy", ignore=shutil.ignore_patterns("report.*"))
    (copy / "kpis.json").write_text("[1, 2", encoding="utf-8")
    before = _files(copy)
    result = coolshift("report", str(copy))
    assert_clean_failure(result, 2, "kpis.json", str(copy))
    assert _files(copy) == before  # nothing written


def test_a_fleet_with_other_runs_exits_2(fleet_dir, tmp_path):
    result = coolshift("report", str(fleet_dir), str(fleet_dir / "sites" / "shanghai"),
                       "--out", str(tmp_path / "both"))
    assert_clean_failure(result, 2, "report it alone")
    assert not (tmp_path / "both").exists()
