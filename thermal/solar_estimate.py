"""Modelled hourly irradiance for weather that has none: a labelled estimate for PV.

The synthetic years of :mod:`thermal.synthetic` come from monthly temperature and
humidity normals and carry no irradiance. For on-site PV (:mod:`thermal.onsite`) on
them, :func:`with_modelled_irradiance` adds an estimate, clearly labelled in
``attrs["irradiance_source"]``; it is never added silently.

Method (vectorised over hours):

1. Clear-sky irradiance at the middle of each hour: pvlib's Ineichen-Perez model
   (Ineichen and Perez 2002) with pvlib's monthly Linke turbidity climatology for the
   site (Remund et al. 2003, interpolated to the day), the site's altitude, and the solar
   position of the NREL SPA (Reda and Andreas 2004).
2. Day-to-day variability from the weather's own daily temperature range, the way the
   Bristow-Campbell model estimates daily transmittance from it (Bristow and Campbell
   1984): ``f_d = 1 - exp(-B_m * dT_d ** C)`` with ``B_m = 0.036 exp(-0.154 dT_m)``,
   ``dT_d`` the day's range and ``dT_m`` its month's mean range [K], ``C = 2.4``. Clear
   days have large ranges; the synthetic year ties its ranges to its dry days, and in
   the real CSWD years of Beijing and Shanghai the daily range and the daily clearness
   index correlate at 0.54 and 0.53. Deterministic: the ranges come from the seeded
   synthetic year.
3. Hourly GHI = ``min(s * f_d, 1) * GHI_clear``, the one scale ``s`` found by bisection
   so that the year's GHI equals the city's annual GHI exactly
   (``data/china_solar_resource.csv``, each number with its source).
4. Direct and diffuse parts by the Erbs et al. (1982) correlation on the hourly
   clearness index.

Checked against the two real CSWD typical years we have (``../shared/data/weather``;
``docs/onsite.md``, "Modelled irradiance"). The annual GHI is exact for Beijing and
Shanghai, whose numbers come from those files (1,401 and 1,271 kWh/m²). The synthetic
years reproduce the spread of daily clearness (standard deviation of the daily clearness
index 0.129 vs 0.169 in Beijing, 0.188 vs 0.198 in Shanghai) and the monthly GHI to a
mean 5.5 % / 9.2 %; they give 27 % / 20 % less DNI and 52 % / 27 % more DHI than the
files; a south-facing array at latitude tilt yields 5.7 % (Beijing) and 6.6 % (Shanghai)
more than on the real files (both without wind). One scale for every hour instead of
the daily variability would give a yield 4.4 % / 3.4 % high, but 43 % / 64 % too little
DNI and every day alike. Where a city's number is only its GB/T 37526-2019 class, the
class width is the larger error: Beijing at the mid-point of class B (1,575 kWh/m²,
+12 %) would yield 22 % more.
"""

from __future__ import annotations

import functools
import warnings
from importlib import resources

import numpy as np
import pandas as pd

from thermal.errors import ThermalInputError

#: Bristow-Campbell daily transmittance ``1 - exp(-B dT**C)``, ``B = B0 exp(-k dT_month)``:
#: C = 2.4, B0 = 0.036, k = 0.154 1/K (Bristow and Campbell 1984, Agric. For. Meteorol.
#: 31, 159-166).
BRISTOW_CAMPBELL_C = 2.4
BRISTOW_CAMPBELL_B0 = 0.036
BRISTOW_CAMPBELL_K_PER_K = 0.154
#: Bisection steps for the scale: the bracket [0, 20] shrinks by 2**60.
_SCALE_BISECTIONS = 60
_SCALE_BRACKET = (0.0, 20.0)
#: Hours of the typical year whose annual GHI the table gives.
_HOURS_PER_YEAR = 8760


