"""A deterministic synthetic hourly year from monthly climate normals.

Used for sites without an hourly typical-year file we may ship (the China cities of
``data/china_climate_normals.csv``, from the CSWD typical years). Adding a city is adding
its twelve rows of normals to that CSV: nothing here is specific to a city.

Method (all steps vectorised over days / hours):

1. Daily mean dry-bulb and dew point follow a smooth annual curve through the monthly
   means (periodic interpolation between mid-month values).
2. Day-to-day weather is an AR(1) anomaly (lag-1 correlation ``persistence``) whose
   standard deviation swings over the year (largest in winter); the dew-point anomaly
   is correlated with the temperature anomaly (``dew_point_correlation``).
3. Each month's anomalies and curve are then shifted so that the month's mean dry-bulb
   and dew point equal the normals exactly.
4. The hour-of-day shape is ASHRAE's fraction of the daily range, scaled by the month's
   mean daily range (max - min) with day-to-day variation ``daily_range_cv``.
5. Dew point is held through each day and capped at the dry-bulb (saturation).

A fixed seed per city (its WMO number) makes every call give the same year.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from thermal.errors import ThermalInputError
from thermal.params import param

#: Fraction of the daily temperature range below the daily maximum, for hours ending at
#: 01:00 ... 24:00 local time. Source: ASHRAE Handbook - Fundamentals (2009), ch. 14,
#: Table 6 "Fraction of Daily Temperature Range" (also in the 2013 and 2017 editions).
ASHRAE_DAILY_RANGE_FRACTION = np.array(
    [
        0.88,
        0.92,
        0.95,
        0.98,
        1.00,
        0.98,
        0.91,
        0.74,
        0.55,
        0.38,
        0.23,
        0.13,
        0.05,
        0.00,
        0.00,
        0.06,
        0.14,
        0.24,
        0.39,
        0.50,
        0.59,
        0.68,
        0.75,
        0.82,
    ]
)

#: Rounds of re-centring the capped dew point; the residual after 8 is < 0.01 K.
_DEW_POINT_ROUNDS = 8

NORMALS_COLUMNS = (
    "city",
    "province",
    "wmo",
    "latitude",
    "longitude",
    "altitude_m",
    "utc_offset_h",
    "month",
    "tmax_c",
    "tmin_c",
    "tmean_c",
    "rh_pct",
    "dewpoint_c",
    "source",
)


@dataclass(frozen=True)
class SyntheticWeatherParams:
    """Statistics of day-to-day weather not contained in monthly normals.

    All are overridable; the defaults are measured on the two CSWD typical years we can
    compare against (Beijing 54511 and Shanghai 58362), so for other cities they are an
    assumption.
    """

    daily_sd_k: float = param(
        2.8,
        "K",
        "annual mean std of daily-mean dry-bulb about its monthly mean; fitted to CSWD "
        "Beijing and Shanghai (2.79 K)",
    )
    daily_sd_seasonal_amplitude: float = param(
        0.15,
        "-",
        "relative annual swing of that std, largest in mid-winter; fitted to CSWD Beijing and "
        "Shanghai (0.15)",
    )
    persistence: float = param(
        0.65,
        "-",
        "lag-1 autocorrelation of daily anomalies; CSWD Beijing 0.60, Shanghai 0.68",
    )
    dew_point_sd_k: float = param(
        4.2,
        "K",
        "annual mean std of daily-mean dew point about its monthly mean; fitted to CSWD "
        "Beijing and Shanghai (4.23 K)",
    )
    dew_point_sd_seasonal_amplitude: float = param(
        0.33,
        "-",
        "relative annual swing of the dew-point std (humid summers vary little); fitted to "
        "CSWD Beijing and Shanghai (0.33)",
    )
    dew_point_correlation: float = param(
        0.6,
        "-",
        "correlation of daily dew-point and dry-bulb anomalies; CSWD Beijing 0.43, Shanghai 0.79",
    )
    daily_range_cv: float = param(
        0.3,
        "-",
        "coefficient of variation of the daily temperature range; CSWD Beijing and Shanghai "
        "0.3-0.4 (range std / mean range)",
    )
    year: int = param(2023, "-", "calendar year of the index (a non-leap year); judgement")


def load_normals() -> pd.DataFrame:
    """The packaged monthly normals (one row per city and month).

    Returns
    -------
    DataFrame
        Columns as in ``NORMALS_COLUMNS``; temperatures [°C], RH [%].
    """
    return _packaged_normals().copy()


@functools.cache
def _packaged_normals() -> pd.DataFrame:
    text = resources.files("thermal").joinpath("data/china_climate_normals.csv")
    with text.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def normals_cities() -> list[str]:
    """Cities with normals, as lower-case climate names (``beijing``, ``shanghai``, ...)."""
    return sorted(load_normals()["city"].str.lower().unique())


def city_normals(city: str, normals: pd.DataFrame | None = None) -> pd.DataFrame:
    """The twelve monthly rows of one city, sorted by month.

    Parameters
    ----------
    city : str
        City name, case-insensitive.
    normals : DataFrame, optional
        A normals table with the columns of :data:`NORMALS_COLUMNS`; default the packaged one.
    """
    normals = load_normals() if normals is None else normals
    missing = [c for c in NORMALS_COLUMNS if c not in normals.columns]
    if missing:
        raise ThermalInputError(f"climate normals lack columns {missing}")
    rows = normals[normals["city"].str.lower() == city.lower()].sort_values("month")
    if len(rows) != 12 or list(rows["month"]) != list(range(1, 13)):
        raise ThermalInputError(
            f"no complete set of monthly normals for city {city!r}; "
            f"cities with normals: {', '.join(sorted(normals['city'].str.lower().unique()))}"
        )
    return rows.reset_index(drop=True)


def _smooth_daily_curve(monthly_mean: np.ndarray, day_month: np.ndarray) -> np.ndarray:
    """Daily values following the monthly means smoothly, each month's mean exact.

    Periodic linear interpolation between mid-month anchor days, then a per-month shift
    so the mean over the month's days equals ``monthly_mean`` exactly.
    """
    n_days = len(day_month)
    month_len = np.bincount(day_month, minlength=13)[1:]
    mid_day = np.cumsum(month_len) - month_len / 2.0  # 0-based day of year of each mid-month
    anchors_x = np.concatenate([mid_day - n_days, mid_day, mid_day + n_days])
    anchors_y = np.tile(monthly_mean, 3)
    curve = np.interp(np.arange(n_days) + 0.5, anchors_x, anchors_y)
    return _recenter_by_month(curve, monthly_mean, day_month)


def _recenter_by_month(values: np.ndarray, target: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Shift ``values`` month by month so each month's mean equals ``target[month-1]``."""
    sums = np.bincount(month, weights=values, minlength=13)[1:]
    counts = np.bincount(month, minlength=13)[1:]
    shift = target - sums / counts
    return values + shift[month - 1]


