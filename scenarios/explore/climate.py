"""The climate of a site: its typical-year weather, by month and at design conditions."""

from __future__ import annotations

import numpy as np
import pandas as pd


def climate_summary(weather: pd.DataFrame) -> pd.DataFrame:
    """Monthly statistics of a weather year.

    Parameters
    ----------
    weather : DataFrame
        From :func:`load_weather`.

    Returns
    -------
    DataFrame
        Index month 1..12; columns dry_bulb_mean_c, dry_bulb_min_c, dry_bulb_max_c,
        wet_bulb_mean_c, wet_bulb_max_c, dew_point_mean_c [°C], rh_mean_pct [%].
    """
    month = weather.index.month
    grouped = weather.groupby(month)
    out = pd.DataFrame(
        {
            "dry_bulb_mean_c": grouped["dry_bulb_c"].mean(),
            "dry_bulb_min_c": grouped["dry_bulb_c"].min(),
            "dry_bulb_max_c": grouped["dry_bulb_c"].max(),
            "wet_bulb_mean_c": grouped["wet_bulb_c"].mean(),
            "wet_bulb_max_c": grouped["wet_bulb_c"].max(),
            "dew_point_mean_c": grouped["dew_point_c"].mean(),
            "rh_mean_pct": grouped["rh_pct"].mean(),
        }
    )
    out.index.name = "month"
    return out


def design_conditions(weather: pd.DataFrame) -> dict[str, float]:
    """Annual figures a cooling designer looks at first.

    Returns
    -------
    dict
        mean_dry_bulb_c, dry_bulb_0p4_c and wet_bulb_0p4_c (exceeded in 0.4 % of the
        hours, ASHRAE's annual cooling design condition) [°C], hours_below_10c_wet_bulb
        and hours_below_18c_dry_bulb [h] (rough counts of hours open to free cooling for
        chilled water and for air-side economizers).
    """
    dry = weather["dry_bulb_c"].to_numpy()
    wet = weather["wet_bulb_c"].to_numpy()
    return {
        "mean_dry_bulb_c": float(dry.mean()),
        "dry_bulb_0p4_c": float(np.quantile(dry, 0.996)),
        "wet_bulb_0p4_c": float(np.quantile(wet, 0.996)),
        "hours_below_10c_wet_bulb": float((wet < 10.0).sum()),
        "hours_below_18c_dry_bulb": float((dry < 18.0).sum()),
    }
