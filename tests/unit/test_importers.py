"""Importers on small files made here (every case) and on the real exports (when present)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenarios.errors import ScenarioError
from scenarios.importers import align_to_hours, read_carbon, read_carbon_free_share, read_price
from tests.helpers import shared_file

EM_HEADER = (
    "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),"
    "Carbon Intensity gCO₂eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,"
    "Data Source,Data Estimated,Data Estimation Method"
)


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_electricity_maps_export_reads_direct_or_lca_and_the_low_carbon_share(tmp_path):
    rows = [EM_HEADER] + [
        f"2023-01-01 {h:02d}:00:00,X,Zone,XX,{100 + h},{150 + h},{40 + h},30,src,false," for h in range(24)
    ]
    path = _write(tmp_path, "em.csv", rows)
    direct = read_carbon(path)
    lca = read_carbon(path, column="lca")
    share = read_carbon_free_share(path)
    assert direct.values.index[0] == pd.Timestamp("2023-01-01", tz="UTC")
    assert direct.values.iloc[5] == 105 and lca.values.iloc[5] == 155
    assert share.values.iloc[5] == pytest.approx(0.45)


def test_plain_csv_with_offsets_needs_no_zone(tmp_path):
    path = _write(tmp_path, "c.csv", ["timestamp,value", "2023-07-01T00:00:00+08:00,500", "2023-07-01T01:00:00+08:00,480"])
    series = read_carbon(path).values
    assert series.index[0] == pd.Timestamp("2023-06-30 16:00", tz="UTC")


def test_naive_local_prices_across_spring_forward_and_fall_back(tmp_path):
    lines = ["Datetime,Price (EUR/MWh)"]
    for day in ("2023-03-26", "2023-10-29"):
        lines += [f"{day} {h:02d}:00:00,{h}" for h in range(24)]  # 24 rows on both days
    prices = read_price(_write(tmp_path, "p.csv", lines), naive="local", tz="Europe/Berlin")
    assert prices.currency == "EUR"
    assert prices.values.iloc[0] == pytest.approx(0.0) and prices.values.max() == pytest.approx(0.023)
    assert any("does not exist" in n for n in prices.notes)  # 02:00 on 26 March
    assert any("occurs twice" in n for n in prices.notes)  # 02:00 on 29 October
    assert len(prices.values) == 47


def test_missing_hours_are_an_error_unless_filling_is_allowed(tmp_path):
    rows = ["timestamp,value"] + [f"2023-01-01T{h:02d}:00:00Z,{h}" for h in range(24) if h != 5]
    imported = read_carbon(_write(tmp_path, "gap.csv", rows))
    hours = pd.date_range("2023-01-01", periods=24, freq="h", tz="UTC")
    with pytest.raises(ScenarioError, match=r"1 hour\(s\) missing.*fill"):
        align_to_hours(imported, hours, "error", "grid.carbon")
    filled = align_to_hours(imported, hours, "interpolate", "grid.carbon")
    assert filled.iloc[5] == pytest.approx(5.0)
    assert any("filled by interpolate" in n for n in imported.notes)


def test_duplicate_hours_are_named(tmp_path):
    rows = ["timestamp,value", "2023-01-01T00:00:00Z,1", "2023-01-01T00:00:00Z,2"]
    with pytest.raises(ScenarioError, match="duplicate hour"):
        read_carbon(_write(tmp_path, "dup.csv", rows))


def test_a_non_number_is_named_by_row_and_column(tmp_path):
    rows = ["timestamp,value", "2023-01-01T00:00:00Z,1", "2023-01-01T01:00:00Z,lots"]
    with pytest.raises(ScenarioError, match="row 3, column 'value'"):
        read_carbon(_write(tmp_path, "bad.csv", rows))


def test_file_that_does_not_cover_the_horizon(tmp_path):
    rows = ["timestamp,value"] + [f"2023-01-01T{h:02d}:00:00Z,{h}" for h in range(24)]
    imported = read_carbon(_write(tmp_path, "short.csv", rows))
    hours = pd.date_range("2023-02-01", periods=24, freq="h", tz="UTC")
    with pytest.raises(ScenarioError, match="covers 2023-01-01"):
        align_to_hours(imported, hours, "error", "grid.carbon")


def test_real_caiso_carbon_and_prices():
    carbon = read_carbon(shared_file("carbon", "US-CAL-CISO_2023_hourly.csv"))
    assert len(carbon.values) == 8760 and carbon.values.index[0] == pd.Timestamp("2023-01-01", tz="UTC")
    assert 100 < carbon.values.mean() < 300  # g/kWh, direct
    prices = read_price(shared_file("prices", "US-CAL-CISO_electricity_prices_2023.csv"))
    # 8784 rows in naive UTC that span two calendar years
    index = prices.values.index
    assert len(prices.values) == 8784
    assert index[0] == pd.Timestamp("2022-12-31 08:00", tz="UTC")
    assert index[-1] == pd.Timestamp("2024-01-01 07:00", tz="UTC")
    assert prices.currency == "USD" and (prices.values < 0).any()


def test_real_de_lu_prices_in_naive_local_time():
    prices = read_price(shared_file("prices", "DE-LU_electricity_prices_2023.csv"), naive="local", tz="Europe/Berlin")
    assert prices.currency == "EUR" and prices.values.min() == pytest.approx(-0.5)
    assert len(prices.notes) == 2 and len(prices.values) == 8759
    assert not prices.values.index.has_duplicates
    year = pd.date_range("2023-01-01", periods=8760, freq="h", tz="Europe/Berlin")
    filled = align_to_hours(prices, year, "ffill", "grid.price")
    assert np.isfinite(filled).all()
