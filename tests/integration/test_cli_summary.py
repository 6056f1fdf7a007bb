"""The KPI table ``coolshift run`` (and ``compare``) prints: with a battery, a cold tank or
on-site generation its peak column is the grid import's, labelled so (issue 15)."""

from __future__ import annotations

import json

from cli.run import kpi_rows
from scenarios.library import example_data
from tests.integration.cli import coolshift

PLAIN = {"pue": 1.2, "peak_facility_kw": 1861.0, "peak_grid_import_kw": 1861.0,
         "onsite_generation_mwh": None, "battery_throughput_mwh": None,
         "cold_storage_shifted_mwh_th": None}  # fmt: skip
WITH_BATTERY = {**PLAIN, "peak_grid_import_kw": 2011.0, "battery_throughput_mwh": 18.4}


def _header_and_row(table: str, name: str) -> tuple[list[str], str]:
    lines = table.splitlines()
    return lines[0], next(line for line in lines if line.startswith(name))


def test_without_assets_the_peak_column_is_the_facility_peak_as_before():
    header, row = _header_and_row(kpi_rows([("plain", PLAIN)]), "plain")
    assert "Peak kW" in header and "grid" not in header
    assert "1,861" in row


def test_with_assets_the_peak_column_is_the_grid_import_peak_and_says_so():
    header, row = _header_and_row(kpi_rows([("site", WITH_BATTERY)]), "site")
    assert "Peak grid import kW" in header and "Peak kW" not in header
    assert "2,011" in row and "1,861" not in row
    # beside a run without assets (its import is its facility power) and one written before
    # the grid import was recorded: each row shows its own import peak
    old = {k: v for k, v in PLAIN.items() if k != "peak_grid_import_kw"} | {"peak_facility_kw": 999.0}
    table = kpi_rows([("site", WITH_BATTERY), ("plain", PLAIN), ("old", old)])
    assert "Peak grid import kW" in table.splitlines()[0]
    assert "1,861" in _header_and_row(table, "plain")[1]
    assert "999" in _header_and_row(table, "old")[1]


def test_coolshift_run_with_a_battery_prints_the_peak_grid_import(tmp_path):
    import tomli_w

    data = example_data("default")
    data["horizon"]["hours"] = 48
    data["workload"]["generator"].update(count=6, slack_h=[6, 24], duration_h=[2, 8])
    data["storage"] = {"battery": {"energy_kwh": 2000, "power_kw": 500}}
    scenario = tmp_path / "s.toml"
    scenario.write_text(tomli_w.dumps(data), encoding="utf-8")
    out = tmp_path / "run"
    result = coolshift("run", str(scenario), "--no-optimize", "--out", str(out))
    assert result.returncode == 0, result.stderr
    kpis = json.loads((out / "kpis.json").read_text())["kpis"]
    grid, facility = kpis["peak_grid_import_kw"], kpis["peak_facility_kw"]
    assert f"{grid:,.0f}" != f"{facility:,.0f}"  # the case tells the two peaks apart
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Scenario"))
    row = lines[lines.index(header) + 2]  # below the rule
    column = header.index("Peak grid import kW")
    end = column + len("Peak grid import kW")
    assert row[column:end].strip() == f"{grid:,.0f}", (header, row)
    assert "the peak is the highest hourly grid import" in result.stdout
