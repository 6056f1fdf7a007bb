"""A labelled heat-network demand shape for northern Chinese cities' heating season.

City heating networks in northern China heat buildings (space heating, not tap water)
during a heating season fixed by municipal rule, and their load follows the outdoor
temperature: the degree-hour method gives each hour's demand as the network's design peak
times ``(room_c - T_out) / (room_c - design_outdoor_c)``, within 0..1, inside the season
and none outside it. Use it when no metered demand is at hand; a demand profile the
offtaker gives (a CSV, read in ``scenarios/``) replaces it. It is an assumption and says so
(``attrs["label"]``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thermal.errors import ThermalInputError

#: Beijing's heating season, first and last day ("MM-DD", both included): 15 November to
#: 15 March, by 北京市供热采暖管理办法 (Beijing Municipal Measures on Heating, 2010; the city
#: may start earlier or end later in cold spells); China Daily (15 Nov 2006) reports the
#: 15 November start as the municipal rule. The article text was not checked here.
BEIJING_HEATING_SEASON = ("11-15", "03-15")
#: Room temperature of the degree-hour method [°C]: the base of the heating degree days
#: (HDD18) that zone China's climates for building design (GB 50176-2016), and the 18 °C
#: Beijing's heating office requires in homes.
ROOM_C = 18.0
#: Beijing's outdoor design temperature for heating [°C], at which the network delivers its
#: peak: GB 50736-2012 Appendix A (as commonly quoted; not checked against the table).
BEIJING_HEATING_DESIGN_C = -7.6
LABEL = (
    "assumption: degree-hour heating demand (base {room:g} °C, peak at {design:g} °C) in "
    "the heating season {start} to {end}"
)


def _day_of_year(month_day: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in month_day.split("-"))
        pd.Timestamp(year=2024, month=month, day=day)  # a leap year accepts 02-29
    except (ValueError, TypeError, AttributeError):
        raise ThermalInputError(
            f"heating season day {month_day!r} is not of the form 'MM-DD'"
        ) from None
    return month, day


def in_season(index: pd.DatetimeIndex, season: tuple[str, str] = BEIJING_HEATING_SEASON):
    """Whether each hour's local calendar day lies in ``season`` (first and last day
    ``"MM-DD"``, both included; a season may run over the new year) [bool array]."""
    (m0, d0), (m1, d1) = (_day_of_year(x) for x in season)
    key = np.asarray(index.month) * 100 + np.asarray(index.day)
    start, end = m0 * 100 + d0, m1 * 100 + d1
    if start <= end:
        return (key >= start) & (key <= end)
    return (key >= start) | (key <= end)


def heating_season_demand_kw_th(
    weather: pd.DataFrame,
    peak_kw_th: float,
    season: tuple[str, str] = BEIJING_HEATING_SEASON,
    room_c: float = ROOM_C,
    design_outdoor_c: float = BEIJING_HEATING_DESIGN_C,
) -> pd.Series:
    """Hourly heat demand of a city heating network [kW_th] (a labelled assumption).

    Parameters
    ----------
    weather : DataFrame
        With ``dry_bulb_c`` [°C], indexed by the site's local hours.
    peak_kw_th : float
        The heat the offtaker takes at the design outdoor temperature and below [kW_th].
    season : (str, str)
        First and last day of the heating season, ``"MM-DD"`` (both included); default
        Beijing's (:data:`BEIJING_HEATING_SEASON`).
    room_c : float
        Outdoor temperature at and above which no heat is needed [°C] (:data:`ROOM_C`).
    design_outdoor_c : float
        Outdoor temperature of the peak [°C] (:data:`BEIJING_HEATING_DESIGN_C`).

    Returns
    -------
    Series
        ``peak_kw_th x clip((room_c - dry_bulb_c) / (room_c - design_outdoor_c), 0, 1)``
        inside the season, 0 outside [kW_th]; ``attrs["label"]`` says it is an assumption.
    """
    if not (np.isfinite(peak_kw_th) and peak_kw_th >= 0):
        raise ThermalInputError(
            f"heat demand peak must be a finite number >= 0 kW_th, got {peak_kw_th!r}"
        )
    if not room_c > design_outdoor_c:
        raise ThermalInputError(
            f"room temperature ({room_c:g} °C) must be above the design outdoor temperature "
            f"({design_outdoor_c:g} °C)"
        )
    outdoor = weather["dry_bulb_c"].to_numpy(float)
    share = np.clip((room_c - outdoor) / (room_c - design_outdoor_c), 0.0, 1.0)
    demand = pd.Series(
        np.where(in_season(weather.index, season), peak_kw_th * share, 0.0),
        index=weather.index,
        name="heat_demand_kw_th",
    )
    demand.attrs["label"] = LABEL.format(
        room=room_c, design=design_outdoor_c, start=season[0], end=season[1]
    )
    return demand
