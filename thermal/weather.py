"""Hourly weather for a site: built-in typical years, user files and synthetic years.

Every source ends in the same frame (see :data:`WEATHER_COLUMNS`): 8760 rows indexed by
the start of each hour in the site's local *standard* time (a fixed UTC offset, as in
typical-year files), with dry-bulb, dew point, relative humidity, wet-bulb and pressure.
``attrs`` carry ``name``, ``latitude``, ``longitude``, ``altitude_m``,
``utc_offset_h`` and ``source``.

Where the source has them (EPW, TMY3 and TMY2 files, so the three pvlib typical years),
the frame also carries the :data:`OPTIONAL_COLUMNS` for on-site generation
(:mod:`thermal.onsite`): global horizontal, direct normal and diffuse horizontal
irradiance [W/m²] (each row the mean over its hour, as the files' Wh/m² per hour) and
wind speed [m/s] at the height in ``attrs["wind_speed_height_m"]`` (10 m in these files).
``attrs["irradiance_source"]`` says where the irradiance comes from. A file whose optional
column has missing or implausible values is still read for the thermal model: the column
is left out and ``attrs["unusable_columns"]`` says why. The synthetic years have none of
these columns; :func:`thermal.solar_estimate.with_modelled_irradiance` adds a modelled,
labelled irradiance estimate for PV (from the annual GHI in ``attrs["annual_ghi_kwh_m2"]``).

Climates by name (:func:`list_climates`):

* ``greensboro``, ``sand-point``, ``miami``: the real typical-year files pvlib ships
  (TMY3 Greensboro NC 723170, TMY3 Sand Point AK 703165, TMY2 Miami FL 12839).
* ``beijing``, ``shanghai``, ``chengdu``, ``urumqi``: deterministic synthetic years from
  the CSWD monthly normals (:mod:`thermal.synthetic`).

Any other value is read as a path to an EPW (``.epw``), TMY3 (``.csv``) or TMY2
(``.tm2``) file.
"""

from __future__ import annotations

import functools
import io
import math
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from thermal.errors import ThermalInputError
from thermal.psychrometrics import (
    STANDARD_PRESSURE_PA,
    pressure_from_altitude_pa,
    relative_humidity_pct,
    wet_bulb_c,
)
from thermal.synthetic import SyntheticWeatherParams, normals_cities, synthetic_year

WEATHER_COLUMNS = ("dry_bulb_c", "dew_point_c", "rh_pct", "wet_bulb_c", "pressure_pa")
#: Irradiance columns [W/m²]: global horizontal, direct normal, diffuse horizontal.
IRRADIANCE_COLUMNS = ("ghi_w_m2", "dni_w_m2", "dhi_w_m2")
#: Columns a frame carries when its source has them (never required by the thermal model).
OPTIONAL_COLUMNS = (*IRRADIANCE_COLUMNS, "wind_speed_m_s")
#: Height of the wind speed in EPW, TMY3 and TMY2 files [m]: the standard exposure of
#: surface wind instruments, 10 m above open terrain (WMO-No. 8, Guide to Instruments and
#: Methods of Observation, ch. 5); EnergyPlus reads EPW wind at 10 m (Engineering
#: Reference, "Local Wind Speed Calculation").
WIND_SPEED_HEIGHT_M = 10.0
HOURS_PER_YEAR = 8760
#: Calendar year given to typical-year rows (non-leap; typical years mix years).
TYPICAL_YEAR = 2023

#: pvlib's bundled typical-year files by climate name: (file, format, description).
PVLIB_CLIMATES = {
    "greensboro": ("723170TYA.CSV", "tmy3", "Greensboro NC, TMY3 723170 (NREL), shipped by pvlib"),
    "sand-point": ("703165TY.csv", "tmy3", "Sand Point AK, TMY3 703165 (NREL), shipped by pvlib"),
    "miami": ("12839.tm2", "tmy2", "Miami FL, TMY2 12839 (NREL), shipped by pvlib"),
}

