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
filling; then every fill is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError

_EM_CARBON = re.compile(r"carbon intensity gco.?eq/kwh \((direct|lca)\)", re.IGNORECASE)
_PRICE_UNIT = re.compile(r"\(([A-Za-z]{3})\s*/\s*(MWh|kWh)\)", re.IGNORECASE)


@dataclass
class Imported:
    """An hourly series read from a file, with what was done to it."""

    values: pd.Series  # UTC hour starts -> value
    unit: str
    source: str
    currency: str | None = None
    notes: list[str] = field(default_factory=list)


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ScenarioError("file does not exist", file=str(path))
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except UnicodeDecodeError:
        frame = pd.read_csv(path, encoding="latin-1")
    except Exception as exc:  # malformed CSV of any kind
        raise ScenarioError(f"cannot be read as CSV ({exc})", file=str(path)) from None
    if frame.empty:
        raise ScenarioError("has no data rows", file=str(path))
    return frame


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
    has_offset = text.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True)
    if has_offset.all():
        try:
            return pd.DatetimeIndex(pd.to_datetime(text, utc=True, format="ISO8601"))
        except (ValueError, TypeError) as exc:
            raise ScenarioError(f"unreadable timestamps ({exc})", file=str(path)) from None
    if has_offset.any():
        row = int(np.flatnonzero(~has_offset.to_numpy())[0]) + 2
        raise ScenarioError(
            f"row {row}: timestamp {text.iloc[row - 2]!r} has no UTC offset while others do; "
            "use one convention for the whole file",
            file=str(path),
        )
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601"))
    except (ValueError, TypeError):
        bad = pd.to_datetime(text, errors="coerce", format="ISO8601").isna()
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise ScenarioError(
            f"row {row}: {text.iloc[row - 2]!r} is not a timestamp (use ISO 8601, "
            "e.g. 2023-01-01 00:00:00 or 2023-01-01T00:00:00+08:00)",
            file=str(path),
        ) from None
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


def _numeric(values: pd.Series, column: str, path: Path) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna() & (values.astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise ScenarioError(
            f"row {row}, column {column!r}: {values.iloc[row - 2]!r} is not a number",
            file=str(path),
        )
    return numbers.astype(float)


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
        source = f"{path.name} column {value_col!r}"
    index = parse_timestamps(frame[ts_col], naive, tz, path, notes)
    values = _numeric(frame[value_col], str(value_col), path)
    if (values < 0).any():
        row = int(np.flatnonzero((values < 0).to_numpy())[0]) + 2
        raise ScenarioError(f"row {row}: carbon intensity must not be negative", file=str(path))
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
    if ((values < 0) | (values > 1.0 + 1e-9)).any():
        raise ScenarioError("carbon-free share must lie within 0..100 %", file=str(path))
    return Imported(
        _finish(index, values, path, notes), "-", f"{path.name} column {value_col!r}", notes=notes
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
            f"the scenario says prices are {unit} but the column {value_col!r} says {header_unit}",
            file=str(path),
        )
    unit = unit or header_unit
    if unit not in ("per_kwh", "per_mwh"):
        raise ScenarioError(
            f"cannot tell the unit of column {value_col!r}; set grid.price.unit to 'per_kwh' "
            "or 'per_mwh'",
            file=str(path),
        )
    index = parse_timestamps(frame[ts_col], naive, tz, path, notes)
    values = _numeric(frame[value_col], str(value_col), path)
    if unit == "per_mwh":
        values = values / 1000.0
    return Imported(
        _finish(index, values, path, notes),
        "currency/kWh",
        f"{path.name} column {value_col!r}",
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
    raise ScenarioError(
        f"cannot tell which column holds the values among {others}; name it 'value'",
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