@functools.cache
def _resource_table() -> pd.DataFrame:
    text = resources.files("thermal").joinpath("data/china_solar_resource.csv")
    with text.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def solar_resource(city: str) -> dict:
    """Annual global horizontal irradiation of a city with monthly normals.

    Parameters
    ----------
    city : str
        City name, case-insensitive (``beijing``, ``shanghai``, ``chengdu``, ``urumqi``).

    Returns
    -------
    dict
        ``annual_ghi_kwh_m2`` [kWh/m²/yr], ``gbt37526_class`` (China's solar resource
        class, GB/T 37526-2019) and ``source``.

    Raises
    ------
    ThermalInputError
        The city has no row in ``data/china_solar_resource.csv``.
    """
    table = _resource_table()
    rows = table[table["city"].str.lower() == str(city).strip().lower()]
    if rows.empty:
        known = ", ".join(sorted(table["city"].str.lower()))
        raise ThermalInputError(
            f"no annual GHI for {city!r} in thermal/data/china_solar_resource.csv (cities: "
            f"{known}); give annual_ghi_kwh_m2 with its source"
        )
    row = rows.iloc[0]
    return {
        "annual_ghi_kwh_m2": float(row["annual_ghi_kwh_m2"]),
        "gbt37526_class": str(row["gbt37526_class"]),
        "source": str(row["source"]),
    }


def modelled_irradiance(weather: pd.DataFrame, annual_ghi_kwh_m2: float) -> pd.DataFrame:
    """Hourly GHI, DNI and DHI modelled for a typical year (module docstring, steps 1-4).

    Parameters
    ----------
    weather : DataFrame
        A weather frame of 8760 hours (:func:`thermal.weather.load_climate`): its index
        (hour starts), ``dry_bulb_c`` [°C], ``pressure_pa`` [Pa] and ``attrs``
        ``latitude``, ``longitude`` [°], ``altitude_m`` [m].
    annual_ghi_kwh_m2 : float
        The year's global horizontal irradiation [kWh/m²]; the result sums to it.

    Returns
    -------
    DataFrame
        ``ghi_w_m2``, ``dni_w_m2``, ``dhi_w_m2`` [W/m², mean over each hour] on the
        weather's index.

    Raises
    ------
    ThermalInputError
        Not a full year, no location, or an annual GHI outside 0 .. the year's
        clear-sky total.
    """
    from pvlib import clearsky, irradiance, location

    from thermal.onsite import extraterrestrial_w_m2, solar_position

    if len(weather) != _HOURS_PER_YEAR:
        raise ThermalInputError(
            f"modelled irradiance needs the full typical year ({_HOURS_PER_YEAR} hours), "
            f"got {len(weather)}"
        )
    if not (np.isfinite(annual_ghi_kwh_m2) and annual_ghi_kwh_m2 > 0):
        raise ThermalInputError(
            f"annual_ghi_kwh_m2 = {annual_ghi_kwh_m2!r}: give the year's global horizontal "
            "irradiation, a positive number [kWh/m²]"
        )
    position, times = solar_position(weather)
    site = location.Location(
        weather.attrs["latitude"], weather.attrs["longitude"],
        altitude=weather.attrs["altitude_m"],
    )  # fmt: skip
    with warnings.catch_warnings():
        # pvlib 0.16 reads DatetimeIndex.dayofyear here (deprecated in pandas 3)
        warnings.simplefilter("ignore", DeprecationWarning)
        turbidity = clearsky.lookup_linke_turbidity(times, site.latitude, site.longitude)
    clear = site.get_clearsky(
        times, model="ineichen", solar_position=position, linke_turbidity=turbidity,
        dni_extra=extraterrestrial_w_m2(times),
    )  # fmt: skip
    ghi_clear = clear["ghi"].to_numpy(float)
    clear_total = ghi_clear.sum() / 1000.0
    if annual_ghi_kwh_m2 >= clear_total:
        raise ThermalInputError(
            f"annual_ghi_kwh_m2 = {annual_ghi_kwh_m2:,.0f} is not below the site's clear-sky "
            f"total ({clear_total:,.0f} kWh/m²); check the number and its unit"
        )
    daily = _daily_clearness_factor(weather)
    ghi = _scaled_ghi(ghi_clear, daily, annual_ghi_kwh_m2 * 1000.0)
    day = pd.DatetimeIndex(times).tz_convert("UTC").day_of_year.to_numpy()
    split = irradiance.erbs(pd.Series(ghi, index=times), position["zenith"], day)
    out = pd.DataFrame(
        {
            "ghi_w_m2": ghi,
            "dni_w_m2": np.nan_to_num(np.asarray(split["dni"], float)),
            "dhi_w_m2": np.nan_to_num(np.asarray(split["dhi"], float)),
        },
        index=weather.index,
    )
    return out