#: Plausible ranges for sanity checks of user files; outside them the file is rejected.
_RANGES = {
    "dry_bulb_c": (-70.0, 60.0),
    "dew_point_c": (-90.0, 40.0),
    "pressure_pa": (40_000.0, 110_000.0),
}
#: Plausible ranges of the optional columns, checked when present. An hourly mean
#: irradiance cannot exceed the extraterrestrial normal irradiance (solar constant
#: 1,361 W/m², Kopp and Lean 2011, x 1.034 at perihelion = 1,408 W/m²): 1,500 leaves room
#: for rounding and catches EPW's missing-value code 9999. 75 m/s is above the 1-minute
#: sustained wind of a category-5 hurricane (70 m/s, Saffir-Simpson scale), so an hourly
#: mean above it is an error (EPW's missing-value code is 999).
OPTIONAL_RANGES = {
    "ghi_w_m2": (0.0, 1_500.0),
    "dni_w_m2": (0.0, 1_500.0),
    "dhi_w_m2": (0.0, 1_500.0),
    "wind_speed_m_s": (0.0, 75.0),
}
#: Largest weather file read [bytes], checked before parsing: a typical year is
#: ~1.5-2 MB in any of the three formats (a sub-hourly EPW ~20 MB).
MAX_WEATHER_BYTES = 64 * 1024 * 1024
#: Header lines before the first data row, by format (to name a bad row's file line).
_HEADER_LINES = {"epw": 8, "tmy3": 2, "tmy2": 1}
#: The weather quantities as messages name them.
_QUANTITY = {"dry_bulb_c": "dry-bulb temperature", "dew_point_c": "dew point",
             "pressure_pa": "pressure", "ghi_w_m2": "global horizontal irradiance",
             "dni_w_m2": "direct normal irradiance", "dhi_w_m2": "diffuse horizontal irradiance",
             "wind_speed_m_s": "wind speed"}  # fmt: skip
#: Bounds of a file's location header: (low, high, unit); outside them the header is
#: garbage (UTC offsets run from -12 to +14 h; the highest station is below 9,000 m).
_LOCATION = {
    "TZ": ("time zone", -12.0, 14.0, "h from UTC"),
    "latitude": ("latitude", -90.0, 90.0, "°"),
    "longitude": ("longitude", -180.0, 180.0, "°"),
    "altitude": ("altitude", -500.0, 9_000.0, "m"),
}


def list_climates() -> list[str]:
    """Names accepted by :func:`load_climate` besides file paths."""
    return [*PVLIB_CLIMATES, *normals_cities()]


def load_climate(
    climate: str | os.PathLike, synthetic_params: SyntheticWeatherParams | None = None
) -> pd.DataFrame:
    """Hourly weather for a climate name or a weather file path.

    Parameters
    ----------
    climate : str or path
        A name from :func:`list_climates` or a path to an EPW / TMY3 / TMY2 file.
    synthetic_params : SyntheticWeatherParams, optional
        Statistics for the synthetic years of cities with normals.

    Returns
    -------
    DataFrame
        Columns :data:`WEATHER_COLUMNS` [°C, °C, %, °C, Pa], 8760 hourly rows.

    Raises
    ------
    ThermalInputError
        Unknown name, unreadable file, wrong length, missing columns or implausible values.
    """
    key = str(climate).strip()
    if key.lower() in PVLIB_CLIMATES or key.lower() in normals_cities():
        return _load_named(key.lower(), synthetic_params or SyntheticWeatherParams()).copy()
    path = Path(key).expanduser()
    if path.suffix.lower() in (".epw", ".csv", ".tm2") and path.exists():
        return read_weather_file(path)
    names = ", ".join(list_climates())
    shown = repr(key if len(key) <= 200 else f"{key[:197]}...")
    if path.suffix.lower() in (".epw", ".csv", ".tm2"):
        raise ThermalInputError(f"weather file {shown} does not exist")
    raise ThermalInputError(
        f"unknown climate {shown}: use one of {names}, or a path to an EPW, TMY3 (.csv) "
        "or TMY2 (.tm2) file"
    )


@functools.lru_cache(maxsize=32)
def _load_named(key: str, synthetic_params: SyntheticWeatherParams) -> pd.DataFrame:
    """A built-in climate (cached: reading and synthesising take ~0.1-1 s)."""
    if key in PVLIB_CLIMATES:
        filename, kind, description = PVLIB_CLIMATES[key]
        frame = read_weather_file(_pvlib_data_dir() / filename, kind=kind)
        frame.attrs["name"] = key
        frame.attrs["source"] = description
        if "irradiance_source" in frame.attrs:
            frame.attrs["irradiance_source"] = f"typical-year file: {description}"
        return frame
    raw = synthetic_year(key, synthetic_params)
    pressure = pressure_from_altitude_pa(raw.attrs["altitude_m"])
    attrs = dict(raw.attrs)
    resource = _solar_resource(key)
    if resource is not None:
        attrs["annual_ghi_kwh_m2"] = resource["annual_ghi_kwh_m2"]
        attrs["annual_ghi_source"] = resource["source"]
    return _complete(raw["dry_bulb_c"], raw["dew_point_c"], pressure, attrs)


