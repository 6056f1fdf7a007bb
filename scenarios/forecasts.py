"""Forecasts of the hourly signals: what a planner knows of carbon (and market prices)
at an issue hour.

A forecast issued at hour ``a`` uses the actual values of the hours before ``a`` only:
the hour that starts at ``a`` has not happened yet. Methods:

* ``persistence``: the last 24 hours known at the issue hour, repeated. The forecast of
  hour ``a + k`` is the value of hour ``a - 24 + (k mod 24)``.
* ``seasonal_naive``: the same hour one week earlier; beyond a week ahead, the last
  known week repeated (hour ``a + k`` takes hour ``a - 168 + (k mod 168)``). It keeps the
  weekday / weekend pattern that persistence loses. While less than a week of history is
  known at the issue hour it falls back to persistence (the same hour one day earlier).
* ``file``: a user's forecast file (:func:`read_forecast_file`).

Both built-in methods are the seasonal naive method of Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed. (2021), section 5.2, with a seasonal
period of 24 h and 168 h: the reference every carbon-intensity forecast is measured
against. Both need at least a day of history before the horizon.

What is forecast: the hourly series read from files (grid carbon intensity, market
prices). Time-of-use and flat tariffs are published in advance, so their price is known
exactly; a constant or annual carbon factor does not change by hour. Those signals are
used as they are (:mod:`scenarios.forecast_mode`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError
from scenarios.importers import (
    CARBON_G_PER_KWH,
    PRICE_PER_KWH,
    _numeric,
    _read_csv,
    _shown,
    first_row,
    parse_timestamps,
)

#: Forecast methods of a scenario's ``[forecast]``; "perfect" plans on the actual signals.
METHODS = ("perfect", "persistence", "seasonal_naive", "file")
#: Seasonal period of ``persistence`` [h]: one day (the daily cycle of solar and demand).
DAY_H = 24
#: Seasonal period of ``seasonal_naive`` [h]: one week (adds the weekday/weekend pattern).
WEEK_H = 168
#: History read before the horizon [h]: the longest period a built-in method looks back.
HISTORY_H = WEEK_H
#: Signal columns of a forecast file, with the bounds of their values (as the importers
#: bound them) and their unit.
SIGNALS = {
    "carbon_g_per_kwh": (CARBON_G_PER_KWH, "gCO2e/kWh"),
    "price_per_kwh": (PRICE_PER_KWH, "currency/kWh"),
}
#: Columns a forecast file may hold (headers in any case): the hour forecast, optionally
#: when the forecast was issued, and one column per forecast signal.
FILE_COLUMNS = ("timestamp", "issued", *SIGNALS)


class HistoryError(ValueError):
    """Too little history before an issue hour for a built-in method."""


def seasonal_naive(history: np.ndarray, lead_h: int, period_h: int) -> np.ndarray:
    """The last ``period_h`` values of ``history`` repeated over ``lead_h`` hours ahead.

    Parameters
    ----------
    history : array
        Values of the hours before the issue hour, oldest first [any unit].
    lead_h : int
        Hours to forecast [h].
    period_h : int
        Seasonal period [h].

    Returns
    -------
    ndarray
        ``lead_h`` values: hour ``k`` ahead takes ``history[-period_h + (k mod period_h)]``.

    Raises
    ------
    HistoryError
        Fewer than ``period_h`` values of history.
    """
    history = np.asarray(history, dtype=float)
    if len(history) < period_h:
        raise HistoryError(f"needs {period_h} h of history, has {len(history)} h")
    return np.resize(history[len(history) - period_h :], max(int(lead_h), 0))


def builtin_forecast(method: str, history: np.ndarray, lead_h: int) -> np.ndarray:
    """Forecast of the next ``lead_h`` hours by a built-in method (module doc).

    Parameters
    ----------
    method : {"persistence", "seasonal_naive"}
    history : array
        Every value known at the issue hour, oldest first [any unit].
    lead_h : int
        Hours to forecast [h].
    """
    if method == "persistence":
        return seasonal_naive(history, lead_h, DAY_H)
    if method == "seasonal_naive":
        period = WEEK_H if len(history) >= WEEK_H else DAY_H
        return seasonal_naive(history, lead_h, period)
    raise ValueError(f"unknown built-in forecast method {method!r}")


@dataclass(frozen=True)
class ForecastFile:
    """A user's forecast file as read: one row per (issue time, hour forecast).

    Attributes
    ----------
    path : str
    target : DatetimeIndex
        Hour each row forecasts (UTC hour starts).
    issued : DatetimeIndex or None
        When each row was issued (UTC); None when the file has no ``issued`` column (one
        forecast made before the run).
    values : dict
        Signal column -> values (carbon [gCO2e/kWh], price [currency/kWh]).
    notes : list of str
    """

    path: str
    target: pd.DatetimeIndex
    issued: pd.DatetimeIndex | None
    values: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)


def read_forecast_file(path: Path, *, naive: str = "utc", tz: str = "UTC") -> ForecastFile:
    """Read a forecast CSV, with the care of :mod:`scenarios.importers`.

    Columns (headers in any case): ``timestamp``, the hour forecast (its start);
    optionally ``issued``, when that forecast was made (a file without it is one forecast
    made before the run); and ``carbon_g_per_kwh`` [gCO2e/kWh] and/or ``price_per_kwh``
    [currency/kWh, the scenario's currency]. Timestamps with a UTC offset are used as
    they are, naive ones are read as UTC or site local time (``naive``). Every cell needs
    a finite value within the importers' bounds.

    Raises
    ------
    ScenarioError
        Naming the file and, where there is one, the row (the header is row 1) and column:
        unknown or missing columns, bad timestamps, a timestamp not on the hour, a value
        missing or out of bounds, an ``issued`` time after the hour it forecasts, a row
        repeating another's hour and issue time.
    """
    file = str(path)
    frame = _read_csv(path)
    names = {str(c).strip().lower(): c for c in frame.columns}
    for column in frame.columns:
        if str(column).strip().lower() not in FILE_COLUMNS:
            raise ScenarioError(
                f"column {_shown(column)} is not a forecast column; a forecast file has "
                f"'timestamp', optionally 'issued', and 'carbon_g_per_kwh' and/or "
                "'price_per_kwh'",
                file=file,
            )
    if "timestamp" not in names:
        raise ScenarioError("has no 'timestamp' column (the hour each row forecasts)", file=file)
    signals = [s for s in SIGNALS if s in names]
    if not signals:
        raise ScenarioError("has no forecast column; give 'carbon_g_per_kwh' and/or "
                            "'price_per_kwh'", file=file)
    notes: list[str] = []
    target = parse_timestamps(frame[names["timestamp"]], naive, tz, path, notes)
    issued = (parse_timestamps(frame[names["issued"]], naive, tz, path, notes)
              if "issued" in names else None)
    dropped = target.isna() | (issued.isna() if issued is not None else False)
    off_hour = ~dropped & ((target.minute != 0) | (target.second != 0))
    if off_hour.any():
        k, row = first_row(off_hour, frame.index)
        raise ScenarioError(
            f"row {row}, column 'timestamp': {target[k]:%Y-%m-%d %H:%M} UTC is not on "
            "the hour; a forecast gives one value per hour, at the hour's start",
            file=file,
        )
    values = {}
    for signal in signals:
        bounds, unit = SIGNALS[signal]
        numbers = _numeric(frame[names[signal]], str(names[signal]), path, bounds, unit)
        blank = numbers.isna().to_numpy() & ~np.asarray(dropped)
        if blank.any():
            raise ScenarioError(f"row {first_row(blank, numbers.index)[1]}, column "
                                f"{_shown(names[signal])}: "
                                "the value is empty; every forecast cell needs a number",
                                file=file)
        values[signal] = numbers.to_numpy(dtype=float)
    if issued is not None:
        late = ~np.asarray(dropped) & (issued > target + pd.Timedelta(0))
        if late.any():
            k, row = first_row(late, frame.index)
            raise ScenarioError(
                f"row {row}, column 'issued': {issued[k]:%Y-%m-%d %H:%M} UTC is after "
                f"the hour it forecasts ({target[k]:%Y-%m-%d %H:%M} UTC); a forecast is "
                "issued before its hour",
                file=file,
            )
    keys = pd.DataFrame({"t": target, "i": issued if issued is not None else target})
    repeated = keys.duplicated().to_numpy() & ~np.asarray(dropped)
    if repeated.any():
        k, row = first_row(repeated, frame.index)
        raise ScenarioError(
            f"row {row}: the hour {target[k]:%Y-%m-%d %H:%M} UTC is forecast twice"
            + (" with the same issue time" if issued is not None else "")
            + "; keep one row",
            file=file,
        )
    keep = ~np.asarray(dropped)
    return ForecastFile(
        path=file,
        target=target[keep],
        issued=issued[keep] if issued is not None else None,
        values={k: v[keep] for k, v in values.items()},
        notes=notes,
    )


@dataclass(frozen=True)
class SignalForecast:
    """One hourly signal as a planner sees it at any issue hour of the run.

    Attributes
    ----------
    name : str
        The signal (``carbon_g_per_kwh`` [gCO2e/kWh] or ``price_per_kwh`` [currency/kWh]).
    method : str
        ``persistence``, ``seasonal_naive`` or ``file``.
    known : ndarray
        Actual values: ``history_h`` hours before the horizon, then every horizon hour
        [the signal's unit]. A forecast issued at horizon hour ``a`` reads only
        ``known[: history_h + a]``.
    history_h : int
        Hours of history before the horizon's first hour [h].
    file_target_h, file_issued_h, file_values : ndarray or None
        Method ``file``: each row's hour (position in the horizon), the first horizon hour
        at which it is known (``-inf`` for a file without ``issued``) and its value.
    """

    name: str
    method: str
    known: np.ndarray
    history_h: int
    file_target_h: np.ndarray | None = None
    file_issued_h: np.ndarray | None = None
    file_values: np.ndarray | None = None

    @property
    def n_hours(self) -> int:
        """Hours of the horizon."""
        return len(self.known) - self.history_h

    def issued_at(self, a: int, end: int | None = None) -> np.ndarray:
        """The forecast of horizon hours ``a .. end - 1`` issued at horizon hour ``a``.

        Built-in methods read the actual values before ``a``; a file gives, for each hour,
        the latest row issued at or before ``a``, and hours no such row reaches take
        persistence (an operator extends a short forecast by its last day).

        Raises
        ------
        HistoryError
            Less than a day of history known at ``a``.
        """
        end = self.n_hours if end is None else end
        history = self.known[: self.history_h + a]
        if self.method != "file":
            return builtin_forecast(self.method, history, end - a)
        out = np.full(end - a, np.nan)
        rows = (self.file_issued_h <= a) & (self.file_target_h >= a) & (self.file_target_h < end)
        # rows are sorted by (hour, issue time): the last row of each hour is the newest
        target, value = self.file_target_h[rows], self.file_values[rows]
        newest = np.r_[target[1:] != target[:-1], True] if len(target) else np.zeros(0, bool)
        out[target[newest] - a] = value[newest]
        gaps = np.isnan(out)
        if gaps.any():
            out[gaps] = builtin_forecast("persistence", history, end - a)[gaps]
        return out


def file_forecast(name: str, forecast_file: ForecastFile, known: np.ndarray, history_h: int,
                  hours: pd.DatetimeIndex) -> SignalForecast:
    """The forecast of signal ``name`` a forecast file gives on the run's ``hours``.

    Raises
    ------
    ScenarioError
        The file has no column for the signal; a file without ``issued`` misses an hour
        of the horizon (the first is named); a file with ``issued`` forecasts no hour of
        the horizon at all.
    """
    file = forecast_file.path
    if name not in forecast_file.values:
        raise ScenarioError(f"has no '{name}' column, but the run's {name} is an hourly "
                            "series that is forecast; add the column", file=file)
    start = hours[0].tz_convert("UTC")
    target_h = np.asarray((forecast_file.target - start) / pd.Timedelta(hours=1))
    inside = (target_h >= 0) & (target_h < len(hours))
    target_h = target_h[inside].astype(np.int64)
    values = forecast_file.values[name][inside]
    if forecast_file.issued is None:
        issued_h = np.full(len(target_h), -np.inf)
        missing = np.setdiff1d(np.arange(len(hours)), target_h)
        if len(missing):
            raise ScenarioError(
                f"has no forecast for {hours[missing[0]].tz_convert('UTC'):%Y-%m-%d %H:%M} UTC "
                f"({len(missing)} of the run's {len(hours)} hours missing); a file without "
                "an 'issued' column must forecast every hour of the horizon",
                file=file,
            )
    else:
        # known from the first hour that starts at or after the issue time
        issued_h = np.ceil(np.asarray((forecast_file.issued - start) / pd.Timedelta(hours=1)))
        issued_h = issued_h[inside]
        if not len(target_h):
            raise ScenarioError(
                f"forecasts no hour of the run ({hours[0]:%Y-%m-%d %H:%M} to "
                f"{hours[-1]:%Y-%m-%d %H:%M}); check the file's dates and time zone",
                file=file,
            )
    _check_scale(name, values, known[history_h:], file)
    order = np.lexsort((issued_h, target_h))
    return SignalForecast(name, "file", known, history_h, target_h[order], issued_h[order],
                          values[order])


#: A forecast whose typical value is this many times the actual's (or its inverse) is in
#: another unit, not a bad forecast (judgement: day-ahead errors are tens of per cent;
#: per MWh against per kWh, or kg against g, is 1,000).
SCALE_RATIO = 20.0


def _check_scale(name: str, values: np.ndarray, actual: np.ndarray, file) -> None:
    """Refuse a forecast column whose median is :data:`SCALE_RATIO` times the actual
    signal's or less than its 1/SCALE_RATIO (a file in per MWh or kg read as per kWh or
    g: accepted silently, it moved every job by a factor of 1,000)."""
    forecast_mid = float(np.median(np.abs(values))) if len(values) else 0.0
    actual_mid = float(np.median(np.abs(actual))) if len(actual) else 0.0
    if forecast_mid <= 0 or actual_mid <= 0:
        return
    ratio = forecast_mid / actual_mid
    if ratio > SCALE_RATIO or ratio < 1 / SCALE_RATIO:
        unit = "gCO2e/kWh" if name == "carbon_g_per_kwh" else "currency per kWh"
        raise ScenarioError(
            f"column '{name}': its median {forecast_mid:g} is {ratio:.3g} times the actual "
            f"signal's ({actual_mid:g}) over the horizon: a forecast in another unit? give "
            f"it in {unit}, like the actual series", file=file)


def nmae_pct(forecast: SignalForecast, step_h: int = DAY_H) -> float:
    """Normalised mean absolute error of the day-ahead forecast [%].

    Forecasts are issued every ``step_h`` hours from the horizon's start, each for its next
    ``step_h`` hours; the error is sum |forecast - actual| / sum |actual| over the horizon.

    Parameters
    ----------
    forecast : SignalForecast
    step_h : int
        Issue interval and lead [h]; a day by default (the horizon of day-ahead planning).
    """
    n, h0 = forecast.n_hours, forecast.history_h
    predicted = np.concatenate([forecast.issued_at(a, min(a + step_h, n))
                                for a in range(0, n, step_h)])
    actual = forecast.known[h0:]
    scale = np.abs(actual).sum()
    return float(100.0 * np.abs(predicted - actual).sum() / scale) if scale else 0.0
