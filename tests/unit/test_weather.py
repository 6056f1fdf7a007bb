"""Weather sources: pvlib typical years, user files, synthetic years, and bad files."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.helpers import shared_file
from thermal.errors import ThermalInputError
from thermal.synthetic import city_normals, load_normals, synthetic_year
from thermal.weather import (
    PVLIB_CLIMATES,
    WEATHER_COLUMNS,
    _pvlib_data_dir,
    list_climates,
    load_climate,
    read_weather_file,
    warmed,
)


@pytest.mark.parametrize("name", ["greensboro", "sand-point", "miami", "beijing", "shanghai", "chengdu", "urumqi"])
def test_every_built_in_climate_is_a_full_hourly_year(name):
    w = load_climate(name)
    assert len(w) == 8760
    assert list(w.columns) == list(WEATHER_COLUMNS)
    assert (w.index.to_series().diff().dropna() == pd.Timedelta(hours=1)).all()
    assert w.index[0].hour == 0 and w.index[0].month == 1 and w.index[0].day == 1
    assert not w.isna().any().any()
    assert (w["wet_bulb_c"] <= w["dry_bulb_c"] + 1e-9).all()
    assert (w["dew_point_c"] <= w["wet_bulb_c"] + 1e-9).all()
    assert w["rh_pct"].between(0, 100).all()
    assert 60_000 < w["pressure_pa"].mean() < 105_000  # Pa, not mbar
    for key in ("latitude", "longitude", "altitude_m", "utc_offset_h", "source"):
        assert key in w.attrs


def test_units_are_normalised_across_formats():
    # TMY2 (Miami) stores tenths of °C and mbar; TMY3 (Greensboro) stores mbar.
    miami, greensboro, sand_point = (load_climate(n) for n in ("miami", "greensboro", "sand-point"))
    assert 22 < miami["dry_bulb_c"].mean() < 27
    assert 12 < greensboro["dry_bulb_c"].mean() < 17
    assert 2 < sand_point["dry_bulb_c"].mean() < 7
    assert miami["pressure_pa"].mean() == pytest.approx(101_700, rel=0.01)
    assert greensboro["pressure_pa"].mean() == pytest.approx(98_700, rel=0.01)  # 273 m altitude


def test_tmy3_hour_ending_stamps_become_hour_start():
    # The first TMY3 record (01:00, hour ending) must land on 00:00 of 1 January.
    raw = pd.read_csv(_pvlib_data_dir() / "723170TYA.CSV", skiprows=1, nrows=1)
    first_dry_bulb = float(raw["Dry-bulb (C)"].iloc[0])
    w = load_climate("greensboro")
    assert w["dry_bulb_c"].iloc[0] == pytest.approx(first_dry_bulb)


def test_china_cities_are_in_utc_plus_8():
    for city in ("beijing", "shanghai", "chengdu", "urumqi"):
        w = load_climate(city)
        assert w.index[0].utcoffset() == pd.Timedelta(hours=8)


def test_unknown_climate_lists_the_valid_names():
    with pytest.raises(ThermalInputError) as err:
        load_climate("atlantis")
    for name in list_climates():
        assert name in str(err.value)


def _tmy3_copy(tmp_path: Path, drop_rows: int = 0, drop_column: str | None = None) -> Path:
    lines = (_pvlib_data_dir() / PVLIB_CLIMATES["greensboro"][0]).read_text().splitlines()
    header, columns, rows = lines[0], lines[1].split(","), lines[2:]
    if drop_rows:
        rows = rows[:-drop_rows]
    if drop_column:
        i = columns.index(drop_column)
        columns = columns[:i] + columns[i + 1 :]
        rows = [",".join(r.split(",")[:i] + r.split(",")[i + 1 :]) for r in rows]
    path = tmp_path / "site.csv"
    path.write_text("\n".join([header, ",".join(columns), *rows]) + "\n")
    return path


def test_a_tmy3_file_given_by_path_reads_like_the_built_in(tmp_path):
    w = load_climate(str(_tmy3_copy(tmp_path)))
    pd.testing.assert_frame_equal(w, load_climate("greensboro"), check_freq=False)


def test_file_with_8759_rows_is_rejected_with_the_count(tmp_path):
    with pytest.raises(ThermalInputError, match="8759 hourly rows"):
        read_weather_file(_tmy3_copy(tmp_path, drop_rows=1))


def test_file_missing_the_dry_bulb_column_is_rejected(tmp_path):
    with pytest.raises(ThermalInputError, match="column"):
        read_weather_file(_tmy3_copy(tmp_path, drop_column="Dry-bulb (C)"))


def test_garbage_file_is_rejected_by_name(tmp_path):
    bad = tmp_path / "bad.epw"
    bad.write_text("this is not weather\n")
    with pytest.raises(ThermalInputError, match=r"bad\.epw"):
        load_climate(str(bad))


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(ThermalInputError, match="does not exist"):
        load_climate(str(tmp_path / "nowhere.epw"))


def test_epw_from_a_user_reads_in_pa_and_local_standard_time():
    w = load_climate(str(shared_file("weather", "USA_CA_San.Jose-Mineta.epw")))
    assert len(w) == 8760
    assert w.index[0].utcoffset() == pd.Timedelta(hours=-8)
    assert 100_000 < w["pressure_pa"].mean() < 102_500
    assert 13 < w["dry_bulb_c"].mean() < 17


def test_synthetic_year_is_deterministic_and_keeps_the_monthly_means():
    a, b = synthetic_year("chengdu"), synthetic_year("chengdu")
    pd.testing.assert_frame_equal(a, b)
    normals = city_normals("chengdu")
    means = a["dry_bulb_c"].groupby(a.index.month).mean().to_numpy()
    np.testing.assert_allclose(means, normals["tmean_c"].to_numpy(), atol=1e-9)
    dew = a["dew_point_c"].groupby(a.index.month).mean().to_numpy()
    np.testing.assert_allclose(dew, normals["dewpoint_c"].to_numpy(), atol=0.05)
    assert (a["dew_point_c"] <= a["dry_bulb_c"] + 1e-12).all()


def test_adding_a_city_is_one_set_of_twelve_rows():
    normals = load_normals()
    new = normals[normals["city"] == "Urumqi"].copy()
    new["city"] = "Testville"
    new["wmo"] = 99999
    new["tmean_c"] += 5.0
    new["dewpoint_c"] += 2.0
    year = synthetic_year("testville", normals=pd.concat([normals, new]))
    means = year["dry_bulb_c"].groupby(year.index.month).mean().to_numpy()
    np.testing.assert_allclose(means, new["tmean_c"].to_numpy(), atol=1e-9)


def test_incomplete_normals_are_an_error():
    normals = load_normals()
    partial = normals[(normals["city"] == "Beijing") & (normals["month"] < 12)]
    with pytest.raises(ThermalInputError, match="complete set"):
        synthetic_year("beijing", normals=partial)


def test_warmed_weather_shifts_temperatures_and_rederives_humidity():
    w = load_climate("sand-point")
    hot = warmed(w, 3.0)
    np.testing.assert_allclose(hot["dry_bulb_c"] - w["dry_bulb_c"], 3.0)
    assert (hot["wet_bulb_c"] > w["wet_bulb_c"]).all()