def _daily_clearness_factor(weather: pd.DataFrame) -> np.ndarray:
    """Bristow-Campbell factor of each hour's day, from the daily temperature range."""
    dry = weather["dry_bulb_c"]
    day = weather.index.normalize()
    daily_range = dry.groupby(day).transform("max") - dry.groupby(day).transform("min")
    month_mean = daily_range.groupby(weather.index.month).transform("mean")
    b = BRISTOW_CAMPBELL_B0 * np.exp(-BRISTOW_CAMPBELL_K_PER_K * month_mean.to_numpy(float))
    return 1.0 - np.exp(-b * np.maximum(daily_range.to_numpy(float), 0.0) ** BRISTOW_CAMPBELL_C)


def _scaled_ghi(ghi_clear: np.ndarray, factor: np.ndarray, target_wh_m2: float) -> np.ndarray:
    """``min(s * factor, 1) * ghi_clear`` with ``s`` such that the sum is the target
    (bisection: the sum grows with ``s``; the caller checked the target is reachable)."""
    lo, hi = _SCALE_BRACKET
    for _ in range(_SCALE_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if (np.minimum(mid * factor, 1.0) * ghi_clear).sum() > target_wh_m2:
            hi = mid
        else:
            lo = mid
    return np.minimum(0.5 * (lo + hi) * factor, 1.0) * ghi_clear


def with_modelled_irradiance(
    weather: pd.DataFrame, annual_ghi_kwh_m2: float | None = None, source: str | None = None
) -> pd.DataFrame:
    """The weather with modelled ``ghi_w_m2``, ``dni_w_m2``, ``dhi_w_m2`` added, labelled.

    Parameters
    ----------
    weather : DataFrame
        A weather frame without irradiance (a synthetic year of a city with normals).
    annual_ghi_kwh_m2 : float, optional
        The year's global horizontal irradiation [kWh/m²]; default
        ``weather.attrs["annual_ghi_kwh_m2"]`` (set for the cities of
        ``data/china_solar_resource.csv``).
    source : str, optional
        Where ``annual_ghi_kwh_m2`` comes from, for the label (required with it).

    Returns
    -------
    DataFrame
        A copy with the three columns and ``attrs["irradiance_source"]`` beginning
        ``"modelled estimate"`` and naming the method and the annual GHI's source.

    Raises
    ------
    ThermalInputError
        The weather already has irradiance, or no annual GHI is known.
    """
    from thermal.weather import IRRADIANCE_COLUMNS

    present = [c for c in IRRADIANCE_COLUMNS if c in weather]
    if present:
        raise ThermalInputError(
            f"the weather already has irradiance ({', '.join(present)}): use it as it is"
        )
    if annual_ghi_kwh_m2 is None:
        if "annual_ghi_kwh_m2" not in weather.attrs:
            raise ThermalInputError(
                f"no annual GHI is known for {weather.attrs.get('name', 'this weather')!r}: "
                "give annual_ghi_kwh_m2 [kWh/m²/yr] and its source, or a weather file with "
                "GHI/DNI/DHI (EPW/TMY3)"
            )
        annual_ghi_kwh_m2 = float(weather.attrs["annual_ghi_kwh_m2"])
        source = weather.attrs.get("annual_ghi_source", "weather attrs")
    elif not source:
        raise ThermalInputError("with annual_ghi_kwh_m2, say where it comes from (source)")
    out = weather.copy()
    out = out.join(modelled_irradiance(weather, annual_ghi_kwh_m2))
    out.attrs = dict(weather.attrs)
    out.attrs["annual_ghi_kwh_m2"] = float(annual_ghi_kwh_m2)
    out.attrs["annual_ghi_source"] = source
    out.attrs["irradiance_source"] = (
        "modelled estimate, not measured: pvlib Ineichen clear sky (Linke turbidity "
        "climatology) x daily clearness from the daily temperature range (Bristow-Campbell), "
        f"scaled to {annual_ghi_kwh_m2:,.0f} kWh/m²/yr ({source}); Erbs direct/diffuse split"
    )
    return out
