"""``coolshift run / validate`` in forecast mode: a bad forecast file is exit 2 naming the
file and the row; a good one gives the forecast KPIs and the perfect-foresight references."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from scenarios.forecast_mode import FORECAST_KPIS
from scenarios.library import example_data
from tests.integration.cli import assert_clean_failure, coolshift


def _inputs(tmp_path, forecast_rows: list[str]):
    """A scenario TOML with an hourly carbon file and a forecast file, both relative."""
    import tomli_w

    stamps = pd.date_range("2023-02-27", periods=24 * 14, freq="h", tz="UTC")
    h = np.arange(len(stamps))
    carbon = 350 + 150 * np.sin(2 * np.pi * (h - 9) / 24)
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%dT%H:%MZ"), "value": carbon.round(1)}
                 ).to_csv(tmp_path / "carbon.csv", index=False)
    (tmp_path / "forecast.csv").write_text("\n".join(forecast_rows) + "\n", encoding="utf-8")
    data = example_data("default")
    data["site"]["timezone"] = "UTC"
    data["grid"] = {"currency": "EUR", "carbon": {"source": "file", "file": "carbon.csv"},
                    "price": {"source": "flat", "flat_per_kwh": 0.1}}
    data["horizon"] = {"start": "2023-03-06T00:00:00", "hours": 48}
    data["workload"]["generator"].update(count=6, slack_h=[6, 24], duration_h=[2, 6])
    data["forecast"] = {"method": "file", "file": "forecast.csv"}
    path = tmp_path / "s.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def _rows(n: int = 48, bad_row: int | None = None) -> list[str]:
    start = pd.Timestamp("2023-03-06", tz="UTC")
    rows = ["timestamp,carbon_g_per_kwh"]
    for t in range(n):
        value = "lots" if bad_row == len(rows) + 1 else f"{300 + 5 * (t % 24):.1f}"
        rows.append(f"{(start + pd.Timedelta(hours=t)).strftime('%Y-%m-%dT%H:%MZ')},{value}")
    return rows


def test_a_bad_forecast_file_is_exit_2_naming_the_file_and_row(tmp_path):
    scenario = _inputs(tmp_path, _rows(bad_row=5))
    out = tmp_path / "run"
    result = coolshift("run", str(scenario), "--out", str(out))
    assert_clean_failure(result, 2, "forecast.csv", "row 5, column 'carbon_g_per_kwh'",
                         "'lots' is not a number")
    assert not out.exists()
    assert_clean_failure(coolshift("validate", str(scenario)), 2, "forecast.csv", "row 5")


def test_a_forecast_run_writes_its_kpis_and_the_perfect_foresight_references(tmp_path):
    scenario = _inputs(tmp_path, _rows())
    out = tmp_path / "run"
    result = coolshift("run", str(scenario), "--no-optimize", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "planned on the forecast file forecast.csv" in result.stdout
    assert "forecast: CO2 saving vs ASAP 0.00 % (perfect foresight – %), regret – EUR" in \
        result.stdout  # no MILP: ASAP is the schedule, the greedy regret is reported
    doc = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert set(FORECAST_KPIS) <= set(doc["kpis"])
    assert doc["kpis"]["forecast_carbon_nmae_pct"] > 0
    assert doc["kpis"]["forecast_greedy_regret"] is not None
    assert doc["kpis"]["forecast_regret"] is None  # no MILP in this run
    assert set(doc["baselines"]) == {"greedy", "greedy_perfect"}  # ASAP is the schedule
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "forecast:forecast.csv" in manifest["input_hashes"]
    assert manifest["solver"]["forecast"]["method"] == "file"
