"""Importers for the hourly data users bring: carbon intensity, prices, carbon-free share.

Formats:

* **Electricity Maps** data-portal CSV: ``Datetime (UTC)`` plus ``Carbon Intensity
  gCO₂eq/kWh (direct)`` / ``(LCA)``, ``Low Carbon Percentage``, ``Renewable Percentage``.
* **plain** CSV: a timestamp column and a value column (``timestamp,value`` or any two
  named columns), e.g. a market's price export ``Datetime,Price (EUR/MWh)``.

Time zones are made explicit: timestamps with a UTC offset are used as they are; naive
ones are read as UTC or as the site's local clock time, as the scenario says. Local
clock time meets daylight saving: an hour that does not exist (spring forward) is
dropped, a repeated hour that appears once is taken as the first (summer-time) one, and
both are reported. Missing or duplicate hours are an error unless the scenario allows
filling; then every fill is reported. An empty value cell is a missing hour; any other
cell must be a finite number within the quantity's bounds.

Files are checked before parsing (a regular file, at most :data:`MAX_DATA_BYTES`, text
without NUL bytes) and every error names the file and, where there is one, the row (as
a spreadsheet numbers it: the header is row 1) and the column; cells are quoted cut to
40 characters.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError

_EM_CARBON = re.compile(r"carbon intensity gco.?eq/kwh \((direct|lca)\)", re.IGNORECASE)
_PRICE_UNIT = re.compile(r"\(([A-Za-z]{3})\s*/\s*(MWh|kWh)\)", re.IGNORECASE)

#: Largest data file read [bytes], checked before parsing: ten years of hourly values
#: take ~5 MB; pandas holds ~10-20x a file's size while parsing it
#: (optimizer.readers.MAX_CSV_BYTES is the same bound).
MAX_DATA_BYTES = 64 * 1024 * 1024
#: Years a timestamp may lie in: the horizon's years (scenarios.schema) with a year's
#: margin; pandas holds 1677-2262 only.
MIN_YEAR, MAX_YEAR = 1900, 2200
#: Bounds of the values, in the file's unit: grid intensity [gCO2e/kWh] (lignite is
#: ~1,100) and price [currency/kWh] (negative prices exist; 1,000 per kWh is a
#: per-MWh mistake), as the scenario schema bounds its constants.
CARBON_G_PER_KWH = (0.0, 2_000.0)
PRICE_PER_KWH = (-1_000.0, 1_000.0)


def _shown(value: object, limit: int = 40) -> str:
    """A cell or header quoted for a message, cut to ``limit`` characters."""
    text = str(value)
    return repr(text if len(text) <= limit else f"{text[: limit - 3]}...")


def _number_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


@dataclass
class Imported:
    """An hourly series read from a file, with what was done to it."""

    values: pd.Series  # UTC hour starts -> value
    unit: str
    source: str
    currency: str | None = None
    notes: list[str] = field(default_factory=list)


def read_data_bytes(path: Path, what: str = "CSV") -> bytes:
    """The bytes of a user's data file, checked before any parsing.

    Raises
    ------
    ScenarioError
        Missing, not a regular file (a folder, a device), larger than
        :data:`MAX_DATA_BYTES`, empty, or binary (NUL bytes).
    """
    file = str(path)
    if not path.is_file():
        if path.exists():
            raise ScenarioError(f"is not a regular file; give a {what} file", file=file)
        raise ScenarioError("file does not exist", file=file)
    size = path.stat().st_size
    if size > MAX_DATA_BYTES:
        raise ScenarioError(
            f"the file is {size / 2**20:,.0f} MB; coolshift reads data files of up to "
            f"{MAX_DATA_BYTES // 2**20} MB (keep only the hours you need)",
            file=file,
        )
    try:
        with open(path, "rb") as fh:
            content = fh.read(MAX_DATA_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot be read ({exc.strerror})", file=file) from None
    if len(content) > MAX_DATA_BYTES:  # grew since the check
        raise ScenarioError(f"larger than {MAX_DATA_BYTES // 2**20} MB", file=file)
    if not content.strip():
        raise ScenarioError(
            f"the file is empty; a {what} file with a header row is needed", file=file
        )
    if b"\x00" in content:
        raise ScenarioError(f"is a binary file, not a {what} text file", file=file)
    return content


def _read_csv(path: Path) -> pd.DataFrame:
    """The CSV as a table of stripped text cells (empty cells are empty text), indexed by
    each row's number as a spreadsheet shows the file (the header is row 1; blank lines
    count)."""
    content = read_data_bytes(path)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")  # exports from older tools; every byte decodes
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except Exception as exc:  # malformed CSV of any kind
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(f"cannot be read as CSV ({reason})", file=str(path)) from None
    if frame.empty:
        raise ScenarioError("has no data rows", file=str(path))
    from optimizer.readers import spreadsheet_rows  # the jobs reader's row numbers

    frame.index = spreadsheet_rows(text, len(frame))
    return frame.fillna("").apply(lambda col: col.astype(str).str.strip())


def first_row(mask, rows: pd.Index) -> tuple[int, int]:
    """The position of the first true entry of ``mask`` and the row that holds it as a
    spreadsheet shows the file: ``rows`` is the index of the table :func:`_read_csv` read
    (:func:`spreadsheet_rows`), or of a column of it."""
    k = int(np.flatnonzero(np.asarray(mask))[0])
    return k, int(rows[k])


def _timestamp_column(frame: pd.DataFrame, path: Path) -> str:
    for col in frame.columns:
        if str(col).strip().lower() in ("timestamp", "datetime", "datetime (utc)", "time", "date"):
            return col
    return frame.columns[0]


def _is_utc_header(column: str) -> bool:
    return "utc" in column.lower()


def parse_timestamps(
    raw: pd.Series, naive: str, tz: str, path: Path, notes: list[str]
) -> pd.DatetimeIndex:
    """Hour starts in UTC from timestamp strings.

    Parameters
    ----------
    raw : Series of str
    naive : {"utc", "local"}
        How to read timestamps without an offset.
    tz : str
        The site's IANA time zone (for ``naive="local"``).
    path : Path
        For messages.
    notes : list
        Receives a line per DST adjustment.
    """
    text = raw.astype(str).str.strip()
    column = _shown(raw.name)
    blank = (text == "").to_numpy()
    if blank.any():
        raise ScenarioError(
            f"row {first_row(blank, text.index)[1]}, column {column}: the timestamp is empty",
            file=str(path),
        )
    has_offset = text.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True)
    if has_offset.any() and not has_offset.all():
        k, row = first_row(~has_offset.to_numpy(), text.index)
        raise ScenarioError(
            f"row {row}: timestamp {_shown(text.iloc[k])} has no UTC offset while "
            "others do; use one convention for the whole file",
            file=str(path),
        )
    options = {"utc": True} if has_offset.all() else {}
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601", **options))
    except (ValueError, TypeError, OverflowError):
        stamps = pd.DatetimeIndex(
            pd.to_datetime(text, errors="coerce", format="ISO8601", **options)
        )
        bad = stamps.isna()
        k, row = first_row(bad, text.index) if bad.any() else (0, int(text.index[0]))
        raise ScenarioError(
            f"row {row}, column {column}: {_shown(text.iloc[k])} is not a timestamp "
            f"of the years {MIN_YEAR}..{MAX_YEAR} (use ISO 8601, e.g. 2023-01-01 00:00:00 "
            "or 2023-01-01T00:00:00+08:00)",
            file=str(path),
        ) from None
    years = stamps.year.to_numpy()
    outside = (years < MIN_YEAR) | (years > MAX_YEAR)
    if outside.any():
        k, row = first_row(outside, text.index)
        raise ScenarioError(
            f"row {row}, column {column}: {_shown(text.iloc[k])} lies outside the years "
            f"{MIN_YEAR}..{MAX_YEAR}",
            file=str(path),
        )
    if has_offset.all():
        return stamps
    if naive == "utc":
        return stamps.tz_localize("UTC")
    return _localize_local_clock(stamps, tz, path, notes)


def _localize_local_clock(
    stamps: pd.DatetimeIndex, tz: str, path: Path, notes: list[str]
) -> pd.DatetimeIndex:
    """Naive local clock times -> UTC, handling the two DST transitions explicitly."""
    # Nonexistent hours (spring forward) -> NaT, dropped by the caller.
    localized = stamps.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    missing = localized.isna()
    if not missing.any():
        return localized.tz_convert("UTC")
    # Tell nonexistent from ambiguous: an ambiguous time localises when we pick a side.
    as_dst = stamps.tz_localize(tz, ambiguous=np.ones(len(stamps), bool), nonexistent="NaT")
    nonexistent = missing & as_dst.isna()
    ambiguous = missing & ~as_dst.isna()
    result = localized.to_numpy().copy()
    if ambiguous.any():
        amb_values = stamps[ambiguous]
        counts = pd.Series(amb_values).value_counts()
        for value in amb_values.unique():
            positions = np.flatnonzero(stamps == value)
            if counts[value] >= 2:  # both occurrences present: summer time first
                result[positions[0]] = stamps[positions[0]].tz_localize(tz, ambiguous=True)
                result[positions[1]] = stamps[positions[1]].tz_localize(tz, ambiguous=False)
            else:
                result[positions[0]] = stamps[positions[0]].tz_localize(tz, ambiguous=True)
                notes.append(
                    f"{path.name}: {value:%Y-%m-%d %H:%M} occurs twice in {tz} (DST ends) but "
                    "once in the file; read as the first (summer-time) hour, so the second is missing"
                )
    if nonexistent.any():
        for value in stamps[nonexistent]:
            notes.append(
                f"{path.name}: {value:%Y-%m-%d %H:%M} does not exist in {tz} (DST starts); row dropped"
            )
    return pd.DatetimeIndex(pd.to_datetime(pd.Series(result), utc=True))


def _numeric(
    values: pd.Series,
    column: str,
    path: Path,
    bounds: tuple[float, float] | None = None,
    unit: str = "",
) -> pd.Series:
    """The cells as finite numbers (an empty cell is a missing hour: NaN), each within
    ``bounds`` if given.

    Raises
    ------
    ScenarioError
        The first cell that is no number, not finite (``nan``, ``inf``) or out of bounds,
        by row and column.
    """
    text = values.astype(str).str.strip()
    blank = (text == "").to_numpy()
    numbers = pd.to_numeric(text.where(~blank, None), errors="coerce").astype(float)
    bad = ~blank & ~np.isfinite(numbers.to_numpy())
    if bad.any():
        k, row = first_row(bad, text.index)
        cell = text.iloc[k]
        try:
            float(cell)
            what = "is not a finite number"
        except ValueError:
            what = "is not a number"
        raise ScenarioError(
            f"row {row}, column {_shown(column)}: {_shown(cell)} {what}", file=str(path)
        )
    if bounds is not None:
        low, high = bounds
        outside = ~blank & ((numbers.to_numpy() < low) | (numbers.to_numpy() > high))
        if outside.any():
            k, row = first_row(outside, text.index)
            raise ScenarioError(
                f"row {row}, column {_shown(column)}: {numbers.iloc[k]:g} {unit} is "
                f"outside the valid range {_number_text(low)}..{_number_text(high)} {unit}",
                file=str(path),
            )
    return numbers


def _finish(index: pd.DatetimeIndex, values: pd.Series, path: Path, notes: list[str]) -> pd.Series:
    series = pd.Series(values.to_numpy(float), index=index)
    series = series[~series.index.isna()]
    if series.index.has_duplicates:
        dupes = series.index[series.index.duplicated()].unique()
        raise ScenarioError(
            f"{len(dupes)} duplicate hour(s), first {dupes[0]:%Y-%m-%d %H:%M} UTC; remove the "
            "duplicates or check the time zone the file is read in",
            file=str(path),
        )
    series = series.sort_index()
    steps = series.index.to_series().diff().dropna()
    if len(steps) and steps.min() < pd.Timedelta(hours=1):
        series = series.resample("h").mean().dropna()
        notes.append(f"{path.name}: sub-hourly values averaged to hours")
    return series


def read_carbon(
    path: Path, *, column: str = "direct", naive: str = "utc", tz: str = "UTC"
) -> Imported:
    """Grid carbon intensity [g CO2e/kWh] from an Electricity Maps export or a plain CSV.

    Parameters
    ----------
    path : Path
    column : {"direct", "lca"}
        Electricity Maps column: direct (combustion) or life-cycle emissions.
    naive : {"utc", "local"}
        Zone of naive timestamps (Electricity Maps files are UTC by definition).
    tz : str
        Site time zone.
    """
    frame = _read_csv(path)
    notes: list[str] = []
    ts_col = _timestamp_column(frame, path)
    em_cols = {m.group(1).lower(): c for c in frame.columns if (m := _EM_CARBON.search(str(c)))}
    if em_cols:
        if column not in em_cols:
            raise ScenarioError(
                f"has no {column!r} carbon column; it has {sorted(em_cols)}", file=str(path)
            )
        value_col = em_cols[column]
        naive = "utc" if _is_utc_header(str(ts_col)) else naive
        source = f"Electricity Maps export {path.name} ({column}, average, consumption-based)"
    else:
        value_col = _value_column(frame, ts_col, path)
        source = f"{path.name} column {_shown(value_col)}"
    index = parse_timestamps(frame[ts_col], naive, tz, path, notes)
    values = _numeric(frame[value_col], str(value_col), path, CARBON_G_PER_KWH, "gCO2e/kWh")
    return Imported(_finish(index, values, path, notes), "g/kWh", source, notes=notes)


def read_carbon_free_share(path: Path, *, naive: str = "utc", tz: str = "UTC") -> Imported:
    """Hourly carbon-free share [0..1] from an Electricity Maps export ("Low Carbon
    Percentage") or a plain CSV in percent or as a fraction."""
    frame = _read_csv(path)
    notes: list[str] = []
    ts_col = _timestamp_column(frame, path)
    low = [c for c in frame.columns if str(c).strip().lower() == "low carbon percentage"]
    if low:
        value_col, scale = low[0], 0.01
        naive = "utc" if _is_utc_header(str(ts_col)) else naive
    else:
        value_col = _value_column(frame, ts_col, path)
        scale = None
    index = parse_timestamps(frame[ts_col], naive, tz, path, notes)
    values = _numeric(frame[value_col], str(value_col), path)
    if scale is None:
        scale = 0.01 if values.max() > 1.0 else 1.0
    values = values * scale
    outside = ((values < 0) | (values > 1.0 + 1e-9)).to_numpy()
    if outside.any():
        k, row = first_row(outside, values.index)
        shown = f"{values.iloc[k] * 100:g} %"
        raise ScenarioError(
            f"row {row}, column {_shown(value_col)}: carbon-free share {shown} is outside "
            "0..100 % (give percent or fractions 0..1 throughout)",
            file=str(path),
        )
    return Imported(
        _finish(index, values, path, notes), "-", f"{path.name} column {_shown(value_col)}", notes=notes
    )


def read_price(
    path: Path, *, naive: str = "utc", tz: str = "UTC", unit: str | None = None
) -> Imported:
    """Energy price [currency/kWh] from a plain CSV such as ``Datetime,Price (EUR/MWh)``.

    Parameters
    ----------
    naive : {"utc", "local"}
        Zone of naive timestamps: CAISO exports are UTC, many European ones local time.
    unit : {"per_kwh", "per_mwh"}, optional
        Needed when the header does not say (``Price (EUR/MWh)`` does).
    """
    frame = _read_csv(path)
    notes: list[str] = []
    ts_col = _timestamp_column(frame, path)
    value_col = _value_column(frame, ts_col, path)
    match = _PRICE_UNIT.search(str(value_col))
    currency = match.group(1).upper() if match else None
    header_unit = ("per_mwh" if match.group(2).lower() == "mwh" else "per_kwh") if match else None
    if unit and header_unit and unit != header_unit:
        raise ScenarioError(
            f"the scenario says prices are {unit} but the column {_shown(value_col)} says "
            f"{header_unit}",
            file=str(path),
        )
    unit = unit or header_unit
    if unit not in ("per_kwh", "per_mwh"):
        raise ScenarioError(
            f"cannot tell the unit of column {_shown(value_col)}; set grid.price.unit to 'per_kwh' "
            "or 'per_mwh'",
            file=str(path),
        )
    index = parse_timestamps(frame[ts_col], naive, tz, path, notes)
    per = 1000.0 if unit == "per_mwh" else 1.0
    bounds = (PRICE_PER_KWH[0] * per, PRICE_PER_KWH[1] * per)
    label = "per MWh" if unit == "per_mwh" else "per kWh"
    values = _numeric(frame[value_col], str(value_col), path, bounds, label)
    if unit == "per_mwh":
        values = values / 1000.0
    return Imported(
        _finish(index, values, path, notes),
        "currency/kWh",
        f"{path.name} column {_shown(value_col)}",
        currency=currency,
        notes=notes,
    )


def _value_column(frame: pd.DataFrame, ts_col: str, path: Path) -> str:
    others = [c for c in frame.columns if c != ts_col]
    for name in ("value", "price_per_kwh", "carbon_g_per_kwh"):
        for col in others:
            if str(col).strip().lower() == name:
                return col
    numeric = [c for c in others if pd.to_numeric(frame[c], errors="coerce").notna().mean() > 0.9]
    if len(numeric) == 1 or (numeric and len(others) == 1):
        return numeric[0]
    shown = ", ".join(_shown(c) for c in others[:5]) + (", ..." if len(others) > 5 else "")
    raise ScenarioError(
        f"cannot tell which column holds the values among [{shown}]; name it 'value'",
        file=str(path),
    )


def align_to_hours(imported: Imported, hours: pd.DatetimeIndex, fill: str, what: str) -> pd.Series:
    """The series on exactly the run's hours, filling gaps only if allowed.

    Parameters
    ----------
    imported : Imported
    hours : DatetimeIndex
        The run's hour starts (tz-aware).
    fill : {"error", "interpolate", "ffill"}
    what : str
        The scenario field, for messages (e.g. ``grid.carbon``).

    Raises
    ------
    ScenarioError
        When the file does not cover the hours, or hours are missing and ``fill`` is
        ``"error"``.
    """
    series = imported.values
    target = hours.tz_convert("UTC")
    first, last = series.index.min(), series.index.max()
    if target[0] < first - pd.Timedelta(hours=1) or target[-1] > last + pd.Timedelta(hours=1):
        raise ScenarioError(
            f"{imported.source} covers {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC but the "
            f"horizon runs {target[0]:%Y-%m-%d %H:%M} to {target[-1]:%Y-%m-%d %H:%M} UTC; "
            "move horizon.start or bring a file that covers it",
            field=what,
        )
    aligned = series.reindex(target)
    missing = aligned.isna()
    if missing.any():
        gaps = target[missing.to_numpy()]
        if fill == "error":
            raise ScenarioError(
                f"{int(missing.sum())} hour(s) missing from {imported.source} inside the horizon, "
                f"first {gaps[0]:%Y-%m-%d %H:%M} UTC; fix the file or set {what}.fill = "
                "'interpolate' (or 'ffill') to fill them",
                field=what,
            )
        if fill == "interpolate":
            aligned = series.reindex(series.index.union(target)).interpolate("time").reindex(target)
            aligned = aligned.ffill().bfill()
        else:
            aligned = aligned.ffill().bfill()
        imported.notes.append(
            f"{what}: {len(gaps)} missing hour(s) filled by {fill} "
            f"(first {gaps[0]:%Y-%m-%d %H:%M} UTC)"
        )
    aligned.index = hours
    return aligned
