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


@pytest.mark.parametrize(
    ("reader", "cell", "fragment"),
    [
        (read_carbon, "nan", "row 3, column 'value': 'nan' is not a finite number"),
        (read_carbon, "-inf", "row 3, column 'value': '-inf' is not a finite number"),
        (read_carbon, "-1", "row 3, column 'value': -1 gCO2e/kWh is outside the valid range 0..2,000"),
        (read_carbon, "2500", "outside the valid range 0..2,000 gCO2e/kWh"),
        (lambda p: read_price(p, unit="per_kwh"), "1001", "outside the valid range -1,000..1,000 per kWh"),
        (lambda p: read_price(p, unit="per_mwh"), "-1000001", "-1,000,000..1,000,000 per MWh"),
        (read_carbon_free_share, "101", "row 3, column 'value': carbon-free share 101 % is outside"),
        (read_carbon, "x" * 5000, "row 3, column 'value': 'xxxxxxxx"),
    ],
)
def test_cells_must_be_finite_numbers_within_bounds(tmp_path, reader, cell, fragment):
    rows = ["timestamp,value", "2023-01-01T00:00:00Z,0.5", f"2023-01-01T01:00:00Z,{cell}"]
    with pytest.raises(ScenarioError) as err:
        reader(_write(tmp_path, "bad.csv", rows))
    assert fragment in str(err.value) and len(str(err.value)) < 300


def test_an_empty_cell_is_a_missing_hour_not_an_error(tmp_path):
    rows = ["timestamp,value", "2023-01-01T00:00:00Z,1", "2023-01-01T01:00:00Z,", "2023-01-01T02:00:00Z,3"]
    imported = read_carbon(_write(tmp_path, "gap.csv", rows))
    hours = pd.date_range("2023-01-01", periods=3, freq="h", tz="UTC")
    assert align_to_hours(imported, hours, "interpolate", "grid.carbon").tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    ("stamp", "fragment"),
    [
        ("", "row 3, column 'timestamp': the timestamp is empty"),
        ("2300-01-01T00:00:00Z", "row 3, column 'timestamp': '2300-01-01T00:00:00Z' lies outside the years 1900..2200"),
        ("1850-01-01T00:00:00Z", "lies outside the years 1900..2200"),
        ("01/02/2023 00:00Z", "is not a timestamp of the years 1900..2200"),
        ("2023-01-01T01:00:00+99:00", "is not a timestamp"),
    ],
)
def test_bad_timestamps_are_named_by_row(tmp_path, stamp, fragment):
    rows = ["timestamp,value", "2023-01-01T00:00:00Z,1", f"{stamp},2"]
    with pytest.raises(ScenarioError) as err:
        read_carbon(_write(tmp_path, "t.csv", rows))
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "the file is empty"), (b"  \n\n", "the file is empty"),
     (b"timestamp,value\n2023-01-01T00:00:00Z,1\x00\n", "is a binary file"),
     (b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file")],
)
def test_empty_and_binary_files_are_refused_before_parsing(tmp_path, content, fragment):
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    with pytest.raises(ScenarioError, match=fragment):
        read_price(path, unit="per_kwh")


def test_files_above_the_size_bound_are_refused_unread(tmp_path, monkeypatch):
    import scenarios.importers as importers

    path = tmp_path / "big.csv"
    path.write_bytes(b"timestamp,value\n" + b"2023-01-01T00:00:00Z,1\n" * 100)
    monkeypatch.setattr(importers, "MAX_DATA_BYTES", 1024)
    monkeypatch.setattr(importers.pd, "read_csv", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(ScenarioError, match=r"big\.csv: the file is 0 MB; coolshift reads data files of up to 0 MB"):
        read_carbon(path)
    with pytest.raises(ScenarioError, match="not a regular file"):
        read_carbon(tmp_path)


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
