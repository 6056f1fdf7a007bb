"""Vectorised psychrometrics of moist air (SI units).

The equations are those of ASHRAE Handbook - Fundamentals (2017), chapter 1, as
implemented (scalar only) by psychrolib 2.5; here they work on whole arrays at once so
a year of hours is one call. Every function accepts a scalar, a numpy array or a pandas
Series and returns the same kind (a Series keeps its index).

Accuracy: wet-bulb and dew point agree with psychrolib to well below 0.01 K over
-20..45 °C and 5..100 % RH (tested to the 0.1 K the project requires).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Triple point of water [°C]; the saturation curve switches from ice to liquid here.
#: Source: ASHRAE Fundamentals 2017 ch. 1 (psychrolib's TRIPLE_POINT_WATER_SI).
TRIPLE_POINT_C = 0.01
#: Ratio of molecular masses of water vapour and dry air [-]; ASHRAE 2017 ch. 1 eq. 20.
MOLAR_MASS_RATIO = 0.621945
#: Standard atmosphere at sea level [Pa]; ASHRAE 2017 ch. 1 eq. 3.
STANDARD_PRESSURE_PA = 101_325.0
#: Smallest humidity ratio used [kg/kg], as psychrolib's MIN_HUM_RATIO.
MIN_HUM_RATIO = 1e-7
#: Absolute zero offset [K].
KELVIN = 273.15
#: Bisection steps for wet-bulb: the bracket (dry-bulb minus dew point, < 100 K) shrinks
#: to < 1e-13 K, i.e. exact in double precision.
_WET_BULB_BISECTIONS = 60
#: Newton steps for the dew point on ln(p_ws); converges in 3-5, 12 leaves a margin.
_DEW_POINT_NEWTON_STEPS = 12


def _as_float_array(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _like(values: np.ndarray, *templates):
    """Return ``values`` in the container of the first Series template, or as a scalar."""
    for t in templates:
        if isinstance(t, pd.Series):
            return pd.Series(values, index=t.index)
    if np.ndim(values) == 0:
        return float(values)
    return values


def _ln_saturation_vapor_pressure(t_c: np.ndarray) -> np.ndarray:
    """ln of the saturation vapour pressure [ln Pa]; Hyland-Wexler, ASHRAE 2017 eq. 5 & 6."""
    t_k = t_c + KELVIN
    over_ice = (
        -5.6745359e03 / t_k
        + 6.3925247
        - 9.677843e-03 * t_k
        + 6.2215701e-07 * t_k**2
        + 2.0747825e-09 * t_k**3
        - 9.484024e-13 * t_k**4
        + 4.1635019 * np.log(t_k)
    )
    over_water = (
        -5.8002206e03 / t_k
        + 1.3914993
        - 4.8640239e-02 * t_k
        + 4.1764768e-05 * t_k**2
        - 1.4452093e-08 * t_k**3
        + 6.5459673 * np.log(t_k)
    )
    return np.where(t_c <= TRIPLE_POINT_C, over_ice, over_water)


def _d_ln_saturation_vapor_pressure(t_c: np.ndarray) -> np.ndarray:
    """Derivative of ``_ln_saturation_vapor_pressure`` with temperature [1/K]."""
    t_k = t_c + KELVIN
    over_ice = (
        5.6745359e03 / t_k**2
        - 9.677843e-03
        + 2 * 6.2215701e-07 * t_k
        + 3 * 2.0747825e-09 * t_k**2
        - 4 * 9.484024e-13 * t_k**3
        + 4.1635019 / t_k
    )
    over_water = (
        5.8002206e03 / t_k**2
        - 4.8640239e-02
        + 2 * 4.1764768e-05 * t_k
        - 3 * 1.4452093e-08 * t_k**2
        + 6.5459673 / t_k
    )
    return np.where(t_c <= TRIPLE_POINT_C, over_ice, over_water)


def saturation_vapor_pressure_pa(t_c):
    """Saturation vapour pressure of water over liquid (or ice below 0.01 °C).

    Parameters
    ----------
    t_c : float, array-like or Series
        Temperature [°C].

    Returns
    -------
    float, ndarray or Series
        Saturation vapour pressure [Pa].
    """
    return _like(np.exp(_ln_saturation_vapor_pressure(_as_float_array(t_c))), t_c)


def pressure_from_altitude_pa(altitude_m):
    """Standard-atmosphere pressure at an altitude (ASHRAE 2017 ch. 1 eq. 3).

    Parameters
    ----------
    altitude_m : float, array-like or Series
        Altitude above sea level [m].

    Returns
    -------
    float, ndarray or Series
        Atmospheric pressure [Pa].
    """
    z = _as_float_array(altitude_m)
    return _like(STANDARD_PRESSURE_PA * (1 - 2.25577e-05 * z) ** 5.2559, altitude_m)


def humidity_ratio_from_vapor_pressure(vapor_pressure_pa, pressure_pa=STANDARD_PRESSURE_PA):
    """Humidity ratio from the partial pressure of water vapour (ASHRAE 2017 eq. 20).

    Parameters
    ----------
    vapor_pressure_pa : float, array-like or Series
        Partial pressure of water vapour [Pa].
    pressure_pa : float, array-like or Series
        Atmospheric pressure [Pa].

    Returns
    -------
    float, ndarray or Series
        Humidity ratio [kg water / kg dry air].
    """
    pw = _as_float_array(vapor_pressure_pa)
    p = _as_float_array(pressure_pa)
    w = np.maximum(MOLAR_MASS_RATIO * pw / (p - pw), MIN_HUM_RATIO)
    return _like(w, vapor_pressure_pa, pressure_pa)


def saturation_humidity_ratio(t_c, pressure_pa=STANDARD_PRESSURE_PA):
    """Humidity ratio of saturated air [kg/kg] at temperature ``t_c`` [°C] and pressure [Pa]."""
    pws = np.exp(_ln_saturation_vapor_pressure(_as_float_array(t_c)))
    return humidity_ratio_from_vapor_pressure(_like(pws, t_c), pressure_pa)


def relative_humidity_pct(t_c, dew_point_c):
    """Relative humidity from dry-bulb and dew point.

    Parameters
    ----------
    t_c : float, array-like or Series
        Dry-bulb temperature [°C].
    dew_point_c : float, array-like or Series
        Dew-point temperature [°C]; values above ``t_c`` are treated as saturation.

    Returns
    -------
    float, ndarray or Series
        Relative humidity [%], 0..100.
    """
    t = _as_float_array(t_c)
    td = np.minimum(_as_float_array(dew_point_c), t)
    rh = 100.0 * np.exp(_ln_saturation_vapor_pressure(td) - _ln_saturation_vapor_pressure(t))
    return _like(rh, t_c, dew_point_c)


def dew_point_c(t_c, rh_pct):
    """Dew-point temperature from dry-bulb and relative humidity.

    Inverts the saturation-pressure equation by Newton's method on ln(p_ws) (as
    psychrolib's ``GetTDewPointFromVapPres``), all elements at once.

    Parameters
    ----------
    t_c : float, array-like or Series
        Dry-bulb temperature [°C].
    rh_pct : float, array-like or Series
        Relative humidity [%], in (0, 100].

    Returns
    -------
    float, ndarray or Series
        Dew-point temperature [°C], never above ``t_c``.
    """
    t = _as_float_array(t_c)
    rh = np.clip(_as_float_array(rh_pct), 1e-6, 100.0)
    ln_pw = _ln_saturation_vapor_pressure(t) + np.log(rh / 100.0)
    td = np.broadcast_to(t, np.broadcast(t, rh).shape).astype(float)
    for _ in range(_DEW_POINT_NEWTON_STEPS):
        td = td - (_ln_saturation_vapor_pressure(td) - ln_pw) / _d_ln_saturation_vapor_pressure(td)
        td = np.clip(td, -100.0, 200.0)
    return _like(np.minimum(td, t), t_c, rh_pct)


def _humidity_ratio_from_wet_bulb(t_c, t_wb_c, pressure_pa) -> np.ndarray:
    """Humidity ratio given dry-bulb and wet-bulb (ASHRAE 2017 eq. 33 and 35)."""
    ws = MOLAR_MASS_RATIO * np.exp(_ln_saturation_vapor_pressure(t_wb_c))
    ws = np.maximum(
        ws / (pressure_pa - np.exp(_ln_saturation_vapor_pressure(t_wb_c))), MIN_HUM_RATIO
    )
    above = ((2501.0 - 2.326 * t_wb_c) * ws - 1.006 * (t_c - t_wb_c)) / (
        2501.0 + 1.86 * t_c - 4.186 * t_wb_c
    )
    below = ((2830.0 - 0.24 * t_wb_c) * ws - 1.006 * (t_c - t_wb_c)) / (
        2830.0 + 1.86 * t_c - 2.1 * t_wb_c
    )
    return np.maximum(np.where(t_wb_c >= 0.0, above, below), MIN_HUM_RATIO)


def humidity_ratio_from_wet_bulb(t_c, t_wb_c, pressure_pa=STANDARD_PRESSURE_PA):
    """Humidity ratio [kg/kg dry air] of air at dry-bulb and wet-bulb [°C] and pressure
    [Pa] (ASHRAE Handbook - Fundamentals 2017, ch. 1, eq. 33 and 35)."""
    return _humidity_ratio_from_wet_bulb(
        _as_float_array(t_c), _as_float_array(t_wb_c), _as_float_array(pressure_pa)
    )


def wet_bulb_c(t_c, rh_pct, pressure_pa=STANDARD_PRESSURE_PA):
    """Thermodynamic wet-bulb temperature from dry-bulb, relative humidity and pressure.

    Solves ASHRAE 2017 eq. 33/35 for the wet-bulb by bisection between the dew point and
    the dry-bulb (psychrolib's method), on all elements at once.

    Parameters
    ----------
    t_c : float, array-like or Series
        Dry-bulb temperature [°C].
    rh_pct : float, array-like or Series
        Relative humidity [%], in (0, 100].
    pressure_pa : float, array-like or Series
        Atmospheric pressure [Pa].

    Returns
    -------
    float, ndarray or Series
        Wet-bulb temperature [°C].

    Examples
    --------
    >>> round(wet_bulb_c(35.0, 40.0), 2)   # physics sheet: psychrolib gives 23.93 °C
    23.93
    """
    t = _as_float_array(t_c)
    rh = np.clip(_as_float_array(rh_pct), 1e-6, 100.0)
    p = _as_float_array(pressure_pa)
    pw = np.exp(_ln_saturation_vapor_pressure(t)) * rh / 100.0
    w = np.maximum(MOLAR_MASS_RATIO * pw / (p - pw), MIN_HUM_RATIO)
    low = np.broadcast_to(_as_float_array(dew_point_c(t, rh)), np.broadcast(t, rh, p).shape)
    high = np.broadcast_to(t, low.shape)
    low, high = low.astype(float), high.astype(float)
    for _ in range(_WET_BULB_BISECTIONS):
        mid = 0.5 * (low + high)
        too_wet = _humidity_ratio_from_wet_bulb(t, mid, p) > w
        high = np.where(too_wet, mid, high)
        low = np.where(too_wet, low, mid)
    return _like(0.5 * (low + high), t_c, rh_pct, pressure_pa)


def moist_air_enthalpy_kj_per_kg(t_c, humidity_ratio):
    """Specific enthalpy of moist air per kg of dry air (ASHRAE 2017 eq. 30).

    Parameters
    ----------
    t_c : float, array-like or Series
        Dry-bulb temperature [°C].
    humidity_ratio : float, array-like or Series
        Humidity ratio [kg/kg].

    Returns
    -------
    float, ndarray or Series
        Enthalpy [kJ/kg dry air].
    """
    t = _as_float_array(t_c)
    w = _as_float_array(humidity_ratio)
    return _like(1.006 * t + w * (2501.0 + 1.86 * t), t_c, humidity_ratio)
