"""Signal forecasts: exact values of the built-in methods, no look into the future, the
forecast file reader's errors, and the rolling horizon's forecast hook (no solver)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer import make_jobs, prepare_problem
from optimizer.rolling import issued
from scenarios.errors import ScenarioError
from scenarios.forecasts import (
    HistoryError,
    SignalForecast,
    builtin_forecast,
    file_forecast,
    nmae_pct,
    read_forecast_file,
    seasonal_naive,
)
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict

T0 = pd.Timestamp("2023-03-06T00:00", tz="UTC")


def _write(tmp_path: Path, lines: list[str], name: str = "forecast.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------ built-in methods


def test_persistence_repeats_the_last_day_known():
    history = np.arange(48.0)  # hours -48..-1 before the issue hour
    got = builtin_forecast("persistence", history, 30)
    assert got.tolist() == list(range(24, 48)) + list(range(24, 30))


def test_seasonal_naive_takes_the_same_hour_a_week_before():
    history = np.arange(200.0)
    got = builtin_forecast("seasonal_naive", history, 170)
    # hour k ahead = the hour 168 h before it; beyond a week, the last week again
    assert got[0] == 200 - 168 and got[167] == 199 and got[168] == 32 and got[169] == 33


def test_seasonal_naive_falls_back_to_one_day_while_a_week_is_not_known():
    history = np.arange(100.0)
    assert builtin_forecast("seasonal_naive", history, 26).tolist() == \
        builtin_forecast("persistence", history, 26).tolist() == \
        [*range(76, 100), 76, 77]


def test_less_than_a_day_of_history_is_refused():
    with pytest.raises(HistoryError, match="24 h"):
        seasonal_naive(np.arange(23.0), 5, 24)
    with pytest.raises(HistoryError):
        builtin_forecast("seasonal_naive", np.arange(10.0), 5)


# ------------------------------------------------------------------ no future leak


def _file_signal(known: np.ndarray, history_h: int, tmp_path: Path) -> SignalForecast:
    """A forecast file with two vintages: issued at the horizon start (hours 0..47) and
    at hour 24 (hours 24..71), values that differ from the actual ones."""
    rows = ["timestamp,issued,carbon_g_per_kwh"]
    for t in range(48):
        rows.append(f"{(T0 + pd.Timedelta(hours=t)).isoformat()},{T0.isoformat()},{300 + t}")
    for t in range(24, 72):
        issue = T0 + pd.Timedelta(hours=24)
        rows.append(f"{(T0 + pd.Timedelta(hours=t)).isoformat()},{issue.isoformat()},{500 + t}")
    read = read_forecast_file(_write(tmp_path, rows))
    hours = pd.date_range(T0, periods=len(known) - history_h, freq="h")
    return file_forecast("carbon_g_per_kwh", read, known, history_h, hours)


@pytest.mark.parametrize("method", ["persistence", "seasonal_naive", "file"])
def test_a_forecast_never_changes_when_the_future_changes(method, tmp_path):
    rng = np.random.default_rng(3)
    history_h, n = 168, 96
    known = rng.uniform(50, 500, history_h + n)
    for a in (0, 1, 23, 24, 50, 95):
        make = (lambda k: _file_signal(k, history_h, tmp_path)) if method == "file" else \
            (lambda k: SignalForecast("carbon_g_per_kwh", method, k, history_h))
        before = make(known).issued_at(a)
        future = known.copy()
        future[history_h + a:] = rng.uniform(50, 500, n - a)  # the hours from a on
        assert np.array_equal(make(future).issued_at(a), before), (method, a)
        # ... while the past does matter (the test could fail)
        past = known.copy()
        past[: history_h + a] += 1.0
        changed = make(past).issued_at(a)
        if method != "file" or a >= 48:  # beyond the file's reach: persistence on the past
            assert not np.array_equal(changed, before), (method, a)


def test_a_file_gives_the_latest_forecast_issued_by_then_and_persistence_beyond(tmp_path):
    history_h = 24
    known = np.concatenate((np.arange(24.0), np.full(72, 999.0)))
    signal = _file_signal(known, history_h, tmp_path)
    at0 = signal.issued_at(0)
    assert at0[:48].tolist() == [300 + t for t in range(48)]
    assert at0[48:].tolist() == [float(t % 24) for t in range(48, 72)]  # persistence: known[:24]
    at24 = signal.issued_at(24)  # the newer vintage replaces the older from hour 24 on
    assert at24.tolist() == [500 + t for t in range(24, 72)]
    at23 = signal.issued_at(23)  # issued at 24: not yet known at 23
    assert at23[:25].tolist() == [300 + t for t in range(23, 48)]


def test_nmae_is_the_day_ahead_error_over_the_horizon():
    history = np.full(24, 100.0)
    horizon = np.concatenate((np.full(24, 110.0), np.full(24, 110.0)))
    signal = SignalForecast("carbon_g_per_kwh", "persistence", np.concatenate((history, horizon)), 24)
    # day 1 forecast 100 (error 10), day 2 forecast 110 (the day before: error 0)
    assert nmae_pct(signal) == pytest.approx(100 * 24 * 10 / (48 * 110))


# ------------------------------------------------------------------ the forecast file


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        (["timestamp,carbon,extra", "2023-03-06T00:00Z,1,2"], "column 'carbon' is not a forecast column"),
        (["when,carbon_g_per_kwh", "2023-03-06T00:00Z,1"], "column 'when' is not a forecast"),
        (["issued,carbon_g_per_kwh", "2023-03-06T00:00Z,1"], "has no 'timestamp' column"),
        (["timestamp,issued", "2023-03-06T00:00Z,2023-03-05T00:00Z"], "has no forecast column"),
        (["timestamp,carbon_g_per_kwh", "2023-03-06T00:00Z,100", "yesterday,100"], "row 3"),
        (["timestamp,carbon_g_per_kwh", "2023-03-06T00:30Z,100"], "row 2, column 'timestamp'"),
        (["timestamp,carbon_g_per_kwh", "2023-03-06T00:00Z,100", "2023-03-06T01:00Z,"],
         "row 3, column 'carbon_g_per_kwh': the value is empty"),
        (["timestamp,carbon_g_per_kwh", "2023-03-06T00:00Z,abc"], "row 2, column 'carbon_g_per_kwh'"),
        (["timestamp,carbon_g_per_kwh", "2023-03-06T00:00Z,5000"], "outside the valid range"),
        (["timestamp,price_per_kwh", "2023-03-06T00:00Z,nan"], "is not a finite number"),
        (["timestamp,issued,carbon_g_per_kwh", "2023-03-06T00:00Z,2023-03-06T02:00Z,100"],
         "row 2, column 'issued'"),
        (["timestamp,carbon_g_per_kwh", "2023-03-06T00:00Z,100", "2023-03-06T00:00Z,120"],
         "row 3: the hour 2023-03-06 00:00 UTC is forecast twice"),
        (["timestamp,carbon_g_per_kwh"], "has no data rows"),
    ],
)
def test_forecast_file_errors_name_the_file_row_and_column(tmp_path, lines, fragment):
    path = _write(tmp_path, lines)
    with pytest.raises(ScenarioError) as err:
        read_forecast_file(path)
    assert str(path) in str(err.value) and fragment in str(err.value), str(err.value)


def test_a_forecast_file_without_issue_times_must_cover_every_hour(tmp_path):
    rows = ["Timestamp,Carbon_g_per_kWh"] + [
        f"{(T0 + pd.Timedelta(hours=t)).isoformat()},{100 + t}" for t in range(48) if t != 30]
    read = read_forecast_file(_write(tmp_path, rows))
    hours = pd.date_range(T0, periods=48, freq="h")
    with pytest.raises(ScenarioError, match="no forecast for 2023-03-07 06:00 UTC"):
        file_forecast("carbon_g_per_kwh", read, np.zeros(72), 24, hours)
    with pytest.raises(ScenarioError, match="no 'price_per_kwh' column"):
        file_forecast("price_per_kwh", read, np.zeros(72), 24, hours)
    whole = file_forecast("carbon_g_per_kwh", read, np.zeros(54), 24, hours[:30])
    assert whole.issued_at(0).tolist() == [100.0 + t for t in range(30)]


def test_naive_local_forecast_timestamps_follow_the_site_clock(tmp_path):
    path = _write(tmp_path, ["timestamp,carbon_g_per_kwh", "2023-03-06 01:00,100"])
    read = read_forecast_file(path, naive="local", tz="Europe/Berlin")
    assert read.target[0] == T0  # 01:00 CET is 00:00 UTC


# ------------------------------------------------------------------ schema and hook


@pytest.mark.parametrize(
    ("forecast", "fragment"),
    [
        ({"method": "file"}, "method = 'file' needs file"),
        ({"method": "persistence", "file": "f.csv"}, "file is read only with method = 'file'"),
        ({"method": "oracle"}, "forecast.method"),
    ],
)
def test_the_forecast_section_is_validated(forecast, fragment):
    data = example_data("default")
    data["forecast"] = forecast
    with pytest.raises(ScenarioError, match=fragment):
        scenario_from_dict(data)


def test_the_hook_replaces_the_signals_from_the_issue_hour_on_and_checks_its_output():
    hours = pd.date_range(T0, periods=10, freq="h")
    signals = pd.DataFrame({"price_per_kwh": np.ones(10), "carbon_g_per_kwh": np.full(10, 7.0)},
                           index=hours)
    problem = prepare_problem(make_jobs(1, hours, seed=1, duration_h=(1, 1), slack_h=(1, 1)),
                              signals)
    view = issued(problem, 4, lambda a: (np.full(10 - a, 2.0), np.arange(10.0 - a)))
    assert view.carbon_g_per_kwh[0].tolist() == [7.0] * 4 + list(range(6))
    assert view.price_per_kwh[0].tolist() == [1.0] * 4 + [2.0] * 6
    assert problem.carbon_g_per_kwh[0].tolist() == [7.0] * 10  # the original is kept
    with pytest.raises(ValueError, match="must give 6 finite carbon values"):
        issued(problem, 4, lambda a: (np.ones(10 - a), np.ones(5)))
    with pytest.raises(ValueError, match="finite price"):
        issued(problem, 4, lambda a: (np.full(10 - a, np.nan), np.ones(10 - a)))
