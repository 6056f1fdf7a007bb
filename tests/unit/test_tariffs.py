"""Time-of-use tariffs against the figures of reference/china_tou_tariffs.md."""

import dataclasses

import pandas as pd
import pytest

from scenarios.errors import ScenarioError
from scenarios.tariffs import TARIFFS, get_tariff, hourly_bands, hourly_price

YEAR = pd.date_range("2023-01-01", periods=8760, freq="h", tz="Asia/Shanghai")

# Time-weighted average multiplier of a flat 24/7 load on the floating base, as derived in
# the reference ("Derived check"), without rest-day deep valleys.
REFERENCE_AVERAGE_MULTIPLIER = {
    "cn-shanghai-two-part": 1.037,
    "cn-beijing-two-part": 1.018,
    "cn-sichuan-two-part": 0.994,
    "cn-xinjiang-two-part": 1.003,
    "cn-guangdong-two-part": 1.011,
    "cn-mengxi-two-part": 0.991,
    "cn-zhejiang-two-part": 1.009,
    "cn-guizhou-two-part": 1.000,
}


@pytest.mark.parametrize(("key", "expected"), sorted(REFERENCE_AVERAGE_MULTIPLIER.items()))
def test_flat_load_average_multiplier_matches_the_reference(key, expected):
    tariff = TARIFFS[key]
    weekdays_only = dataclasses.replace(tariff, seasons=tuple(s for s in tariff.seasons if not s.rest_days))
    mean = hourly_bands(weekdays_only, YEAR, "Asia/Shanghai")["multiplier"].mean()
    assert mean == pytest.approx(expected, abs=0.0015)


@pytest.mark.parametrize(
    ("key", "band", "month", "price"),
    [
        # 2026-08 1-10 kV two-part prices of the reference (all-in, CNY/kWh)
        ("cn-shanghai-two-part", "F", 8, 0.671413),
        ("cn-shanghai-two-part", "P", 8, 1.144372),
        ("cn-shanghai-two-part", "S", 8, 1.410412),
        ("cn-shanghai-two-part", "V", 8, 0.316694),
        ("cn-beijing-two-part", "P", 8, 0.85578675),
        ("cn-beijing-two-part", "S", 8, 0.98049175),
        ("cn-beijing-two-part", "V", 8, 0.38814475),
        ("cn-sichuan-two-part", "P", 8, 0.755604),
        ("cn-sichuan-two-part", "S", 8, 0.888436),
        ("cn-sichuan-two-part", "V", 8, 0.257484),
    ],
)
def test_multipliers_apply_to_the_floating_base_not_the_all_in_price(key, band, month, price):
    assert TARIFFS[key].band_price_per_kwh(band, month) == pytest.approx(price, abs=2e-6)


def test_bands_are_read_in_local_clock_time():
    # Beijing July: 11-13 critical peak, 23-07 valley (local time), whatever the index zone
    hours = pd.date_range("2023-07-03 00:00", periods=24, freq="h", tz="Asia/Shanghai").tz_convert("UTC")
    bands = hourly_bands(get_tariff("cn-beijing-two-part"), hours, "Asia/Shanghai")["band"]
    assert "".join(bands) == "VVVVVVVFFFPSSFFFSPPPPPFV"


def test_shanghai_deep_valley_applies_on_weekends_of_its_months_only():
    tariff = get_tariff("cn-shanghai-two-part")
    saturday = pd.date_range("2023-04-01", periods=24, freq="h", tz="Asia/Shanghai")
    monday = pd.date_range("2023-04-03", periods=24, freq="h", tz="Asia/Shanghai")
    july_saturday = pd.date_range("2023-07-01", periods=24, freq="h", tz="Asia/Shanghai")
    assert hourly_bands(tariff, saturday, "Asia/Shanghai")["band"].iloc[0] == "D"
    assert hourly_bands(tariff, monday, "Asia/Shanghai")["band"].iloc[0] == "V"
    assert hourly_bands(tariff, july_saturday, "Asia/Shanghai")["band"].iloc[0] == "V"
    # Feb-Jun valley is flat -50 %, Jul-Sep -60 % (seasonal multipliers)
    april, _ = hourly_price(tariff, monday, "Asia/Shanghai")
    assert april.iloc[0] == pytest.approx(tariff.base_per_kwh * 0.5 + tariff.adder_per_kwh)


def test_every_tariff_has_a_source_an_effective_date_and_labels_its_assumptions():
    for tariff in TARIFFS.values():
        assert tariff.source and tariff.effective and tariff.rule
        if "assumption" in tariff.price_source or tariff.demand_charge_per_kw_month is None:
            assert tariff.assumption or tariff.demand_charge_per_kw_month is None


def test_national_rule_ratio_is_met_by_the_generic_structure():
    m = get_tariff("cn-generic-ndrc").multipliers
    assert m["P"] / m["V"] >= 4.0


def test_unknown_tariff_lists_the_valid_ones():
    with pytest.raises(ScenarioError, match="cn-shanghai-two-part"):
        get_tariff("cn-mars")