def _solar_resource(city: str) -> dict | None:
    """The city's row of ``data/china_solar_resource.csv`` (annual GHI and its source)."""
    from thermal.solar_estimate import solar_resource

    try:
        return solar_resource(city)
    except ThermalInputError:
        return None


def _pvlib_data_dir() -> Path:
    import pvlib

    return Path(pvlib.__file__).parent / "data"


def read_weather_file(path: str | os.PathLike, kind: str | None = None) -> pd.DataFrame:
    """Read an EPW, TMY3 or TMY2 file into the normalised weather frame.

    Units are normalised: TMY2 temperatures come in tenths of °C, TMY2/TMY3 pressure in
    mbar, EPW pressure in Pa. Hour-ending stamps (TMY3) become hour-start stamps. A leap
    year's 29 February (8784 rows) is dropped.

    Parameters
    ----------
    path : str or path
        The file.
    kind : {"epw", "tmy3", "tmy2"}, optional
        File format; by default from the extension (.epw, .csv, .tm2).

    Returns
    -------
    DataFrame
        As :func:`load_climate`.

    Raises
    ------
    ThermalInputError
        Naming the file: missing or not a regular file; larger than
        :data:`MAX_WEATHER_BYTES`, empty or binary (refused before parsing); not readable
        in its format; a header time zone or location that is no finite number in range;
        a data cell that is no number (by quantity and file line); the wrong number of
        rows; missing or implausible values.

    Notes
    -----
    pvlib gets the file's text, never its name (pvlib fetches names that start with
    ``http`` over the network), except for TMY2, whose reader takes names only.
    """
    from pvlib import iotools

    path = Path(path)
    kind = kind or {".epw": "epw", ".csv": "tmy3", ".tm2": "tmy2"}.get(path.suffix.lower())
    if kind is None:
        raise ThermalInputError(
            f"{path}: unknown weather file type {path.suffix!r}; use .epw, .csv (TMY3) or .tm2"
        )
    content = _weather_bytes(path, kind)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("latin-1")  # many EPW files are Latin-1; every byte decodes
    if kind == "epw":
        _check_location(_epw_location(text), path, kind)
    try:
        with warnings.catch_warnings():  # pandas' DtypeWarning etc.: errors are ours to name
            warnings.simplefilter("ignore")
            data, meta, columns, optional, scale, shift_h = _parse(iotools, kind, path, text)
    except ThermalInputError:
        raise
    except Exception as exc:  # pvlib raises many kinds on a malformed file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        reason = reason.split(" You might want to try")[0][:120]  # pandas' advice: not ours
        raise ThermalInputError(
            f"{path}: cannot be read as {_a(kind)} weather file "
            f"({type(exc).__name__}{': ' + reason if reason else ''})"
        ) from None

    missing = [src for src in columns if src not in data.columns]
    if missing:
        raise ThermalInputError(
            f"{path}: weather file lacks required column(s) {missing} "
            f"(needed: dry-bulb, dew point and pressure)"
        )
    _check_location(meta, path, kind)
    frame = _numeric_columns(data, columns, path, kind)
    extras, unusable = _optional_columns(data, optional, path, kind)
    frame = frame.join(extras)
    for col, factor in scale.items():
        if col in frame:
            frame[col] = frame[col] * factor
    frame = _normalise_index(frame, shift_h, path)
    _check_values(frame, path)
    unusable.update(_unusable_optional(frame))
    frame = frame.drop(columns=[c for c in unusable if c in frame])

    tz_hours = float(meta.get("TZ", 0.0))
    attrs = {
        "name": str(meta.get("city") or meta.get("Name") or meta.get("City") or path.stem).strip(
            '"'
        )[:200],
        "latitude": float(meta["latitude"]),
        "longitude": float(meta["longitude"]),
        "altitude_m": float(meta["altitude"]),
        "utc_offset_h": tz_hours,
        "source": f"{kind.upper()} file {path.name}",
    }
    extras = frame[[c for c in OPTIONAL_COLUMNS if c in frame]]
    if "wind_speed_m_s" in extras:
        attrs["wind_speed_height_m"] = WIND_SPEED_HEIGHT_M
    if all(c in extras for c in IRRADIANCE_COLUMNS):
        attrs["irradiance_source"] = f"{kind.upper()} file {path.name}"
    if unusable:
        attrs["unusable_columns"] = unusable
    return _complete(frame["dry_bulb_c"], frame["dew_point_c"], frame["pressure_pa"], attrs, extras)


