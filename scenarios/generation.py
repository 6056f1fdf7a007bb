"""Reader of the hourly series a user brings in kW: on-site generation (``timestamp,kw``)
and a heat network's demand (``timestamp,kw_th``, :func:`read_heat_demand_csv`).

Instead of modelling PV or wind from the weather (:mod:`thermal.onsite`), a scenario may
give the site's measured or separately simulated output. The file has a timestamp column
(``timestamp``, ``datetime``, ``time`` or ``date``; else the first column) and a ``kw``
column: the mean AC power of each hour [kW], i.e. the kWh it delivered. It follows the
conventions of :mod:`scenarios.importers` (the same file checks, timestamps and
daylight-saving handling): timestamps with a UTC offset are used as they are; naive ones
are read as the site's local clock time (``naive="local"``, the default: what a plant's
monitoring exports) or as UTC. Sub-hourly rows are averaged to hours.

Every run hour must be in the file (hours outside the run are ignored), every value a
finite number >= 0: output is never negative (a plant's night-time consumption belongs to
the facility's load, not to its generation). Errors name the file and, where there is
one, the row (as a spreadsheet numbers it: the header is row 1) and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scenarios.errors import ScenarioError
from scenarios.importers import (
    _finish,
    _numeric,
    _read_csv,
    _shown,
    first_row,
    parse_timestamps,
)

#: Largest value accepted [kW]: 100 GW, far above any site (a Gigawatt campus is 1e6 kW):
#: a larger number is a unit mistake (W instead of kW).
MAX_GENERATION_KW = 1e8
#: Names of the timestamp column, as the importers recognise them.
_TIMESTAMP_NAMES = ("timestamp", "datetime", "datetime (utc)", "time", "date")


@dataclass(frozen=True)
class _Series:
    """What an hourly kW file holds, for its messages."""

    column: str  # the value column's name
    unit: str  # its unit
    kind: str  # "a generation file"
    meaning: str  # "the mean output of each hour in kW"
    value: str  # "the hour's output"
    zero: str  # what 0 means
    negative: str  # why a negative value is refused
    name: str  # the returned Series' name


GENERATION = _Series(
    "kw", "kW", "a generation file", "the mean output of each hour in kW", "the hour's output",
    "0 when the plant produced nothing",
    "on-site generation is >= 0 (a plant's own night-time use belongs to the load)",
    "generation_kw",
)  # fmt: skip
HEAT_DEMAND = _Series(
    "kw_th", "kW_th", "a heat demand file", "the heat the network takes in each hour in kW_th",
    "the hour's demand", "0 when it takes none", "a heat demand is >= 0", "heat_demand_kw_th",
)  # fmt: skip


def read_heat_demand_csv(path: str | Path, hours: pd.DatetimeIndex, *, naive: str = "local",
                         what: str = "heat_reuse") -> pd.Series:
    """A heat network's hourly demand [kW_th] from a ``timestamp,kw_th`` CSV, on the run's
    hours: the rules of :func:`read_generation_csv` (every run hour present, values
    finite, >= 0 and at most :data:`MAX_GENERATION_KW`)."""
    return read_generation_csv(path, hours, naive=naive, what=what, series=HEAT_DEMAND)


def read_generation_csv(
    path: str | Path,
    hours: pd.DatetimeIndex,
    *,
    naive: str = "local",
    what: str = "onsite.csv",
    series: _Series = GENERATION,
) -> pd.Series:
    """Hourly on-site generation [kW] from a ``timestamp,kw`` CSV, on the run's hours.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    hours : DatetimeIndex
        The run's hour starts, tz-aware (the site's time zone).
    naive : {"local", "utc"}
        How timestamps without a UTC offset are read: the site's clock time (in
        ``hours.tz``, daylight saving handled as by the importers) or UTC.
    what : str
        The scenario field naming the file, for every message (e.g. ``onsite.pv.csv``).
    series : _Series
        What the file holds (:data:`GENERATION`, :data:`HEAT_DEMAND`), for its column
        and messages.

    Returns
    -------
    Series
        ``generation_kw`` [kW] indexed by ``hours``; ``attrs["source"]`` names the file and
        ``attrs["notes"]`` lists what was adjusted (DST, sub-hourly averaging).

    Raises
    ------
    ScenarioError
        Naming the file: unreadable, no ``kw`` column (listing the columns found), a
        cell that is no number, a negative or implausible value (row and column), a
        duplicate hour, or run hours missing from the file (how many and the first).
    """
    try:
        return _read_series(Path(path), hours, naive, what, series)
    except ScenarioError as exc:  # every message names the scenario field of the file
        raise exc.under(what) from None


def _read_series(path: Path, hours: pd.DatetimeIndex, naive: str, what: str,
                 series: _Series) -> pd.Series:
    """:func:`read_generation_csv`'s reading and checks (its errors without the field)."""
    if not isinstance(hours, pd.DatetimeIndex) or hours.tz is None or len(hours) == 0:
        raise ScenarioError(f"{what}: the run's hours must be a non-empty tz-aware index")
    if naive not in ("local", "utc"):
        raise ScenarioError(f"{what}: naive = {naive!r}; use 'local' or 'utc'", file=str(path))
    frame = _read_csv(path)
    ts_col = _timestamp_column(frame, path)
    kw_col = _kw_column(frame, ts_col, path, series)
    notes: list[str] = []
    index = parse_timestamps(frame[ts_col], naive, hours.tz, path, notes)
    values = _numeric(frame[kw_col], str(kw_col), path)
    checks = (
        (values.isna(), lambda v: f"the value is empty; give {series.value} in {series.unit} "
                                  f"({series.zero})"),
        (values < 0, lambda v: f"{v:g} {series.unit} is negative; {series.negative}"),
        (values > MAX_GENERATION_KW, lambda v: (
            f"{v:,.0f} {series.unit} is above {MAX_GENERATION_KW:,.0f} {series.unit}; is the "
            f"column in W instead of {series.unit}?")),
    )
    for mask, say in checks:
        if mask.any():  # row numbers as a spreadsheet shows them (header = row 1)
            k, row = first_row(mask.to_numpy(), values.index)
            raise ScenarioError(f"row {row}, column {_shown(kw_col)}: "
                                f"{say(values.iloc[k])}", file=str(path))
    series = _finish(pd.DatetimeIndex(index).tz_convert("UTC"), values, path, notes)
    target = hours.tz_convert("UTC")
    aligned = series.reindex(target)
    missing = aligned.isna().to_numpy()
    if missing.any():
        first = hours[missing][0]
        raise ScenarioError(
            f"{int(missing.sum())} of the run's {len(hours)} hours are not in the file, first "
            f"{first:%Y-%m-%d %H:%M %Z} ({target[missing][0]:%Y-%m-%d %H:%M} UTC); give a row "
            f"for every hour of the run (the file covers {_covered(series)})",
            file=str(path),
        )
    out = pd.Series(aligned.to_numpy(float), index=hours, name=series.name)
    out.attrs["source"] = f"{path.name} column {_shown(kw_col)}"
    out.attrs["notes"] = notes
    return out


def _timestamp_column(frame: pd.DataFrame, path: Path) -> str:
    for col in frame.columns:
        if str(col).strip().lower() in _TIMESTAMP_NAMES:
            return col
    return frame.columns[0]


def _kw_column(frame: pd.DataFrame, ts_col: str, path: Path, series: _Series) -> str:
    for col in frame.columns:
        if col != ts_col and str(col).strip().lower() == series.column:
            return col
    shown = ", ".join(_shown(c) for c in list(frame.columns)[:6])
    shown += ", ..." if len(frame.columns) > 6 else ""
    raise ScenarioError(
        f"has no '{series.column}' column (columns: {shown}); {series.kind} has the columns "
        f"timestamp,{series.column} with {series.meaning}",
        file=str(path),
    )


def _covered(series: pd.Series) -> str:
    if series.empty:
        return "no hours"
    return f"{series.index.min():%Y-%m-%d %H:%M} to {series.index.max():%Y-%m-%d %H:%M} UTC"
