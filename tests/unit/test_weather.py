"""Weather sources: pvlib typical years, user files, synthetic years, and bad files."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.helpers import shared_file
from thermal.errors import ThermalInputError
from thermal.synthetic import city_normals, load_normals, synthetic_year
from thermal.weather import (
    OPTIONAL_COLUMNS,
    OPTIONAL_RANGES,
    PVLIB_CLIMATES,
    WEATHER_COLUMNS,
    _pvlib_data_dir,
    list_climates,
    load_climate,
    read_weather_file,
    validate_weather,
    warmed,
)


@pytest.mark.parametrize("name", ["greensboro", "sand-point", "miami", "beijing", "shanghai", "chengdu", "urumqi"])
def test_every_built_in_climate_is_a_full_hourly_year(name):
    w = load_climate(name)
    assert len(w) == 8760
    # the required columns first; irradiance and wind only where the source has them
    # (the pvlib typical-year files), never in the synthetic years
    optional = list(OPTIONAL_COLUMNS) if name in PVLIB_CLIMATES else []
    assert list(w.columns) == [*WEATHER_COLUMNS, *optional]
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


def _epw(tmp_path: Path, name: str = "site.epw", location: str = "36.10,-79.95,-5.0,273.0",
         cell: tuple[int, int, str] | None = None) -> Path:
    """A synthetic EPW year (data row ``cell[0]``, field ``cell[1]`` set to ``cell[2]``)."""
    lines = [f"LOCATION,Testville,ST,USA,TMY3,723170,{location}", "DESIGN CONDITIONS,0",
             "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0", "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
             "COMMENTS 1,x", "COMMENTS 2,x", "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31"]
    for i, ts in enumerate(pd.date_range("2023-01-01", periods=8760, freq="h")):
        fields = [ts.year, ts.month, ts.day, ts.hour + 1, 60, "?9?9?9?9E0?9?9?9", 15.0, 8.0, 60, 101000]
        fields += [0] * 25
        if cell and cell[0] == i:
            fields[cell[1]] = cell[2]
        lines.append(",".join(str(f) for f in fields))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_synthetic_epw_reads_with_its_header_location(tmp_path):
    w = read_weather_file(_epw(tmp_path))
    assert len(w) == 8760 and w.attrs["utc_offset_h"] == -5.0 and w.attrs["altitude_m"] == 273.0


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ((100, 6, "warm"), r"line 109: dry-bulb temperature 'warm' is not a number"),
        ((5, 7, "x" * 500), r"line 14: dew point 'x{37}\.\.\.' is not a number"),
        ((0, 9, "high"), r"line 9: pressure 'high' is not a number"),
    ],
)
def test_a_cell_that_is_no_number_is_named_by_quantity_and_line(tmp_path, cell, message):
    with pytest.raises(ThermalInputError, match=r"site\.epw: " + message):
        read_weather_file(_epw(tmp_path, cell=cell))


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("36.1,-79.95,abc,273", r"time zone 'abc' is not a number"),
        ("36.1,-79.95,24,273", r"time zone '24' is outside -12..14 h from UTC"),
        ("36.1,-79.95,inf,273", r"time zone 'inf' is outside"),
        ("91,-79.95,-5,273", r"latitude '91' is outside -90..90"),
        ("36.1,-181,-5,273", r"longitude '-181' is outside -180..180"),
        ("36.1,-79.95,-5,nan", r"altitude 'nan' is outside -500..9000 m"),
    ],
)
def test_a_header_location_out_of_range_is_named(tmp_path, location, message):
    with pytest.raises(ThermalInputError, match=r"site\.epw: the EPW header's " + message):
        read_weather_file(_epw(tmp_path, location=location))


def test_a_tmy3_cell_that_is_no_number_is_an_input_error_without_warnings(tmp_path):
    import warnings

    path = _tmy3_copy(tmp_path)
    lines = path.read_text().splitlines()
    cells = lines[2 + 40].split(",")
    cells[lines[1].split(",").index("Pressure (mbar)")] = "n/a?"
    lines[2 + 40] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas' DtypeWarning would print to stderr
        with pytest.raises(ThermalInputError, match=r"site\.csv: line 43: pressure 'n/a\?' is not a number"):
            read_weather_file(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("w.epw", b"", "the file is empty; give an EPW weather file"),
        ("w.csv", b" \n \n", "the file is empty; give a TMY3 weather file"),
        ("w.tm2", b"\x00\x01" * 100, "is a binary file, not a TMY2 weather text file"),
        ("w.epw", b"LOCATION,x\n\x00", "is a binary file"),
    ],
)
def test_empty_and_binary_weather_files_are_refused_before_parsing(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ThermalInputError, match=message):
        read_weather_file(path)


def test_weather_files_above_the_size_bound_are_refused_unread(tmp_path, monkeypatch):
    import thermal.weather as weather

    path = _epw(tmp_path)
    monkeypatch.setattr(weather, "MAX_WEATHER_BYTES", path.stat().st_size - 1)
    monkeypatch.setattr(weather, "open", lambda *a, **k: pytest.fail("read"), raising=False)
    with pytest.raises(ThermalInputError, match=r"site\.epw: the file is \d+ MB; a typical-year"):
        read_weather_file(path)
    (tmp_path / "dir.epw").mkdir()
    with pytest.raises(ThermalInputError, match="not a regular file"):
        read_weather_file(tmp_path / "dir.epw")


def test_a_weather_file_named_like_a_url_is_read_from_disk(tmp_path, monkeypatch):
    """pvlib fetches names starting with 'http' over the network; coolshift hands it
    the file's text, so a local file is all it ever reads."""
    _epw(tmp_path, name="http_site.epw")
    monkeypatch.chdir(tmp_path)
    assert len(load_climate("http_site.epw")) == 8760