def _weather_bytes(path: Path, kind: str) -> bytes:
    """The file's bytes, refused before parsing when missing, too large, empty or binary."""
    if not path.is_file():
        if path.exists():
            raise ThermalInputError(f"{path}: is not a regular file; give a weather file")
        raise ThermalInputError(f"weather file {str(path)!r} does not exist")
    size = path.stat().st_size
    if size > MAX_WEATHER_BYTES:
        raise ThermalInputError(
            f"{path}: the file is {size / 2**20:,.0f} MB; a typical-year weather file is about "
            f"2 MB and coolshift reads up to {MAX_WEATHER_BYTES // 2**20} MB"
        )
    try:
        with open(path, "rb") as fh:
            content = fh.read(MAX_WEATHER_BYTES + 1)
    except OSError as exc:
        raise ThermalInputError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(content) > MAX_WEATHER_BYTES:
        raise ThermalInputError(f"{path}: larger than {MAX_WEATHER_BYTES // 2**20} MB")
    if not content.strip():
        raise ThermalInputError(f"{path}: the file is empty; give {_a(kind)} weather file")
    if b"\x00" in content:
        raise ThermalInputError(f"{path}: is a binary file, not {_a(kind)} weather text file")
    return content


def _a(kind: str) -> str:
    """``"an EPW"``, ``"a TMY3"``: the format with its article, for messages."""
    return f"{'an' if kind == 'epw' else 'a'} {kind.upper()}"


def _epw_location(text: str) -> dict[str, str]:
    """The location fields of an EPW's first line (``LOCATION,city,...,TZ,altitude``)."""
    first = text.split("\n", 1)[0].split(",")
    names = ("latitude", "longitude", "TZ", "altitude")
    return {name: first[6 + i].strip() for i, name in enumerate(names) if 6 + i < len(first)}


def _check_location(meta: dict, path: Path, kind: str) -> None:
    """Refuse a header whose time zone or coordinates are no finite number in range."""
    for key, (label, low, high, unit) in _LOCATION.items():
        if key not in meta:
            continue
        raw = meta[key]
        shown = repr(str(raw)[:40]) if isinstance(raw, str) else f"{raw}"
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ThermalInputError(
                f"{path}: the {kind.upper()} header's {label} {shown} is not a number"
            ) from None
        if not (math.isfinite(value) and low <= value <= high):
            raise ThermalInputError(
                f"{path}: the {kind.upper()} header's {label} {shown} is outside "
                f"{low:g}..{high:g} {unit}"
            )


def _parse(iotools, kind: str, path: Path, text: str):
    """pvlib's reader of ``kind`` on the text (TMY2 on the path: pvlib reads no buffer
    there); the required columns, the optional ones, their unit factors and the index
    shift [h]. Irradiance in all three formats is the energy of the hour [Wh/m²], i.e.
    its mean power [W/m²]."""
    if kind == "epw":
        data, meta = iotools.read_epw(io.StringIO(text))
        columns = {"temp_air": "dry_bulb_c", "temp_dew": "dew_point_c",
                   "atmospheric_pressure": "pressure_pa"}  # fmt: skip
        optional = {"ghi": "ghi_w_m2", "dni": "dni_w_m2", "dhi": "dhi_w_m2",
                    "wind_speed": "wind_speed_m_s"}  # fmt: skip
        # pvlib already turns EPW hour-ending 1..24 into hour-start stamps
        return data, meta, columns, optional, {"pressure_pa": 1.0}, 0
    if kind == "tmy3":
        data, meta = iotools.read_tmy3(io.StringIO(text), map_variables=True)
        columns = {"temp_air": "dry_bulb_c", "temp_dew": "dew_point_c", "pressure": "pressure_pa"}
        optional = {"ghi": "ghi_w_m2", "dni": "dni_w_m2", "dhi": "dhi_w_m2",
                    "wind_speed": "wind_speed_m_s"}  # fmt: skip
        return data, meta, columns, optional, {"pressure_pa": 100.0}, -1  # mbar -> Pa; hour-ending
    data, meta = iotools.read_tmy2(str(path))
    columns = {"DryBulb": "dry_bulb_c", "DewPoint": "dew_point_c", "Pressure": "pressure_pa"}
    optional = {"GHI": "ghi_w_m2", "DNI": "dni_w_m2", "DHI": "dhi_w_m2", "Wspd": "wind_speed_m_s"}
    # tenths of °C, mbar and tenths of m/s; pvlib's TMY2 index is already hour-start
    scale = {"dry_bulb_c": 0.1, "dew_point_c": 0.1, "pressure_pa": 100.0, "wind_speed_m_s": 0.1}
    return data, meta, columns, optional, scale, 0