def _ar1(rng: np.random.Generator, n: int, persistence: float) -> np.ndarray:
    """A unit-variance AR(1) series of length ``n`` (stationary start)."""
    shocks = rng.standard_normal(n) * np.sqrt(1.0 - persistence**2)
    out = np.empty(n)
    out[0] = rng.standard_normal()
    # A recursion over days (365 steps, microseconds), not hours. (scipy.signal.lfilter
    # gives the same numbers but takes ~1 s to import, which the app's first page felt.)
    for day in range(1, n):
        out[day] = persistence * out[day - 1] + shocks[day]
    return out


def synthetic_year(
    city: str,
    params: SyntheticWeatherParams | None = None,
    normals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A deterministic synthetic hourly year for a city with monthly normals.

    Parameters
    ----------
    city : str
        City name, case-insensitive (see :func:`normals_cities`).
    params : SyntheticWeatherParams, optional
        Day-to-day statistics; defaults documented on the class.
    normals : DataFrame, optional
        Monthly normals table (default: the packaged CSWD normals); adding a city is
        adding its twelve rows.

    Returns
    -------
    DataFrame
        8760 hourly rows indexed by hour start in local standard time, columns
        ``dry_bulb_c`` [°C], ``dew_point_c`` [°C]. Pressure is added by the caller from
        the altitude; ``attrs`` carry latitude, longitude, altitude_m, utc_offset_h.
    """
    p = params or SyntheticWeatherParams()
    rows = city_normals(city, normals)
    first = rows.iloc[0]
    seed = int(first["wmo"])
    rng = np.random.default_rng(seed)

    tz = f"Etc/GMT{-int(first['utc_offset_h']):+d}" if first["utc_offset_h"] else "UTC"
    index = pd.date_range(f"{p.year}-01-01", periods=8760, freq="h", tz=tz)
    days = pd.date_range(f"{p.year}-01-01", periods=365, freq="D")
    day_month = days.month.to_numpy()

    tmean = rows["tmean_c"].to_numpy(float)
    t_range = (rows["tmax_c"] - rows["tmin_c"]).to_numpy(float)
    dew = rows["dewpoint_c"].to_numpy(float)

    # Day-to-day variability is largest in mid-winter: a cosine over the year peaking on
    # 15 January (15 July south of the equator).
    winter_peak_day = 14 if first["latitude"] >= 0 else 195
    season = np.cos(2 * np.pi * (np.arange(365) - winter_peak_day) / 365.0)
    t_sd = p.daily_sd_k * (1 + p.daily_sd_seasonal_amplitude * season)
    dew_sd = p.dew_point_sd_k * (1 + p.dew_point_sd_seasonal_amplitude * season)
    z_t = _ar1(rng, 365, p.persistence)
    z_own = _ar1(rng, 365, p.persistence)
    rho = p.dew_point_correlation
    t_anom = t_sd * z_t
    dew_anom = dew_sd * (rho * z_t + np.sqrt(1 - rho**2) * z_own)
    range_factor = np.clip(1.0 + p.daily_range_cv * rng.standard_normal(365), 0.2, 2.5)

    daily_mean = _smooth_daily_curve(tmean, day_month) + t_anom
    daily_range = _smooth_daily_curve(t_range, day_month) * range_factor
    daily_dew = _smooth_daily_curve(dew, day_month) + dew_anom

    # Hour-of-day shape: T = Tmax - f * range, with f of ASHRAE (hour-ending 1..24, so
    # hour starting h uses entry h); centred so the day averages its daily mean.
    frac = ASHRAE_DAILY_RANGE_FRACTION
    shape = frac.mean() - frac  # zero-mean, + in the afternoon
    hourly = np.repeat(daily_mean, 24) + np.repeat(daily_range, 24) * np.tile(shape, 365)
    hour_month = index.month.to_numpy()
    hourly = _recenter_by_month(hourly, tmean, hour_month)

    # Saturation caps the dew point at the dry-bulb; re-centre and cap again so the
    # month's mean dew point still equals the normal (converges in a few rounds).
    hourly_dew = np.repeat(daily_dew, 24)
    for _ in range(_DEW_POINT_ROUNDS):
        hourly_dew = np.minimum(_recenter_by_month(hourly_dew, dew, hour_month), hourly)

    out = pd.DataFrame({"dry_bulb_c": hourly, "dew_point_c": hourly_dew}, index=index)
    out.attrs.update(
        name=str(first["city"]),
        latitude=float(first["latitude"]),
        longitude=float(first["longitude"]),
        altitude_m=float(first["altitude_m"]),
        utc_offset_h=float(first["utc_offset_h"]),
        source=(f"synthetic hourly year (seed {seed}) from monthly normals: {first['source']}"),
    )
    return out
