"""A deterministic synthetic hourly year from monthly climate normals.

Used for sites without an hourly typical-year file we may ship (the China cities of
``data/china_climate_normals.csv``, from the CSWD typical years). Adding a city is adding
its twelve rows of normals to that CSV: nothing here is specific to a city.

Method (all steps vectorised over days / hours; the defaults and where they come from
are on :class:`SyntheticWeatherParams`):

1. Daily mean dry-bulb follows a smooth annual curve through the monthly means (periodic
   interpolation between mid-month values) plus an AR(1) anomaly (lag-1 correlation
   ``persistence``) whose standard deviation swings over the year (largest in winter).
2. Like a typical meteorological year, whose months are picked for typical
   distributions, every month gets a typical spread: each month's daily anomalies
   (temperature, the air's own dryness, the daily range) are mapped, rank for rank, onto
   the standard-normal quantiles. The random draw decides only the order of the days, so
   persistence and correlations remain but a year cannot hold an untypical heat wave.
3. The hour-of-day shape is ASHRAE's fraction of the daily range, scaled by the day's
   range: the month's mean daily range (max - min) plus a day-to-day spread whose standard
   deviation grows with the square root of the mean range (``daily_range_sd_coefficient``:
   in cloudy climates, where the mean range is small, clear days still reach a large
   range, so the relative spread is larger). Clear days are dry days: the range shares
   the dryness series. Each month's mean dry-bulb equals its normal.
4. Humidity is generated as the dew-point depression (dry-bulb minus dew point), the
   quantity that says how near saturation the air is, not as a dew point:

   a. The day's mean depression is the month's normal depression (mean dry-bulb minus
      mean dew point) times a positive gamma-distributed factor (mean 1; the variation
      ``depression_cv`` is larger in humid months), plus a slope on the day's temperature
      anomaly. The factor (the air mass) correlates with the temperature anomaly,
      negatively in winter (warm days bring moist air, cold outbreaks are dry) and
      positively in summer; the slope (warming at unchanged moisture) makes hot summer
      days drier and cool, rainy summer days near-saturated, so a heat wave does not
      carry the dew point up with it.
   b. Through the day the air keeps its dew point, with hour-to-hour weather (showers,
      fronts, sea breezes) as an AR(1) wobble whose size grows with the depression. The
      depression therefore follows the temperature: large in the afternoon, small at dawn.
   c. Where the night's cooling would take the air past saturation, water condenses (dew,
      frost, fog): the dew point follows the temperature down and the depression
      approaches zero smoothly (a soft floor of width ``condensation_scale_k``) instead of
      being capped at the dry-bulb, which made every humid night saturated.
   d. An hour near saturation is saturated (fog, drizzle) with probability
      exp(-deficit / ``fog_deficit_scale_hpa``), the deficit being the vapour pressure the
      air lacks to saturation over liquid water. At the same depression, cold air lacks
      less water, so saturated hours are more frequent in the cool season, as fog is;
      below 0 °C fog needs saturation over water, above the frost point.
   e. Each month's own depressions are scaled (bisection) so its mean dew point equals
      the normal.

The monthly mean relative humidity of the normals is not an input; the method reproduces
it to within about 3 points (``docs/physics-validation.md``, "Synthetic weather", which
also compares the saturated hours, design temperatures and free cooling with the CSWD
years of Beijing and Shanghai).

A fixed seed per city (its WMO number) makes every call give the same year.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable
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

#: Bisection steps for each month's depression factor: the bracket shrinks by 2**40,
#: far below the 0.1 K of a weather file.
_SHIFT_BISECTIONS = 40
#: Bracket of that factor [-]; below 0 the factor is 0 and the free depression is
#: shifted down by ``_SHIFT_K`` per unit (a month more humid than any scaling gives).
_FACTOR_BRACKET = (-3.0, 4.0)
_SHIFT_K = 10.0
#: The variation of the day's depression is ``depression_cv`` at this mean depression
#: [K] and scales as (this / mean depression) ** ``depression_cv_exponent``; the mean is
#: floored at ``_DEPRESSION_CV_FLOOR_K`` in that scaling.
_DEPRESSION_CV_REFERENCE_K = 5.0
_DEPRESSION_CV_FLOOR_K = 0.5

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
    """Statistics of day-to-day and hour-to-hour weather not contained in monthly normals.

    All are overridable. Those "measured" are statistics of the two CSWD typical years we
    can compare against (Beijing 54511 and Shanghai 58362), about each month's own mean,
    the same in both within the range given; for other cities they are an assumption.
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
        "lag-1 autocorrelation of daily temperature anomalies; CSWD Beijing 0.60, Shanghai 0.68",
    )
    daily_range_sd_coefficient: float = param(
        1.0,
        "K^0.5",
        "std of the daily range (max - min) = this x sqrt(month's mean range); measured: "
        "CSWD Beijing 3.3 K at a 10.6 K mean range, Shanghai 2.5 K at 6.2 K (both 1.0)",
    )
    depression_cv: float = param(
        0.45,
        "-",
        "coefficient of variation of the day's own depression (gamma distributed) at a 5 K "
        "mean depression; measured: CSWD Beijing 0.45, Shanghai 0.45 (monthly, after the "
        "part tied to the temperature anomaly is removed)",
    )
    depression_cv_exponent: float = param(
        0.2,
        "-",
        "that variation scales as (5 K / mean depression) ** this (humid months vary more "
        "relative to their mean); measured: log-log fit over the 24 months of CSWD Beijing "
        "and Shanghai, exponent 0.197 (correlation -0.45)",
    )
    depression_persistence: float = param(
        0.5,
        "-",
        "lag-1 autocorrelation of the daily depression; measured: CSWD Beijing 0.41, Shanghai 0.56",
    )
    depression_temperature_slope: float = param(
        0.05,
        "K/K",
        "annual mean change of the day's depression per K of temperature anomaly (the part "
        "at unchanged moisture: sunny warming dries, rain-cooled air is saturated); half of "
        "the measured regression slope (CSWD Beijing and Shanghai, least-squares cosine "
        "0.11 - 0.30 cos), the other half carried by the correlation below; judgement split",
    )
    depression_temperature_slope_swing: float = param(
        0.15,
        "K/K",
        "that slope is lower by this in mid-winter and higher in mid-summer; same source",
    )
    depression_temperature_correlation: float = param(
        0.1,
        "-",
        "annual mean correlation of the day's own depression factor with the temperature "
        "anomaly (air mass: humid air masses are warm in winter, cloudy and cool in summer); "
        "measured: least-squares cosine through the monthly correlations of CSWD Beijing and "
        "Shanghai",
    )
    depression_temperature_correlation_swing: float = param(
        0.32,
        "-",
        "that correlation is lower by this in mid-winter (-0.22) and higher in mid-summer "
        "(+0.42); same fit",
    )
    depression_range_correlation: float = param(
        0.6,
        "-",
        "correlation of the daily range with the air's own dryness (clear days: large range, "
        "dry air); measured corr(range, depression): CSWD Beijing and Shanghai May-Sep "
        "0.25-0.82, median 0.6",
    )
    hourly_depression_sd_k: float = param(
        0.4,
        "K",
        "hour-to-hour std of the dew point about the day's value, fixed part; measured as the "
        "residual std of the hourly depression about the day's course: 0.5-0.7 K on days "
        "with a depression below 2 K, CSWD Beijing and Shanghai",
    )
    hourly_depression_sd_fraction: float = param(
        0.15,
        "-",
        "that std grows by this fraction of the day's mean depression; measured: 0.17-0.26 "
        "of the depression on drier days, CSWD Beijing and Shanghai",
    )
    hourly_persistence: float = param(
        0.85,
        "-",
        "hour-to-hour (lag-1) autocorrelation of that wobble; measured: CSWD Beijing 0.85, "
        "Shanghai 0.87",
    )
    condensation_scale_k: float = param(
        1.4,
        "K",
        "width of the soft floor of the depression where night cooling would pass "
        "saturation (dew and frost keep the air just below it); judgement, checked "
        "against the saturated-hour shares of CSWD Beijing and Shanghai",
    )
    fog_deficit_scale_hpa: float = param(
        0.2,
        "hPa",
        "an hour is saturated (fog, drizzle) with probability exp(-deficit / this), deficit "
        "= saturation vapour pressure over water - vapour pressure; judgement, checked "
        "against the saturated-hour shares of CSWD Beijing and Shanghai",
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
    # A recursion over days or hours (8760 steps take a few ms). (scipy.signal.lfilter
    # gives the same numbers but takes ~1 s to import, which the app's first page felt.)
    for step in range(1, n):
        out[step] = persistence * out[step - 1] + shocks[step]
    return out


def _typical_by_month(z: np.ndarray, day_month: np.ndarray) -> np.ndarray:
    """``z`` with each month's values replaced, rank for rank, by the standard-normal
    quantiles at plotting positions (rank + 0.5) / n: every month gets a typical spread
    (as a typical-year month is chosen for its typical distribution) while the order of
    the days, and so persistence and correlations, stays the realisation's."""
    out = np.empty_like(z)
    for month in np.unique(day_month):
        idx = np.flatnonzero(day_month == month)
        ranks = np.argsort(np.argsort(z[idx]))
        out[idx] = _normal_quantiles(len(idx))[ranks]
    return out


@functools.cache
def _normal_quantiles(n: int) -> np.ndarray:
    inv = statistics.NormalDist().inv_cdf
    return np.array([inv((k + 0.5) / n) for k in range(n)])


def _gamma_factor(z: np.ndarray, cv) -> np.ndarray:
    """Standard normal ``z`` mapped to a gamma variable of mean 1 and variation ``cv``
    (a number or one per element).

    Wilson-Hilferty transformation (Wilson and Hilferty 1931), exact to a few per cent in
    the quantiles for shape 1/cv**2 >= 1; the rare negative values are set to zero.
    """
    c = np.asarray(cv, float) ** 2 / 9.0  # 1 / (9 k) with k = 1 / cv**2
    return np.maximum(1.0 - c + z * np.sqrt(c), 0.0) ** 3


def _vapour_pressure_hpa(t_c: np.ndarray, over_ice: bool) -> np.ndarray:
    """Saturation vapour pressure [hPa] over water or ice (Alduchov and Eskridge 1996)."""
    if over_ice:
        return 6.1115 * np.exp(22.452 * t_c / (t_c + 272.55))
    return 6.1094 * np.exp(17.625 * t_c / (t_c + 243.04))


def _saturation_deficit_hpa(dry_bulb_c: np.ndarray, dew_point_c: np.ndarray) -> np.ndarray:
    """Vapour pressure the air lacks to saturation over liquid water [hPa].

    The air's vapour pressure is that over ice at a dew point below 0 °C (a frost point,
    as weather files and :mod:`thermal.psychrometrics` read it); fog droplets need
    saturation over water, which below 0 °C is above saturation over ice.
    """
    vapour = np.where(
        dew_point_c < 0.0,
        _vapour_pressure_hpa(dew_point_c, over_ice=True),
        _vapour_pressure_hpa(dew_point_c, over_ice=False),
    )
    return _vapour_pressure_hpa(dry_bulb_c, over_ice=False) - vapour


def _depression_c(
    free_depression: np.ndarray, dry_bulb_c: np.ndarray, uniform: np.ndarray, p
) -> np.ndarray:
    """Hourly dew-point depression [K] from the depression the air would have without
    condensation: the soft floor of condensation, then saturated (fog) hours."""
    s = p.condensation_scale_k
    if s > 0:
        depression = s * np.logaddexp(0.0, free_depression / s)
    else:
        depression = np.maximum(free_depression, 0.0)
    if p.fog_deficit_scale_hpa > 0:
        deficit = _saturation_deficit_hpa(dry_bulb_c, dry_bulb_c - depression)
        fog = uniform < np.exp(-np.maximum(deficit, 0.0) / p.fog_deficit_scale_hpa)
        depression = np.where(fog, 0.0, depression)
    return depression


def _depression_matching_normals(
    free_depression: Callable[[np.ndarray], np.ndarray],
    dry_bulb_c: np.ndarray,
    uniform: np.ndarray,
    target_k: np.ndarray,
    hour_month: np.ndarray,
    p,
) -> np.ndarray:
    """Hourly depression whose monthly means equal ``target_k`` (mean dry-bulb minus mean
    dew point of the normals): each month's day depressions are scaled by a factor found
    by bisection (the depression grows with the factor, so the bracket holds the answer)."""
    counts = np.bincount(hour_month, minlength=13)[1:]
    lo = np.full(12, _FACTOR_BRACKET[0])
    hi = np.full(12, _FACTOR_BRACKET[1])
    for _ in range(_SHIFT_BISECTIONS):
        mid = 0.5 * (lo + hi)
        dep = _depression_c(free_depression(mid[hour_month - 1]), dry_bulb_c, uniform, p)
        mean = np.bincount(hour_month, weights=dep, minlength=13)[1:] / counts
        too_dry = mean > target_k
        hi = np.where(too_dry, mid, hi)
        lo = np.where(too_dry, lo, mid)
    factor = 0.5 * (lo + hi)
    return _depression_c(free_depression(factor[hour_month - 1]), dry_bulb_c, uniform, p)


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
        Day-to-day and hour-to-hour statistics; defaults documented on the class.
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
    hour_month = index.month.to_numpy()

    tmean = rows["tmean_c"].to_numpy(float)
    t_range = (rows["tmax_c"] - rows["tmin_c"]).to_numpy(float)
    depression = tmean - rows["dewpoint_c"].to_numpy(float)

    # Day-to-day variability is largest in mid-winter: a cosine over the year peaking on
    # 15 January (15 July south of the equator).
    winter_peak_day = 14 if first["latitude"] >= 0 else 195
    season = np.cos(2 * np.pi * (np.arange(365) - winter_peak_day) / 365.0)

    # Three daily standard-normal series: temperature anomaly, the air's own dryness (the
    # part of the depression not tied to the temperature) and the daily range's own part.
    # Each month's values are then mapped, rank for rank, onto typical quantiles (step 2).
    z_t = _typical_by_month(_ar1(rng, 365, p.persistence), day_month)
    z_own = _typical_by_month(_ar1(rng, 365, p.depression_persistence), day_month)
    z_range = _typical_by_month(rng.standard_normal(365), day_month)

    t_sd = p.daily_sd_k * (1 + p.daily_sd_seasonal_amplitude * season)
    t_anomaly = t_sd * z_t
    daily_mean = _smooth_daily_curve(tmean, day_month) + t_anomaly

    # Clear days have a large range and dry air: the range shares the dryness series.
    c = np.clip(p.depression_range_correlation, -0.99, 0.99)
    mean_range = np.maximum(_smooth_daily_curve(t_range, day_month), 0.0)
    daily_range = np.clip(
        mean_range
        + p.daily_range_sd_coefficient
        * np.sqrt(mean_range)
        * (c * z_own + np.sqrt(1 - c**2) * z_range),
        0.2 * mean_range,
        2.5 * mean_range,
    )

    # Hour-of-day shape: T = Tmax - f * range, with f of ASHRAE (hour-ending 1..24, so
    # hour starting h uses entry h); centred so the day averages its daily mean.
    frac = ASHRAE_DAILY_RANGE_FRACTION
    shape = frac.mean() - frac  # zero-mean, + in the afternoon
    hourly = np.repeat(daily_mean, 24) + np.repeat(daily_range, 24) * np.tile(shape, 365)
    hourly = _recenter_by_month(hourly, tmean, hour_month)

    # Humidity as the dew-point depression (module docstring, step 4). The day's mean
    # depression: the normal times a gamma factor (correlated with the temperature anomaly:
    # air mass), plus a slope on the temperature anomaly (sunny warming at unchanged
    # moisture, rain-cooled saturated air).
    depression_curve = _smooth_daily_curve(depression, day_month)
    cv = (
        p.depression_cv
        * (_DEPRESSION_CV_REFERENCE_K / np.maximum(depression_curve, _DEPRESSION_CV_FLOOR_K))
        ** p.depression_cv_exponent
    )
    rho = np.clip(
        p.depression_temperature_correlation - p.depression_temperature_correlation_swing * season,
        -0.99,
        0.99,
    )
    own = depression_curve * _gamma_factor(rho * z_t + np.sqrt(1 - rho**2) * z_own, cv)
    slope = p.depression_temperature_slope - p.depression_temperature_slope_swing * season
    own_h = np.repeat(own, 24)
    slope_h = np.repeat(slope * t_anomaly, 24)
    # Through the day the air keeps its dew point, with an hourly wobble.
    wobble = _ar1(rng, 8760, p.hourly_persistence)
    above_day_mean = hourly - np.repeat(hourly.reshape(365, 24).mean(axis=1), 24)

    def free_depression(theta: np.ndarray) -> np.ndarray:
        # theta >= 0 scales the months' own depressions; below 0 (a month too humid for
        # any scaling) they are zero and the air is shifted toward saturation.
        day = np.maximum(theta, 0.0) * own_h + slope_h
        wobble_sd = p.hourly_depression_sd_k + p.hourly_depression_sd_fraction * np.maximum(
            day, 0.0
        )
        return above_day_mean + day + wobble_sd * wobble + _SHIFT_K * np.minimum(theta, 0.0)

    uniform = rng.random(8760)
    hourly_depression = _depression_matching_normals(
        free_depression, hourly, uniform, depression, hour_month, p
    )

    out = pd.DataFrame(
        {"dry_bulb_c": hourly, "dew_point_c": hourly - hourly_depression}, index=index
    )
    out.attrs.update(
        name=str(first["city"]),
        latitude=float(first["latitude"]),
        longitude=float(first["longitude"]),
        altitude_m=float(first["altitude_m"]),
        utc_offset_h=float(first["utc_offset_h"]),
        source=(f"synthetic hourly year (seed {seed}) from monthly normals: {first['source']}"),
    )
    return out