def _numeric_columns(data: pd.DataFrame, columns: dict, path: Path, kind: str) -> pd.DataFrame:
    """The weather columns as floats (an empty cell is NaN, named later as missing);
    a cell that is no number is named by its quantity and file line."""
    frame = pd.DataFrame(index=data.index)
    for src, name in columns.items():
        raw = data[src]
        numbers = pd.to_numeric(raw, errors="coerce").astype(float)
        text = raw.astype(str).str.strip()
        bad = (numbers.isna() & raw.notna() & (text != "") & (text.str.lower() != "nan")).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            line = i + _HEADER_LINES[kind] + 1
            cell = text.iloc[i]
            cell = cell if len(cell) <= 40 else f"{cell[:37]}..."
            raise ThermalInputError(
                f"{path}: line {line}: {_QUANTITY[name]} {cell!r} is not a number"
            )
        frame[name] = numbers
    return frame


def _optional_columns(
    data: pd.DataFrame, optional: dict, path: Path, kind: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The optional columns the file has, as floats, and why any is unusable.

    A cell that is no number makes its column unusable (named by quantity and file line)
    instead of refusing the file: the thermal model does not need these columns.
    """
    frame = pd.DataFrame(index=data.index)
    unusable: dict[str, str] = {}
    for src, name in optional.items():
        if src not in data.columns:
            continue
        try:
            frame[name] = _numeric_columns(data, {src: name}, path, kind)[name]
        except ThermalInputError as exc:
            unusable[name] = str(exc).removeprefix(f"{path}: ")
    return frame, unusable


def _unusable_optional(frame: pd.DataFrame) -> dict[str, str]:
    """Optional columns with missing or implausible hours, each with the reason."""
    reasons = {}
    for col, (lo, hi) in OPTIONAL_RANGES.items():
        if col not in frame:
            continue
        problem = _first_bad_hour(frame[col], lo, hi)
        if problem:
            reasons[col] = problem
    return reasons


def _first_bad_hour(values: pd.Series, lo: float, hi: float) -> str | None:
    """``"N hour(s) missing or outside lo..hi (first at mm-dd HH:00: v)"`` or None."""
    bad = (values.isna() | (values < lo) | (values > hi)).to_numpy()
    if not bad.any():
        return None
    first = values.index[bad][0]
    return (
        f"{int(bad.sum())} hour(s) missing or outside {lo:g}..{hi:g} "
        f"(first at {first:%m-%d %H:00}: {values[first]:g})"
    )


def _normalise_index(frame: pd.DataFrame, shift_h: int, path: Path) -> pd.DataFrame:
    """Hour-start stamps of one non-leap typical year, in the file's fixed UTC offset."""
    n = len(frame)
    if n == 8784:
        starts = frame.index + pd.Timedelta(hours=shift_h)
        frame = frame[~((starts.month == 2) & (starts.day == 29))]
        n = len(frame)
    if n != HOURS_PER_YEAR:
        raise ThermalInputError(
            f"{path}: weather file has {n} hourly rows; a typical year needs exactly "
            f"{HOURS_PER_YEAR} (8784 for a leap year)"
        )
    tz = frame.index.tz
    frame = frame.copy()
    frame.index = pd.date_range(f"{TYPICAL_YEAR}-01-01", periods=HOURS_PER_YEAR, freq="h", tz=tz)
    return frame


def _check_values(frame: pd.DataFrame, path: Path) -> None:
    for col, (lo, hi) in _RANGES.items():
        values = frame[col]
        bad = values.isna() | (values < lo) | (values > hi)
        if bad.any():
            first = values.index[bad.to_numpy()][0]
            raise ThermalInputError(
                f"{path}: {int(bad.sum())} hour(s) with missing or implausible {col} "
                f"(first at {first:%m-%d %H:00}: {values[first]}); allowed range {lo}..{hi}. "
                "Fill the gaps in the file before using it."
            )


def _complete(
    dry_bulb_c, dew_point_c, pressure_pa, attrs: dict, extras: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Add RH and wet-bulb (derived from dry-bulb, dew point and pressure); the optional
    columns in ``extras`` (same index) follow the required ones."""
    dry = pd.Series(dry_bulb_c, dtype=float)
    dew = np.minimum(pd.Series(dew_point_c, index=dry.index, dtype=float), dry)
    pressure = pd.Series(
        np.broadcast_to(np.asarray(pressure_pa, float), dry.shape), index=dry.index
    )
    rh = relative_humidity_pct(dry, dew)
    out = pd.DataFrame(
        {
            "dry_bulb_c": dry,
            "dew_point_c": dew,
            "rh_pct": rh,
            "wet_bulb_c": wet_bulb_c(dry, rh, pressure),
            "pressure_pa": pressure,
        }
    )
    if extras is not None:
        for col in OPTIONAL_COLUMNS:
            if col in extras:
                out[col] = extras[col].to_numpy(float)
    out.attrs.update(attrs)
    return out


def warmed(weather: pd.DataFrame, delta_k: float) -> pd.DataFrame:
    """The same weather ``delta_k`` warmer: dry-bulb and dew point shifted, the rest derived.

    A simple climate-sensitivity case (and the basis of the "hotter climate never lowers
    air-cooled PUE" test, for a plant sized for the climate it runs in: a plant sized for
    a cooler climate trips in a hot one, and its PUE then falls with the heat it leaves
    unmet).

    Parameters
    ----------
    weather : DataFrame
        A weather frame.
    delta_k : float
        Shift of dry-bulb and dew point [K].

    Returns
    -------
    DataFrame
        A new weather frame with the same index and attrs.
    """
    validate_weather(weather)
    pressure = weather["pressure_pa"] if "pressure_pa" in weather else STANDARD_PRESSURE_PA
    attrs = dict(weather.attrs)
    attrs["source"] = f"{attrs.get('source', 'weather')}, shifted {delta_k:+g} K"
    return _complete(
        weather["dry_bulb_c"] + delta_k,
        weather["dew_point_c"] + delta_k,
        pressure,
        attrs,
        weather[[c for c in OPTIONAL_COLUMNS if c in weather]],
    )


def validate_weather(weather: pd.DataFrame, where: str = "weather") -> pd.DataFrame:
    """Check a weather frame given directly (not read by this module).

    The :data:`OPTIONAL_COLUMNS` are not required; those present are checked too: no
    missing hour, values within :data:`OPTIONAL_RANGES` (irradiance non-negative, wind
    0-75 m/s).

    Raises
    ------
    ThermalInputError
        Missing columns, NaN values, or an optional column with a missing or implausible
        hour (naming the column, the hour and the value).
    """
    if not isinstance(weather, pd.DataFrame):
        raise ThermalInputError(f"{where} must be a DataFrame, got {type(weather).__name__}")
    missing = [c for c in ("dry_bulb_c", "wet_bulb_c", "dew_point_c", "rh_pct") if c not in weather]
    if missing:
        raise ThermalInputError(
            f"{where} lacks column(s) {missing}; load it with thermal.weather.load_climate"
        )
    nan_cols = [
        c for c in ("dry_bulb_c", "wet_bulb_c", "dew_point_c", "rh_pct") if weather[c].isna().any()
    ]
    if nan_cols:
        raise ThermalInputError(f"{where} has missing values in {nan_cols}")
    for col, (lo, hi) in OPTIONAL_RANGES.items():
        if col not in weather:
            continue
        problem = _first_bad_hour(pd.to_numeric(weather[col], errors="coerce"), lo, hi)
        if problem:
            raise ThermalInputError(
                f"{where} column {col!r}: {problem}; give the {_QUANTITY[col]} "
                f"[{'m/s' if col == 'wind_speed_m_s' else 'W/m²'}] for every hour, or leave "
                "the column out"
            )
    return weather
