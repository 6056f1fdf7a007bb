"""Time-of-use (分时电价) tariffs: hour bands in site local time and their prices.

A band multiplier applies to a *floating base*, not to the all-in price::

    price(hour) = base_per_kwh x multiplier(band of that hour) + adder_per_kwh

where the adder is everything that does not float (funds, and in some provinces line
loss, system-operation or T&D charges). The provincial structures below are transcribed
from ``reference/china_tou_tariffs.md`` with the provenance tag it gives (V1 verbatim
official wording confirmed twice, V2 once, N third-party number, U unverified or
inferred); tariffs marked ``assumption`` are labelled so in every output.

Bands: V valley, F flat, P peak, S critical peak (尖峰), D deep valley (深谷). Hour strings
give the band of hours 00, 01, ..., 23.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError

BAND_NAMES = {"V": "valley", "F": "flat", "P": "peak", "S": "critical peak", "D": "deep valley"}
ALL_MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class Season:
    """Months sharing one hour-band string (and, if given, their own multipliers)."""

    months: tuple[int, ...]
    bands: str
    multipliers: dict[str, float] | None = None
    rest_days: bool = False  # applies to Saturdays and Sundays only


@dataclass(frozen=True)
class TouTariff:
    """One time-of-use tariff.

    Attributes
    ----------
    key : str
        Name used in scenario files.
    seasons : tuple of Season
        Every month appears exactly once among the non-rest-day seasons; rest-day seasons
        (Saturdays and Sundays, e.g. Shanghai's deep valley) override them. Public
        holidays are not modelled.
    multipliers : dict
        Band letter -> multiplier of the floating base (flat = 1), unless a season has its own.
    base_per_kwh, adder_per_kwh : float
        Floating base and non-floating adder [currency/kWh].
    demand_charge_per_kw_month : float or None
        Two-part demand (basic) charge on the month's maximum demand [currency/kW/month];
        None where no source gives it.
    assumption : str
        Empty for sourced tariffs; otherwise what was assumed (shown in every output).
    """

    key: str
    name: str
    region: str
    currency: str
    rule: str
    effective: str
    seasons: tuple[Season, ...]
    multipliers: dict[str, float]
    base_per_kwh: float
    adder_per_kwh: float
    price_source: str
    demand_charge_per_kw_month: float | None
    demand_source: str
    source: str
    assumption: str = ""
    notes: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def season(self, month: int, rest_day: bool = False) -> Season:
        """The season that sets the bands of a month (on a rest day, if one applies)."""
        if rest_day:
            for season in self.seasons:
                if season.rest_days and month in season.months:
                    return season
        for season in self.seasons:
            if not season.rest_days and month in season.months:
                return season
        raise ScenarioError(f"tariff {self.key!r} has no bands for month {month}")

    def season_multipliers(self, season: Season) -> dict[str, float]:
        return season.multipliers or self.multipliers

    def band_price_per_kwh(self, band: str, month: int = 1, rest_day: bool = False) -> float:
        """All-in energy price of a band in a month [currency/kWh]."""
        mult = self.season_multipliers(self.season(month, rest_day))
        return self.base_per_kwh * mult[band] + self.adder_per_kwh


def _check(t: TouTariff) -> TouTariff:
    months = [m for season in t.seasons if not season.rest_days for m in season.months]
    assert sorted(months) == list(ALL_MONTHS), (t.key, months)
    for season in t.seasons:
        letters = set(t.season_multipliers(season))
        assert len(season.bands) == 24 and set(season.bands) <= letters, (t.key, season)
    return t


_REF = "reference/china_tou_tariffs.md"

TARIFFS: dict[str, TouTariff] = {
    t.key: _check(t)
    for t in (
        TouTariff(
            key="cn-shanghai-two-part",
            name="Shanghai two-part industrial & commercial TOU, 1-10 kV",
            region="Shanghai",
            currency="CNY",
            rule="沪发改价管〔2022〕50号 (deep valley 沪发改价管〔2024〕28号)",
            effective="2023-01-01",
            seasons=(
                Season((7, 8), "VVVVVVFFPPPPSSPFFFPPPFVV"),
                Season((9,), "VVVVVVFFPPPPPPPFFFPPPFVV"),
                Season((1, 12), "VVVVVVFFPPPFFFFFFFPSSFVV"),
                Season(
                    (2, 3, 4, 5, 6, 10, 11),
                    "VVVVVVFFPPPFFFFFFFPPPFVV",
                    {"V": 0.50, "F": 1.00, "P": 1.60, "D": 0.20},
                ),
                Season(
                    (2, 3, 4, 5, 6, 10, 11),
                    "DDDDDDFFPPPFFFFFFFPPPFDD",
                    {"V": 0.50, "F": 1.00, "P": 1.60, "D": 0.20},
                    rest_days=True,
                ),
                Season((9,), "DDDDDDFFPPPPPPPFFFPPPFDD", rest_days=True),
            ),
            multipliers={"V": 0.40, "F": 1.00, "P": 1.80, "S": 2.25, "D": 0.20},
            base_per_kwh=0.591199,  # purchase 0.428899 + T&D 0.1623
            adder_per_kwh=0.080214,  # line loss 0.013266 + system 0.037833 + funds 0.029115
            price_source="国网上海 代理购电 2026-08, 1-10 kV two-part [N, T&D matches NDRC 1077]",
            demand_charge_per_kw_month=44.8,
            demand_source="2026-08, 1-10 kV [N]",
            source=f"{_REF}: bands and ratios [V1]; floating base = purchase + T&D [U, back-calculated]",
            notes=(
                "Deep valley (0.2, 大工业 users) on Saturdays and Sundays of Feb-Jun and "
                "Sep-Nov; public holidays are not modelled."
            ),
        ),
        TouTariff(
            key="cn-beijing-two-part",
            name="Beijing two-part industrial & commercial TOU, 1-10 kV",
            region="Beijing",
            currency="CNY",
            rule="京发改规〔2023〕11号",
            effective="2023-09-01",
            seasons=(
                Season((2, 3, 4, 5, 6, 9, 10, 11), "VVVVVVVFFFPPPFFFFPPPPPFV"),
                Season((7, 8), "VVVVVVVFFFPSSFFFSPPPPPFV"),
                Season((1, 12), "VVVVVVVFFFPPPFFFFPSSSPFV"),
            ),
            multipliers={"V": 0.40, "F": 1.00, "P": 1.60, "S": 1.92},
            base_per_kwh=0.389702,  # purchase price only
            adder_per_kwh=0.23226375,
            price_source="国网北京 2026-08, 1-10 kV two-part [N, T&D matches NDRC 1077]",
            demand_charge_per_kw_month=52.0,
            demand_source="2026-08, 1-10 kV [N]",
            source=f"{_REF}: bands [V1]; floating base = purchase price [V1]",
        ),
        TouTariff(
            key="cn-sichuan-two-part",
            name="Sichuan two-part industrial & commercial TOU, 1-10 kV",
            region="Sichuan",
            currency="CNY",
            rule="川发改价格〔2025〕185号",
            effective="2025 (day not verified)",
            seasons=(
                Season((3, 4, 5, 6, 10, 11), "VVVVVVVVFFPPFFFFFPPPPPVV"),
                Season((7, 8), "FVVVVVVFFFFPPSPPPPFFPSSF"),
                Season((9,), "FVVVVVVFFFFPPPPPPPFFPPPF"),
                Season((1, 2, 12), "VVVVVVVVFFPPFFFFPPPPPPFF"),
            ),
            multipliers={"V": 0.40, "F": 1.00, "P": 1.60, "S": 1.92},
            base_per_kwh=0.4151,  # purchase 0.260434 + line loss 0.015566 + T&D 0.1391
            adder_per_kwh=0.09144375,  # system 0.044275 + funds 0.04716875
            price_source="2026-08, 1-10 kV two-part [N, T&D matches NDRC 1077]",
            demand_charge_per_kw_month=35.0,
            demand_source="2026-08, 1-10 kV [N]",
            source=f"{_REF}: bands [V1]; floating base [U, back-calculated]",
            notes="Critical peak all of Jul-Aug (other months after 3 days >= 35 °C: not modelled).",
        ),
        TouTariff(
            key="cn-xinjiang-two-part",
            name="Xinjiang industrial & commercial TOU",
            region="Xinjiang",
            currency="CNY",
            rule="新发改规〔2023〕11号",
            effective="2023 (day not verified)",
            seasons=(
                Season((2, 3, 4, 9, 10), "FFFFVVVVPPPFFVVVVFFPPPPP"),
                Season((1, 11, 12), "FFFFVVVVPPPFFVVVVFFSSPPP"),
                Season((5, 6, 8), "FFFFVVVVPPPFFVDDVFFPPPPP"),
                Season((7,), "FFFFVVVVPPPFFVDDVFFPPSSP"),
            ),
            multipliers={"V": 0.25, "F": 1.00, "P": 1.75, "S": 2.00, "D": 0.10},
            base_per_kwh=0.25,
            adder_per_kwh=0.1243,  # T&D 1-10 kV 0.1202 (NDRC 1077) + funds 0.0041 [N]
            price_source="assumption: no Xinjiang price level was found",
            demand_charge_per_kw_month=None,
            demand_source="not found; no demand charge applied unless the scenario sets one",
            source=f"{_REF}: bands and ratios [V1]; only the energy price floats [V1]",
            assumption=(
                "price level: the floating base is set to 0.25 CNY/kWh (Xinjiang's coal-fired "
                "benchmark on-grid price) because the 代理购电 price was not found"
            ),
        ),
        TouTariff(
            key="cn-guangdong-two-part",
            name="Guangdong industrial & commercial TOU",
            region="Guangdong",
            currency="CNY",
            rule="粤发改价格〔2021〕331号",
            effective="2021 (day not verified)",
            seasons=(
                Season((1, 2, 3, 4, 5, 6, 10, 11, 12), "VVVVVVVVFFPPFFPPPPPFFFFF"),
                Season((7, 8, 9), "VVVVVVVVFFPSFFPSSPPFFFFF"),
            ),
            multipliers={"V": 0.38, "F": 1.00, "P": 1.70, "S": 2.125},
            base_per_kwh=0.7,
            adder_per_kwh=0.03,
            price_source="assumption: 1-10 kV two-part price level not found",
            demand_charge_per_kw_month=36.1,
            demand_source="Huizhou 2026-02, 1-10(20) kV, 3rd period [V2]",
            source=f"{_REF}: bands and ratios [V1]",
            assumption="price level: floating base 0.70 + adder 0.03 CNY/kWh assumed",
            notes="Critical peak on >= 35 °C days outside Jul-Sep is not modelled.",
        ),
        TouTariff(
            key="cn-mengxi-two-part",
            name="Inner Mongolia West (Mengxi) TOU, 110 kV two-part",
            region="Inner Mongolia West",
            currency="CNY",
            rule="内发改价费字〔2023〕1630号",
            effective="2024-02-01 [N]",
            seasons=(
                Season((1, 2, 3, 4, 5, 9, 10, 11, 12), "VVVVFFPPFFFVVVVVFFPPPPFF"),
                Season(
                    (6, 7, 8),
                    "FFFFFFPPFFFVVDDVFFPSSPFF",
                    {"V": 0.44, "F": 1.00, "P": 1.54, "S": 1.848, "D": 0.352},
                ),
            ),
            multipliers={"V": 0.48, "F": 1.00, "P": 1.68},
            base_per_kwh=0.35,
            adder_per_kwh=0.092525,
            price_source="110 kV two-part 2025-06: 0.442525 CNY/kWh flat [V2]; split base/adder assumed",
            demand_charge_per_kw_month=31.2,
            demand_source="110 kV [V2]",
            source=f"{_REF}: bands and ratios [V1]",
            assumption="base/adder split of the 110 kV flat price assumed (0.35 floating)",
        ),
        TouTariff(
            key="cn-zhejiang-two-part",
            name="Zhejiang large-industry TOU, 1-10 kV",
            region="Zhejiang",
            currency="CNY",
            rule="浙发改价格〔2026〕112号",
            effective="2026-07-01",
            seasons=(
                Season((2, 3, 4, 5, 6, 9, 10, 11), "VVVVVVVFFFFVVVFFPPPPPPPF"),
                Season((1, 7, 8, 12), "VVVVVVVFFFFVVVFFPPSSSSPF"),
            ),
            multipliers={"V": 0.40, "F": 1.00, "P": 1.85, "S": 2.05, "D": 0.20},
            base_per_kwh=0.475,
            adder_per_kwh=0.154919,
            price_source="2026-08, 1-10 kV two-part flat 0.629919 [N]; base = purchase + loss + system (~0.475) [N]",
            demand_charge_per_kw_month=47.2,
            demand_source="2026-08, 1-10 kV [N]",
            source=f"{_REF}: bands and ratios [V1]",
            notes="Holiday deep valley (09-15) not modelled.",
        ),
        TouTariff(
            key="cn-guizhou-two-part",
            name="Guizhou TOU, 10 kV two-part",
            region="Guizhou",
            currency="CNY",
            rule="黔发改价格〔2023〕481号",
            effective="2023 (page 2023-06-28)",
            seasons=(Season(ALL_MONTHS, "VVVVVVVVFFPPPFFFFPPPPPFF"),),
            multipliers={"V": 0.40, "F": 1.00, "P": 1.60},
            base_per_kwh=0.536675,
            adder_per_kwh=0.025325,
            price_source="third-party derived 10 kV flat 0.562 CNY/kWh [U]; funds 0.025325 do not float [N]",
            demand_charge_per_kw_month=35.0,
            demand_source="10 kV from 2026-08 [N]",
            source=f"{_REF}: bands and ratios [V1]",
        ),
        TouTariff(
            key="cn-gansu-two-part",
            name="Gansu TOU (placeholder multipliers)",
            region="Gansu",
            currency="CNY",
            rule="甘发改价格〔2024〕424号",
            effective="2024-08-01",
            seasons=(Season(ALL_MONTHS, "FFFFFFPPFFVVVVVVFFPPPPPF"),),
            multipliers={"V": 0.50, "F": 1.00, "P": 1.50},
            base_per_kwh=0.35,
            adder_per_kwh=0.11,
            price_source="assumption: price level not found",
            demand_charge_per_kw_month=None,
            demand_source="not found",
            source=f"{_REF}: hours [V1]; multipliers are market-formed (spread >= 3:1)",
            assumption="multipliers 1.5 / 1 / 0.5 (just meeting 3:1) and price level assumed",
        ),
        TouTariff(
            key="cn-ningxia-two-part",
            name="Ningxia TOU (placeholder multipliers)",
            region="Ningxia",
            currency="CNY",
            rule="宁发改价格（管理）〔2023〕7号",
            effective="2023 (day not verified)",
            seasons=(Season(ALL_MONTHS, "FFFFFFFPPVVVVVVVVPPPPPPF"),),
            multipliers={"V": 0.50, "F": 1.00, "P": 1.50},
            base_per_kwh=0.3,
            adder_per_kwh=0.09,
            price_source="assumption: price level not found",
            demand_charge_per_kw_month=25.6,
            demand_source="110 kV, 3rd period [N]",
            source=f"{_REF}: hours [V2]; multipliers of the 2021 rule (±50 %) [U]",
            assumption="multipliers 1.5 / 1 / 0.5 (2021 rule) and price level assumed",
        ),
        TouTariff(
            key="cn-generic-ndrc",
            name="Generic China TOU under the NDRC 2021 rule (assumption)",
            region="China (generic)",
            currency="CNY",
            rule="NDRC 2021 TOU guidance: peak/valley >= 4:1 where the load gap exceeds 40 %",
            effective="2021",
            seasons=(Season(ALL_MONTHS, "VVVVVVVVFFPPPFFFFPPPPPFF"),),
            multipliers={"V": 0.40, "F": 1.00, "P": 1.60},
            base_per_kwh=0.45,
            adder_per_kwh=0.12,
            price_source="assumption",
            demand_charge_per_kw_month=35.0,
            demand_source="assumption (typical provincial 1-10 kV value)",
            source="reference/kpis-policy.md (NDRC 2021 ratio rule)",
            assumption=(
                "generic structure: hours and ratio 1.6 : 1 : 0.4 (4:1) assumed under the NDRC "
                "rule for provinces without a sourced tariff; price level assumed"
            ),
        ),
    )
}


def get_tariff(key: str) -> TouTariff:
    """A built-in tariff by key; the error lists the valid keys."""
    if key not in TARIFFS:
        raise ScenarioError(f"unknown tariff {key!r}; built-in tariffs: {', '.join(TARIFFS)}")
    return TARIFFS[key]


def _season_table(tariff: TouTariff, hours: pd.DatetimeIndex, tz: str):
    local = hours.tz_convert(tz)
    month = local.month.to_numpy()
    hour = local.hour.to_numpy()
    rest = local.day_of_week.to_numpy() >= 5
    return month, hour, rest


def hourly_bands(tariff: TouTariff, hours: pd.DatetimeIndex, tz: str) -> pd.DataFrame:
    """The band and multiplier of each hour, read in the site's local clock time.

    Parameters
    ----------
    tariff : TouTariff
    hours : DatetimeIndex
        tz-aware hour starts.
    tz : str
        The site's IANA time zone.

    Returns
    -------
    DataFrame
        ``band`` (letter) and ``multiplier`` [-] per hour.
    """
    month, hour, rest = _season_table(tariff, hours, tz)
    bands = np.empty(len(hours), dtype="<U1")
    mult = np.empty(len(hours))
    for m in ALL_MONTHS:
        for r in (False, True):
            mask = (month == m) & (rest == r)
            if not mask.any():
                continue
            season = tariff.season(m, r)
            letters = np.array(list(season.bands))
            bands[mask] = letters[hour[mask]]
            table = tariff.season_multipliers(season)
            mult[mask] = np.array([table[b] for b in letters])[hour[mask]]
    return pd.DataFrame({"band": bands, "multiplier": mult}, index=hours)


def hourly_price(
    tariff: TouTariff,
    hours: pd.DatetimeIndex,
    tz: str,
    base_per_kwh: float | None = None,
    adder_per_kwh: float | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Energy price and band of each hour.

    Returns
    -------
    price : Series
        [currency/kWh].
    band : Series
        Band letters.
    """
    table = hourly_bands(tariff, hours, tz)
    base = tariff.base_per_kwh if base_per_kwh is None else base_per_kwh
    adder = tariff.adder_per_kwh if adder_per_kwh is None else adder_per_kwh
    price = base * table["multiplier"] + adder
    return price.rename("price_per_kwh"), table["band"]