def test_pandas_error_text_is_cut_to_one_line(tmp_path):
    path = _epw(tmp_path, cell=(20, 0, "99999"))
    with pytest.raises(ThermalInputError) as err:
        read_weather_file(path)
    assert "\n" not in str(err.value) and "You might want to try" not in str(err.value)


# --- optional columns: irradiance and wind, for on-site generation --------------------


def test_irradiance_and_wind_are_read_in_w_m2_and_m_s_on_the_hour_start_index():
    miami, greensboro = load_climate("miami"), load_climate("greensboro")
    assert 3.0 < miami["wind_speed_m_s"].mean() < 6.0  # TMY2 stores tenths of m/s
    assert greensboro.attrs["wind_speed_height_m"] == 10.0
    assert greensboro.attrs["irradiance_source"].startswith("typical-year file")
    # TMY3 rows are hour-ending: the row stamped 13:00 on 1 January is the hour 12-13
    raw = pd.read_csv(_pvlib_data_dir() / "723170TYA.CSV", skiprows=1, nrows=24)
    row = raw.index[raw["Time (HH:MM)"] == "13:00"][0]
    assert greensboro["ghi_w_m2"].iloc[12] == pytest.approx(float(raw["GHI (W/m^2)"].iloc[row]))
    assert greensboro["ghi_w_m2"].iloc[12] > 0 and greensboro["ghi_w_m2"].iloc[2] == 0
    for column, (low, high) in OPTIONAL_RANGES.items():
        assert greensboro[column].between(low, high).all()


def test_an_epw_cell_sets_the_optional_column_of_its_hour(tmp_path):
    w = read_weather_file(_epw(tmp_path, cell=(4000, 13, "612")))
    assert w["ghi_w_m2"].iloc[4000] == 612.0 and w["ghi_w_m2"].drop(w.index[4000]).eq(0).all()
    w = read_weather_file(_epw(tmp_path, cell=(10, 21, "7.5")))
    assert w["wind_speed_m_s"].iloc[10] == 7.5


@pytest.mark.parametrize(
    ("cell", "column", "reason"),
    [
        ((100, 13, "9999"), "ghi_w_m2", r"1 hour\(s\) missing or outside 0..1500 \(first at 01-05 04:00: 9999\)"),
        ((7, 15, "-3"), "dhi_w_m2", r"outside 0..1500 \(first at 01-01 07:00: -3\)"),
        ((30, 21, "999"), "wind_speed_m_s", r"outside 0..75 \(first at 01-02 06:00: 999\)"),
        ((30, 21, "calm"), "wind_speed_m_s", r"line 39: wind speed 'calm' is not a number"),
    ],
)
def test_a_file_with_a_bad_optional_cell_still_reads_without_that_column(tmp_path, cell, column, reason):
    w = read_weather_file(_epw(tmp_path, cell=cell))
    assert column not in w
    assert [c for c in WEATHER_COLUMNS if c not in w] == []  # the thermal model is unaffected
    assert len([c for c in OPTIONAL_COLUMNS if c in w]) == len(OPTIONAL_COLUMNS) - 1
    assert re.search(reason, w.attrs["unusable_columns"][column])


def test_validation_checks_the_optional_columns_only_when_present():
    w = load_climate("greensboro")
    validate_weather(w)
    validate_weather(w.drop(columns=list(OPTIONAL_COLUMNS)))
    validate_weather(load_climate("beijing"))
    for column, value, message in [
        ("ghi_w_m2", -5.0, r"column 'ghi_w_m2': 1 hour\(s\) missing or outside 0..1500 \(first at 03-04 12:00: -5\)"),
        ("wind_speed_m_s", 80.0, r"column 'wind_speed_m_s': .* \(first at 03-04 12:00: 80\); give the wind speed \[m/s\]"),
        ("dhi_w_m2", np.nan, r"column 'dhi_w_m2': 1 hour\(s\) missing .* \(first at 03-04 12:00: nan\)"),
    ]:
        bad = w.copy()
        bad.loc[bad.index[24 * 62 + 12], column] = value
        with pytest.raises(ThermalInputError, match=message):
            validate_weather(bad, where="site weather")


def test_warmed_weather_keeps_irradiance_and_wind():
    w = load_climate("greensboro")
    hot = warmed(w, 2.0)
    for column in OPTIONAL_COLUMNS:
        np.testing.assert_array_equal(hot[column].to_numpy(), w[column].to_numpy())
    assert hot.attrs["irradiance_source"] == w.attrs["irradiance_source"]
